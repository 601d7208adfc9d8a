package s3client

// Errors and recovery against httptest fakes, for what gofakes3 cannot
// produce: region redirects, throttling, server errors, clock skew, errors
// in 200 answers, connection resets, unrewindable bodies, stores that
// refuse aws-chunked, and corrupted downloads.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRegionRedirect(t *testing.T) {
	tests := []struct {
		name   string
		head   bool
		answer func(w http.ResponseWriter)
	}{
		{"301 PermanentRedirect", false, func(w http.ResponseWriter) {
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
			writeError(w, http.StatusMovedPermanently, "PermanentRedirect", "use the right endpoint", "<Endpoint>bkt.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>bkt</Bucket>")
		}},
		{"400 AuthorizationHeaderMalformed", false, func(w http.ResponseWriter) {
			writeError(w, http.StatusBadRequest, "AuthorizationHeaderMalformed", "the region 'us-east-1' is wrong; expecting 'eu-west-1'", "<Region>eu-west-1</Region>")
		}},
		{"HEAD 301 without body", true, func(w http.ResponseWriter) {
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
			w.WriteHeader(http.StatusMovedPermanently)
		}},
		{"HEAD 400 with region header", true, func(w http.ResponseWriter) {
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
			w.WriteHeader(http.StatusBadRequest)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if credentialRegion(r) != "eu-west-1" {
					tt.answer(w)
					return
				}
				w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
				w.Header().Set("ETag", `"abc"`)
			})
			c := newClient(t, f.URL)
			ctx := context.Background()
			call := func() error {
				if tt.head {
					_, err := c.HeadObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "k"})
					return err
				}
				_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("data")})
				return err
			}
			if err := call(); err != nil {
				t.Fatalf("first call: %v", err)
			}
			if f.count() != 2 {
				t.Errorf("%d requests, want 2 (redirect, then re-signed)", f.count())
			}
			if r, ok := c.BucketRegion("bkt"); !ok || r != "eu-west-1" {
				t.Errorf("BucketRegion = %q, %v", r, ok)
			}
			if !tt.head && !bytes.Equal(f.bodyOf(2), []byte("data")) {
				t.Errorf("retried body = %q", f.bodyOf(2))
			}
			// The region is remembered: the next request goes straight.
			if err := call(); err != nil {
				t.Fatalf("second call: %v", err)
			}
			if f.count() != 3 {
				t.Errorf("%d requests after the second call, want 3", f.count())
			}
		})
	}
	t.Run("HeadBucket reports the region", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
			w.Header().Set("X-Amz-Bucket-Region", "ap-south-1")
			if credentialRegion(r) != "ap-south-1" {
				w.WriteHeader(http.StatusMovedPermanently)
			}
		})
		c := newClient(t, f.URL)
		out, err := c.HeadBucket(context.Background(), &HeadBucketInput{Bucket: "far-away"})
		if err != nil || out.BucketRegion != "ap-south-1" {
			t.Errorf("HeadBucket = %+v, %v", out, err)
		}
	})
	t.Run("redirect followed once", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
			// Each answer names another region: a loop must end.
			w.Header().Set("X-Amz-Bucket-Region", []string{"eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1"}[min(n-1, 3)])
			writeError(w, http.StatusMovedPermanently, "PermanentRedirect", "elsewhere")
		})
		c := newClient(t, f.URL)
		_, err := c.GetObject(context.Background(), &GetObjectInput{Bucket: "bkt", Key: "k"})
		var e *Error
		if !errors.As(err, &e) || e.Code != "PermanentRedirect" {
			t.Fatalf("err = %v, want PermanentRedirect", err)
		}
		if f.count() != 2 {
			t.Errorf("%d requests, want 2", f.count())
		}
	})
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		fail        int // answers that fail before success (-1: all)
		answer      func(w http.ResponseWriter)
		wantReqs    int
		wantCode    string // "" for success
	}{
		{"503 SlowDown then success", 3, 2, func(w http.ResponseWriter) {
			writeError(w, http.StatusServiceUnavailable, "SlowDown", "reduce your request rate")
		}, 3, ""},
		{"503 SlowDown beyond MaxAttempts", 2, 2, func(w http.ResponseWriter) {
			writeError(w, http.StatusServiceUnavailable, "SlowDown", "reduce your request rate")
		}, 2, "SlowDown"},
		{"500 forever", 4, -1, func(w http.ResponseWriter) {
			writeError(w, http.StatusInternalServerError, "InternalError", "we encountered an internal error")
		}, 4, "InternalError"},
		{"400 RequestTimeout is retried", 3, 1, func(w http.ResponseWriter) {
			writeError(w, http.StatusBadRequest, "RequestTimeout", "idle too long")
		}, 2, ""},
		{"403 AccessDenied not retried", 5, -1, func(w http.ResponseWriter) {
			writeError(w, http.StatusForbidden, "AccessDenied", "access denied")
		}, 1, "AccessDenied"},
		{"400 InvalidArgument not retried", 5, -1, func(w http.ResponseWriter) {
			writeError(w, http.StatusBadRequest, "InvalidArgument", "bad")
		}, 1, "InvalidArgument"},
		{"404 NoSuchKey not retried", 5, -1, func(w http.ResponseWriter) {
			writeError(w, http.StatusNotFound, "NoSuchKey", "no such key")
		}, 1, "NoSuchKey"},
		{"409 not retried", 5, -1, func(w http.ResponseWriter) {
			writeError(w, http.StatusConflict, "OperationAborted", "conflicting operation")
		}, 1, "OperationAborted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if tt.fail < 0 || n <= tt.fail {
					tt.answer(w)
				}
			})
			c := newClient(t, f.URL, func(cfg *Config) { cfg.MaxAttempts = tt.maxAttempts })
			var sent int64
			_, err := c.PutObject(context.Background(), &PutObjectInput{Bucket: "bkt", Key: "k",
				Body: strings.NewReader("payload"), Progress: func(n int64) { sent += n }})
			if f.count() != tt.wantReqs {
				t.Errorf("%d requests, want %d", f.count(), tt.wantReqs)
			}
			for i := 1; i <= f.count(); i++ {
				if string(f.bodyOf(i)) != "payload" {
					t.Errorf("attempt %d sent %q", i, f.bodyOf(i))
				}
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				if sent != int64(len("payload")) {
					t.Errorf("progress = %d after retries, want %d", sent, len("payload"))
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Code != tt.wantCode || e.Attempts != tt.wantReqs || e.RequestID != "REQ123" || e.HostID != "HOST456" {
				t.Errorf("error = %+v, want code %s after %d attempts", e, tt.wantCode, tt.wantReqs)
			}
			if sent != 0 {
				t.Errorf("progress = %d after a failure, want 0 (taken back)", sent)
			}
		})
	}
	t.Run("sentinels", func(t *testing.T) {
		for status, want := range map[int]error{http.StatusForbidden: ErrForbidden, http.StatusNotFound: ErrNotFound, http.StatusPreconditionFailed: ErrPreconditionFailed} {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) { writeError(w, status, "X", "x") })
			_, err := newClient(t, f.URL).GetObject(context.Background(), &GetObjectInput{Bucket: "bkt", Key: "k"})
			if !errors.Is(err, want) {
				t.Errorf("status %d: %v does not match %v", status, err, want)
			}
		}
	})
}

