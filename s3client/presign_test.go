package s3client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// awsClient is a client for AWS itself (nothing is sent in these tests).
func awsClient(t *testing.T, region string, creds sigv4.Credentials, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Region: region, Credentials: sigv4.StaticProvider{Credentials: creds}, Now: func() time.Time { return fixedNow }}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var testCreds = sigv4.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}

func TestPresignURLShape(t *testing.T) {
	ctx := context.Background()
	tok := sigv4.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey, SessionToken: "token/with+chars=", Expires: fixedNow.Add(12 * time.Hour)}
	tests := []struct {
		name      string
		client    *Client
		in        *GetObjectInput
		expires   time.Duration
		wantHost  string
		wantPath  string
		wantQuery map[string]string
	}{
		{"regional virtual host", awsClient(t, "eu-west-3", testCreds), &GetObjectInput{Bucket: "photos", Key: "cat.jpg"}, 0,
			"photos.s3.eu-west-3.amazonaws.com", "/cat.jpg", map[string]string{"X-Amz-Expires": "3600"}},
		{"us-east-1 is regional too", awsClient(t, "us-east-1", testCreds), &GetObjectInput{Bucket: "photos", Key: "a b+c"}, time.Minute,
			"photos.s3.us-east-1.amazonaws.com", "/a%20b%2Bc", map[string]string{"X-Amz-Expires": "60"}},
		{"dotted name over https is path style", awsClient(t, "us-west-2", testCreds), &GetObjectInput{Bucket: "my.bucket", Key: "k"}, time.Hour,
			"s3.us-west-2.amazonaws.com", "/my.bucket/k", nil},
		{"path style on request", awsClient(t, "us-west-2", testCreds, func(c *Config) { c.AddressingStyle = AddressingPath }), &GetObjectInput{Bucket: "photos", Key: "k"}, time.Hour,
			"s3.us-west-2.amazonaws.com", "/photos/k", nil},
		{"overrides and version in the query", awsClient(t, "us-east-1", testCreds),
			&GetObjectInput{Bucket: "photos", Key: "k", VersionID: "v/1", ResponseContentType: "image/png", ResponseContentDisposition: `attachment; filename="x.png"`}, time.Hour,
			"photos.s3.us-east-1.amazonaws.com", "/k", map[string]string{"versionId": "v/1", "response-content-type": "image/png", "response-content-disposition": `attachment; filename="x.png"`}},
		{"session token in the query", awsClient(t, "us-east-1", tok), &GetObjectInput{Bucket: "photos", Key: "k"}, time.Hour,
			"photos.s3.us-east-1.amazonaws.com", "/k", map[string]string{"X-Amz-Security-Token": "token/with+chars="}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.client.PresignGetObject(ctx, tc.in, tc.expires)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(p.URL)
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != "https" || u.Host != tc.wantHost || u.EscapedPath() != tc.wantPath {
				t.Errorf("URL %s: want https://%s%s", p.URL, tc.wantHost, tc.wantPath)
			}
			q := u.Query()
			for k, v := range tc.wantQuery {
				if q.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, q.Get(k), v)
				}
			}
			if q.Get("X-Amz-Algorithm") != sigv4.Algorithm || len(q.Get("X-Amz-Signature")) != 64 || q.Get("X-Amz-SignedHeaders") != "host" {
				t.Errorf("auth parameters missing or wrong: %s", p.URL)
			}
			if p.Method != http.MethodGet || len(p.Header) != 0 {
				t.Errorf("method %s, headers %v", p.Method, p.Header)
			}
			want := tc.expires
			if want == 0 {
				want = DefaultPresignExpiry
			}
			if !p.Expires.Equal(fixedNow.Add(want)) {
				t.Errorf("Expires %v, want %v", p.Expires, fixedNow.Add(want))
			}
		})
	}
}

// Every signed part of a presigned URL changes its signature.
func TestPresignSignatureCoversEveryPart(t *testing.T) {
	ctx := context.Background()
	c := awsClient(t, "us-east-1", testCreds)
	sig := func(in *GetObjectInput, exp time.Duration) string {
		t.Helper()
		p, err := c.PresignGetObject(ctx, in, exp)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(p.URL)
		return u.Query().Get("X-Amz-Signature")
	}
	base := sig(&GetObjectInput{Bucket: "b-1", Key: "k", ResponseContentType: "a"}, time.Hour)
	if again := sig(&GetObjectInput{Bucket: "b-1", Key: "k", ResponseContentType: "a"}, time.Hour); again != base {
		t.Fatalf("same input, different signatures")
	}
	variants := map[string]string{
		"key":         sig(&GetObjectInput{Bucket: "b-1", Key: "k2", ResponseContentType: "a"}, time.Hour),
		"bucket":      sig(&GetObjectInput{Bucket: "b-2", Key: "k", ResponseContentType: "a"}, time.Hour),
		"query value": sig(&GetObjectInput{Bucket: "b-1", Key: "k", ResponseContentType: "b"}, time.Hour),
		"expiry":      sig(&GetObjectInput{Bucket: "b-1", Key: "k", ResponseContentType: "a"}, time.Hour+time.Second),
		"header":      sig(&GetObjectInput{Bucket: "b-1", Key: "k", ResponseContentType: "a", Range: "bytes=0-1"}, time.Hour),
	}
	for name, s := range variants {
		if s == base {
			t.Errorf("changing the %s left the signature unchanged", name)
		}
	}
}

