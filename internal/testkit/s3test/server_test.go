package s3test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// do sends one request with the server's client and returns status, headers
// and body.
func do(t *testing.T, s *Server, method, url string, header http.Header, body []byte) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, b
}

// errorCode extracts <Code> from an S3 error document.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Code string `xml:"Code"`
	}
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Code
}

// urls returns the object URL in both addressing styles.
func urls(s *Server, bucket, key string) map[string]string {
	return map[string]string{
		"path":         s.Endpoint() + "/" + bucket + "/" + key,
		"virtual-host": "http://" + bucket + "." + strings.TrimPrefix(s.VirtualHostEndpoint(), "http://") + "/" + key,
	}
}

func TestEndpoints(t *testing.T) {
	s := New(t)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || s.Endpoint() != s.URL {
		t.Errorf("URL %q, Endpoint %q: want http://127.0.0.1:port twice", s.URL, s.Endpoint())
	}
	port := strings.TrimPrefix(s.URL, "http://127.0.0.1:")
	if n, err := strconv.Atoi(port); err != nil || n <= 0 {
		t.Errorf("port %q is not a port", port)
	}
	if want := "http://localhost:" + port; s.VirtualHostEndpoint() != want {
		t.Errorf("VirtualHostEndpoint = %q, want %q", s.VirtualHostEndpoint(), want)
	}
}

func TestPutGetBothStyles(t *testing.T) {
	s := New(t)
	s.CreateBucket(t, "photos")
	for style, putURL := range urls(s, "photos", "dir/cat.jpg") {
		t.Run(style, func(t *testing.T) {
			data := []byte("meow from " + style)
			code, _, body := do(t, s, http.MethodPut, putURL,
				http.Header{"Content-Type": {"image/jpeg"}, "X-Amz-Meta-Style": {style}}, data)
			if code != http.StatusOK {
				t.Fatalf("PUT %s: %d %s", putURL, code, body)
			}
			// Whatever style wrote it, both styles read it.
			for readStyle, getURL := range urls(s, "photos", "dir/cat.jpg") {
				code, h, got := do(t, s, http.MethodGet, getURL, nil, nil)
				if code != http.StatusOK || !bytes.Equal(got, data) {
					t.Errorf("GET %s style: %d %q, want 200 %q", readStyle, code, got, data)
				}
				if h.Get("Content-Type") != "image/jpeg" || h.Get("X-Amz-Meta-Style") != style {
					t.Errorf("GET %s style: headers %v", readStyle, h)
				}
			}
			stored, meta := s.GetObject(t, "photos", "dir/cat.jpg")
			if !bytes.Equal(stored, data) || meta["X-Amz-Meta-Style"] != style {
				t.Errorf("backend has %q %v", stored, meta)
			}
		})
	}
}

