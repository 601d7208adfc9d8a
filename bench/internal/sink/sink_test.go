package sink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/bench/internal/pattern"
	"github.com/s3kit/s3kit/sigv4"
)

func startSink(t *testing.T) *Server {
	t.Helper()
	s, err := Start(&Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func do(t *testing.T, c *http.Client, method, url string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestGetRangesAndParts(t *testing.T) {
	s := startSink(t)
	const size, part = 20<<20 + 123, 8 << 20
	s.AddObject("b", "obj", size, part)
	c := http.DefaultClient
	u := s.HTTPURL + "/b/obj"

	tests := []struct {
		name       string
		query      string
		rng        string
		status     int
		start, n   int64
		partsCount string
	}{
		{"whole", "", "", 200, 0, size, ""},
		{"range", "", "bytes=100-199", 206, 100, 100, ""},
		{"open range", "", "bytes=20971000-", 206, 20971000, size - 20971000, ""},
		{"suffix", "", "bytes=-10", 206, size - 10, 10, ""},
		{"range past end clipped", "", "bytes=20971500-99999999", 206, 20971500, size - 20971500, ""},
		{"part 1", "?partNumber=1", "", 206, 0, part, "3"},
		{"last part", "?partNumber=3", "", 206, 2 * part, size - 2*part, "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.rng != "" {
				hdr["Range"] = tc.rng
			}
			resp, body := do(t, c, "GET", u+tc.query, nil, hdr)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if int64(len(body)) != tc.n || !pattern.Equal(body, tc.start) {
				t.Fatalf("got %d bytes (pattern at %d: %v), want %d", len(body), tc.start, pattern.Equal(body, tc.start), tc.n)
			}
			if got := resp.Header.Get("X-Amz-Mp-Parts-Count"); got != tc.partsCount {
				t.Errorf("parts count %q, want %q", got, tc.partsCount)
			}
			if tc.status == 206 {
				want := fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.start+tc.n-1, int64(size))
				if got := resp.Header.Get("Content-Range"); got != want {
					t.Errorf("Content-Range %q, want %q", got, want)
				}
			}
		})
	}

	for _, tc := range []struct{ name, query, rng string }{
		{"start past end", "", "bytes=99999999-"},
		{"two ranges", "", "bytes=0-1,5-6"},
		{"part past count", "?partNumber=4", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.rng != "" {
				hdr["Range"] = tc.rng
			}
			resp, _ := do(t, c, "GET", u+tc.query, nil, hdr)
			if resp.StatusCode != 416 {
				t.Fatalf("status %d, want 416", resp.StatusCode)
			}
		})
	}

	resp, body := do(t, c, "HEAD", u, nil, nil)
	if resp.StatusCode != 200 || len(body) != 0 || resp.ContentLength != size || resp.Header.Get("ETag") == "" {
		t.Fatalf("HEAD: %d, length %d, etag %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("ETag"))
	}
	resp, _ = do(t, c, "GET", u, nil, map[string]string{"If-Match": `"other"`})
	if resp.StatusCode != 412 {
		t.Fatalf("If-Match mismatch: %d, want 412", resp.StatusCode)
	}
	resp, _ = do(t, c, "GET", s.HTTPURL+"/b/missing", nil, nil)
	if resp.StatusCode != 404 {
		t.Fatalf("missing key: %d, want 404", resp.StatusCode)
	}
}

// TestMultipartVerify runs a multipart upload in verify mode, with the
// parts right and then two of them swapped, which the sink must notice.
func TestMultipartVerify(t *testing.T) {
	const part = 5 << 20
	const size = 2*part + 1000
	for _, swap := range []bool{false, true} {
		t.Run(fmt.Sprintf("swapped=%v", swap), func(t *testing.T) {
			s := startSink(t)
			s.SetVerify(true)
			c := http.DefaultClient
			u := s.HTTPURL + "/b/up"
			resp, body := do(t, c, "POST", u+"?uploads", nil, map[string]string{"X-Amz-Checksum-Algorithm": "CRC32C"})
			var init initiateMultipartUploadResult
			if err := xml.Unmarshal(body, &init); err != nil || resp.StatusCode != 200 {
				t.Fatalf("create: %d %v", resp.StatusCode, err)
			}
			if resp.Header.Get("X-Amz-Checksum-Algorithm") != "CRC32C" {
				t.Errorf("algorithm not echoed")
			}
			var complete strings.Builder
			complete.WriteString("<CompleteMultipartUpload>")
			for i := 0; i < 3; i++ {
				off := int64(i) * part
				if swap && i < 2 {
					off = int64(1-i) * part
				}
				data := make([]byte, min(part, size-int64(i)*part))
				pattern.WriteTo(&sliceWriter{b: data}, off, int64(len(data)))
				sum := sha256.Sum256(data)
				crc := crc32.Checksum(data, castagnoli)
				crcB64 := b64(crc)
				resp, body := do(t, c, "PUT", fmt.Sprintf("%s?partNumber=%d&uploadId=%s", u, i+1, init.UploadID), data, map[string]string{
					"X-Amz-Content-Sha256":  hex.EncodeToString(sum[:]),
					"X-Amz-Checksum-Crc32c": crcB64,
				})
				if resp.StatusCode != 200 {
					t.Fatalf("part %d: %d %s", i+1, resp.StatusCode, body)
				}
				if resp.Header.Get("X-Amz-Checksum-Crc32c") != crcB64 {
					t.Errorf("part %d: checksum not echoed", i+1)
				}
				fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, resp.Header.Get("ETag"))
			}
			complete.WriteString("</CompleteMultipartUpload>")
			resp, body = do(t, c, "POST", u+"?uploadId="+init.UploadID, []byte(complete.String()), nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), "CompleteMultipartUploadResult") {
				t.Fatalf("complete: %d %s", resp.StatusCode, body)
			}
			if got, parts, ok := s.Object("b", "up"); !ok || got != size || parts != 3 {
				t.Fatalf("object: size %d parts %d ok %v", got, parts, ok)
			}
			if st := s.Stats(); (st.Failures > 0) != swap {
				t.Fatalf("failures %d (%q), swapped %v", st.Failures, st.Messages, swap)
			}
			resp, _ = do(t, c, "GET", u+"?partNumber=2", nil, nil)
			if resp.ContentLength != part || resp.Header.Get("X-Amz-Mp-Parts-Count") != "3" {
				t.Fatalf("GET part 2 of the upload: length %d, count %q", resp.ContentLength, resp.Header.Get("X-Amz-Mp-Parts-Count"))
			}
		})
	}
}

