// Command client-cli runs the benchmark's file transfers with s3kit's
// command line, as a user at a shell runs it: each Download is
// `s3kit cp s3://bucket/key ./file`, each Upload `s3kit cp ./file
// s3://bucket/key`, and a download into a pipe `s3kit cp s3://bucket/key -`
// with the pipe as its standard output; one process per transfer, its
// start-up included in the time. The s3kit binary is the one the runner
// builds beside this program.
//
// The command line reads its credentials and region from the environment,
// as it does at a shell; this program sets them, and points the AWS shared
// files at /dev/null so that the machine's own cannot reach it. Uploads of
// streams, io.Discard and small objects are not what the command line is
// for here: they return errors.ErrUnsupported.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/s3kit/s3kit/bench/internal/harness"
)

func main() {
	harness.Main(map[string]harness.Factory{"s3kit-cli": newCLI})
}

type cli struct {
	bin  string
	args []string // the connection and tuning flags of every command
	// peak is the highest maxrss (KiB) of the commands run. Linux counts in
	// it this program's own RSS at the command's exec, a few MiB.
	peak int64
}

func (c *cli) ChildPeakRSSKiB() int64 { return c.peak }

func newCLI(cfg harness.Config) (harness.Client, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(filepath.Dir(self), "s3kit")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("the s3kit command line beside %s: %w", self, err)
	}
	args := []string{"--endpoint-url", cfg.Endpoint, "--quiet"}
	if cfg.Concurrency > 0 {
		args = append(args, "--max-concurrency", strconv.Itoa(cfg.Concurrency))
	}
	if cfg.PartSize > 0 {
		args = append(args, "--multipart-chunksize", strconv.FormatInt(cfg.PartSize, 10),
			"--multipart-threshold", strconv.FormatInt(cfg.PartSize, 10))
	}
	return &cli{bin: bin, args: args}, nil
}

// cp runs `s3kit cp src dst` with the client's flags.
func (c *cli) cp(ctx context.Context, src, dst string) error { return c.run(ctx, nil, src, dst) }

// run runs `s3kit cp src dst` with the client's flags and stdout as its
// standard output (nil: its output is kept for the error).
func (c *cli) run(ctx context.Context, stdout *os.File, src, dst string) error {
	cmd := exec.CommandContext(ctx, c.bin, append([]string{"cp", src, dst}, c.args...)...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+harness.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+harness.SecretAccessKey,
		"AWS_REGION="+harness.Region,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if stdout != nil {
		cmd.Stdout = stdout
	}
	err := cmd.Run()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			c.peak = max(c.peak, int64(ru.Maxrss))
		}
	}
	if err != nil {
		return fmt.Errorf("s3kit cp %s %s: %v: %s", src, dst, err, out.String())
	}
	return nil
}

func (c *cli) Upload(ctx context.Context, bucket, key, path string, size int64) error {
	return c.cp(ctx, path, "s3://"+bucket+"/"+key)
}

func (c *cli) Download(ctx context.Context, bucket, key, path string, size int64) error {
	return c.cp(ctx, "s3://"+bucket+"/"+key, path)
}

// DownloadTo runs `s3kit cp s3://bucket/key -` with the pipe as the
// command's standard output, as a shell pipeline does; there is no pipe to
// hand it for io.Discard.
func (c *cli) DownloadTo(ctx context.Context, bucket, key string, w io.Writer, size int64) error {
	pw, ok := w.(harness.PipeWriter)
	if !ok || pw.File() == nil {
		return errors.ErrUnsupported
	}
	if err := c.run(ctx, pw.File(), "s3://"+bucket+"/"+key, "-"); err != nil {
		return err
	}
	pw.Wrote(size)
	return nil
}

func (c *cli) UploadStream(context.Context, string, string, io.Reader) error {
	return errors.ErrUnsupported
}

func (c *cli) Put(context.Context, string, string, []byte) error { return errors.ErrUnsupported }

func (c *cli) Get(context.Context, string, string, []byte) (int, error) {
	return 0, errors.ErrUnsupported
}
