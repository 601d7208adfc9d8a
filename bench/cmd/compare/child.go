package main

// Building the child programs, and running one child with its rusage.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/s3kit/s3kit/bench/internal/harness"
	"github.com/s3kit/s3kit/bench/internal/pattern"
)

// clientPrograms are built once per run, without stripping, so that
// -profile's profiles have symbols.
var clientPrograms = []string{"client-raw", "client-s3kit", "client-cli", "client-aws", "client-minio", "signbench"}

// sizeProbes are the binary-size programs, built as the issue says:
// -trimpath -ldflags="-s -w".
var sizeProbes = []string{"hello", "nethttp", "s3kit", "aws", "minio"}

func (r *runner) build() error {
	args := []string{"build", "-trimpath", "-o", r.binDir + string(filepath.Separator)}
	for _, p := range clientPrograms {
		args = append(args, "./cmd/"+p)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = r.moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	// The command line client-cli runs, from s3kit's own module (its
	// go.mod holds what the command needs and the bench's does not).
	args = []string{"build", "-trimpath", "-o", filepath.Join(r.binDir, "s3kit"), "./cmd/s3kit"}
	cmd = exec.Command("go", args...)
	cmd.Dir = filepath.Dir(r.moduleDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// childEnv is the whole environment of a child: the machine's AWS_*
// variables (AWS_CA_BUNDLE, profiles, endpoints) must not reach a client,
// and SSL_CERT_FILE makes every library's default transport trust the
// sink's certificate without a line of TLS set-up in the clients.
func (r *runner) childEnv() []string {
	env := []string{"SSL_CERT_FILE=" + r.certFile}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// child runs one program with args and returns its result line, its CPU
// time (user+sys, seconds, from rusage) and its peak RSS (KiB, as the child
// reports it). With stdinSize >= 0 the
// child's stdin is a pipe fed that many bytes of the pattern by this
// process, so that the writing costs the child nothing. With pipeSize >= 0
// the child's file descriptor 3 is a pipe this process drains, and checks
// that pipeSize bytes came out (of the pattern, when verifying), so that
// the reading costs the child nothing.
func (r *runner) child(ctx context.Context, program string, args []string, stdinSize, pipeSize int64, verify bool) (harness.Result, float64, int64, error) {
	var res harness.Result
	ctx, cancel := context.WithTimeout(ctx, r.o.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(r.binDir, program), args...)
	cmd.Env = r.childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var pw *os.File
	if stdinSize >= 0 {
		pr, w, err := os.Pipe()
		if err != nil {
			return res, 0, 0, err
		}
		defer pr.Close()
		cmd.Stdin, pw = pr, w
	}
	var drainR, drainW *os.File
	if pipeSize >= 0 {
		var err error
		if drainR, drainW, err = os.Pipe(); err != nil {
			return res, 0, 0, err
		}
		defer drainR.Close()
		cmd.ExtraFiles = []*os.File{drainW}
	}
	if err := cmd.Start(); err != nil {
		if pw != nil {
			pw.Close()
		}
		if drainW != nil {
			drainW.Close()
		}
		return res, 0, 0, err
	}
	drained := make(chan error, 1)
	if drainW != nil {
		drainW.Close() // the child holds the only writer: EOF when it exits
		go func() {
			var check pattern.Checker
			n, err := io.CopyBuffer(&check, drainR, make([]byte, 256<<10))
			switch {
			case err != nil:
			case n != pipeSize:
				err = fmt.Errorf("%d bytes came out of the pipe, want %d", n, pipeSize)
			case verify && check.Bad:
				err = errors.New("the bytes that came out of the pipe differ from the pattern")
			}
			drained <- err
		}()
	} else {
		drained <- nil
	}
	fed := make(chan error, 1)
	if pw != nil {
		cmd.Stdin.(*os.File).Close()
		go func() {
			_, err := pattern.WriteTo(pw, 0, stdinSize)
			fed <- errors.Join(err, pw.Close())
		}()
	} else {
		fed <- nil
	}
	waitErr := cmd.Wait()
	feedErr := <-fed
	drainErr := <-drained
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var cpu float64
	if ru != nil {
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	if line := lastLine(stdout.Bytes()); len(line) > 0 {
		if err := json.Unmarshal(line, &res); err != nil {
			return res, cpu, 0, fmt.Errorf("%s: bad result line %q: %v", program, line, err)
		}
	}
	// The peak RSS is the child's own VmHWM: rusage's maxrss of a child
	// started by Go includes this process's high-water mark (see
	// harness.Result.PeakRSSKiB).
	rss := res.PeakRSSKiB
	if waitErr != nil {
		msg := strings.TrimSpace(stderr.String())
		if res.ErrorString != "" {
			msg = res.ErrorString
		}
		return res, cpu, rss, fmt.Errorf("%s %s: %v: %s", program, strings.Join(args, " "), waitErr, msg)
	}
	if feedErr != nil {
		return res, cpu, rss, fmt.Errorf("feeding the pipe: %v", feedErr)
	}
	if drainErr != nil {
		return res, cpu, rss, fmt.Errorf("draining the pipe: %v", drainErr)
	}
	if res.Secs <= 0 {
		return res, cpu, rss, fmt.Errorf("%s: no result line", program)
	}
	return res, cpu, rss, nil
}

func lastLine(b []byte) []byte {
	var last []byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			last = append(last[:0], l...)
		}
	}
	return last
}

// signSample is one signing micro-benchmark result of one round.
type signSample struct {
	Lib         string  `json:"lib"`
	Op          string  `json:"op"`
	NsPerOp     float64 `json:"ns_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	Round       int     `json:"round"`
}

func (r *runner) signRound(ctx context.Context, round int) error {
	cmd := exec.CommandContext(ctx, filepath.Join(r.binDir, "signbench"), "-benchtime", r.o.signBenchtime)
	cmd.Env = r.childEnv()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("signbench: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var s signSample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return fmt.Errorf("signbench: %q: %v", sc.Text(), err)
		}
		s.Round = round
		r.signs = append(r.signs, s)
		logf("  %-18s %-32s %8.0f ns/op %4d allocs/op", s.Op, s.Lib, s.NsPerOp, s.AllocsPerOp)
	}
	return nil
}

type binSize struct {
	name  string
	bytes int64
	ran   error // the probe's PutObject against the sink
}

// binSizes builds each probe stripped and runs it once against the sink,
// to show it is a working program.
func (r *runner) binSizes(ctx context.Context) ([]binSize, error) {
	var out []binSize
	for _, p := range sizeProbes {
		bin := filepath.Join(r.binDir, "probe-"+p)
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/minput/"+p)
		cmd.Dir = r.moduleDir
		if b, err := cmd.CombinedOutput(); err != nil {
			return out, fmt.Errorf("building %s: %v\n%s", p, err, b)
		}
		st, err := os.Stat(bin)
		if err != nil {
			return out, err
		}
		run := exec.CommandContext(ctx, bin, r.sink.HTTPURL)
		run.Env = r.childEnv()
		b, err := run.CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(b))
		}
		out = append(out, binSize{name: p, bytes: st.Size(), ran: err})
		logf("  %-8s %6.2f MiB", p, float64(st.Size())/(1<<20))
	}
	return out, nil
}