func TestVirtualHostBucketRoutes(t *testing.T) {
	s := New(t)
	s.CreateBucket(t, "web.dotted.bucket")
	s.PutObject(t, "web.dotted.bucket", "a/b.txt", []byte("x"), nil)
	s.PutObject(t, "web.dotted.bucket", "a b%2F.txt", []byte("y"), nil)
	host := "http://web.dotted.bucket." + strings.TrimPrefix(s.VirtualHostEndpoint(), "http://")
	tests := []struct {
		name, method, url string
		wantCode          int
		wantBody          string
	}{
		{"list with root path", http.MethodGet, host + "/?list-type=2", 200, "<Key>a/b.txt</Key>"},
		{"list without path", http.MethodGet, host + "?list-type=2", 200, "<Key>a/b.txt</Key>"},
		{"head bucket", http.MethodHead, host + "/", 200, ""},
		{"escaped key", http.MethodGet, host + "/a%20b%252F.txt", 200, "y"},
		{"upper-case host", http.MethodGet, "http://WEB.DOTTED.BUCKET." + strings.TrimPrefix(s.VirtualHostEndpoint(), "http://") + "/a/b.txt", 200, "x"},
		{"missing bucket", http.MethodGet, "http://nobucket." + strings.TrimPrefix(s.VirtualHostEndpoint(), "http://") + "/a", 404, "NoSuchBucket"},
		{"plain localhost is path style", http.MethodGet, s.VirtualHostEndpoint() + "/web.dotted.bucket/a/b.txt", 200, "x"},
		{"list buckets on localhost", http.MethodGet, s.VirtualHostEndpoint() + "/", 200, "<Name>web.dotted.bucket</Name>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, s, tt.method, tt.url, nil, nil)
			if code != tt.wantCode || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%s %s: %d %s; want %d containing %q", tt.method, tt.url, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}
}

func TestVirtualHostBucket(t *testing.T) {
	tests := map[string]string{
		"b.localhost:1234":   "b",
		"b.localhost":        "b",
		"B.LocalHost:1":      "b",
		"a.b.localhost:1":    "a.b",
		"b.localhost.:1":     "b",
		"localhost:1234":     "",
		"127.0.0.1:1234":     "",
		"[::1]:1234":         "",
		"b.localhost.com:80": "",
		"blocalhost:1":       "",
	}
	for host, want := range tests {
		if got := virtualHostBucket(host); got != want {
			t.Errorf("virtualHostBucket(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestRequestRecorder(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []*http.Request
	)
	s := New(t, WithRequestRecorder(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
	}))
	s.CreateBucket(t, "bkt")
	u := urls(s, "bkt", "k")["virtual-host"]
	code, _, body := do(t, s, http.MethodPut, u, http.Header{
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
	}, []byte("data"))
	if code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 {
		t.Fatalf("recorded %d requests, want 1", len(seen))
	}
	r := seen[0]
	if !strings.HasPrefix(r.Host, "bkt.localhost:") || r.URL.Path != "/k" || r.Method != http.MethodPut {
		t.Errorf("recorded %s host %q path %q; want the request as sent", r.Method, r.Host, r.URL.Path)
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/") {
		t.Errorf("recorded Authorization %q", r.Header.Get("Authorization"))
	}
	if r.ContentLength != 4 || r.Body != http.NoBody {
		t.Errorf("recorded ContentLength %d, Body %v; want 4 and http.NoBody", r.ContentLength, r.Body)
	}
	if got, _ := s.GetObject(t, "bkt", "k"); string(got) != "data" {
		t.Errorf("stored %q, want the body the recorder did not consume", got)
	}
}

// chunkedHeaders returns the headers of an aws-chunked upload.
func chunkedHeaders(mode string, decodedLen int, trailer string) http.Header {
	h := http.Header{
		"X-Amz-Content-Sha256":         {mode},
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {strconv.Itoa(decodedLen)},
	}
	if trailer != "" {
		h.Set("X-Amz-Trailer", trailer)
	}
	return h
}

func TestAWSChunkedUploads(t *testing.T) {
	data := bytes.Repeat([]byte("streaming upload "), 4000) // 68000 bytes
	crc, _ := ChecksumValue("x-amz-checksum-crc32c", data)
	tests := []struct {
		name   string
		header http.Header
		body   []byte
	}{
		{
			name:   "signed",
			header: chunkedHeaders(streamingSigned, len(data), ""),
			body:   encodeChunked(data, 8192, sigA, nil, ""),
		},
		{
			name:   "signed with trailer",
			header: chunkedHeaders(streamingSignedTrailer, len(data), "x-amz-checksum-crc32c"),
			body:   encodeChunked(data, 8192, sigA, []string{"x-amz-checksum-crc32c:" + crc}, sigB),
		},
		{
			name:   "unsigned with trailer",
			header: chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32c"),
			body:   encodeChunked(data, 65536, "", []string{"x-amz-checksum-crc32c:" + crc}, ""),
		},
		{
			name:   "ECDSA-length signatures",
			header: chunkedHeaders(streamingECDSA, len(data), ""),
			body:   encodeChunked(data, 8192, strings.Repeat("3045", 36), nil, ""),
		},
		{
			name: "other content encoding kept",
			header: func() http.Header {
				h := chunkedHeaders(streamingSigned, len(data), "")
				h.Set("Content-Encoding", "aws-chunked, gzip")
				return h
			}(),
			body: encodeChunked(data, 8192, sigA, nil, ""),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t)
			s.CreateBucket(t, "bkt")

			// PutObject.
			code, _, body := do(t, s, http.MethodPut, s.URL+"/bkt/put", tt.header, tt.body)
			if code != http.StatusOK {
				t.Fatalf("PUT: %d %s", code, body)
			}
			got, meta := s.GetObject(t, "bkt", "put")
			if !bytes.Equal(got, data) {
				t.Fatalf("stored %d bytes, want the %d decoded bytes", len(got), len(data))
			}
			for _, h := range []string{"X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Content-Sha256"} {
				if v, ok := meta[h]; ok {
					t.Errorf("metadata keeps %s: %q", h, v)
				}
			}
			wantCE := ""
			if strings.Contains(tt.header.Get("Content-Encoding"), "gzip") {
				wantCE = "gzip"
			}
			if meta["Content-Encoding"] != wantCE {
				t.Errorf("stored Content-Encoding %q, want %q", meta["Content-Encoding"], wantCE)
			}

			// UploadPart, then Complete.
			code, _, body = do(t, s, http.MethodPost, s.URL+"/bkt/mp?uploads", nil, nil)
			if code != http.StatusOK {
				t.Fatalf("CreateMultipartUpload: %d %s", code, body)
			}
			var init struct {
				UploadID string `xml:"UploadId"`
			}
			if err := xml.Unmarshal(body, &init); err != nil || init.UploadID == "" {
				t.Fatalf("CreateMultipartUpload body %s: %v", body, err)
			}
			code, h, body := do(t, s, http.MethodPut, s.URL+"/bkt/mp?partNumber=1&uploadId="+init.UploadID, tt.header, tt.body)
			if code != http.StatusOK {
				t.Fatalf("UploadPart: %d %s", code, body)
			}
			complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + h.Get("ETag") + `</ETag></Part></CompleteMultipartUpload>`
			code, _, body = do(t, s, http.MethodPost, s.URL+"/bkt/mp?uploadId="+init.UploadID, nil, []byte(complete))
			if code != http.StatusOK {
				t.Fatalf("CompleteMultipartUpload: %d %s", code, body)
			}
			if got, _ := s.GetObject(t, "bkt", "mp"); !bytes.Equal(got, data) {
				t.Fatalf("multipart object has %d bytes, want the %d decoded bytes", len(got), len(data))
			}
		})
	}
}

func TestAWSChunkedUploadErrors(t *testing.T) {
	data := bytes.Repeat([]byte("hello, streaming world "), 1000) // 23000 bytes, three chunks
	crc, _ := ChecksumValue("x-amz-checksum-crc32", data)
	good := encodeChunked(data, 8192, sigA, nil, "")
	tests := []struct {
		name     string
		header   http.Header
		body     []byte
		wantCode int
		wantErr  string
	}{
		{
			name:     "truncated body",
			header:   chunkedHeaders(streamingSigned, len(data), ""),
			body:     good[:len(good)-20],
			wantCode: 400, wantErr: "IncompleteBody",
		},
		{
			name:     "decoded length too large",
			header:   chunkedHeaders(streamingSigned, len(data)+1, ""),
			body:     good,
			wantCode: 400, wantErr: "IncompleteBody",
		},
		{
			name:     "decoded length too small",
			header:   chunkedHeaders(streamingSigned, len(data)-1, ""),
			body:     good,
			wantCode: 400, wantErr: "IncompleteBody",
		},
		{
			name: "missing decoded length",
			header: func() http.Header {
				h := chunkedHeaders(streamingSigned, 0, "")
				h.Del("X-Amz-Decoded-Content-Length")
				return h
			}(),
			body:     good,
			wantCode: 411, wantErr: "MissingContentLength",
		},
		{
			name:     "malformed framing",
			header:   chunkedHeaders(streamingSigned, len(data), ""),
			body:     bytes.Replace(good, []byte("\r\n"), []byte("\n"), 1),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "unsigned chunks in a signed upload",
			header:   chunkedHeaders(streamingSigned, len(data), ""),
			body:     encodeChunked(data, 8192, "", nil, ""),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "signed chunks in an unsigned upload",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 8192, sigA, []string{"x-amz-checksum-crc32:" + crc}, ""),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "short signature",
			header:   chunkedHeaders(streamingSigned, len(data), ""),
			body:     encodeChunked(data, 8192, "abcd", nil, ""),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "wrong trailing checksum",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 8192, "", []string{"x-amz-checksum-crc32:AAAAAA=="}, ""),
			wantCode: 400, wantErr: "BadDigest",
		},
		{
			name:     "malformed trailing checksum",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 8192, "", []string{"x-amz-checksum-crc32:nope"}, ""),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "trailer missing",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 8192, "", nil, ""),
			wantCode: 400, wantErr: "MalformedTrailerError",
		},
		{
			name:     "other trailer than declared",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 8192, "", []string{"x-amz-checksum-sha1:" + crc}, ""),
			wantCode: 400, wantErr: "MalformedTrailerError",
		},
		{
			name:     "trailer signature missing in signed trailer mode",
			header:   chunkedHeaders(streamingSignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 8192, sigA, []string{"x-amz-checksum-crc32:" + crc}, ""),
			wantCode: 400, wantErr: "MalformedTrailerError",
		},
		{
			name:     "trailer in a mode without trailer",
			header:   chunkedHeaders(streamingSigned, len(data), ""),
			body:     encodeChunked(data, 8192, sigA, []string{"x-amz-checksum-crc32:" + crc}, ""),
			wantCode: 400, wantErr: "MalformedTrailerError",
		},
		{
			name:     "trailer mode without x-amz-trailer",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), ""),
			body:     encodeChunked(data, 8192, "", []string{"x-amz-checksum-crc32:" + crc}, ""),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "x-amz-trailer names no checksum",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-meta-foo"),
			body:     encodeChunked(data, 8192, "", []string{"x-amz-meta-foo:bar"}, ""),
			wantCode: 400, wantErr: "InvalidRequest",
		},
		{
			name:     "data chunk under 8 KiB before the last",
			header:   chunkedHeaders(streamingSigned, len(data), ""),
			body:     encodeChunked(data, 8191, sigA, nil, ""),
			wantCode: 400, wantErr: "InvalidChunkSizeError",
		},
		{
			name:     "data chunk under 8 KiB, unsigned",
			header:   chunkedHeaders(streamingUnsignedTrailer, len(data), "x-amz-checksum-crc32"),
			body:     encodeChunked(data, 4096, "", []string{"x-amz-checksum-crc32:" + crc}, ""),
			wantCode: 400, wantErr: "InvalidChunkSizeError",
		},
		{
			name:     "unknown streaming mode",
			header:   chunkedHeaders("STREAMING-SOMETHING-ELSE", len(data), ""),
			body:     good,
			wantCode: 400, wantErr: "InvalidArgument",
		},
		{
			name: "aws-chunked without a streaming mode",
			header: func() http.Header {
				h := chunkedHeaders(streamingSigned, len(data), "")
				h.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				return h
			}(),
			body:     good,
			wantCode: 400, wantErr: "InvalidArgument",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t)
			s.CreateBucket(t, "bkt")
			code, _, body := do(t, s, http.MethodPut, s.URL+"/bkt/k", tt.header, tt.body)
			if code != tt.wantCode || errorCode(t, body) != tt.wantErr {
				t.Errorf("PUT: %d %s; want %d %s", code, body, tt.wantCode, tt.wantErr)
			}
			if _, err := s.Backend().HeadObject("bkt", "k"); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
				t.Errorf("a failed upload left an object behind (HeadObject: %v)", err)
			}
		})
	}
}

