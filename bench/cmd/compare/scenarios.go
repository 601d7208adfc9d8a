package main

// What is measured: the clients, the scenarios they run in, and one run.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/s3kit/s3kit/bench/internal/harness"
	"github.com/s3kit/s3kit/bench/internal/pattern"
)

const (
	bucket = "bench"
	// downloadLayout is the part size the download object was "uploaded"
	// with: aws-sdk-go-v2's transfermanager downloads by part number, so
	// it follows the object's parts rather than its own setting.
	downloadLayout = 8 << 20
	benchConc      = 8
	benchPart      = 8 << 20
	smallSize      = 4 << 10
)

func downloadKey(verify bool) string {
	if verify {
		return "download/verify"
	}
	return "download/large"
}

// clientSpec is one row of a table: a program, the client it runs, and
// how.
type clientSpec struct {
	label    string // the row's name
	binary   string // cmd/client-<binary>
	name     string // its -client
	variant  string // its -variant
	baseline bool
}

var (
	raw        = clientSpec{label: "raw net/http", binary: "raw", name: "raw", baseline: true}
	rawSHA     = clientSpec{label: "raw + sha256", binary: "raw", name: "raw-sha256", baseline: true}
	s3kit      = clientSpec{label: "s3kit", binary: "s3kit", name: "s3kit"}
	s3kitSync  = clientSpec{label: "s3kit DurableDownloads", binary: "s3kit", name: "s3kit", variant: "durable"}
	s3kitCLI   = clientSpec{label: "s3kit cp (command line)", binary: "cli", name: "s3kit-cli"}
	awsManager = clientSpec{label: "aws-sdk-go-v2 manager", binary: "aws", name: "aws-manager"}
	awsTM      = clientSpec{label: "aws-sdk-go-v2 transfermanager", binary: "aws", name: "aws-tm"}
	awsS3      = clientSpec{label: "aws-sdk-go-v2", binary: "aws", name: "aws-manager"}
	minio      = clientSpec{label: "minio-go", binary: "minio", name: "minio"}
	minioCS    = clientSpec{label: "minio-go ConcurrentStreamParts", binary: "minio", name: "minio", variant: "concurrent-stream"}
)

// defaultsNote says what each client does at its defaults, for the
// report.
var defaultsNote = map[string]string{
	"s3kit":                         "transfer.Manager: 10 parts in flight, 8 MiB parts (boto3's TransferConfig); 8 MiB ranges for downloads",
	"s3kit cp (command line)":       "s3kit cp: 10 requests at once, 8 MiB parts and ranges (the AWS CLI's defaults); one process per transfer, its start-up included",
	"aws-sdk-go-v2 manager":         "manager.Uploader/Downloader: concurrency 5, 5 MiB parts and ranges",
	"aws-sdk-go-v2 transfermanager": "concurrency 5, 8 MiB parts; downloads by part number (the object's 8 MiB parts)",
	"minio-go":                      "FPutObject: 4 threads, part size from the object size (16 MiB minimum); FGetObject: one GET; streams: about 537 MiB parts (5 TiB / 10,000), sent one at a time",
}

type scenario struct {
	name    string // "upload-http-c8p8"
	group   string // "transfer", "pipe", "small"
	op      string // harness op: upload, download, download-writer, stream, small
	proto   string // http, https
	mode    string // "c8p8", "defaults", "w1", "w16"
	clients []clientSpec
	// Downloads: where the bytes go. A file on disk (the runner's disk
	// directory) or in tmpfs, or, for download-writer, io.Discard or a
	// pipe the runner drains.
	dest string // "disk", "tmpfs", "discard", "pipe"
}

// Download scenarios' destinations.
const (
	onDisk  = "disk"
	inTmpfs = "tmpfs"
	discard = "discard"
	toPipe  = "pipe"
)