func TestHeadNotFound(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		w.Header().Set("X-Amz-Request-Id", "HEADREQ")
		w.WriteHeader(http.StatusNotFound)
	})
	c := newClient(t, f.URL)
	_, err := c.HeadObject(context.Background(), &GetObjectInput{Bucket: "bkt", Key: "gone"})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrNotFound) || !IsNotFound(err) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if e.Code != "NotFound" || e.StatusCode != 404 || e.RequestID != "HEADREQ" || e.Op != "HeadObject" || e.Key != "gone" {
		t.Errorf("error = %+v", e)
	}
	_, err = c.HeadBucket(context.Background(), &HeadBucketInput{Bucket: "bkt"})
	if !IsNotFound(err) || f.count() != 2 {
		t.Errorf("HeadBucket err = %v after %d requests", err, f.count())
	}
}

func TestClockSkew(t *testing.T) {
	local := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	server := local.Add(20 * time.Minute)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		d, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil {
			writeError(w, http.StatusBadRequest, "MissingDate", "no date")
			return
		}
		w.Header().Set("Date", server.Format(http.TimeFormat))
		if d.Sub(server).Abs() > 15*time.Minute {
			writeError(w, http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
			return
		}
	})
	c := newClient(t, f.URL, func(cfg *Config) { cfg.Now = func() time.Time { return local } })
	ctx := context.Background()
	if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if f.count() != 2 {
		t.Errorf("%d requests, want 2", f.count())
	}
	if got := c.ClockSkew(); got != 20*time.Minute {
		t.Errorf("ClockSkew = %v, want 20m", got)
	}
	reqs := f.rec.all()
	if got := reqs[1].Header.Get("X-Amz-Date"); got != server.Format("20060102T150405Z") {
		t.Errorf("retry signed at %s, want the server's time", got)
	}
	// The correction is kept: the next request is signed right at once.
	if _, err := c.DeleteObject(ctx, &DeleteObjectInput{Bucket: "bkt", Key: "k"}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if f.count() != 3 {
		t.Errorf("%d requests after the second call, want 3", f.count())
	}
}

