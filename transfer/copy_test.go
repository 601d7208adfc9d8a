package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// A copy keeps the source's metadata, in one request or in parts, unless
// MetadataDirective REPLACE gives new metadata; its progress comes part
// by part.
func TestCopy(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	api := newCounting(newTestClient(t, sh.URL(), nil))
	small, large := []byte("small object"), randBytes(2*testChunk+3, 30)
	meta := map[string]string{"X-Amz-Meta-Color": "blue", "Content-Type": "image/x-test"}
	e.srv.PutObject(t, testBucket, "small", small, meta)
	e.srv.PutObject(t, testBucket, "large", large, meta)
	for _, threads := range []bool{true, false} {
		cfg := smallConfig()
		if !threads {
			cfg = noThreads(cfg)
		}
		m := newManager(t, api, cfg)
		for _, tc := range []struct {
			src     string
			data    []byte
			replace bool
			parts   int
		}{
			{"small", small, false, 0},
			{"large", large, false, 3},
			{"large", large, true, 3},
		} {
			if !threads && tc.src == "large" && !tc.replace {
				continue // the serial copy keeps metadata as the engine does; once is enough
			}
			t.Run(fmt.Sprintf("threads=%v/%s/replace=%v", threads, tc.src, tc.replace), func(t *testing.T) {
				dst := fmt.Sprintf("copy/%v/%s/%v", threads, tc.src, tc.replace)
				var calls []int64
				cb := Callback(func(n int64) { calls = append(calls, n) })
				opts := []CopyOption{cb}
				if tc.replace {
					opts = append(opts, CopyArgs{MetadataDirective: "REPLACE",
						ObjectProperties: s3client.ObjectProperties{Metadata: map[string]string{"shape": "round"}, ContentType: "text/x-new"}})
				}
				res, err := m.Copy(context.Background(), CopySource{Bucket: testBucket, Key: tc.src}, testBucket, dst, opts...)
				if err != nil {
					t.Fatal(err)
				}
				if res.Size != int64(len(tc.data)) || res.Parts != tc.parts || (tc.parts > 0) != (res.UploadID != "") {
					t.Errorf("result %+v", res)
				}
				got, gotMeta := e.srv.GetObject(t, testBucket, dst)
				if !bytes.Equal(got, tc.data) {
					t.Fatalf("copied %d bytes, want %d", len(got), len(tc.data))
				}
				wantMeta := map[string]string{"X-Amz-Meta-Color": "blue", "Content-Type": "image/x-test"}
				if tc.replace {
					wantMeta = map[string]string{"X-Amz-Meta-Shape": "round", "Content-Type": "text/x-new"}
				}
				for k, v := range wantMeta {
					if gotMeta[k] != v {
						t.Errorf("metadata %s = %q, want %q (all: %v)", k, gotMeta[k], v, gotMeta)
					}
				}
				if tc.replace && gotMeta["X-Amz-Meta-Color"] != "" {
					t.Errorf("REPLACE kept the source's metadata")
				}
				wantCalls := fmt.Sprint([]int64{int64(len(tc.data))})
				if tc.parts == 3 {
					wantCalls = fmt.Sprint([]int64{testChunk, testChunk, 3})
				}
				if threads && tc.parts == 3 {
					// Parts finish in any order.
					var sum int64
					for _, c := range calls {
						sum += c
					}
					if len(calls) != 3 || sum != int64(len(tc.data)) {
						t.Errorf("progress calls %v", calls)
					}
				} else if fmt.Sprint(calls) != wantCalls {
					t.Errorf("progress calls %v, want %v", calls, wantCalls)
				}
			})
		}
	}
}

// SourceClient reads the source; the copy goes through the destination's
// client.
func TestCopySourceClient(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	e.srv.PutObject(t, testBucket, "src", randBytes(testChunk+1, 31), nil)
	dst := newCounting(newTestClient(t, sh.URL(), nil))
	src := newCounting(newTestClient(t, sh.URL(), nil, func(c *s3client.Config) { c.Region = "eu-central-1" }))
	m := newManager(t, dst, smallConfig())
	if _, err := m.Copy(context.Background(), CopySource{Bucket: testBucket, Key: "src"}, testBucket, "dst", SourceClient(src)); err != nil {
		t.Fatal(err)
	}
	if src.count("HeadObject") != 1 || dst.count("HeadObject") != 0 || dst.count("UploadPartCopy") != 2 || src.count("UploadPartCopy") != 0 {
		t.Errorf("source client: %v; destination client: %v", src.calls, dst.calls)
	}
}

// A source replaced during a multipart copy fails it (the copy checks
// the ETag it started with) and the upload is aborted.
func TestCopySourceChanged(t *testing.T) {
	e := newEnv(t)
	sh := newShim(t, e.srv)
	e.srv.PutObject(t, testBucket, "src", randBytes(3*testChunk, 32), nil)
	var parts, seed atomic.Int32
	sh.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("X-Amz-Copy-Source-Range") != "" && parts.Add(1) == 2 {
			e.srv.PutObject(t, testBucket, "src", randBytes(3*testChunk, uint64(100+seed.Add(1))), nil)
		}
		return false
	}
	for _, threads := range []bool{true, false} {
		parts.Store(0)
		cfg := smallConfig()
		cfg.MaxConcurrency = 1
		if !threads {
			cfg = noThreads(cfg)
		}
		m := newManager(t, newTestClient(t, sh.URL(), nil), cfg)
		_, err := m.Copy(context.Background(), CopySource{Bucket: testBucket, Key: "src"}, testBucket, "dst")
		if !errors.Is(err, ErrObjectChanged) {
			t.Errorf("threads=%v: err = %v, want ErrObjectChanged", threads, err)
		}
		if ups := listUploads(t, e.client); len(ups) != 0 {
			t.Errorf("threads=%v: uploads left: %v", threads, ups)
		}
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	m := newManager(t, e.client, Config{})
	e.srv.PutObject(t, testBucket, "gone", []byte("x"), nil)
	res, err := m.Delete(context.Background(), testBucket, "gone")
	if err != nil || res.Key != "gone" {
		t.Fatalf("Delete = %+v, %v", res, err)
	}
	if _, err := e.srv.Backend().HeadObject(testBucket, "gone"); err == nil {
		t.Error("object still there")
	}
	// Deleting what is not there succeeds, as in S3.
	if _, err := m.Delete(context.Background(), testBucket, "gone"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}
