package transfer

// DownloadFile's guarantee under a crash of the program: a child process
// (this test binary, run again with crashChildEnv set) downloads an object
// from a loopback server onto an existing file; the server stops sending
// after part of the body, the child says when it has written part of the
// object, and the parent kills it with SIGKILL then. What the directory
// holds afterwards is the verdict: the old file whole under its name, and
// nothing else but a temporary file whose name says what it is.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const (
	// crashChildEnv carries a crashSpec to the child.
	crashChildEnv = "S3KIT_TRANSFER_CRASH_CHILD"
	crashKey      = "big"
	crashSize     = 4 << 20 // 64 ranges of testRange
	// The server sends crashBudget bytes of bodies in all, then stalls;
	// the child reports once crashMark bytes are written to its file.
	crashBudget = 1 << 20
	crashMark   = 512 << 10
	// crashWritten is the child's report on its standard output.
	crashWritten = "crash-test: part of the object is written"
)

// crashSpec is what the child downloads, and how.
type crashSpec struct {
	URL      string
	Target   string
	Durable  bool
	Resume   bool
	StateDir string
}

// crashServer serves one object with HEAD and ranged GETs; once limit
// bytes of bodies have gone out, every GET stalls until its client goes
// or the test ends.
type crashServer struct {
	ts    *httptest.Server
	data  []byte
	sent  atomic.Int64
	limit atomic.Int64
	stop  chan struct{}
}

func newCrashServer(t *testing.T, data []byte) *crashServer {
	s := &crashServer{data: data, stop: make(chan struct{})}
	s.limit.Store(crashBudget)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.ts.Close)
	t.Cleanup(func() { close(s.stop) }) // first: releases stalled handlers
	return s
}

func (s *crashServer) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("ETag", hostileETag)
	if r.Method == http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(s.data)))
		return
	}
	first, last := 0, len(s.data)-1
	if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
		a, b, _ := strings.Cut(spec, "-")
		first, _ = strconv.Atoi(a)
		last, _ = strconv.Atoi(b)
		last = min(last, len(s.data)-1)
	}
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(s.data)))
	h.Set("Content-Length", strconv.Itoa(last-first+1))
	w.WriteHeader(http.StatusPartialContent)
	const piece = 16 << 10
	for off := first; off <= last; off += piece {
		p := s.data[off:min(off+piece, last+1)]
		if s.sent.Add(int64(len(p))) > s.limit.Load() {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-s.stop:
			}
			return
		}
		if _, err := w.Write(p); err != nil {
			return
		}
	}
}

// tempName matches the temporary files of a download to target.bin: a
// later resume or a clean-up finds them by it.
var tempName = regexp.MustCompile(`^` + regexp.QuoteMeta(tempPrefix("target.bin")) + `[0-9a-f]{12}` + regexp.QuoteMeta(tempSuffix) + `$`)

// A program killed in the middle of DownloadFile leaves the old file
// whole under its name and at most its temporary file beside it, named
// as createTemp names them; the next DownloadFile succeeds, and with
// Resume it carries on in that temporary file, leaving nothing behind.
func TestDownloadFileCrash(t *testing.T) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		crashChild(t, spec)
		return
	}
	for _, tc := range []struct {
		name    string
		durable bool
		resume  bool
	}{
		{"default", false, false},
		{"durable", true, false},
		{"resume", false, true},
		{"durable resume", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := randBytes(crashSize, 16)
			old := randBytes(crashSize/3+17, 61)
			srv := newCrashServer(t, obj)
			dir := t.TempDir()
			target := writeFile(t, dir, "target.bin", old)
			spec := crashSpec{URL: srv.ts.URL, Target: target, Durable: tc.durable, Resume: tc.resume, StateDir: t.TempDir()}
			killMidDownload(t, spec)

			if got, err := os.ReadFile(target); err != nil || string(got) != string(old) {
				t.Fatalf("after the crash the target holds %d bytes (%v), want the old %d bytes unchanged", len(got), err, len(old))
			}
			var temps []string
			for _, name := range entries(t, dir) {
				switch {
				case name == "target.bin":
				case tempName.MatchString(name):
					temps = append(temps, name)
				default:
					t.Errorf("after the crash the directory holds %q, neither the target nor a temporary file", name)
				}
			}
			if len(temps) != 1 {
				t.Fatalf("temporary files after the crash: %q, want the one the download was writing", temps)
			}

			// The server now sends everything: the next call succeeds.
			srv.limit.Store(math.MaxInt64)
			client := newTestClient(t, srv.ts.URL, nil)
			m := smallRanges(newManager(t, client, Config{DurableDownloads: tc.durable, Resume: tc.resume, StateDir: spec.StateDir}))
			if _, err := m.DownloadFile(context.Background(), testBucket, crashKey, target); err != nil {
				t.Fatalf("DownloadFile after the crash: %v", err)
			}
			if got, _ := os.ReadFile(target); string(got) != string(obj) {
				t.Fatalf("after the second download the target holds %d bytes, not the object", len(got))
			}
			want := []string{"target.bin"}
			if !tc.resume {
				want = append(temps, "target.bin") // left to a clean-up
			}
			if got := entries(t, dir); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("after the second download the directory holds %q, want %q", got, want)
			}
			checkNoWorkers(t)
		})
	}
}

// killMidDownload runs the child with spec and kills it once it reports
// part of the object written.
func killMidDownload(t *testing.T, spec crashSpec) {
	t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDownloadFileCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(b))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	defer kill()
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		if sc.Text() == crashWritten {
			kill()
			return
		}
		lines = append(lines, sc.Text())
	}
	kill()
	t.Fatalf("the child ended without writing part of the object:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
}

// crashChild is the child's side: the download that never finishes.
func crashChild(t *testing.T, specJSON string) {
	var spec crashSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		t.Fatal(err)
	}
	if filepath.Base(spec.Target) != "target.bin" {
		t.Fatalf("target %q", spec.Target)
	}
	client := newTestClient(t, spec.URL, nil)
	m := smallRanges(newManager(t, client, Config{MaxConcurrency: 4, DurableDownloads: spec.Durable, Resume: spec.Resume, StateDir: spec.StateDir}))
	var done atomic.Int64
	var once sync.Once
	// Callback counts bytes once they are written to the file.
	written := Callback(func(n int64) {
		if done.Add(n) >= crashMark {
			once.Do(func() { fmt.Println(crashWritten) })
		}
	})
	_, err := m.DownloadFile(context.Background(), testBucket, crashKey, spec.Target, written)
	t.Fatalf("DownloadFile returned before the kill: %v", err)
}
