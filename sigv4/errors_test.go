package sigv4

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash/crc32"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// noPanic runs f and fails the test if it panics.
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}

func goodRequest() *http.Request {
	return &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "b.s3.amazonaws.com", Path: "/k"}, Header: http.Header{}}
}

func TestBadInputErrors(t *testing.T) {
	var s Signer
	good := testCreds
	sign := func(mut func(*http.Request), creds Credentials, region, hash string) func() error {
		return func() error {
			req := goodRequest()
			if mut != nil {
				mut(req)
			}
			return s.Sign(req, creds, region, hash, testTime)
		}
	}
	presign := func(mut func(*http.Request), creds Credentials, region string, exp time.Duration) func() error {
		return func() error {
			req := goodRequest()
			if mut != nil {
				mut(req)
			}
			_, _, err := s.Presign(req, creds, region, UnsignedPayload, exp, testTime)
			return err
		}
	}
	canon := func(mut func(*http.Request)) func() error {
		return func() error {
			req := goodRequest()
			mut(req)
			_, err := s.CanonicalRequest(req, UnsignedPayload)
			return err
		}
	}
	header := func(name, value string) func(*http.Request) {
		return func(r *http.Request) { r.Header[name] = []string{"ok", value} }
	}
	query := func(raw string) func(*http.Request) { return func(r *http.Request) { r.URL.RawQuery = raw } }

	tests := []struct {
		name string
		call func() error
		want error // nil: must succeed
	}{
		{"sign: empty key ID", sign(nil, Credentials{SecretAccessKey: "s"}, "us-east-1", UnsignedPayload), ErrMissingCredentials},
		{"sign: empty secret", sign(nil, Credentials{AccessKeyID: "a"}, "us-east-1", UnsignedPayload), ErrMissingCredentials},
		{"sign: zero credentials", sign(nil, Credentials{}, "us-east-1", UnsignedPayload), ErrMissingCredentials},
		{"sign: empty region", sign(nil, good, "", UnsignedPayload), ErrMissingRegion},
		{"sign: empty payload hash", sign(nil, good, "us-east-1", ""), ErrMissingPayloadHash},
		{"sign: value with LF", sign(header("X-Amz-Meta-A", "a\nb"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: value with CR", sign(header("X-Amz-Meta-A", "a\rb"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: value with CRLF at the end", sign(header("X-Amz-Meta-A", "a\r\n"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: value with LF forging a header", sign(header("X-Amz-Meta-A", "a\nx-amz-acl:public-read"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: host with LF", sign(func(r *http.Request) { r.Host = "b.s3.amazonaws.com\nx:y" }, good, "us-east-1", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: token with LF", sign(nil, Credentials{AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t\nx"}, "us-east-1", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: header name with space", sign(header("Bad Name", "v"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderName},
		{"sign: header name with colon", sign(header("X:Y", "v"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderName},
		{"sign: header name with LF", sign(header("X\nY", "v"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderName},
		{"sign: empty header name", sign(header("", "v"), good, "us-east-1", UnsignedPayload), ErrInvalidHeaderName},
		{"sign: query %", sign(query("a=%"), good, "us-east-1", UnsignedPayload), ErrInvalidQuery},
		{"sign: query %4", sign(query("a=%4"), good, "us-east-1", UnsignedPayload), ErrInvalidQuery},
		{"sign: query %zz", sign(query("a=%zz"), good, "us-east-1", UnsignedPayload), ErrInvalidQuery},
		{"sign: query name %g1", sign(query("%g1=1"), good, "us-east-1", UnsignedPayload), ErrInvalidQuery},
		{"sign: query escape cut by &", sign(query("a=%2&b=1"), good, "us-east-1", UnsignedPayload), ErrInvalidQuery},
		{"sign: opaque path bad escape", sign(func(r *http.Request) { r.URL.Opaque = "//b.s3.amazonaws.com/a%zz" }, good, "us-east-1", UnsignedPayload), ErrInvalidPath},
		{"sign: nil URL", func() error {
			return s.Sign(&http.Request{Method: "GET"}, good, "us-east-1", UnsignedPayload, testTime)
		}, ErrInvalidPath},
		{"sign: nil request", func() error { return s.Sign(nil, good, "us-east-1", UnsignedPayload, testTime) }, ErrInvalidPath},
		{"sign: nil header map is fine", sign(func(r *http.Request) { r.Header = nil }, good, "us-east-1", UnsignedPayload), nil},

		{"presign: expiry 0", presign(nil, good, "us-east-1", 0), ErrExpiry},
		{"presign: expiry 999ms", presign(nil, good, "us-east-1", 999*time.Millisecond), ErrExpiry},
		{"presign: negative expiry", presign(nil, good, "us-east-1", -time.Hour), ErrExpiry},
		{"presign: expiry 7 days and 1s", presign(nil, good, "us-east-1", MaxPresignExpiry+time.Second), ErrExpiry},
		{"presign: expiry 7 days and 1ns", presign(nil, good, "us-east-1", MaxPresignExpiry+1), ErrExpiry},
		{"presign: expiry exactly 7 days", presign(nil, good, "us-east-1", MaxPresignExpiry), nil},
		{"presign: expiry exactly 1s", presign(nil, good, "us-east-1", time.Second), nil},
		{"presign: empty key ID", presign(nil, Credentials{SecretAccessKey: "s"}, "us-east-1", time.Hour), ErrMissingCredentials},
		{"presign: empty secret", presign(nil, Credentials{AccessKeyID: "a"}, "us-east-1", time.Hour), ErrMissingCredentials},
		{"presign: empty region", presign(nil, good, "", time.Hour), ErrMissingRegion},
		{"presign: value with LF", presign(header("X-Amz-Meta-A", "a\nb"), good, "us-east-1", time.Hour), ErrInvalidHeaderValue},
		{"presign: header name with space", presign(header("Bad Name", "v"), good, "us-east-1", time.Hour), ErrInvalidHeaderName},
		{"presign: bad query", presign(query("a=%zz"), good, "us-east-1", time.Hour), ErrInvalidQuery},
		{"presign: nil request", func() error {
			_, _, err := s.Presign(nil, good, "us-east-1", UnsignedPayload, time.Hour, testTime)
			return err
		}, ErrInvalidPath},

		{"canonical request: value with CR", canon(header("X-Amz-Meta-A", "\r")), ErrInvalidHeaderValue},
		{"canonical request: bad query", canon(query("a=%")), ErrInvalidQuery},
		{"canonical request: nil", func() error { _, err := s.CanonicalRequest(nil, UnsignedPayload); return err }, ErrInvalidPath},

		{"post policy: empty key ID", func() error {
			_, err := s.SignPOSTPolicy("e30=", Credentials{SecretAccessKey: "s"}, "us-east-1", testTime)
			return err
		}, ErrMissingCredentials},
		{"post policy: empty region", func() error { _, err := s.SignPOSTPolicy("e30=", good, "", testTime); return err }, ErrMissingRegion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := noPanic(t, tc.call)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want errors.Is %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "sigv4: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestBadStreamingOptions(t *testing.T) {
	crc := func() StreamingOptions {
		return StreamingOptions{Payload: StreamingPayloadTrailer, Checksum: crc32.New(castagnoli), ChecksumHeader: "x-amz-checksum-crc32c"}
	}
	with := func(f func(*StreamingOptions)) StreamingOptions { o := crc(); f(&o); return o }
	tests := []struct {
		name    string
		opts    StreamingOptions
		decoded int64
		nilBody bool
		creds   Credentials
		region  string
		want    error
	}{
		{"chunk 8 KiB - 1", with(func(o *StreamingOptions) { o.ChunkSize = MinChunkSize - 1 }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"chunk 1", with(func(o *StreamingOptions) { o.ChunkSize = 1 }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"negative chunk", with(func(o *StreamingOptions) { o.ChunkSize = -1 }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"chunk above max", with(func(o *StreamingOptions) { o.ChunkSize = MaxChunkSize + 1 }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"trailer without checksum", with(func(o *StreamingOptions) { o.Checksum = nil }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"trailer without header", with(func(o *StreamingOptions) { o.ChecksumHeader = "" }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"unsigned trailer without checksum", StreamingOptions{Payload: StreamingUnsignedPayloadTrailer, ChecksumHeader: "x-amz-checksum-crc32"}, 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"trailer header with CRLF", with(func(o *StreamingOptions) { o.ChecksumHeader = "x-amz-checksum-crc32c\r\nx-evil" }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"trailer header with colon", with(func(o *StreamingOptions) { o.ChecksumHeader = "x:y" }), 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"empty payload", StreamingOptions{}, 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"unsigned payload is not streaming", StreamingOptions{Payload: UnsignedPayload}, 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"unknown payload", StreamingOptions{Payload: "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"}, 10, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"negative length", crc(), -1, false, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"nil body", crc(), 10, true, testCreds, "us-east-1", ErrInvalidStreamingOpt},
		{"no credentials", crc(), 10, false, Credentials{}, "us-east-1", ErrMissingCredentials},
		{"no region", crc(), 10, false, testCreds, "", ErrMissingRegion},
		{"min chunk is fine", with(func(o *StreamingOptions) { o.ChunkSize = MinChunkSize }), 10, false, testCreds, "us-east-1", nil},
		{"max chunk is fine", with(func(o *StreamingOptions) { o.ChunkSize = MaxChunkSize }), 10, false, testCreds, "us-east-1", nil},
		{"checksum ignored without trailer", StreamingOptions{Payload: StreamingPayload, Checksum: sha256.New()}, 10, false, testCreds, "us-east-1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want != nil {
				_, err := noPanic2(t, func() (int64, error) { return StreamingLength(tc.decoded, tc.opts) })
				if tc.want == ErrInvalidStreamingOpt && !tc.nilBody && !errors.Is(err, tc.want) {
					t.Errorf("StreamingLength: %v, want %v", err, tc.want)
				}
			}
			req := goodRequest()
			req.Method = http.MethodPut
			before := req.Header.Clone()
			var body *bytes.Reader
			if !tc.nilBody {
				body = bytes.NewReader(make([]byte, 10))
			}
			var s Signer
			err := noPanic(t, func() error {
				if body == nil {
					return s.SignStreaming(req, nil, tc.decoded, tc.creds, tc.region, tc.opts, testTime)
				}
				return s.SignStreaming(req, body, tc.decoded, tc.creds, tc.region, tc.opts, testTime)
			})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("SignStreaming: %v, want %v", err, tc.want)
			}
			// A refused request is left as it was.
			if !reflect.DeepEqual(req.Header, before) || req.Body != nil || req.ContentLength != 0 {
				t.Errorf("SignStreaming changed the request on error: %v", req.Header)
			}
		})
	}
}

func noPanic2(t *testing.T, f func() (int64, error)) (n int64, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}
