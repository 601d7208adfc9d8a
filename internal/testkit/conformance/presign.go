package conformance

// Presigned URLs used with plain net/http, and rejected when expired or
// tampered with.

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

func init() {
	register("PresignedURLs", testPresignedURLs)
	register("PresignedTampered", testPresignedTampered)
}

// send does what the holder of a presigned URL does, with nothing but
// net/http (through the target's loopback dialer).
func (e *env) send(p *s3client.PresignedRequest, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, p.Method, p.URL, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	}
	for k, v := range p.Header {
		req.Header[k] = v
	}
	hc := e.tg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", p.Method, p.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func testPresignedURLs(e *env) {
	c := e.client(nil)
	key := "presigned/a file ü+.txt"
	body := []byte("presigned body")
	put, err := c.PresignPutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key,
		ObjectProperties: s3client.ObjectProperties{ContentType: "text/plain", Metadata: map[string]string{"by": "presign"}}}, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	if put.Header.Get("Content-Type") != "text/plain" {
		e.t.Errorf("presigned PUT does not ask for its signed Content-Type: %v", put.Header)
	}
	if st, b := e.send(put, body); st != http.StatusOK {
		e.t.Fatalf("presigned PUT: %d %s", st, b)
	}
	get, err := c.PresignGetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, ResponseContentDisposition: `attachment; filename="x y.txt"`}, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	if st, b := e.send(get, nil); st != http.StatusOK || !bytes.Equal(b, body) {
		e.t.Fatalf("presigned GET: %d %q", st, b)
	}
	head, err := c.PresignHeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key}, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	if st, _ := e.send(head, nil); st != http.StatusOK {
		e.t.Fatalf("presigned HEAD: %d", st)
	}
	del, err := c.PresignDeleteObject(e.ctx, &s3client.DeleteObjectInput{Bucket: e.bucket, Key: key}, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	if st, b := e.send(del, nil); st != http.StatusNoContent && st != http.StatusOK {
		e.t.Fatalf("presigned DELETE: %d %s", st, b)
	}
	if st, _ := e.send(head, nil); st != http.StatusNotFound {
		e.t.Errorf("HEAD after presigned DELETE: %d, want 404", st)
	}
}

func testPresignedTampered(e *env) {
	e.need(e.tg.Caps.VerifiesSignatures, "signature verification")
	c := e.client(nil)
	key := "presigned/tamper"
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: strings.NewReader("t")}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key + "2", Body: strings.NewReader("t")}); err != nil {
		e.t.Fatal(err)
	}
	get, err := c.PresignGetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, ResponseContentType: "text/plain"}, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	if st, _ := e.send(get, nil); st != http.StatusOK {
		e.t.Fatalf("untampered URL: %d", st)
	}
	tamper := map[string]func(u *url.URL){
		"key": func(u *url.URL) { u.Path += "2"; u.RawPath = "" },
		"query value": func(u *url.URL) {
			q := u.Query()
			q.Set("response-content-type", "text/html")
			u.RawQuery = q.Encode()
		},
		"expiry": func(u *url.URL) {
			q := u.Query()
			q.Set("X-Amz-Expires", "120")
			u.RawQuery = q.Encode()
		},
		"signature": func(u *url.URL) {
			q := u.Query()
			s := []byte(q.Get("X-Amz-Signature"))
			s[0] ^= 1
			q.Set("X-Amz-Signature", string(s))
			u.RawQuery = q.Encode()
		},
	}
	for name, f := range tamper {
		e.t.Run(name, func(t *testing.T) {
			u, _ := url.Parse(get.URL)
			f(u)
			p := *get
			p.URL = u.String()
			if st, b := e.send(&p, nil); st != http.StatusForbidden {
				t.Errorf("tampered %s: %d %s, want 403", name, st, b)
			}
		})
	}
	e.t.Run("expired", func(t *testing.T) {
		short, err := c.PresignGetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2100 * time.Millisecond)
		if st, b := e.send(short, nil); st != http.StatusForbidden {
			t.Errorf("expired URL: %d %s, want 403", st, b)
		}
	})
}
