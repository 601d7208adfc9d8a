package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1GiB", 1 << 30, true},
		{"256MiB", 256 << 20, true},
		{"1.5GiB", 3 << 29, true},
		{"64K", 64 << 10, true},
		{"1000", 1000, true},
		{"", 0, false},
		{"-1MiB", 0, false},
		{"lots", 0, false},
	}
	for _, tc := range tests {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestMedianAndRatio(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is a number")
	}
	// Ratios pair rounds: round 2's client is compared with round 2's
	// baseline, and a round without a baseline is left out.
	s := func(round int, bytes int64, secs float64) *sample {
		return &sample{Round: round, Bytes: bytes, Secs: secs}
	}
	client := []*sample{s(1, 100, 1), s(2, 100, 2), s(3, 100, 1)}
	base := []*sample{s(1, 200, 1), s(2, 100, 1)}
	got, ok := ratio(client, base, mbps)
	if !ok || got != 0.5 {
		t.Errorf("ratio = %v, %v; want 0.5 (median of 0.5 and 0.5)", got, ok)
	}
	if _, ok := ratio(client, nil, mbps); ok {
		t.Error("ratio without a baseline")
	}
}

func TestLastLine(t *testing.T) {
	if got := string(lastLine([]byte("progress\n{\"a\":1}\n\n"))); got != `{"a":1}` {
		t.Errorf("lastLine = %q", got)
	}
	if got := lastLine(nil); len(got) != 0 {
		t.Errorf("lastLine(nil) = %q", got)
	}
}

func TestScenarioFilter(t *testing.T) {
	r := &runner{o: &options{groups: map[string]bool{"transfer": true, "small": true}}}
	n := 0
	for _, sc := range r.scenarios() {
		if sc.group == "pipe" {
			t.Errorf("pipe scenario %s with the group off", sc.name)
		}
		n++
		for _, c := range sc.clients {
			if c.baseline && sc.mode == "defaults" {
				t.Errorf("%s: baseline %s in a defaults scenario", sc.name, c.label)
			}
		}
	}
	if n != 12 {
		t.Errorf("%d scenarios, want 10 transfer (4 uploads, 4 downloads to disk, 2 into a writer) + 2 small", n)
	}
	// Downloads into tmpfs only when the runner has a tmpfs directory.
	r.tmpfsDir = "/dev/shm/x"
	tmpfs := 0
	for _, sc := range r.scenarios() {
		if sc.dest == inTmpfs {
			tmpfs++
		}
		if sc.op == "download" && sc.dest != onDisk && sc.dest != inTmpfs {
			t.Errorf("%s: download to %q", sc.name, sc.dest)
		}
	}
	if tmpfs != 2 {
		t.Errorf("%d tmpfs scenarios, want http and https", tmpfs)
	}
}

// TestRunEndToEnd runs the whole benchmark at a tiny size: the client
// programs are built, every client passes the verify round against the
// sink, one measured round runs, and the report has a row for each.
func TestRunEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	o := &options{
		size: 6 << 20, pipeSize: 11 << 20, verifySize: 6 << 20, rounds: 1, smallCount: 40,
		groups: map[string]bool{"transfer": true, "pipe": true, "small": true, "sign": true, "binsize": true},
		out:    out, dir: t.TempDir(), tmpfs: true, verify: true, signBenchtime: "10x", timeout: 2 * time.Minute,
		profileDir: t.TempDir(), profileClients: map[string]bool{"s3kit": true},
	}
	if err := run(o); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	for _, want := range []string{
		"Every client passed the verify round",
		"## Upload over https, 6 MiB", "## Download over http to disk (", "## Download over https to disk (",
		"| s3kit DurableDownloads |", "io.Discard", "a pipe the runner drains", "s3kit adds ≤ 0.5 MiB",
		"| aws-sdk-go-v2 transfermanager | defaults |", "| minio-go ConcurrentStreamParts |",
		"| 16 | s3kit |", "| sign PutObject | minio-go |", "| cmd/minput/s3kit |",
		"## Targets",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(report, "failed") {
		t.Errorf("report has failed runs:\n%s", report)
	}
	profiles, _ := filepath.Glob(filepath.Join(o.profileDir, "*.pprof"))
	if len(profiles) == 0 {
		t.Error("no CPU profile written for s3kit")
	}
}
