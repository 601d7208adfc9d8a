package transfer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// An object replaced between two ranges fails the download, whether the
// server honours If-Match (412) or ignores it (the ETag of the answer
// differs), and DownloadFile leaves the old file alone.
func TestDownloadObjectChanged(t *testing.T) {
	for _, viaShim := range []bool{true, false} {
		t.Run(fmt.Sprintf("ifMatch=%v", viaShim), func(t *testing.T) {
			e := newEnv(t)
			data := randBytes(3*testRange, 1)
			e.srv.PutObject(t, testBucket, "obj", data, nil)
			sh := newShim(t, e.srv)
			var gets atomic.Int32
			sh.before = func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet && r.Header.Get("Range") != "" && gets.Add(1) == 2 {
					e.srv.PutObject(t, testBucket, "obj", randBytes(3*testRange, 2), nil)
				}
				return false
			}
			endpoint := sh.URL()
			if !viaShim {
				// The shim only replaces the object; gofakes3 then serves
				// the new one despite If-Match.
				sh.before = func(w http.ResponseWriter, r *http.Request) bool {
					if r.Method == http.MethodGet && r.Header.Get("Range") != "" && gets.Add(1) == 2 {
						e.srv.PutObject(t, testBucket, "obj", randBytes(3*testRange, 2), nil)
					}
					r.Header.Del("If-Match")
					return false
				}
			}
			cfg := smallConfig()
			cfg.MaxConcurrency = 1 // ranges in order: the second sees the change
			m := smallRanges(newManager(t, newTestClient(t, endpoint, nil), cfg))
			dir := t.TempDir()
			target := writeFile(t, dir, "target", []byte("old"))
			_, err := m.DownloadFile(context.Background(), testBucket, "obj", target)
			if !errors.Is(err, ErrObjectChanged) {
				t.Fatalf("err = %v, want ErrObjectChanged", err)
			}
			if got, _ := os.ReadFile(target); string(got) != "old" {
				t.Errorf("target changed to %d bytes", len(got))
			}
			if left := tempFiles(t, dir); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if viaShim && sh.count(func(r recorded) bool { return isGet(r) && r.Header.Get("If-Match") == "" }) != 0 {
				t.Errorf("a range was asked for without If-Match")
			}
		})
	}
}

// A body that breaks off is asked for again from the byte it reached.
func TestDownloadBodyCutResumed(t *testing.T) {
	const cutAt = 20_000 + 123
	for _, tc := range []struct {
		name    string
		threads bool
		dest    string
	}{
		{"file", true, "file"},
		{"writer", true, "writer"},
		{"serial", false, "file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			data := randBytes(2*testRange+77, 3)
			e.srv.PutObject(t, testBucket, "obj", data, nil)
			sh := newShim(t, e.srv)
			var cuts atomic.Int32
			sh.cut = func(r *http.Request) int64 {
				// The first request for the second range breaks.
				if strings.HasPrefix(r.Header.Get("Range"), fmt.Sprintf("bytes=%d-", testRange)) && cuts.Add(1) == 1 {
					return cutAt
				}
				return -1
			}
			cfg := smallConfig()
			if !tc.threads {
				cfg = noThreads(cfg)
			}
			m := smallRanges(newManager(t, newTestClient(t, sh.URL(), nil), cfg))
			var got []byte
			var sum progressSum
			switch tc.dest {
			case "file":
				p := filepath.Join(t.TempDir(), "out")
				if _, err := m.DownloadFile(context.Background(), testBucket, "obj", p, sum.callback()); err != nil {
					t.Fatal(err)
				}
				got, _ = os.ReadFile(p)
			case "writer":
				var b bytes.Buffer
				if _, err := m.Download(context.Background(), testBucket, "obj", onlyWriter{&b}, sum.callback()); err != nil {
					t.Fatal(err)
				}
				got = b.Bytes()
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("got %d bytes, want %d", len(got), len(data))
			}
			if sum.total.Load() != int64(len(data)) {
				t.Errorf("progress %d, want %d (bytes kept across the break are counted once)", sum.total.Load(), len(data))
			}
			want := fmt.Sprintf("bytes=%d-%d", testRange+cutAt, 2*testRange-1)
			if sh.count(func(r recorded) bool { return isGet(r) && r.Header.Get("Range") == want }) != 1 {
				var ranges []string
				for _, r := range sh.requests() {
					ranges = append(ranges, r.Method+" "+r.Header.Get("Range"))
				}
				t.Errorf("no request for %s; requests: %v", want, ranges)
			}
		})
	}
}

