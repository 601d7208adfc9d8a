package main

// Tests of what "s3kit serve" refuses and supports beyond gofakes3: large
// S3 to S3 copies (UploadPartCopy), POST policies, --verify-signatures and
// the banner. serve_linux_test.go checks its listener and its exit with
// its parent.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
	"github.com/s3kit/s3kit/transfer"
)

// serveClient returns a client of a serve endpoint signing with creds.
func serveClient(t *testing.T, endpoint string, creds sigv4.Credentials) *s3client.Client {
	t.Helper()
	c, err := s3client.New(s3client.Config{
		Region:          "us-east-1",
		Endpoint:        endpoint,
		AddressingStyle: s3client.AddressingPath,
		Credentials:     sigv4.NewStaticProvider(creds.AccessKeyID, creds.SecretAccessKey, ""),
		HTTPClient:      &http.Client{Transport: &http.Transport{Proxy: nil}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var serveCreds = sigv4.Credentials{AccessKeyID: serveAccessKey, SecretAccessKey: serveSecretKey}

// TestServeLargeCopy: an S3 to S3 copy above the multipart threshold goes
// in UploadPartCopy parts, which serve answers (gofakes3 alone answers
// 411 MissingContentLength). 200 MiB as in the report; less under -race,
// where every byte costs tens of times more.
func TestServeLargeCopy(t *testing.T) {
	t.Parallel()
	size := int64(200 << 20)
	if raceEnabled {
		size = 24 << 20
	}
	endpoint, _ := startServe(t, "--addr", "127.0.0.1:0", "--dir", filepath.Join(t.TempDir(), "data"), "--verify-signatures")
	c := serveClient(t, endpoint, serveCreds)
	ctx := context.Background()
	for _, b := range []string{"src", "dst"} {
		if _, err := c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: b}); err != nil {
			t.Fatal(err)
		}
	}
	mgr, err := transfer.New(c, transfer.Config{MultipartThreshold: 8 << 20, MultipartChunkSize: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	src := io.LimitReader(&patternReader{}, size)
	if _, err := mgr.Upload(ctx, src, "src", "big.bin"); err != nil {
		t.Fatalf("upload: %v", err)
	}
	res, err := mgr.Copy(ctx, transfer.CopySource{Bucket: "src", Key: "big.bin"}, "dst", "copy.bin")
	if err != nil {
		t.Fatalf("copy of %d bytes: %v", size, err)
	}
	if want := int((size + 16<<20 - 1) / (16 << 20)); res.Parts != want {
		t.Errorf("the copy went in %d parts, want %d UploadPartCopy parts", res.Parts, want)
	}
	out, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "dst", Key: "copy.bin"})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.New()
	io.Copy(want, io.LimitReader(&patternReader{}, size))
	if n != size || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Fatalf("the copy holds %d bytes that differ from the %d of the source", n, size)
	}
}

// patternReader yields a byte pattern that never repeats within a part.
type patternReader struct{ off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	for i := range b {
		o := p.off + int64(i)
		b[i] = byte(o) ^ byte(o>>8) ^ byte(o>>16) ^ byte(o>>24)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// postFile posts a file with the signed form and returns the status and
// S3's error code.
func postFile(t *testing.T, s *presignpost.Signed, size int) (int, string) {
	t.Helper()
	var body bytes.Buffer
	ct, err := s.MultipartBody(&body, "avatar.txt", bytes.NewReader(bytes.Repeat([]byte("x"), size)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.URL, ct, &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, xmlCode(msg)
}

func TestServePostPolicy(t *testing.T) {
	t.Parallel()
	for _, verify := range []bool{false, true} {
		t.Run(fmt.Sprintf("verify %v", verify), func(t *testing.T) {
			args := []string{"--addr", "127.0.0.1:0"}
			if verify {
				args = append(args, "--verify-signatures")
			}
			endpoint, _ := startServe(t, args...)
			c := serveClient(t, endpoint, serveCreds)
			ctx := context.Background()
			if _, err := c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: "bkt"}); err != nil {
				t.Fatal(err)
			}
			p := &presignpost.Policy{Bucket: "bkt", Key: "uploads/${filename}", Conditions: []presignpost.Condition{presignpost.ContentLengthRange(10, 100)}}
			sign := func(creds sigv4.Credentials) *presignpost.Signed {
				s, err := p.Sign(creds, "us-east-1", endpoint+"/bkt", time.Now())
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			wrong := sigv4.Credentials{AccessKeyID: serveAccessKey, SecretAccessKey: "wrong"}
			tests := []struct {
				name   string
				form   *presignpost.Signed
				size   int
				status int
				code   string
			}{
				{"within the policy", sign(serveCreds), 50, 204, ""},
				{"outside the policy", sign(serveCreds), 1000, 400, "EntityTooLarge"},
				{"signed with another secret", sign(wrong), 50, map[bool]int{false: 204, true: 403}[verify], map[bool]string{true: "SignatureDoesNotMatch"}[verify]},
			}
			for _, tt := range tests {
				status, code := postFile(t, tt.form, tt.size)
				if status != tt.status || code != tt.code {
					t.Errorf("%s: %d %s, want %d %s", tt.name, status, code, tt.status, tt.code)
				}
			}
			out, err := c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "uploads/avatar.txt"})
			if err != nil || out.ContentLength != 50 {
				t.Errorf("${filename} was not substituted, or the refused file was stored: %v", err)
			}
		})
	}
}

func TestServeVerifySignatures(t *testing.T) {
	t.Parallel()
	endpoint, _ := startServe(t, "--addr", "127.0.0.1:0", "--verify-signatures")
	c := newCLI(t) // its environment holds serve's key pair
	c.setenv("AWS_ENDPOINT_URL", endpoint)
	c.ok("mb", "s3://bkt")
	c.write("f.txt", []byte("signed"))
	c.ok("cp", "f.txt", "s3://bkt/f.txt")

	// The CLI with a wrong secret, and with an unknown key.
	c.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
	c.fails(exitFailure, []string{"SignatureDoesNotMatch"}, "ls", "s3://bkt")
	c.setenv("AWS_SECRET_ACCESS_KEY", serveSecretKey)
	c.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN")
	c.fails(exitFailure, []string{"InvalidAccessKeyId"}, "ls", "s3://bkt")
	c.setenv("AWS_ACCESS_KEY_ID", serveAccessKey)

	// A presigned URL, as signed and tampered with.
	url := strings.TrimSpace(c.ok("presign", "s3://bkt/f.txt").stdout)
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 200 {
			return 200, string(b)
		}
		return resp.StatusCode, xmlCode(b)
	}
	if status, body := get(url); status != 200 || body != "signed" {
		t.Errorf("presigned GET: %d %q", status, body)
	}
	for _, tampered := range []string{
		strings.Replace(url, "/f.txt?", "/g.txt?", 1),
		strings.Replace(url, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1),
	} {
		if tampered == url {
			t.Fatalf("nothing to tamper with in %s", url)
		}
		if status, code := get(tampered); status != 403 || code != "SignatureDoesNotMatch" {
			t.Errorf("tampered URL %s: %d %s", tampered, status, code)
		}
	}

	// aws-chunked bodies, as signed and with one byte changed.
	data := bytes.Repeat([]byte("chunked "), 4096) // 32 KiB: four 8 KiB chunks
	for _, tt := range []struct {
		name   string
		flip   bool
		status int
	}{{"as signed", false, 200}, {"a byte changed", true, 403}} {
		req, _ := http.NewRequest(http.MethodPut, endpoint+"/bkt/chunked-"+strconv.FormatBool(tt.flip), nil)
		var sg sigv4.Signer
		err := sg.SignStreaming(req, bytes.NewReader(data), int64(len(data)), serveCreds, "us-east-1",
			sigv4.StreamingOptions{Payload: sigv4.StreamingPayload, ChunkSize: sigv4.MinChunkSize}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(req.Body)
		if tt.flip {
			body[bytes.Index(body, []byte("\r\n"))+2+5000] ^= 1
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.flip && xmlCode(msg) != "SignatureDoesNotMatch") {
			t.Errorf("aws-chunked upload %s: %d %s", tt.name, resp.StatusCode, msg)
		}
	}
	if r := c.ok("ls", "s3://bkt"); strings.Contains(r.stdout, "chunked-true") || !strings.Contains(r.stdout, "chunked-false") {
		t.Errorf("after the chunked uploads the bucket lists:\n%s", r.stdout)
	}
}

func TestServeBanner(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"signatures:    NOT checked", "not done:      ACLs", "versioning", "this address only"}},
		{[]string{"--verify-signatures"}, []string{"signatures:    checked", "AWS_ACCESS_KEY_ID=" + serveAccessKey + " AWS_SECRET_ACCESS_KEY=" + serveSecretKey}},
	} {
		var out bytes.Buffer
		printServeBanner(&out, "http://127.0.0.1:9000", "http://BUCKET.localhost:9000", "in memory", len(tt.args) > 0)
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("banner %v lacks %q:\n%s", tt.args, w, out.String())
			}
		}
	}
}

// TestRunStepsNotChecked: a step that passes with parts the server cannot
// check says so instead of "ok".
func TestRunStepsNotChecked(t *testing.T) {
	var stdout bytes.Buffer
	inv := &invocation{env: &env{stdout: &stdout, stderr: &stdout, getenv: func(string) string { return "" }}, opts: &options{}}
	front, err := newDemoFront(http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	defer front.close()
	d := &demo{inv: inv, front: front}
	passed, failed := d.runSteps(context.Background(), []demoStep{
		{"partly", func(ctx context.Context, d *demo) error {
			d.notChecked("the ACL")
			d.notChecked("the grants")
			return nil
		}},
		{"fully", func(ctx context.Context, d *demo) error { return nil }},
	})
	if passed != 2 || len(failed) != 0 {
		t.Errorf("passed %d, failed %v", passed, failed)
	}
	if want := "[1/2] partly\n      not checked by this server: the ACL; the grants\n[2/2] fully\n      ok\n"; stdout.String() != want {
		t.Errorf("output %q, want %q", stdout.String(), want)
	}
}