func TestPresignBadInput(t *testing.T) {
	ctx := context.Background()
	short := sigv4.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey, SessionToken: "t", Expires: fixedNow.Add(30 * time.Minute)}
	anon, err := New(Config{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"expiry below a second", func() error {
			_, err := awsClient(t, "us-east-1", testCreds).PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k"}, time.Millisecond)
			return err
		}, sigv4.ErrExpiry},
		{"negative expiry", func() error {
			_, err := awsClient(t, "us-east-1", testCreds).PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k"}, -time.Hour)
			return err
		}, sigv4.ErrExpiry},
		{"over seven days", func() error {
			_, err := awsClient(t, "us-east-1", testCreds).PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k"}, 7*24*time.Hour+time.Second)
			return err
		}, sigv4.ErrExpiry},
		{"beyond the credentials", func() error {
			_, err := awsClient(t, "us-east-1", short).PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k"}, time.Hour)
			return err
		}, ErrExpiryBeyondCredentials},
		{"no credentials", func() error {
			_, err := anon.PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k"}, time.Hour)
			return err
		}, ErrInvalidInput},
		{"invalid bucket", func() error {
			_, err := awsClient(t, "us-east-1", testCreds).PresignPutObject(ctx, &PutObjectInput{Bucket: "arn:aws:s3::123456789012:accesspoint/bad_name.mrap", Key: "k"}, time.Hour)
			return err
		}, ErrInvalidInput},
		{"nil input", func() error {
			_, err := awsClient(t, "us-east-1", testCreds).PresignUploadPart(ctx, nil, time.Hour)
			return err
		}, ErrInvalidInput},
		{"SSE-C over http", func() error {
			c := awsClient(t, "us-east-1", testCreds, func(c *Config) { c.Endpoint = "http://127.0.0.1:9" })
			_, err := c.PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k", SSECustomer: SSECustomer{SSECustomerKey: bytes.Repeat([]byte{1}, 32)}}, time.Hour)
			return err
		}, ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	exactly7, err := awsClient(t, "us-east-1", testCreds).PresignGetObject(ctx, &GetObjectInput{Bucket: "bucket", Key: "k"}, 7*24*time.Hour)
	if err != nil || !strings.Contains(exactly7.URL, "X-Amz-Expires=604800") {
		t.Errorf("seven days exactly: %v %v", exactly7, err)
	}
}

// The multipart presigns work with nothing but net/http against the
// in-process server: create, upload a part, complete.
func TestPresignedMultipartRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t)
	srv.CreateBucket(t, "presigned")
	c := newClient(t, srv.Endpoint())
	send := func(p *PresignedRequest, body []byte) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range p.Header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: %d %s", p.Method, resp.StatusCode, b)
		}
		return resp
	}
	cr, err := c.PresignCreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "presigned", Key: "big file", ObjectProperties: ObjectProperties{ContentType: "text/csv"}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp := send(cr, nil)
	var init xmlInitiateMultipartUploadResult
	if err := decodeXML("test", "", "", resp, &init); err != nil || init.UploadID == "" {
		t.Fatalf("create: %v %+v", err, init)
	}
	part := bytes.Repeat([]byte("0123456789"), 1000)
	up, err := c.PresignUploadPart(ctx, &UploadPartInput{Bucket: "presigned", Key: "big file", UploadID: init.UploadID, PartNumber: 1}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	presp := send(up, part)
	presp.Body.Close()
	etag := presp.Header.Get("ETag")
	comp, err := c.PresignCompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "presigned", Key: "big file", UploadID: init.UploadID}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	doc := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + etag + `</ETag></Part></CompleteMultipartUpload>`
	send(comp, []byte(doc)).Body.Close()
	got, _ := srv.GetObject(t, "presigned", "big file")
	if !bytes.Equal(got, part) {
		t.Fatalf("object is %d bytes, want %d", len(got), len(part))
	}
	// Abort of a second upload.
	out, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "presigned", Key: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	ab, err := c.PresignAbortMultipartUpload(ctx, &AbortMultipartUploadInput{Bucket: "presigned", Key: "gone", UploadID: out.UploadID}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, ab.Method, ab.URL, nil)
	aresp, err := http.DefaultClient.Do(req)
	if err != nil || aresp.StatusCode != http.StatusNoContent {
		t.Fatalf("abort: %v %v", aresp, err)
	}
	aresp.Body.Close()
}

func TestPresignPostUsesClientEndpoint(t *testing.T) {
	ctx := context.Background()
	c := awsClient(t, "eu-central-1", testCreds)
	s, err := c.PresignPost(ctx, &presignpost.Policy{Bucket: "uploads", Key: "in/${filename}"})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "https://uploads.s3.eu-central-1.amazonaws.com/" {
		t.Errorf("URL %s", s.URL)
	}
	if !strings.Contains(s.Fields["x-amz-credential"], "/eu-central-1/s3/aws4_request") {
		t.Errorf("credential %q", s.Fields["x-amz-credential"])
	}
	if _, err := c.PresignPost(ctx, nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("nil policy: %v", err)
	}
}