// TestErrorIn200 checks the operations whose 200 answer may carry an
// <Error>: a transient code is retried, another is returned.
func TestErrorIn200(t *testing.T) {
	ops := []struct {
		name    string
		success string
		call    func(*Client) error
	}{
		{"CompleteMultipartUpload", `<CompleteMultipartUploadResult><Location>http://x/bkt/k</Location><Bucket>bkt</Bucket><Key>k</Key><ETag>"e-1"</ETag></CompleteMultipartUploadResult>`,
			func(c *Client) error {
				out, err := c.CompleteMultipartUpload(context.Background(), &CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u",
					Parts: []CompletedPart{{PartNumber: 1, ETag: `"p1"`}}})
				if err == nil && out.ETag != `"e-1"` {
					return errors.New("bad output " + out.ETag)
				}
				return err
			}},
		{"CopyObject", `<CopyObjectResult><ETag>"c"</ETag><LastModified>2025-01-02T03:04:05.000Z</LastModified></CopyObjectResult>`,
			func(c *Client) error {
				out, err := c.CopyObject(context.Background(), &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: CopySource{Bucket: "src", Key: "s"}})
				if err == nil && out.ETag != `"c"` {
					return errors.New("bad output " + out.ETag)
				}
				return err
			}},
		{"UploadPartCopy", `<CopyPartResult><ETag>"pc"</ETag><LastModified>2025-01-02T03:04:05.000Z</LastModified></CopyPartResult>`,
			func(c *Client) error {
				out, err := c.UploadPartCopy(context.Background(), &UploadPartCopyInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 2,
					CopySource: CopySource{Bucket: "src", Key: "s"}, CopySourceRange: "bytes=0-9"})
				if err == nil && out.ETag != `"pc"` {
					return errors.New("bad output " + out.ETag)
				}
				return err
			}},
	}
	errDoc := func(code string) string {
		return `<Error><Code>` + code + `</Code><Message>failed after 200</Message><RequestId>R200</RequestId></Error>`
	}
	for _, op := range ops {
		t.Run(op.name+"/transient", func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				w.WriteHeader(http.StatusOK)
				if n == 1 {
					// S3 pads with whitespace while it works, then says.
					io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n\n  "+errDoc("InternalError"))
					return
				}
				writeXML(w, op.success)
			})
			if err := op.call(newClient(t, f.URL)); err != nil {
				t.Fatalf("err = %v, want success on retry", err)
			}
			if f.count() != 2 {
				t.Errorf("%d requests, want 2", f.count())
			}
		})
		t.Run(op.name+"/final", func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				writeXML(w, errDoc("AccessDenied"))
			})
			err := op.call(newClient(t, f.URL))
			var e *Error
			if !errors.As(err, &e) || e.Code != "AccessDenied" || e.StatusCode != 200 || e.RequestID != "R200" || e.Op != op.name {
				t.Fatalf("err = %#v, want AccessDenied in a 200", err)
			}
			if f.count() != 1 {
				t.Errorf("%d requests, want 1", f.count())
			}
		})
	}
}

// unrewindable hides every method but Read.
type unrewindable struct{ r io.Reader }

func (u unrewindable) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestBodyNotRewindable(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		writeError(w, http.StatusServiceUnavailable, "SlowDown", "slow down")
	})
	c := newClient(t, f.URL)
	ctx := context.Background()
	_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: unrewindable{strings.NewReader("stream")}, ContentLength: 6})
	if !errors.Is(err, ErrBodyNotRewindable) || ErrorCode(err) != "SlowDown" {
		t.Errorf("PutObject err = %v, want ErrBodyNotRewindable and SlowDown", err)
	}
	_, err = c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: unrewindable{strings.NewReader("part")}, ContentLength: 4})
	if !errors.Is(err, ErrBodyNotRewindable) {
		t.Errorf("UploadPart err = %v, want ErrBodyNotRewindable", err)
	}
	if f.count() != 2 {
		t.Errorf("%d requests, want 1 per call", f.count())
	}
	// The stream was sent once, in full (aws-chunked: it could not be
	// hashed before sending).
	if r := f.rec.all()[0]; !strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		t.Errorf("stream sent with payload hash %q", r.Header.Get("X-Amz-Content-Sha256"))
	}
}