func (r *runner) scenarios() []scenario {
	var out []scenario
	add := func(s scenario) {
		if r.o.groups[s.group] && (r.o.only == nil || r.o.only.MatchString(s.name)) {
			out = append(out, s)
		}
	}
	for _, op := range []string{"upload", "download"} {
		for _, proto := range []string{"http", "https"} {
			c8 := []clientSpec{raw, rawSHA, s3kit, s3kitCLI, awsManager, awsTM, minio}
			def := []clientSpec{s3kit, s3kitCLI, awsManager, awsTM, minio}
			dest := ""
			if op == "download" {
				// minio-go's FGetObject takes no concurrency or part
				// size: its one run stands for both settings.
				c8 = []clientSpec{raw, s3kit, s3kitSync, s3kitCLI, awsManager, awsTM, minio}
				def = []clientSpec{s3kit, s3kitCLI, awsManager, awsTM}
				dest = onDisk
			}
			add(scenario{name: op + "-" + proto + "-c8p8", group: "transfer", op: op, proto: proto, mode: "c8p8", clients: c8, dest: dest})
			add(scenario{name: op + "-" + proto + "-defaults", group: "transfer", op: op, proto: proto, mode: "defaults", clients: def, dest: dest})
		}
	}
	// The same downloads into tmpfs: no disk in the measurement.
	if r.tmpfsDir != "" {
		for _, proto := range []string{"http", "https"} {
			add(scenario{name: "download-tmpfs-" + proto + "-c8p8", group: "transfer", op: "download", proto: proto, mode: "c8p8",
				clients: []clientSpec{raw, s3kit, awsManager, awsTM, minio}, dest: inTmpfs})
		}
	}
	// Download into a plain io.Writer, in order.
	// The command line writes into a pipe only (`s3kit cp s3://… -`).
	for _, dest := range []string{discard, toPipe} {
		clients := []clientSpec{raw, s3kit, awsManager, awsTM, minio}
		if dest == toPipe {
			clients = []clientSpec{raw, s3kit, s3kitCLI, awsManager, awsTM, minio}
		}
		add(scenario{name: "download-writer-http-" + dest, group: "transfer", op: "download-writer", proto: "http", mode: "c8p8",
			clients: clients, dest: dest})
	}
	add(scenario{name: "pipe-http-c8p8", group: "pipe", op: "stream", proto: "http", mode: "c8p8",
		clients: []clientSpec{raw, rawSHA, s3kit, awsManager, awsTM, minioCS}})
	add(scenario{name: "pipe-http-defaults", group: "pipe", op: "stream", proto: "http", mode: "defaults",
		clients: []clientSpec{s3kit, awsManager, awsTM, minio}})
	for _, w := range []int{1, 16} {
		add(scenario{name: "small-http-w" + strconv.Itoa(w), group: "small", op: "small", proto: "http", mode: "w" + strconv.Itoa(w),
			clients: []clientSpec{raw, s3kit, awsS3, minio}})
	}
	return out
}

// sample is one measured run.
type sample struct {
	Scenario string          `json:"scenario"`
	Client   string          `json:"client"`
	Round    int             `json:"round"`
	Bytes    int64           `json:"bytes"`
	Secs     float64         `json:"seconds"`
	CPU      float64         `json:"cpu_seconds"`
	RSSKiB   int64           `json:"max_rss_kib"`
	Small    *harness.Result `json:"small,omitempty"`
}

func (s *sample) mbps() float64 { return float64(s.Bytes) / s.Secs / 1e6 }

func slug(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			return c
		}
		return '-'
	}, strings.ToLower(s))
}