func TestChecksumAndPayloadHashHeaders(t *testing.T) {
	data := []byte("checked data")
	crc, _ := ChecksumValue("x-amz-checksum-crc32", data)
	sha, _ := ChecksumValue("x-amz-checksum-sha256", data)
	sum := sha256.Sum256(data)
	realHash := hex.EncodeToString(sum[:])
	other := sha256.Sum256([]byte("other data"))
	payloadHash := hex.EncodeToString(other[:])
	tests := []struct {
		name     string
		method   string
		header   http.Header
		wantCode int
		wantErr  string
	}{
		{"right crc32", http.MethodPut, http.Header{"X-Amz-Checksum-Crc32": {crc}}, 200, ""},
		{"right sha256 with algorithm header", http.MethodPut, http.Header{"X-Amz-Checksum-Sha256": {sha}, "X-Amz-Sdk-Checksum-Algorithm": {"SHA256"}}, 200, ""},
		{"wrong crc32", http.MethodPut, http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}, 400, "BadDigest"},
		{"crc32 not base64", http.MethodPut, http.Header{"X-Amz-Checksum-Crc32": {"!!!"}}, 400, "InvalidRequest"},
		{"crc32 of wrong length", http.MethodPut, http.Header{"X-Amz-Checksum-Crc32": {sha}}, 400, "InvalidRequest"},
		{"two checksums", http.MethodPut, http.Header{"X-Amz-Checksum-Crc32": {crc}, "X-Amz-Checksum-Sha256": {sha}}, 400, "InvalidRequest"},
		{"unknown algorithm", http.MethodPut, http.Header{"X-Amz-Checksum-Md5": {"AAAA"}}, 400, "InvalidRequest"},
		{"right payload hash", http.MethodPut, http.Header{"X-Amz-Content-Sha256": {realHash}}, 200, ""},
		{"wrong payload hash", http.MethodPut, http.Header{"X-Amz-Content-Sha256": {payloadHash}}, 400, "XAmzContentSHA256Mismatch"},
		{"upper-case payload hash", http.MethodPut, http.Header{"X-Amz-Content-Sha256": {strings.ToUpper(realHash)}}, 400, "InvalidArgument"},
		{"unsigned payload", http.MethodPut, http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, 200, ""},
		{"wrong Content-MD5 (gofakes3's own check)", http.MethodPut, http.Header{"Content-Md5": {"AAAAAAAAAAAAAAAAAAAAAA=="}}, 400, "BadDigest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t)
			s.CreateBucket(t, "bkt")
			code, _, body := do(t, s, tt.method, s.URL+"/bkt/k", tt.header, data)
			if code != tt.wantCode {
				t.Fatalf("PUT: %d %s; want %d %s", code, body, tt.wantCode, tt.wantErr)
			}
			_, err := s.Backend().HeadObject("bkt", "k")
			if tt.wantErr != "" {
				if got := errorCode(t, body); got != tt.wantErr {
					t.Errorf("error code %s, want %s", got, tt.wantErr)
				}
				if !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
					t.Errorf("a refused upload left an object behind (HeadObject: %v)", err)
				}
			} else if err != nil {
				t.Errorf("object not stored: %v", err)
			}
		})
	}
}