func TestConnectionReset(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // close with RST, not FIN
			}
			conn.Close()
			return
		}
		w.Header().Set("ETag", `"ok"`)
	})
	c := newClient(t, f.URL)
	out, err := c.PutObject(context.Background(), &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader([]byte("abc"))})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if out.ETag != `"ok"` || f.count() != 2 || string(f.bodyOf(2)) != "abc" {
		t.Errorf("ETag %q after %d requests, body %q", out.ETag, f.count(), f.bodyOf(2))
	}
}

// TestCompatFallback: a store that does not speak aws-chunked answers 501;
// the client resends as a plain signed payload with Content-MD5, and keeps
// doing so for that endpoint.
func TestCompatFallback(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") || r.Header.Get("Content-Encoding") == "aws-chunked" {
			writeError(w, http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
			return
		}
		m := md5.Sum(body)
		s := sha256.Sum256(body)
		if r.Header.Get("Content-Md5") != base64.StdEncoding.EncodeToString(m[:]) {
			writeError(w, http.StatusBadRequest, "BadDigest", "Content-MD5 missing or wrong")
			return
		}
		if r.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(s[:]) {
			writeError(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "wrong payload hash")
			return
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(m[:])+`"`)
	})
	c := newClient(t, f.URL, func(cfg *Config) { cfg.PayloadSigning = PayloadSigningStreaming })
	ctx := context.Background()
	data := strings.Repeat("compat ", 1000)
	if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader(data), ChecksumAlgorithm: ChecksumCRC32C}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if f.count() != 2 || string(f.bodyOf(2)) != data {
		t.Fatalf("%d requests (want 2), retried body %d bytes", f.count(), len(f.bodyOf(2)))
	}
	if _, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: strings.NewReader(data), ChecksumAlgorithm: ChecksumCRC32C}); err != nil {
		t.Fatalf("UploadPart: %v", err)
	}
	if f.count() != 3 {
		t.Errorf("%d requests, want 3: the fallback is remembered", f.count())
	}
}

func TestGetObjectChecksumValidation(t *testing.T) {
	body := []byte("the bytes S3 sends")
	good := crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli))
	enc := func(v uint32) string {
		return base64.StdEncoding.EncodeToString([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	tests := []struct {
		name, header, value string
		wantErr             bool
	}{
		{"matching crc32c", "x-amz-checksum-crc32c", enc(good), false},
		{"wrong crc32c", "x-amz-checksum-crc32c", enc(good ^ 1), true},
		{"composite is not checked", "x-amz-checksum-crc32c", enc(good^1) + "-3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if r.Header.Get("X-Amz-Checksum-Mode") != "ENABLED" {
					t.Errorf("no x-amz-checksum-mode")
				}
				w.Header().Set(tt.header, tt.value)
				w.Write(body)
			})
			c := newClient(t, f.URL)
			out, err := c.GetObject(context.Background(), &GetObjectInput{Bucket: "bkt", Key: "k", ChecksumMode: true})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if !bytes.Equal(got, body) {
				t.Errorf("body = %q", got)
			}
			if tt.wantErr != errors.Is(err, ErrChecksumMismatch) {
				t.Errorf("read error = %v, want mismatch %v", err, tt.wantErr)
			}
		})
	}
}

func TestChecksumCheckValues(t *testing.T) {
	// The check values of the CRC catalogue (the checksum of "123456789").
	tests := []struct {
		alg  ChecksumAlgorithm
		want string // hex of the big-endian sum
	}{
		{ChecksumCRC32, "cbf43926"},
		{ChecksumCRC32C, "e3069283"},
		{ChecksumCRC64NVME, "ae8b14860a799888"},
		{ChecksumSHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
		{ChecksumSHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"},
	}
	for _, tt := range tests {
		h := tt.alg.NewHash()
		io.WriteString(h, "123456789")
		if got := hex.EncodeToString(h.Sum(nil)); got != tt.want {
			t.Errorf("%s(123456789) = %s, want %s", tt.alg, got, tt.want)
		}
	}
}
