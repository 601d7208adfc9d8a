package main

// Wire tests of the aws s3 options of cp, mv, sync, ls and rm: each
// option's header or query parameter is found on the request the binary
// sent. The in-process server sits behind an https front (httptest's TLS
// server, on loopback) that records every request: SSE-C keys travel only
// over https, and --ca-bundle and --no-verify-ssl need TLS anyway.

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// tlsFront is an https server in front of the in-process S3 server,
// recording the requests it passes on.
type tlsFront struct {
	*cli
	front  *httptest.Server
	caFile string
	mu     sync.Mutex
	reqs   []*http.Request
}

func newTLSFront(t *testing.T) *tlsFront {
	c := newCLI(t)
	target, err := url.Parse(c.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := &tlsFront{cli: c}
	proxy := httputil.NewSingleHostReverseProxy(target)
	f.front = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Clone(r.Context()))
		f.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	// A client that refuses the certificate makes the server log it.
	f.front.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.front.StartTLS()
	t.Cleanup(f.front.Close)
	f.caFile = filepath.Join(c.dir, "ca.pem")
	if err := os.WriteFile(f.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.front.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c.setenv("AWS_ENDPOINT_URL", f.front.URL)
	return f
}

// take returns the requests recorded since the last call.
func (f *tlsFront) take() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.reqs
	f.reqs = nil
	return out
}

// find returns the first request of method whose path ends with suffix
// and whose query has param (if not empty).
func find(reqs []*http.Request, method, suffix, param string) *http.Request {
	for _, r := range reqs {
		if r.Method == method && strings.HasSuffix(r.URL.Path, suffix) && (param == "" || r.URL.Query().Has(param)) {
			return r
		}
	}
	return nil
}