type sliceWriter struct {
	b []byte
	n int
}

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.n += copy(w.b[w.n:], p)
	return len(p), nil
}

func b64(crc uint32) string {
	return base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
}

// TestAWSChunked sends aws-chunked bodies framed by s3kit's sigv4 (signed
// chunks, signed and unsigned trailers) over https, in verify mode, and a
// body whose trailer lies.
func TestAWSChunked(t *testing.T) {
	s := startSink(t)
	s.SetVerify(true)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	creds := sigv4.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
	var signer sigv4.Signer
	const size = 3<<20 + 17

	tests := []struct {
		name    string
		payload string
		alg     string
		corrupt bool
		status  int
	}{
		{"signed chunks", sigv4.StreamingPayload, "", false, 200},
		{"signed trailer crc32c", sigv4.StreamingPayloadTrailer, "crc32c", false, 200},
		{"unsigned trailer crc64nvme", sigv4.StreamingUnsignedPayloadTrailer, "crc64nvme", false, 200},
		{"unsigned trailer sha256", sigv4.StreamingUnsignedPayloadTrailer, "sha256", false, 200},
		{"payload not the pattern", sigv4.StreamingUnsignedPayloadTrailer, "crc32", true, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetFailures()
			data := make([]byte, size)
			pattern.WriteTo(&sliceWriter{b: data}, 0, size)
			if tc.corrupt {
				data[size/2] ^= 1
			}
			req, err := http.NewRequestWithContext(context.Background(), "PUT", s.HTTPSURL+"/b/chunked", nil)
			if err != nil {
				t.Fatal(err)
			}
			opts := sigv4.StreamingOptions{Payload: tc.payload}
			if tc.alg != "" {
				opts.Checksum = newChecksum("x-amz-checksum-" + tc.alg)
				opts.ChecksumHeader = "x-amz-checksum-" + tc.alg
			}
			if err := signer.SignStreaming(req, bytes.NewReader(data), size, creds, "us-east-1", opts, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s (%q)", resp.StatusCode, tc.status, body, s.Stats().Messages)
			}
			if tc.status != 200 {
				return
			}
			if tc.alg != "" && resp.Header.Get("X-Amz-Checksum-"+tc.alg) == "" {
				t.Errorf("trailer checksum not echoed: %v", resp.Header)
			}
			if got, _, _ := s.Object("b", "chunked"); got != size {
				t.Errorf("object size %d, want %d", got, size)
			}
		})
	}
}

// TestChunkDecoderSplits feeds one framed body in every split, so that a
// frame boundary anywhere in a read is handled.
func TestChunkDecoderSplits(t *testing.T) {
	body := "5;chunk-signature=ab\r\nhello\r\n3\r\nxyz\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:ff\r\n\r\n"
	for step := 1; step <= len(body); step++ {
		var d chunkDecoder
		var got []byte
		for i := 0; i < len(body); i += step {
			if err := d.write([]byte(body[i:min(i+step, len(body))]), func(p []byte) { got = append(got, p...) }); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		if string(got) != "helloxyz" || !d.finished() || d.trailer("x-amz-checksum-crc32") != "AAAAAA==" {
			t.Fatalf("step %d: data %q finished %v trailer %q", step, got, d.finished(), d.trailer("x-amz-checksum-crc32"))
		}
	}
	for _, bad := range []string{"zz\r\n", "5\r\nhelloXY", "5\nhello"} {
		var d chunkDecoder
		if err := d.write([]byte(bad), nil); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzChunkDecoder(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("3;chunk-signature=00\r\nabc\r\n0\r\nx-amz-checksum-crc32c:AAAA\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d chunkDecoder
		var n int64
		d.write(b, func(p []byte) { n += int64(len(p)) })
		if n != d.decoded || n > int64(len(b)) {
			t.Fatalf("decoded %d of %d bytes, counted %d", d.decoded, len(b), n)
		}
	})
}
