package reliability

// FuzzHeadAnswers: a loopback server answers HEAD with a fuzzed
// Content-Length, checksum, checksum type and ETag, and ranged GETs with a
// fuzzed Content-Range, for s3client.HeadObject and the transfer manager's
// Download, DownloadAt and DownloadFile.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// headAnswer is what the fuzzed server says about its one object.
type headAnswer struct {
	obj []byte // the bytes it serves
	// length is HEAD's Content-Length; etag, checksum and ctype the ETag,
	// X-Amz-Checksum-<alg> and X-Amz-Checksum-Type headers ("" sends
	// none); alg is "" for no checksum header.
	length, etag, checksum, ctype string
	alg                           s3client.ChecksumAlgorithm
	// contentRange is each ranged GET's Content-Range: "" for the honest
	// one, "/..." for the honest range over another complete length, and
	// anything else as it is.
	contentRange string
}

// headServer serves the answer current holds: a fuzz function runs one
// input at a time in a process, so one server serves them all.
type headServer struct {
	current atomic.Pointer[headAnswer]
}

func (s *headServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a := s.current.Load()
	h := w.Header()
	if a.etag != "" {
		h["ETag"] = []string{a.etag}
	}
	switch r.Method {
	case http.MethodHead:
		h["Content-Length"] = []string{a.length}
		if a.alg != "" {
			h[a.alg.Header()] = []string{a.checksum}
		}
		if a.ctype != "" {
			h["X-Amz-Checksum-Type"] = []string{a.ctype}
		}
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		size := int64(len(a.obj))
		var first, last int64
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &first, &last); err != nil {
			h["Content-Length"] = []string{strconv.Itoa(len(a.obj))}
			w.Write(a.obj)
			return
		}
		if first < 0 || first >= size || last < first {
			h.Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			w.Write([]byte("<Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message></Error>"))
			return
		}
		last = min(last, size-1)
		cr := fmt.Sprintf("bytes %d-%d/%d", first, last, size)
		switch {
		case strings.HasPrefix(a.contentRange, "/"):
			cr = fmt.Sprintf("bytes %d-%d%s", first, last, a.contentRange)
		case a.contentRange != "":
			cr = a.contentRange
		}
		h["Content-Range"] = []string{cr}
		h["Content-Length"] = []string{strconv.FormatInt(last-first+1, 10)}
		w.WriteHeader(http.StatusPartialContent)
		w.Write(a.obj[first : last+1])
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// headerValue is v as the client reads it after the server wrote it:
// line breaks become spaces (net/http's server), and spaces and tabs
// around it go.
func headerValue(v string) string {
	v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	return strings.Trim(v, " \t")
}

// fuzzChecksumAlgs are the checksum header a fuzzed answer carries, by
// index; "" is none.
var fuzzChecksumAlgs = []s3client.ChecksumAlgorithm{"", s3client.ChecksumCRC32, s3client.ChecksumCRC32C,
	s3client.ChecksumCRC64NVME, s3client.ChecksumSHA1, s3client.ChecksumSHA256}

// checksumOf returns the base64 checksum of b with a.
func checksumOf(a s3client.ChecksumAlgorithm, b []byte) string {
	h := a.NewHash()
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// maxAllocPerInput bounds what one input may allocate, all calls
// together: the object is at most 64 KiB, so anything near this is
// memory sized by a number the server made up.
const maxAllocPerInput = 64 << 20

// FuzzHeadAnswers: whatever HEAD and GET answers say (sizes up to 2^63-1,
// malformed numbers, checksums of any algorithm, type and value, ETags,
// Content-Ranges), HeadObject and the downloads do not panic, do not
// allocate memory in proportion to a claimed size (under
// maxAllocPerInput per input), and either fail with the package's error
// type or deliver the server's bytes at their offsets, as many as HEAD
// claimed, matching a full-object checksum they were given; DownloadFile
// leaves the existing file as it was and nothing beside it when it fails.
// An honest answer downloads exactly the object.
func FuzzHeadAnswers(f *testing.F) {
	for _, s := range []struct {
		size                         uint16
		length, etag, sum, ctype, cr string
		alg                          uint8
	}{
		{size: 100},
		{size: 0},
		{size: 1000, alg: 1},
		{size: 1000, alg: 1, ctype: "FULL_OBJECT"},
		{size: 1000, alg: 3, ctype: "FULL_OBJECT"},
		{size: 1000, alg: 5, ctype: "COMPOSITE", sum: "AAAA-2"},
		{size: 1000, alg: 2, sum: "AAAAAA=="},
		{size: 1000, alg: 4, sum: "not base64"},
		{size: 10, length: "4611686018427387904", alg: 1, sum: "AAAAAA==", ctype: "FULL_OBJECT"},
		{size: 10, length: "9223372036854775807"},
		{size: 10, length: "9223372036854775808"},
		{size: 10, length: "5497558138881"}, // 5 TiB + 1
		{size: 10, length: "5497558138880"}, // 5 TiB
		{size: 10, length: "20971520"},      // 20 MiB: four ranges
		{size: 10, length: "-1"},
		{size: 10, length: "1e3"},
		{size: 10, length: " 10 "},
		{size: 10, length: "5"},
		{size: 10, length: "10, 10"},
		{size: 10, etag: `"\x01"`},
		{size: 10, etag: "W/\"weak\""},
		{size: 10, cr: "/*"},
		{size: 10, cr: "/9223372036854775807"},
		{size: 10, cr: "bytes 0-9/10"},
		{size: 10, cr: "bytes 0-4611686018427387903/4611686018427387904"},
	} {
		f.Add(s.size, s.length, s.etag, s.alg, s.sum, s.ctype, s.cr)
	}
	srv := &headServer{}
	hs := httptest.NewServer(srv)
	f.Cleanup(hs.Close)
	client, err := s3client.New(s3client.Config{Endpoint: hs.URL, Region: testRegion, AddressingStyle: s3client.AddressingPath,
		MaxAttempts: 1, RetryBaseDelay: time.Nanosecond, RetryMaxDelay: time.Nanosecond})
	if err != nil {
		f.Fatal(err)
	}
	mgr, err := transfer.New(client, transfer.Config{MultipartChunkSize: partSize, MaxConcurrency: 2, NumDownloadAttempts: 2, StateDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, size uint16, length, etag string, alg uint8, sum, ctype, cr string) {
		a := &headAnswer{obj: data(int64(size), 83), length: length, etag: etag, checksum: sum, ctype: ctype,
			alg: fuzzChecksumAlgs[int(alg)%len(fuzzChecksumAlgs)], contentRange: cr}
		if a.length == "" {
			a.length = strconv.Itoa(len(a.obj))
		}
		if a.etag == "" {
			a.etag = `"e"`
		}
		if a.alg != "" && a.checksum == "" {
			a.checksum = checksumOf(a.alg, a.obj)
		}
		srv.current.Store(a)
		honest := length == "" && etag == "" && cr == "" && sum == "" &&
			(ctype == "" || ctype == "FULL_OBJECT" || ctype == "COMPOSITE")
		// claimed is the size HEAD gave, when it is a number.
		claimed, claimErr := strconv.ParseInt(headerValue(a.length), 10, 64)
		// A full-object checksum the client was given and must hold the
		// bytes to: well formed, and not declared composite.
		var mustMatch string
		if a.alg != "" && (headerValue(ctype) == "" || headerValue(ctype) == "FULL_OBJECT") {
			if b, err := base64.StdEncoding.DecodeString(a.checksum); err == nil && len(b) == a.alg.NewHash().Size() {
				mustMatch = a.checksum
			}
		}
		ctx := context.Background()

		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)

		meta, headErr := client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", ChecksumMode: true})
		var buf bytes.Buffer
		_, dlErr := mgr.Download(ctx, "bkt", "k", &buf)
		at := make(writerAt, len(a.obj))
		res, atErr := mgr.DownloadAt(ctx, "bkt", "k", at)
		dir := t.TempDir()
		target := filepath.Join(dir, "obj")
		old := []byte("the file as it was")
		if err := os.WriteFile(target, old, 0o644); err != nil {
			t.Fatal(err)
		}
		_, fileErr := mgr.DownloadFile(ctx, "bkt", "k", target)

		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > maxAllocPerInput {
			t.Fatalf("one input allocated %d MiB (HEAD Content-Length %q)", n>>20, length)
		}

		if headErr != nil {
			var se *s3client.Error
			if !errors.As(headErr, &se) {
				t.Fatalf("HeadObject: error %T is not an *s3client.Error: %v", headErr, headErr)
			}
		} else if claimErr == nil && meta.ContentLength != claimed {
			t.Fatalf("HeadObject: Content-Length %q read as %d", a.length, meta.ContentLength)
		}
		if honest && (headErr != nil || meta.ContentLength != int64(len(a.obj))) {
			t.Fatalf("HeadObject of an honest answer: %v, %+v", headErr, meta)
		}

		var atBytes []byte
		if atErr == nil {
			if res.Size < 0 || res.Size > int64(len(at)) {
				t.Fatalf("DownloadAt succeeded with size %d into a buffer of %d", res.Size, len(at))
			}
			atBytes = at[:res.Size]
		}
		fileBytes, readErr := os.ReadFile(target)
		if readErr != nil {
			t.Fatalf("DownloadFile (%v) left no file: %v", fileErr, readErr)
		}
		for _, d := range []struct {
			name string
			err  error
			got  []byte
		}{
			{"Download", dlErr, buf.Bytes()},
			{"DownloadAt", atErr, atBytes},
			{"DownloadFile", fileErr, fileBytes},
		} {
			if d.err != nil {
				if !isTransferError(d.err) {
					t.Fatalf("%s: error %T is not a *transfer.Error: %v", d.name, d.err, d.err)
				}
				if honest {
					t.Fatalf("%s of an honest answer: %v", d.name, d.err)
				}
				continue
			}
			if int64(len(d.got)) > int64(len(a.obj)) || !bytes.Equal(d.got, a.obj[:len(d.got)]) {
				t.Fatalf("%s succeeded with %d bytes that are not the server's (HEAD %q, Content-Range %q)", d.name, len(d.got), length, cr)
			}
			if claimErr != nil || int64(len(d.got)) != claimed {
				t.Fatalf("%s succeeded with %d bytes; HEAD said %q", d.name, len(d.got), a.length)
			}
			if mustMatch != "" && checksumOf(a.alg, d.got) != mustMatch {
				t.Fatalf("%s succeeded although its %s %s does not match the bytes", d.name, a.alg, mustMatch)
			}
		}
		if fileErr != nil {
			if !bytes.Equal(fileBytes, old) {
				t.Fatalf("a failed DownloadFile (%v) changed the file to %d bytes", fileErr, len(fileBytes))
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("DownloadFile (%v) left %q", fileErr, names)
		}
	})
}