func TestGetHidesEchoedHeaders(t *testing.T) {
	s := New(t)
	s.CreateBucket(t, "bkt")
	data := []byte("x")
	crc, _ := ChecksumValue("x-amz-checksum-crc32", data)
	code, _, body := do(t, s, http.MethodPut, s.URL+"/bkt/k", http.Header{
		"X-Amz-Date":           {time.Now().UTC().Format("20060102T150405Z")},
		"X-Amz-Security-Token": {"session-token-value"},
		"X-Amz-Checksum-Crc32": {crc},
		"X-Amz-Meta-Kept":      {"yes"},
		"X-Amz-Acl":            {"private"},
		"X-Amz-Server-Side-Encryption-Customer-Algorithm": {"AES256"},
		"X-Amz-Server-Side-Encryption-Customer-Key":       {"c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5YWJjZGU="},
	}, data)
	if code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		_, h, _ := do(t, s, method, s.URL+"/bkt/k", nil, nil)
		for _, name := range []string{"X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Checksum-Crc32",
			"X-Amz-Acl", "X-Amz-Server-Side-Encryption-Customer-Key"} {
			if v := h.Get(name); v != "" {
				t.Errorf("%s returns %s: %q", method, name, v)
			}
		}
		if h.Get("X-Amz-Meta-Kept") != "yes" || h.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "AES256" {
			t.Errorf("%s lost user metadata: %v", method, h)
		}
		_, h, _ = do(t, s, method, s.URL+"/bkt/k", http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}, nil)
		if h.Get("X-Amz-Checksum-Crc32") != crc {
			t.Errorf("%s with checksum mode: X-Amz-Checksum-Crc32 %q, want %q", method, h.Get("X-Amz-Checksum-Crc32"), crc)
		}
	}
}