// A body that keeps breaking fails after NumDownloadAttempts requests.
func TestDownloadAttemptsExhausted(t *testing.T) {
	e := newEnv(t)
	e.srv.PutObject(t, testBucket, "obj", randBytes(testRange, 4), nil)
	sh := newShim(t, e.srv)
	sh.cut = func(*http.Request) int64 { return 1000 }
	cfg := smallConfig()
	cfg.NumDownloadAttempts = 3
	m := smallRanges(newManager(t, newTestClient(t, sh.URL(), nil), cfg))
	_, err := m.Download(context.Background(), testBucket, "obj", io.Discard)
	if !errors.Is(err, ErrShortBody) {
		t.Fatalf("err = %v, want ErrShortBody", err)
	}
	if n := sh.count(isGet); n != 3 {
		t.Errorf("%d GETs, want 3", n)
	}
}

// The checksum an object carries is verified, whichever way its ranges
// arrive (CRCs combined from the ranges', digests in order or read back
// from the file); a mismatch fails the download and leaves no file.
func TestDownloadChecksum(t *testing.T) {
	e := newEnv(t)
	data := randBytes(2*testRange+5, 5)
	sum := func(alg s3client.ChecksumAlgorithm) string {
		h := alg.NewHash()
		h.Write(data)
		return base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	m := smallRanges(newManager(t, e.client, smallConfig()))
	mSerial := smallRanges(newManager(t, e.client, noThreads(smallConfig())))
	dir := t.TempDir()
	cases := []struct {
		alg  s3client.ChecksumAlgorithm
		good bool
		way  string
	}{
		{s3client.ChecksumCRC32, true, "file"},
		{s3client.ChecksumCRC32C, true, "file"},
		{s3client.ChecksumCRC64NVME, true, "writer"},
		{s3client.ChecksumCRC32C, true, "serial"},
		{s3client.ChecksumSHA256, true, "file"},
		{s3client.ChecksumSHA1, true, "writer"},
		{s3client.ChecksumSHA256, true, "serial"},
		{s3client.ChecksumCRC32, false, "file"},
		{s3client.ChecksumCRC64NVME, false, "writer"},
		{s3client.ChecksumCRC32C, false, "serial"},
		{s3client.ChecksumSHA1, false, "file"},
		{s3client.ChecksumSHA256, false, "writer"},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s/good=%v/%s", tc.alg, tc.good, tc.way), func(t *testing.T) {
			value := sum(tc.alg)
			if !tc.good {
				b, _ := base64.StdEncoding.DecodeString(value)
				b[0] ^= 1
				value = base64.StdEncoding.EncodeToString(b)
			}
			key := fmt.Sprintf("sum/%d", i)
			e.srv.PutObject(t, testBucket, key, data, map[string]string{tc.alg.Header(): value})
			target := filepath.Join(dir, fmt.Sprint(i))
			var err error
			switch tc.way {
			case "file":
				_, err = m.DownloadFile(context.Background(), testBucket, key, target)
			case "writer":
				_, err = m.Download(context.Background(), testBucket, key, onlyWriter{io.Discard})
			case "serial":
				_, err = mSerial.DownloadFile(context.Background(), testBucket, key, target)
			}
			if tc.good && err != nil {
				t.Fatalf("err = %v", err)
			}
			if !tc.good {
				if !errors.Is(err, s3client.ErrChecksumMismatch) {
					t.Fatalf("err = %v, want ErrChecksumMismatch", err)
				}
				if _, serr := os.Stat(target); serr == nil {
					t.Errorf("a file was left at %s", target)
				}
			}
		})
	}
	// DISABLED skips the check.
	if _, err := m.Download(context.Background(), testBucket, "sum/7", io.Discard, DownloadArgs{ChecksumMode: "DISABLED"}); err != nil {
		t.Errorf("ChecksumMode DISABLED: %v", err)
	}
	// A composite checksum (of part checksums) is not the bytes' own.
	e.srv.PutObject(t, testBucket, "composite", data, map[string]string{"X-Amz-Checksum-Crc32c": "AAAAAA==-4"})
	if _, err := m.Download(context.Background(), testBucket, "composite", io.Discard); err != nil {
		t.Errorf("composite checksum: %v", err)
	}
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Cancelling a download stops it: the error is the context's, no
// temporary file is left, no goroutine keeps running, and an existing
// target is untouched.
func TestDownloadCancel(t *testing.T) {
	e := newEnv(t)
	data := randBytes(40*testRange, 6)
	e.srv.PutObject(t, testBucket, "obj", data, nil)
	for _, threads := range []bool{true, false} {
		for _, dest := range []string{"file", "writer"} {
			t.Run(fmt.Sprintf("threads=%v/%s", threads, dest), func(t *testing.T) {
				cfg := smallConfig()
				if !threads {
					cfg = noThreads(cfg)
				}
				m := smallRanges(newManager(t, e.client, cfg))
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var seen atomic.Int64
				cb := Callback(func(n int64) {
					if seen.Add(n) > testRange {
						cancel()
					}
				})
				dir := t.TempDir()
				target := writeFile(t, dir, "target", []byte("old"))
				var err error
				if dest == "file" {
					_, err = m.DownloadFile(ctx, testBucket, "obj", target, cb)
				} else {
					_, err = m.Download(ctx, testBucket, "obj", onlyWriter{io.Discard}, cb)
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("err = %v, want context.Canceled", err)
				}
				if got, _ := os.ReadFile(target); string(got) != "old" {
					t.Errorf("target changed")
				}
				if left := tempFiles(t, dir); len(left) != 0 {
					t.Errorf("temporary files left: %v", left)
				}
				checkNoWorkers(t)
			})
		}
	}
}

