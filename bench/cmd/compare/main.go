// Command compare is the benchmark runner behind `make bench-compare`: it
// measures s3kit beside aws-sdk-go-v2 and minio-go, and beside plain
// net/http baselines, against the in-process sink, and writes RESULTS.md.
//
// It builds one program per library (cmd/client-*), so that a child
// process holds one library only, and runs every measured transfer in its
// own child: the wall time comes from the child, the CPU time (user+sys) and
// peak RSS from the kernel's rusage of that process. Clients run
// interleaved, for -rounds rounds, so that a change in the machine's load
// (it is shared) touches every client alike, and each round starts one
// client later (A B C, B C A, C A B …), so that no client always runs first
// or always after the same neighbour; ratios are taken against the
// baseline of the same round and their median reported. A download to disk
// starts after a sync, with no dirty page of an earlier run left.
//
// Before the measured rounds, a verify round runs every scenario once on
// small objects with the sink in verify mode and the children checking what
// they download: a client that moved the wrong bytes fails the run instead
// of looking fast.
//
// Run it from the bench directory: go run ./cmd/compare -h.
//
// This file holds the flags and the run loop; scenarios.go what is run;
// child.go how a child is started and measured; report.go RESULTS.md;
// machine.go the machine description.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/s3kit/s3kit/bench/internal/pattern"
	"github.com/s3kit/s3kit/bench/internal/sink"
)

type options struct {
	size, pipeSize, verifySize int64
	rounds                     int
	smallCount                 int
	groups                     map[string]bool
	only                       *regexp.Regexp
	out, rawOut                string
	dir                        string
	tmpfs                      bool
	verify                     bool
	profileDir                 string
	profileClients             map[string]bool
	signBenchtime              string
	timeout                    time.Duration
}

const allGroups = "transfer,pipe,small,sign,binsize"

func main() {
	var o options
	size := flag.String("size", "1GiB", "size of the file uploaded and downloaded (KiB, MiB, GiB suffixes)")
	pipeSize := flag.String("pipe-size", "", "size of the pipe upload; empty means twice -size")
	verifySize := flag.String("verify-size", "40MiB", "object size of the verify round")
	flag.IntVar(&o.rounds, "rounds", 5, "measured rounds")
	flag.IntVar(&o.smallCount, "small-count", 2000, "small objects: PUTs, then as many GETs, per run")
	groups := flag.String("groups", allGroups, "comma-separated groups to run: "+allGroups)
	only := flag.String("only", "", "run only the scenarios whose name matches this regexp (e.g. 'upload-http')")
	flag.StringVar(&o.out, "out", "RESULTS.md", "results file")
	flag.StringVar(&o.rawOut, "raw", "", "also write every sample as JSON to this file")
	flag.StringVar(&o.dir, "dir", "", "directory on disk for the downloads; empty means the temp dir, or the bench directory when the temp dir is tmpfs")
	flag.BoolVar(&o.tmpfs, "tmpfs", true, "also download into tmpfs (/dev/shm, when it has room), as separate scenarios; the source files live there too")
	flag.BoolVar(&o.verify, "verify", true, "run the verify round first")
	flag.StringVar(&o.profileDir, "profile", "", "write a CPU profile of each run of the last round of -profile-clients to this directory")
	profileClients := flag.String("profile-clients", "s3kit", "clients (labels) profiled with -profile")
	flag.StringVar(&o.signBenchtime, "sign-benchtime", "300ms", "benchtime of each signing micro-benchmark per round")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "limit on one child run")
	flag.Parse()

	var err error
	for _, f := range []struct {
		s   string
		dst *int64
	}{{*size, &o.size}, {*verifySize, &o.verifySize}} {
		if *f.dst, err = parseSize(f.s); err != nil {
			fatal(err)
		}
	}
	o.pipeSize = 2 * o.size
	if *pipeSize != "" {
		if o.pipeSize, err = parseSize(*pipeSize); err != nil {
			fatal(err)
		}
	}
	o.groups = map[string]bool{}
	for _, g := range strings.Split(*groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			if !strings.Contains(","+allGroups+",", ","+g+",") {
				fatal(fmt.Errorf("unknown group %q (have %s)", g, allGroups))
			}
			o.groups[g] = true
		}
	}
	if *only != "" {
		if o.only, err = regexp.Compile(*only); err != nil {
			fatal(err)
		}
	}
	o.profileClients = map[string]bool{}
	for _, c := range strings.Split(*profileClients, ",") {
		o.profileClients[strings.TrimSpace(c)] = true
	}
	if o.rounds < 1 {
		fatal(errors.New("-rounds must be at least 1"))
	}
	if err := run(&o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}

// parseSize parses "1GiB", "256MiB", "64KiB" or a byte count.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n * float64(mult)), nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// runner holds what every run shares.
type runner struct {
	o         *options
	moduleDir string
	binDir    string
	workDir   string // the source files and the certificate
	diskDir   string // the downloads on disk
	tmpfsDir  string // the downloads into tmpfs; "" when there are none
	certFile  string
	sink      *sink.Server
	samples   []*sample
	started   time.Time
	loadAt    [2]string
	signs     []signSample
	failures  []string // verify-round and run errors, for the report
}