func TestFlagsOnTheWire(t *testing.T) {
	t.Parallel()
	f := newTLSFront(t)
	f.srv.CreateBucket(t, "bkt")
	key := "0123456789abcdef0123456789ABCDEF" // 32 bytes
	sum := md5.Sum([]byte(key))
	keyMD5 := base64.StdEncoding.EncodeToString(sum[:])
	f.write("keyfile", []byte(key))
	f.write("f.txt", []byte("hello"))
	f.write("dir/a.txt", []byte("a"))
	if err := os.Symlink(filepath.Join(f.dir, "f.txt"), filepath.Join(f.dir, "dir", "link.txt")); err != nil {
		t.Fatal(err)
	}
	ca := []string{"--ca-bundle", f.caFile}

	type check struct {
		method, suffix, param string // the request
		header, want          string // a header and its value; header "?name" is a query parameter
	}
	for _, tc := range []struct {
		name   string
		args   []string
		checks []check
	}{
		{"content-disposition", []string{"cp", "f.txt", "s3://bkt/cd", "--content-disposition", "attachment; filename=x.txt"},
			[]check{{"PUT", "/cd", "", "Content-Disposition", "attachment; filename=x.txt"}}},
		{"content-encoding", []string{"cp", "f.txt", "s3://bkt/ce", "--content-encoding", "gzip"},
			[]check{{"PUT", "/ce", "", "Content-Encoding", "gzip"}}},
		{"content-language", []string{"cp", "f.txt", "s3://bkt/cl", "--content-language", "fr-CA"},
			[]check{{"PUT", "/cl", "", "Content-Language", "fr-CA"}}},
		{"expires", []string{"cp", "f.txt", "s3://bkt/ex", "--expires", "2030-01-02T03:04:05Z"},
			[]check{{"PUT", "/ex", "", "Expires", "Wed, 02 Jan 2030 03:04:05 GMT"}}},
		{"sse-kms-key-id", []string{"cp", "f.txt", "s3://bkt/kms", "--sse", "aws:kms", "--sse-kms-key-id", "alias/mine"},
			[]check{{"PUT", "/kms", "", "X-Amz-Server-Side-Encryption", "aws:kms"}, {"PUT", "/kms", "", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "alias/mine"}}},
		{"sse-c upload", []string{"cp", "f.txt", "s3://bkt/ssec", "--sse-c", "AES256", "--sse-c-key", key},
			[]check{{"PUT", "/ssec", "", "X-Amz-Server-Side-Encryption-Customer-Algorithm", "AES256"},
				{"PUT", "/ssec", "", "X-Amz-Server-Side-Encryption-Customer-Key-Md5", keyMD5}}},
		{"sse-c download, key from a file", []string{"cp", "s3://bkt/ssec", "ssec.out", "--sse-c-key", "fileb://keyfile"},
			[]check{{"HEAD", "/ssec", "", "X-Amz-Server-Side-Encryption-Customer-Key-Md5", keyMD5},
				{"GET", "/ssec", "", "X-Amz-Server-Side-Encryption-Customer-Key-Md5", keyMD5}}},
		{"sse-c copy", []string{"cp", "s3://bkt/ssec", "s3://bkt/ssec2", "--sse-c-key", key},
			[]check{{"PUT", "/ssec2", "", "X-Amz-Server-Side-Encryption-Customer-Key-Md5", keyMD5},
				{"PUT", "/ssec2", "", "X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5", keyMD5}}},
		{"grants", []string{"cp", "f.txt", "s3://bkt/gr", "--grants", "read=uri=http://acs.amazonaws.com/groups/global/AllUsers", "--grants", "full=id=abc readacl=emailaddress=a@example.com"},
			[]check{{"PUT", "/gr", "", "X-Amz-Grant-Read", `uri="http://acs.amazonaws.com/groups/global/AllUsers"`},
				{"PUT", "/gr", "", "X-Amz-Grant-Full-Control", `id="abc"`}, {"PUT", "/gr", "", "X-Amz-Grant-Read-Acp", `emailAddress="a@example.com"`}}},
		{"checksum-algorithm", []string{"cp", "f.txt", "s3://bkt/ck", "--checksum-algorithm", "sha256"},
			[]check{{"PUT", "/ck", "", "X-Amz-Checksum-Sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="}}}, // SHA-256 of "hello"
		{"request-payer upload", []string{"cp", "f.txt", "s3://bkt/rp", "--request-payer", "requester"},
			[]check{{"PUT", "/rp", "", "X-Amz-Request-Payer", "requester"}}},
		{"request-payer download", []string{"cp", "s3://bkt/rp", "rp.out", "--request-payer", "requester"},
			[]check{{"HEAD", "/rp", "", "X-Amz-Request-Payer", "requester"}, {"GET", "/rp", "", "X-Amz-Request-Payer", "requester"}}},
		{"request-payer ls", []string{"ls", "s3://bkt/", "--request-payer", "requester"},
			[]check{{"GET", "/bkt", "list-type", "X-Amz-Request-Payer", "requester"}}},
		{"request-payer mv", []string{"mv", "s3://bkt/rp", "s3://bkt/rp2", "--request-payer", "requester"},
			[]check{{"PUT", "/rp2", "", "X-Amz-Request-Payer", "requester"}, {"DELETE", "/rp", "", "X-Amz-Request-Payer", "requester"}}},
		{"request-payer rm", []string{"rm", "s3://bkt/rp2", "--request-payer", "requester"},
			[]check{{"DELETE", "/rp2", "", "X-Amz-Request-Payer", "requester"}}},
		{"page-size ls", []string{"ls", "s3://bkt/", "--recursive", "--page-size", "2"},
			[]check{{"GET", "/bkt", "list-type", "?max-keys", "2"}}},
		{"page-size sync", []string{"sync", "s3://bkt/", "out", "--page-size", "3", "--exclude", "ssec*"},
			[]check{{"GET", "/bkt", "list-type", "?max-keys", "3"}}},
		{"page-size rm", []string{"rm", "s3://bkt/none/", "--recursive", "--page-size", "4"},
			[]check{{"GET", "/bkt", "list-type", "?max-keys", "4"}}},
		{"follow-symlinks (the default)", []string{"cp", "dir", "s3://bkt/fs/", "--recursive"},
			[]check{{"PUT", "/fs/link.txt", "", "Content-Type", "text/plain; charset=utf-8"}}},
		{"sync upload flags", []string{"sync", "dir", "s3://bkt/sy/", "--content-language", "de", "--no-follow-symlinks"},
			[]check{{"PUT", "/sy/a.txt", "", "Content-Language", "de"}}},
		{"mv upload flags", []string{"mv", "dir/a.txt", "s3://bkt/mv.txt", "--content-encoding", "br"},
			[]check{{"PUT", "/mv.txt", "", "Content-Encoding", "br"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.take()
			r := f.run(nil, append(tc.args, ca...)...)
			if r.code != 0 {
				t.Fatalf("want exit 0:\n%s", r)
			}
			reqs := f.take()
			for _, ck := range tc.checks {
				req := find(reqs, ck.method, ck.suffix, ck.param)
				if req == nil {
					t.Errorf("no %s %s (%s) among %d requests", ck.method, ck.suffix, ck.param, len(reqs))
					continue
				}
				got := req.Header.Get(ck.header)
				if q, ok := strings.CutPrefix(ck.header, "?"); ok {
					got = req.URL.Query().Get(q)
				}
				if got != ck.want {
					t.Errorf("%s %s: %s %q, want %q", ck.method, req.URL.Path, ck.header, got, ck.want)
				}
			}
		})
	}
	if find(f.reqsOf(t, "sync", "dir", "s3://bkt/nf/", "--no-follow-symlinks", "--ca-bundle", f.caFile), "PUT", "/nf/link.txt", "") != nil {
		t.Error("--no-follow-symlinks uploaded the link")
	}
	if strings.Contains(strings.Join(f.keys("bkt"), " "), "mv.txt") && fileExists(filepath.Join(f.dir, "dir", "a.txt")) {
		t.Error("mv left its source")
	}

	// TLS: the test certificate is trusted with --ca-bundle (above), or
	// not checked with --no-verify-ssl; otherwise refused.
	f.fails(exitFailure, []string{"certificate"}, "ls", "s3://bkt/")
	if r := f.run(nil, "ls", "s3://bkt/", "--no-verify-ssl"); r.code != 0 {
		t.Errorf("--no-verify-ssl:\n%s", r)
	}
	f.fails(exitUsage, []string{"contradict"}, "ls", "--no-verify-ssl", "--ca-bundle", f.caFile)

	// --only-show-errors: nothing on stdout, the error on stderr.
	if r := f.run(nil, "cp", "f.txt", "s3://bkt/quiet", "--only-show-errors", "--ca-bundle", f.caFile); r.code != 0 || r.stdout != "" {
		t.Errorf("--only-show-errors:\n%s", r)
	}
	f.fails(exitFailure, []string{"NoSuchBucket"}, "cp", "f.txt", "s3://nobucket/x", "--only-show-errors", "--ca-bundle", f.caFile)

	// --debug: a line per request with its status and request ID, and no
	// secret: neither the secret key, nor the signature, nor the SSE-C key.
	r := f.run(nil, "cp", "f.txt", "s3://bkt/dbg", "--debug", "--sse-c-key", key, "--ca-bundle", f.caFile)
	if r.code != 0 || !strings.Contains(r.stderr, "method=PUT") || !strings.Contains(r.stderr, "status=200") ||
		!strings.Contains(r.stderr, "request_id=") || !strings.Contains(r.stderr, "/bkt/dbg") {
		t.Errorf("--debug:\n%s", r)
	}
	for _, secret := range []string{"wJalrXUtnFEMI", "Signature=", key, base64.StdEncoding.EncodeToString([]byte(key))} {
		if strings.Contains(r.stderr, secret) {
			t.Errorf("--debug printed a secret (%.6s...):\n%s", secret, r.stderr)
		}
	}
}

// reqsOf runs the binary and returns the requests it sent.
func (f *tlsFront) reqsOf(t *testing.T, args ...string) []*http.Request {
	t.Helper()
	f.take()
	if r := f.run(nil, args...); r.code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	return f.take()
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