// Download into an *os.File writes from its position and leaves it after
// the object; into a pipe, in order.
func TestDownloadOsFile(t *testing.T) {
	e := newEnv(t)
	data := randBytes(2*testRange+3, 7)
	e.srv.PutObject(t, testBucket, "obj", data, nil)
	m := smallRanges(newManager(t, e.client, smallConfig()))

	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("head:")
	if _, err := m.Download(context.Background(), testBucket, "obj", f); err != nil {
		t.Fatal(err)
	}
	f.WriteString(":tail")
	got, _ := os.ReadFile(f.Name())
	if want := append(append([]byte("head:"), data...), ":tail"...); !bytes.Equal(got, want) {
		t.Errorf("file holds %d bytes, want %d", len(got), len(want))
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(pr)
		done <- b
	}()
	_, err = m.Download(context.Background(), testBucket, "obj", pw)
	pw.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := <-done; !bytes.Equal(got, data) {
		t.Errorf("pipe got %d bytes, want %d", len(got), len(data))
	}
}

// A failed download does not touch an existing file.
func TestDownloadFileMissingKey(t *testing.T) {
	e := newEnv(t)
	m := smallRanges(newManager(t, e.client, Config{}))
	dir := t.TempDir()
	target := writeFile(t, dir, "target", []byte("old"))
	_, err := m.DownloadFile(context.Background(), testBucket, "missing", target)
	var te *Error
	if !s3client.IsNotFound(err) || !errors.As(err, &te) || te.Op != "DownloadFile" || te.Path != target {
		t.Fatalf("err = %v, want a not-found *Error of DownloadFile", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "old" {
		t.Errorf("target changed")
	}
	if left := tempFiles(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A new file gets os.Create's permissions.
	e.srv.PutObject(t, testBucket, "k", []byte("x"), nil)
	p := filepath.Join(dir, "new")
	if _, err := m.DownloadFile(context.Background(), testBucket, "k", p); err != nil {
		t.Fatal(err)
	}
	ref, _ := os.Create(filepath.Join(dir, "ref"))
	ref.Close()
	fi, _ := os.Stat(p)
	ri, _ := os.Stat(ref.Name())
	if fi.Mode().Perm() != ri.Mode().Perm() {
		t.Errorf("mode %v, want %v as os.Create gives", fi.Mode().Perm(), ri.Mode().Perm())
	}
}