func run(o *options) error {
	r := &runner{o: o, started: time.Now()}
	r.loadAt[0] = loadAverage()
	mod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	r.moduleDir = filepath.Dir(strings.TrimSpace(string(mod)))
	if b, err := os.ReadFile(filepath.Join(r.moduleDir, "go.mod")); err != nil || !strings.Contains(string(b), "module github.com/s3kit/s3kit/bench") {
		return errors.New("run compare from the bench directory (the github.com/s3kit/s3kit/bench module)")
	}
	if !filepath.IsAbs(o.out) {
		o.out = filepath.Join(r.moduleDir, o.out)
	}
	if r.binDir, err = os.MkdirTemp("", "s3kit-bench-bin-"); err != nil {
		return err
	}
	defer os.RemoveAll(r.binDir)
	// Downloads go to a disk, as users' do; the same downloads into tmpfs
	// are separate scenarios. The source files live in tmpfs when it can
	// hold them and one download at a time, so that reading them is no
	// disk's work either.
	diskBase := o.dir
	if diskBase == "" {
		diskBase = os.TempDir()
		if fsType(diskBase) == "tmpfs" {
			diskBase = r.moduleDir
		}
	}
	if r.diskDir, err = os.MkdirTemp(diskBase, "s3kit-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(r.diskDir)
	if t := fsType(r.diskDir); t == "tmpfs" {
		logf("warning: %s is tmpfs: the disk scenarios will not measure a disk", r.diskDir)
	}
	r.workDir = r.diskDir
	if o.tmpfs && fsType("/dev/shm") == "tmpfs" && freeBytes("/dev/shm") > 2*o.size+o.verifySize+(64<<20) {
		if r.tmpfsDir, err = os.MkdirTemp("/dev/shm", "s3kit-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(r.tmpfsDir)
		r.workDir = r.tmpfsDir
	}

	logf("building the client programs")
	if err := r.build(); err != nil {
		return err
	}
	r.sink, err = sink.Start(nil)
	if err != nil {
		return err
	}
	defer r.sink.Close()
	r.certFile = filepath.Join(r.workDir, "sink.pem")
	if err := os.WriteFile(r.certFile, r.sink.CertPEM, 0o644); err != nil {
		return err
	}
	needFiles := o.groups["transfer"]
	if needFiles {
		logf("writing the %s source file", formatSize(o.size))
		if err := pattern.CreateFile(r.sourceFile(false), o.size); err != nil {
			return err
		}
		if err := pattern.CreateFile(r.sourceFile(true), o.verifySize); err != nil {
			return err
		}
	}
	r.sink.AddObject(bucket, downloadKey(false), o.size, downloadLayout)
	r.sink.AddObject(bucket, downloadKey(true), o.verifySize, downloadLayout)

	scens := r.scenarios()
	ctx := context.Background()
	if o.verify {
		logf("verify round (%s objects, sink in verify mode)", formatSize(o.verifySize))
		r.sink.SetVerify(true)
		for _, sc := range scens {
			for _, c := range sc.clients {
				if _, err := r.runOne(ctx, sc, c, 0, true); err != nil {
					r.failures = append(r.failures, fmt.Sprintf("verify round, %s, %s: %v", sc.name, c.label, err))
					logf("  FAILED %s %s: %v", sc.name, c.label, err)
				}
			}
		}
		r.sink.SetVerify(false)
	}
	for round := 1; round <= o.rounds; round++ {
		logf("round %d of %d", round, o.rounds)
		for _, sc := range scens {
			for i := range sc.clients {
				c := sc.clients[(i+round-1)%len(sc.clients)]
				s, err := r.runOne(ctx, sc, c, round, false)
				if err != nil {
					r.failures = append(r.failures, fmt.Sprintf("round %d, %s, %s: %v", round, sc.name, c.label, err))
					logf("  FAILED %s %s: %v", sc.name, c.label, err)
					continue
				}
				r.samples = append(r.samples, s)
			}
		}
		if o.groups["sign"] && (o.only == nil || o.only.MatchString("sign")) {
			if err := r.signRound(ctx, round); err != nil {
				r.failures = append(r.failures, fmt.Sprintf("round %d, signing: %v", round, err))
			}
		}
	}
	var sizes []binSize
	if o.groups["binsize"] && (o.only == nil || o.only.MatchString("binsize")) {
		logf("binary sizes")
		if sizes, err = r.binSizes(ctx); err != nil {
			r.failures = append(r.failures, fmt.Sprintf("binary sizes: %v", err))
		}
	}
	r.loadAt[1] = loadAverage()
	if o.rawOut != "" {
		b, _ := json.MarshalIndent(r.samples, "", "  ")
		if err := os.WriteFile(o.rawOut, b, 0o644); err != nil {
			return err
		}
	}
	report := r.report(scens, sizes)
	if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
		return err
	}
	logf("wrote %s in %s", o.out, time.Since(r.started).Round(time.Second))
	if len(r.failures) > 0 {
		return fmt.Errorf("%d runs failed (listed in %s)", len(r.failures), o.out)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func (r *runner) sourceFile(verify bool) string {
	if verify {
		return filepath.Join(r.workDir, "source-verify")
	}
	return filepath.Join(r.workDir, "source")
}

// fsType names the file system at path: "ext4", "xfs", "btrfs", "tmpfs",
// its magic number in hex for others, "" when it cannot be told.
func fsType(path string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return ""
	}
	switch t := uint32(st.Type); t {
	case 0xef53:
		return "ext4" // ext2, ext3 and ext4 share it
	case 0x58465342:
		return "xfs"
	case 0x9123683e:
		return "btrfs"
	case 0x01021994:
		return "tmpfs"
	case 0x2fc12fc1:
		return "zfs"
	case 0x794c7630:
		return "overlayfs"
	default:
		return fmt.Sprintf("%#x", t)
	}
}

// freeBytes returns the space available in the file system at path, or 0.
func freeBytes(path string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
