package s3test

// Tests of WithCredentials: requests signed with sigv4 in every form the
// server checks, each accepted as signed and refused once tampered with.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

var (
	goodCreds  = sigv4.Credentials{AccessKeyID: "AKIDSERVER", SecretAccessKey: "server-secret"}
	wrongCreds = sigv4.Credentials{AccessKeyID: "AKIDSERVER", SecretAccessKey: "not-the-secret"}
	otherKey   = sigv4.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "server-secret"}
)

// send sends req with the server's client and returns status and body.
func send(t *testing.T, s *Server, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func signedPut(t *testing.T, url string, body []byte, creds sigv4.Credentials, region string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var s sigv4.Signer
	if err := s.Sign(req, creds, region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// otherHexDigit returns b with the hex digit at i replaced by another.
func otherHexDigit(b []byte, i int) []byte {
	b = bytes.Clone(b)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return b
}

func TestSignaturesHeader(t *testing.T) {
	s := New(t, WithCredentials(goodCreds))
	s.CreateBucket(t, "bkt")
	vhost := "http://bkt." + strings.TrimPrefix(s.VirtualHostEndpoint(), "http://") + "/v.txt"
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
		body   []string // in the error document
	}{
		{name: "signed", status: 200, req: func() *http.Request { return signedPut(t, s.URL+"/bkt/a.txt", []byte("a"), goodCreds, "us-east-1") }},
		{name: "other region", status: 200, req: func() *http.Request { return signedPut(t, s.URL+"/bkt/b.txt", []byte("b"), goodCreds, "eu-central-1") }},
		{name: "virtual host", status: 200, req: func() *http.Request { return signedPut(t, vhost, []byte("v"), goodCreds, "us-east-1") }},
		{name: "key with spaces and unicode", status: 200, req: func() *http.Request {
			return signedPut(t, s.URL+"/bkt/"+url.PathEscape("a b/é+x.txt"), []byte("u"), goodCreds, "us-east-1")
		}},
		{name: "hashed payload", status: 200, req: func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, s.URL+"/bkt/h.txt?x-id=PutObject", strings.NewReader("hashed"))
			req.Header.Set("X-Amz-Meta-Color", "  blue   green ")
			var sg sigv4.Signer
			sg.Sign(req, goodCreds, "us-east-1", sha256Hex([]byte("hashed")), time.Now())
			return req
		}},
		{name: "wrong secret", status: 403, code: "SignatureDoesNotMatch",
			body: []string{"<CanonicalRequest>PUT\n/bkt/c.txt\n", "<StringToSign>AWS4-HMAC-SHA256\n", "<AWSAccessKeyId>AKIDSERVER<"},
			req:  func() *http.Request { return signedPut(t, s.URL+"/bkt/c.txt", []byte("c"), wrongCreds, "us-east-1") }},
		{name: "header changed after signing", status: 403, code: "SignatureDoesNotMatch", req: func() *http.Request {
			req := signedPut(t, s.URL+"/bkt/d.txt", []byte("d"), goodCreds, "us-east-1")
			req.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte("d")))
			return req
		}},
		{name: "wrong access key", status: 403, code: "InvalidAccessKeyId", body: []string{"<AWSAccessKeyId>AKIDOTHER<"},
			req: func() *http.Request { return signedPut(t, s.URL+"/bkt/e.txt", []byte("e"), otherKey, "us-east-1") }},
		{name: "anonymous", status: 403, code: "AccessDenied", req: func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, s.URL+"/bkt/f.txt", strings.NewReader("f"))
			return req
		}},
		{name: "session token the server does not know", status: 403, code: "InvalidToken", req: func() *http.Request {
			return signedPut(t, s.URL+"/bkt/g.txt", []byte("g"), sigv4.Credentials{AccessKeyID: goodCreds.AccessKeyID, SecretAccessKey: goodCreds.SecretAccessKey, SessionToken: "tok"}, "us-east-1")
		}},
		{name: "SigV2", status: 400, code: "InvalidArgument", req: func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/bkt", nil)
			req.Header.Set("Authorization", "AWS AKIDSERVER:c2lnbmF0dXJl")
			return req
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, s, tt.req())
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.code != "" {
				if c := errorCode(t, body); c != tt.code {
					t.Errorf("code %s, want %s", c, tt.code)
				}
			}
			var doc struct {
				AWSAccessKeyID   string `xml:"AWSAccessKeyId"`
				CanonicalRequest string
				StringToSign     string
			}
			xml.Unmarshal(body, &doc)
			text := "<AWSAccessKeyId>" + doc.AWSAccessKeyID + "<\n<CanonicalRequest>" + doc.CanonicalRequest + "\n<StringToSign>" + doc.StringToSign
			for _, want := range tt.body {
				if !strings.Contains(text, want) {
					t.Errorf("the error lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(string(body), goodCreds.SecretAccessKey) {
				t.Errorf("the answer holds the secret: %s", body)
			}
		})
	}
	if got, _ := s.GetObject(t, "bkt", "a b/é+x.txt"); string(got) != "u" {
		t.Errorf("the signed PUT stored %q", got)
	}
	for _, key := range []string{"c.txt", "d.txt", "e.txt", "f.txt"} {
		if _, err := s.Backend().HeadObject("bkt", key); err == nil {
			t.Errorf("refused request stored %s", key)
		}
	}
}