// runOne runs client c in scenario sc once and checks what it left in the
// sink or on disk.
func (r *runner) runOne(ctx context.Context, sc scenario, c clientSpec, round int, verify bool) (*sample, error) {
	endpoint := r.sink.HTTPURL
	if sc.proto == "https" {
		endpoint = r.sink.HTTPSURL
	}
	size := r.o.size
	if sc.op == "stream" {
		size = r.o.pipeSize
	}
	if verify {
		size = r.o.verifySize
	}
	key := fmt.Sprintf("%s/%s/r%d", sc.name, slug(c.label), round)
	args := []string{"-client", c.name, "-op", sc.op, "-endpoint", endpoint, "-bucket", bucket}
	if c.variant != "" {
		args = append(args, "-variant", c.variant)
	}
	if sc.mode == "c8p8" || c.baseline {
		args = append(args, "-concurrency", strconv.Itoa(benchConc), "-partsize", strconv.Itoa(benchPart))
	}
	if verify {
		args = append(args, "-verify")
	}
	if round == r.o.rounds && r.o.profileDir != "" && r.o.profileClients[c.label] {
		if err := os.MkdirAll(r.o.profileDir, 0o755); err != nil {
			return nil, err
		}
		args = append(args, "-cpuprofile", filepath.Join(r.o.profileDir, sc.name+"-"+slug(c.label)+".pprof"))
	}
	var dlFile string
	var stdinSize int64 = -1
	var pipeSize int64 = -1
	switch sc.op {
	case "upload":
		args = append(args, "-key", key, "-file", r.sourceFile(verify), "-size", strconv.FormatInt(size, 10))
	case "download":
		dir := r.diskDir
		if sc.dest == inTmpfs {
			dir = r.tmpfsDir
		}
		dlFile = filepath.Join(dir, "download-"+slug(c.label))
		args = append(args, "-key", downloadKey(verify), "-file", dlFile, "-size", strconv.FormatInt(size, 10))
		defer os.Remove(dlFile)
		// Every download starts on a quiet disk: the file of the run
		// before it removed and the dirty pages of everything before it
		// written back, so that no client pays for its predecessor's
		// writeback.
		syscall.Sync()
	case "download-writer":
		args = append(args, "-key", downloadKey(verify), "-writer", sc.dest, "-size", strconv.FormatInt(size, 10))
		if sc.dest == toPipe {
			pipeSize = size
		}
	case "stream":
		args = append(args, "-key", key)
		stdinSize = size
	case "small":
		count := r.o.smallCount
		if verify {
			count = 64
		}
		args = append(args, "-key", key, "-workers", strings.TrimPrefix(sc.mode, "w"), "-count", strconv.Itoa(count),
			"-objsize", strconv.Itoa(smallSize))
	}
	failsBefore := r.sink.Stats().Failures
	res, cpu, rss, err := r.child(ctx, "client-"+c.binary, args, stdinSize, pipeSize, verify)
	if st := r.sink.Stats(); st.Failures > failsBefore {
		msgs := st.Messages
		if len(msgs) > 3 {
			msgs = msgs[len(msgs)-3:]
		}
		err = fmt.Errorf("sink: %d failed checks (%s); client: %v", st.Failures-failsBefore, strings.Join(msgs, "; "), err)
		r.sink.ResetFailures()
	}
	if err != nil {
		return nil, err
	}
	switch sc.op {
	case "upload", "stream":
		got, _, ok := r.sink.Object(bucket, key)
		if !ok || got != size {
			return nil, fmt.Errorf("the sink holds %d bytes (exists: %v) for %s, want %d", got, ok, key, size)
		}
	case "download":
		st, err := os.Stat(dlFile)
		if err != nil || st.Size() != size {
			return nil, fmt.Errorf("downloaded file: %v (size %d, want %d)", err, sizeOf(st), size)
		}
		if verify && !res.Verified {
			if err := pattern.CheckFile(dlFile, size); err != nil {
				return nil, err
			}
		}
	}
	s := &sample{Scenario: sc.name, Client: c.label, Round: round, Bytes: size, Secs: res.Secs, CPU: cpu, RSSKiB: rss}
	if sc.op == "small" {
		s.Small, s.Bytes = &res, 0
		logf("  %-18s %-32s PUT %6.0f/s GET %6.0f/s  cpu %5.2fs  rss %4.0f MiB", sc.name, c.label,
			float64(res.Count)/res.PutSecs, float64(res.Count)/res.GetSecs, cpu, float64(rss)/1024)
	} else {
		logf("  %-18s %-32s %7.0f MB/s  cpu %5.2fs  rss %4.0f MiB", sc.name, c.label, s.mbps(), cpu, float64(rss)/1024)
	}
	return s, nil
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return -1
	}
	return st.Size()
}
