package main

// Tests of the messages a user acts on, through the built binary: what a
// download's 404 and 403 say beyond the HEAD answer, the same message for
// the same endpoint mistake on the command line and in the environment,
// a too long key named once, and the usage errors of the options of mv,
// sync and the aws s3 flags.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDownloadErrorsSayMore(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.fails(exitFailure, []string{"NotFound (HeadObject bkt/nokey, HTTP 404", "the bucket bkt exists, but holds no key nokey"}, "cp", "s3://bkt/nokey", ".")
	c.fails(exitFailure, []string{"NotFound (HeadObject nobucket/k, HTTP 404", "there is no bucket nobucket"}, "cp", "s3://nobucket/k", "-")
	c.fails(exitFailure, []string{"there is no bucket nobucket"}, "mv", "s3://nobucket/k", "x")

	// A 403 on HEAD has no message: a GET of the first byte fetches S3's,
	// and without one the line says what to check.
	for _, tc := range []struct {
		name    string
		getBody bool // the GET's 403 carries S3's error document
		want    []string
	}{
		{"message from GET", true, []string{"Forbidden", "HeadObject bkt/k, HTTP 403", "a GET says AccessDenied: denied by the policy of bkt (GetObject bkt/k, HTTP 403"}},
		{"no message", false, []string{"HeadObject bkt/k, HTTP 403", "check that the credentials are those meant (--profile)", "--sse-c-key", "--request-payer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ranges []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					ranges = append(ranges, r.Header.Get("Range"))
					if tc.getBody {
						s3Error(w, http.StatusForbidden, "AccessDenied", "denied by the policy of bkt")
						return
					}
				}
				w.WriteHeader(http.StatusForbidden)
			}))
			defer srv.Close()
			c := newCLI(t)
			c.setenv("AWS_ENDPOINT_URL", srv.URL)
			c.fails(exitFailure, tc.want, "cp", "s3://bkt/k", "out")
			if strings.Join(ranges, ",") != "bytes=0-0" {
				t.Errorf("GETs with ranges %q, want one of the first byte", ranges)
			}
		})
	}
}

// TestEndpointMistakes: a bad endpoint gets the same message and exit
// code from --endpoint-url as from AWS_ENDPOINT_URL (or _S3), naming
// where it came from.
func TestEndpointMistakes(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, bad := range []string{"ftp://example.com", "127.0.0.1:9000", "http://h/?q=1", "%zz"} {
		flag := c.run(nil, "ls", "--endpoint-url", bad)
		for _, name := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
			e := newCLI(t)
			e.setenv(name, bad)
			env := e.run(nil, "ls")
			if env.code != exitUsage || flag.code != exitUsage {
				t.Errorf("%q: exit %d from the flag, %d from %s; want %d", bad, flag.code, env.code, name, exitUsage)
			}
			if want := strings.ReplaceAll(flag.stderr, "--endpoint-url", name); env.stderr != want {
				t.Errorf("%q: %s says\n%s\nthe flag\n%s", bad, name, env.stderr, flag.stderr)
			}
		}
	}
}

// TestLongKeyNamedOnce: a key over S3's 1,024 bytes is refused before
// any request, and the error line names it once.
func TestLongKeyNamedOnce(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.srv.CreateBucket(t, "bkt")
	c.write("f.txt", []byte("x"))
	key := strings.Repeat("k", 1100)
	r := c.fails(exitUsage, []string{"1100 bytes long (at most 1024)"}, "cp", "f.txt", "s3://bkt/"+key)
	if n := strings.Count(r.stderr, key); n != 1 {
		t.Errorf("the key is printed %d times:\n%s", n, r.stderr)
	}
}

func TestNewUsageErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"sync", "a", "b"}, "must be an S3 URI"},
		{[]string{"sync", "-", "s3://b/"}, "cannot read stdin"},
		{[]string{"sync", "a", "s3://b/", "--size-only", "--exact-timestamps"}, "--exact-timestamps applies from S3"},
		{[]string{"sync", "s3://b/", "a", "--size-only", "--exact-timestamps"}, "contradict"},
		{[]string{"sync", "s3://b/x", "s3://b/"}, "overlap"},
		{[]string{"sync", "a", "s3://b/", "--recursive"}, "unknown option --recursive"},
		{[]string{"mv", "-", "s3://b/k"}, "cannot read stdin"},
		{[]string{"mv", "a", "s3://b/", "--exclude", "*"}, "add --recursive"},
		{[]string{"mv", "s3://b/p/", "s3://b/p/q/", "--recursive"}, "overlap"},
		{[]string{"cp", "s3://b/p/", "s3://b/p/q/", "--recursive"}, "overlap"},
		{[]string{"ls", "s3://b", "--page-size", "1001"}, "a page holds 1 to 1000 keys"},
		{[]string{"ls", "s3://b", "--request-payer", "me"}, "the only value is requester"},
		{[]string{"cp", "a", "s3://b/", "--sse-c", "AES256"}, "--sse-c needs the key"},
		{[]string{"cp", "a", "s3://b/", "--sse-c", "AES128", "--sse-c-key", strings.Repeat("k", 32)}, "the only algorithm is AES256"},
		{[]string{"cp", "a", "s3://b/", "--sse-c-key", "short"}, "an SSE-C key is 32 bytes (AES-256), this one is 5"},
		{[]string{"cp", "a", "s3://b/", "--sse-c-key", "fileb://nofile"}, "reading the key"},
		{[]string{"cp", "a", "s3://b/", "--sse", "AES256", "--sse-c-key", strings.Repeat("k", 32)}, "choose one"},
		{[]string{"cp", "a", "s3://b/", "--sse-kms-key-id", "k"}, "--sse aws:kms"},
		{[]string{"cp", "a", "s3://b/", "--checksum-algorithm", "MD5"}, "want one of CRC32, CRC32C, CRC64NVME, SHA1, SHA256"},
		{[]string{"cp", "a", "s3://b/", "--grants", "read=uri"}, "is not Permission=Grantee_Type=Grantee_ID"},
		{[]string{"cp", "a", "s3://b/", "--grants", "write=id=x"}, "the permission is read, readacl, writeacl or full"},
		{[]string{"cp", "a", "s3://b/", "--expires", "tomorrow"}, "is not a time"},
		{[]string{"cp", "a", "s3://b/", "--ca-bundle", "nofile"}, "--ca-bundle"},
	} {
		r := c.run(nil, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.stderr) || r.stdout != "" {
			t.Errorf("want exit 2 and %q on stderr:\n%s", tc.stderr, r)
		}
		// A secret given on the command line is never echoed.
		if strings.Contains(r.stderr, strings.Repeat("k", 32)) {
			t.Errorf("the SSE-C key is in the error:\n%s", r)
		}
	}
}