func TestSignaturesPresigned(t *testing.T) {
	s := New(t, WithCredentials(goodCreds))
	s.CreateBucket(t, "bkt")
	s.PutObject(t, "bkt", "k.txt", []byte("presigned"), nil)
	presign := func(creds sigv4.Credentials, key string, at time.Time, expires time.Duration) string {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/bkt/"+key, nil)
		var sg sigv4.Signer
		u, _, err := sg.Presign(req, creds, "us-east-1", sigv4.UnsignedPayload, expires, at)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	good := presign(goodCreds, "k.txt", time.Now(), time.Hour)
	tests := []struct {
		name   string
		url    string
		status int
		code   string
	}{
		{"valid", good, 200, ""},
		{"another key in the path", strings.Replace(good, "/k.txt?", "/l.txt?", 1), 403, "SignatureDoesNotMatch"},
		{"longer expiry", strings.Replace(good, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1), 403, "SignatureDoesNotMatch"},
		{"added parameter", good + "&response-content-type=text%2Fhtml", 403, "SignatureDoesNotMatch"},
		{"wrong secret", presign(wrongCreds, "k.txt", time.Now(), time.Hour), 403, "SignatureDoesNotMatch"},
		{"expired", presign(goodCreds, "k.txt", time.Now().Add(-2*time.Hour), time.Hour), 403, "AccessDenied"},
		{"signature removed", strings.Split(good, "&X-Amz-Signature=")[0], 400, "AuthorizationQueryParametersError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
			status, body := send(t, s, req)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.code == "" {
				if string(body) != "presigned" {
					t.Errorf("body %q", body)
				}
			} else if c := errorCode(t, body); c != tt.code {
				t.Errorf("code %s, want %s", c, tt.code)
			}
		})
	}
}

func TestSignaturesStreaming(t *testing.T) {
	s := New(t, WithCredentials(goodCreds))
	s.CreateBucket(t, "bkt")
	data := bytes.Repeat([]byte("0123456789abcdef"), 3000) // 48000 bytes: 6 chunks of 8 KiB
	// encode signs data as aws-chunked and returns the request and its
	// encoded body, for the cases to tamper with.
	encode := func(key, payload string, creds sigv4.Credentials) (*http.Request, []byte) {
		req, _ := http.NewRequest(http.MethodPut, s.URL+"/bkt/"+key, nil)
		opts := sigv4.StreamingOptions{Payload: payload, ChunkSize: sigv4.MinChunkSize}
		if payload != sigv4.StreamingPayload {
			opts.Checksum, opts.ChecksumHeader = crc32.NewIEEE(), "x-amz-checksum-crc32"
		}
		var sg sigv4.Signer
		if err := sg.SignStreaming(req, bytes.NewReader(data), int64(len(data)), creds, "us-east-1", opts, time.Now()); err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		return req, body
	}
	flip := func(b []byte, at int) []byte {
		b = bytes.Clone(b)
		b[at] ^= 1
		return b
	}
	tests := []struct {
		name    string
		payload string
		creds   sigv4.Credentials
		tamper  func([]byte) []byte
		status  int
		code    string
	}{
		{"signed", sigv4.StreamingPayload, goodCreds, nil, 200, ""},
		{"signed with trailer", sigv4.StreamingPayloadTrailer, goodCreds, nil, 200, ""},
		{"unsigned with trailer", sigv4.StreamingUnsignedPayloadTrailer, goodCreds, nil, 200, ""},
		{"wrong secret", sigv4.StreamingPayload, wrongCreds, nil, 403, "SignatureDoesNotMatch"},
		{"a data byte changed", sigv4.StreamingPayload, goodCreds, func(b []byte) []byte {
			return flip(b, bytes.Index(b, []byte("\r\n"))+2+100)
		}, 403, "SignatureDoesNotMatch"},
		{"a data byte changed in the last chunk", sigv4.StreamingPayloadTrailer, goodCreds, func(b []byte) []byte {
			i := bytes.LastIndex(b, []byte("0;chunk-signature="))
			return flip(b, i-10)
		}, 403, "SignatureDoesNotMatch"},
		{"a chunk signature changed", sigv4.StreamingPayload, goodCreds, func(b []byte) []byte {
			return otherHexDigit(b, bytes.Index(b, []byte("chunk-signature="))+len("chunk-signature="))
		}, 403, "SignatureDoesNotMatch"},
		{"the trailer changed", sigv4.StreamingPayloadTrailer, goodCreds, func(b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-checksum-crc32:")) + len("x-amz-checksum-crc32:")
			return flip(b, i)
		}, 403, "SignatureDoesNotMatch"},
		{"the trailer signature changed", sigv4.StreamingPayloadTrailer, goodCreds, func(b []byte) []byte {
			return otherHexDigit(b, bytes.Index(b, []byte("x-amz-trailer-signature:"))+len("x-amz-trailer-signature:"))
		}, 403, "SignatureDoesNotMatch"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "stream-" + string(rune('a'+i))
			req, body := encode(key, tt.payload, tt.creds)
			if tt.tamper != nil {
				body = tt.tamper(body)
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			status, resp := send(t, s, req)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, resp)
			}
			if tt.code != "" {
				if c := errorCode(t, resp); c != tt.code {
					t.Errorf("code %s, want %s", c, tt.code)
				}
				if _, err := s.Backend().HeadObject("bkt", key); err == nil {
					t.Errorf("the refused upload was stored")
				}
				return
			}
			if got, _ := s.GetObject(t, "bkt", key); !bytes.Equal(got, data) {
				t.Errorf("stored %d bytes that differ from the %d sent", len(got), len(data))
			}
		})
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