func TestWithDir(t *testing.T) {
	dir := t.TempDir()
	s, err := NewServer(WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	s.CreateBucket(t, "kept")
	code, _, body := do(t, s, http.MethodPut, s.URL+"/kept/a/b.txt", nil, []byte("on disk"))
	if code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	s.Close()

	// A second server on the same directory sees the object.
	s2 := New(t, WithDir(dir))
	code, _, body = do(t, s2, http.MethodGet, urls(s2, "kept", "a/b.txt")["virtual-host"], nil, nil)
	if code != http.StatusOK || string(body) != "on disk" {
		t.Errorf("GET after restart: %d %q", code, body)
	}
}

func TestWithTimeSource(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := New(t, WithTimeSource(gofakes3.FixedTimeSource(at)))
	s.CreateBucket(t, "bkt")
	tests := []struct {
		name     string
		amzDate  time.Time
		wantCode int
	}{
		{"in time", at.Add(-time.Minute), 200},
		{"skewed", at.Add(-time.Hour), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := do(t, s, http.MethodPut, s.URL+"/bkt/k", http.Header{
				"X-Amz-Date": {tt.amzDate.Format("20060102T150405Z")},
			}, []byte("x"))
			if code != tt.wantCode {
				t.Fatalf("PUT: %d %s, want %d", code, body, tt.wantCode)
			}
			if code == 403 && errorCode(t, body) != "RequestTimeTooSkewed" {
				t.Errorf("error %s, want RequestTimeTooSkewed", body)
			}
		})
	}
	_, h, _ := do(t, s, http.MethodHead, s.URL+"/bkt/k", nil, nil)
	if got := h.Get("Last-Modified"); got != at.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q, want %q", got, at.Format(http.TimeFormat))
	}
}

func TestWithGoFakeS3Options(t *testing.T) {
	s := New(t, WithGoFakeS3Options(gofakes3.WithAutoBucket(true)))
	code, _, body := do(t, s, http.MethodPut, s.URL+"/auto/k", nil, []byte("x"))
	if code != http.StatusOK {
		t.Fatalf("PUT into a missing bucket with auto-bucket: %d %s", code, body)
	}
}

func TestHTTPClientIgnoresProxyEnvironment(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	t.Setenv("NO_PROXY", "")
	s := New(t)
	for style, u := range urls(s, "bkt", "") {
		code, _, body := do(t, s, http.MethodGet, u, nil, nil)
		if code != http.StatusNotFound || errorCode(t, body) != "NoSuchBucket" {
			t.Errorf("%s: %d %s; want the server's NoSuchBucket, not a proxy error", style, code, body)
		}
	}
}

func TestCloseStopsServer(t *testing.T) {
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	c := s.HTTPClient()
	resp, err := c.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.Close()
	s.Close() // idempotent
	_, err = c.Get(s.URL + "/")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("GET after Close: %v, want connection refused", err)
	}
}

func TestNewServerBadDir(t *testing.T) {
	f := t.TempDir() + "/file"
	if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewServer(WithDir(f)); err == nil || !strings.HasPrefix(err.Error(), "s3test: ") {
		t.Errorf("NewServer on a file: %v, want an s3test error", err)
	}
}

// fatalTB records the first Fatalf and stops the goroutine, as testing does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestCreateBucketValidatesName(t *testing.T) {
	s := New(t)
	for _, name := range []string{"ab", "Upper", "-dash", "192.168.0.1", strings.Repeat("a", 64)} {
		f := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.CreateBucket(f, name)
		}()
		<-done
		if !strings.Contains(f.msg, "InvalidBucketName") {
			t.Errorf("CreateBucket(%q): fatal message %q, want InvalidBucketName", name, f.msg)
		}
		if ok, _ := s.Backend().BucketExists(name); ok {
			t.Errorf("CreateBucket(%q) created the bucket", name)
		}
	}
}
