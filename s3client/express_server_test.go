package s3client

// S3 Express One Zone against internal/testkit/s3test's ExpressServer, which issues
// session credentials and verifies every request's signature with them: the
// operations of a directory bucket, through the zonal host and through a
// custom endpoint; session expiry and refresh under concurrency; the
// server's refusal of tampered and expired requests; the integrity rule of
// directory buckets (a checksum, never Content-MD5); and the control plane.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/sigv4"
)

const expressBucket = "bucket--usw2-az1--x-s3"

const expressZonalHost = expressBucket + ".s3express-usw2-az1.us-west-2.amazonaws.com"

var expressStart = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// The two ways a client reaches the server: the AWS zonal host (https, so
// UNSIGNED-PAYLOAD with checksum trailers, rewritten to the server by its
// HTTPClient), and the server's address as a custom endpoint (path style,
// plain http, so signed payloads and signed aws-chunked streams).
const (
	routeZonal  = "zonal host"
	routeCustom = "custom endpoint"
)

var expressRoutes = []string{routeZonal, routeCustom}

// newExpress starts an ExpressServer holding expressBucket and returns a
// client for it by route, sharing the server's clock, and the recorder of
// every request the server received.
func newExpress(t *testing.T, route string, mods ...func(*Config)) (*Client, *s3test.ExpressServer, *s3test.Clock, *recorder) {
	t.Helper()
	clock := s3test.NewClock(expressStart)
	rec := &recorder{}
	srv := s3test.NewExpress(t, s3test.ExpressConfig{
		Credentials: sigv4.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey},
		Clock:       clock,
		Options:     []s3test.Option{s3test.WithRequestRecorder(rec.record)},
	})
	srv.CreateBucket(t, expressBucket)
	cfg := Config{
		Region:         "us-west-2",
		Credentials:    sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
		HTTPClient:     srv.HTTPClient(),
		Now:            clock.Now,
		RetryBaseDelay: time.Millisecond,
		RetryMaxDelay:  5 * time.Millisecond,
	}
	if route == routeCustom {
		cfg.Endpoint = srv.URL
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.jitter = func() float64 { return 0.5 }
	return c, srv, clock, rec
}

// checkExpressRequests checks what the server received: every request
// signed for s3express, the data-plane ones with a session's key and
// token, none with Content-MD5, each with its payload hash; and that the
// server verified every one and refused none.
func checkExpressRequests(t *testing.T, srv *s3test.ExpressServer, rec *recorder, route string) {
	t.Helper()
	reqs := rec.all()
	for _, r := range reqs {
		_, akid, region, service := authOf(r)
		session := r.Header.Get(s3SessionTokenHeader) != "" || r.URL.Query().Get(s3SessionTokenHeader) != ""
		createSession := r.URL.Query().Has("session")
		if a := r.URL.Query().Get("X-Amz-Credential"); a != "" {
			p := strings.Split(a, "/")
			akid, region, service = p[0], p[2], p[3]
		}
		switch {
		case service != "s3express" || region != "us-west-2":
			t.Errorf("%s %s signed for %s in %s", r.Method, r.URL, service, region)
		case createSession && (akid != testAccessKey || session):
			t.Errorf("CreateSession signed by %s, session token %v", akid, session)
		case !createSession && (akid == testAccessKey || !session):
			t.Errorf("%s %s signed by %s, session token %v", r.Method, r.URL, akid, session)
		case r.Header.Get("Content-Md5") != "":
			t.Errorf("%s %s sent Content-MD5", r.Method, r.URL)
		case r.Header.Get("Authorization") != "" && r.Header.Get("X-Amz-Content-Sha256") == "":
			t.Errorf("%s %s has no X-Amz-Content-Sha256", r.Method, r.URL)
		case route == routeZonal && r.Host != expressZonalHost:
			t.Errorf("%s sent to %s, want the zonal host", r.URL, r.Host)
		case route == routeCustom && !strings.HasPrefix(r.URL.Path, "/"+expressBucket):
			t.Errorf("%s is not path style", r.URL)
		}
	}
	st := srv.Stats()
	if st.Rejected != 0 || st.Sessions+st.Control+st.Data != len(reqs) {
		t.Errorf("server stats %+v for %d requests; refused: %v", st, len(reqs), srv.Rejections())
	}
}

// TestExpressServerOperations runs the operations of a directory bucket
// against the server, by both routes: every request verified, one session.
func TestExpressServerOperations(t *testing.T) {
	for _, route := range expressRoutes {
		t.Run(route, func(t *testing.T) {
			c, srv, _, rec := newExpress(t, route)
			ctx := context.Background()
			b := expressBucket
			big := bytes.Repeat([]byte("0123456789abcdef"), 2<<16) // 2 MiB: a checksum trailer on the zonal route
			stream := bytes.Repeat([]byte("s"), 100<<10)           // an io.Reader: aws-chunked, signed on the custom route
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: b, Key: "small.txt", Body: strings.NewReader("hello")})
			must("PutObject", err)
			_, err = c.PutObject(ctx, &PutObjectInput{Bucket: b, Key: "dir/big", Body: bytes.NewReader(big)})
			must("PutObject 2 MiB", err)
			_, err = c.PutObject(ctx, &PutObjectInput{Bucket: b, Key: "stream", Body: streamOf(stream), ContentLength: int64(len(stream))})
			must("PutObject stream", err)
			get := func(key, rng string) []byte {
				t.Helper()
				out, err := c.GetObject(ctx, &GetObjectInput{Bucket: b, Key: key, Range: rng})
				must("GetObject "+key, err)
				defer out.Body.Close()
				data, err := io.ReadAll(out.Body)
				must("reading "+key, err)
				return data
			}
			if !bytes.Equal(get("dir/big", ""), big) || !bytes.Equal(get("stream", ""), stream) || string(get("dir/big", "bytes=16-19")) != "0123" {
				t.Error("GetObject: bytes differ")
			}
			head, err := c.HeadObject(ctx, &GetObjectInput{Bucket: b, Key: "dir/big"})
			must("HeadObject", err)
			if head.ContentLength != int64(len(big)) {
				t.Errorf("HeadObject: %d bytes", head.ContentLength)
			}
			_, err = c.CopyObject(ctx, &CopyObjectInput{Bucket: b, Key: "copy", CopySource: CopySource{Bucket: b, Key: "dir/big"}})
			must("CopyObject", err)

			up, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: b, Key: "mpu"})
			must("CreateMultipartUpload", err)
			p1, err := c.UploadPart(ctx, &UploadPartInput{Bucket: b, Key: "mpu", UploadID: up.UploadID, PartNumber: 1, Body: bytes.NewReader(big),
				ChecksumAlgorithm: up.ChecksumAlgorithm})
			must("UploadPart", err)
			p2, err := c.UploadPartCopy(ctx, &UploadPartCopyInput{Bucket: b, Key: "mpu", UploadID: up.UploadID, PartNumber: 2,
				CopySource: CopySource{Bucket: b, Key: "small.txt"}})
			must("UploadPartCopy", err)
			_, err = c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: b, Key: "mpu", UploadID: up.UploadID,
				Parts: []CompletedPart{{PartNumber: 1, ETag: p1.ETag, Checksums: p1.Checksums}, {PartNumber: 2, ETag: p2.ETag}}})
			must("CompleteMultipartUpload", err)
			if got := get("mpu", ""); !bytes.Equal(got, append(append([]byte(nil), big...), "hello"...)) {
				t.Errorf("multipart object: %d bytes", len(got))
			}

			rename := &RenameObjectInput{Bucket: b, Key: "renamed.txt", SourceKey: "small.txt", Conditions: Conditions{IfNoneMatch: "*"}, ClientToken: "rename-1"}
			_, err = c.RenameObject(ctx, rename)
			must("RenameObject", err)
			_, err = c.RenameObject(ctx, rename)
			must("RenameObject repeated with its client token", err)
			_, err = c.RenameObject(ctx, &RenameObjectInput{Bucket: b, Key: "other", SourceKey: "copy", ClientToken: "rename-1"})
			if e := (*Error)(nil); !errors.As(err, &e) || e.Code != "IdempotencyParameterMismatch" {
				t.Errorf("RenameObject reusing a client token: %v", err)
			}
			if string(get("renamed.txt", "")) != "hello" {
				t.Error("renamed object differs")
			}
			if _, err := c.HeadObject(ctx, &GetObjectInput{Bucket: b, Key: "small.txt"}); !errors.Is(err, ErrNotFound) {
				t.Errorf("HeadObject of the old name: %v, want ErrNotFound", err)
			}
			_, err = c.RenameObject(ctx, &RenameObjectInput{Bucket: b, Key: "renamed.txt", SourceKey: "copy", Conditions: Conditions{IfNoneMatch: "*"}})
			if e := (*Error)(nil); !errors.As(err, &e) || e.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("RenameObject onto an existing key with IfNoneMatch *: %v", err)
			}

			list, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: b})
			must("ListObjectsV2", err)
			if len(list.Contents) != 5 {
				t.Errorf("ListObjectsV2: %d keys, want 5", len(list.Contents))
			}
			del, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: b, Objects: []ObjectIdentifier{{Key: "copy"}, {Key: "stream"}}})
			must("DeleteObjects", err)
			if len(del.Errors) != 0 {
				t.Errorf("DeleteObjects: %+v", del.Errors)
			}
			_, err = c.HeadBucket(ctx, &HeadBucketInput{Bucket: b})
			must("HeadBucket", err)

			p, err := c.PresignGetObject(ctx, &GetObjectInput{Bucket: b, Key: "renamed.txt"}, time.Minute)
			must("PresignGetObject", err)
			resp, err := srv.HTTPClient().Get(p.URL)
			must("GET of the presigned URL", err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(body) != "hello" {
				t.Errorf("presigned GET: %d %q", resp.StatusCode, body)
			}

			checkExpressRequests(t, srv, rec, route)
			if st := srv.Stats(); st.Sessions != 1 || st.Data < 20 {
				t.Errorf("stats %+v: want one session for every data-plane request", st)
			}
		})
	}
}

// TestExpressSessionRefresh: 100 concurrent requests share one
// CreateSession; once the session is within a minute of its expiry, and
// again after it expired, the next 100 share exactly one more.
func TestExpressSessionRefresh(t *testing.T) {
	for _, route := range expressRoutes {
		t.Run(route, func(t *testing.T) {
			c, srv, clock, rec := newExpress(t, route)
			ctx := context.Background()
			if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: expressBucket, Key: "k", Body: strings.NewReader("v")}); err != nil {
				t.Fatal(err)
			}
			burst := func() {
				var wg sync.WaitGroup
				for i := range 100 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						var err error
						if i%2 == 0 {
							_, err = c.HeadObject(ctx, &GetObjectInput{Bucket: expressBucket, Key: "k"})
						} else {
							var out *GetObjectOutput
							if out, err = c.GetObject(ctx, &GetObjectInput{Bucket: expressBucket, Key: "k"}); err == nil {
								out.Body.Close()
							}
						}
						if err != nil {
							t.Error(err)
						}
					}()
				}
				wg.Wait()
			}
			steps := []struct {
				name    string
				advance time.Duration
				want    int
			}{
				{"a fresh session serves the burst", 0, 1},
				{"still valid for over a minute", 3 * time.Minute, 1},
				{"within a minute of expiry: one refresh", 90 * time.Second, 2},
				{"long expired: one new session", 10 * time.Minute, 3},
			}
			for _, s := range steps {
				clock.Advance(s.advance)
				burst()
				if got := srv.Stats().Sessions; got != s.want {
					t.Errorf("%s: %d CreateSession in all, want %d", s.name, got, s.want)
				}
			}
			checkExpressRequests(t, srv, rec, route)
			if st := srv.Stats(); st.Data != 1+len(steps)*100 {
				t.Errorf("%d data-plane requests verified, want %d", st.Data, 1+len(steps)*100)
			}
		})
	}
}

// streamOf returns data as a plain io.Reader: a body of known length that
// can be read only once, which the client sends as aws-chunked.
func streamOf(data []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(data)} }

// tamper is a transport that alters the data-plane requests before the
// server sees them.
type tamper struct {
	base http.RoundTripper
	fn   func(*http.Request)
}

func (t *tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	if !r.URL.Query().Has("session") {
		r = r.Clone(r.Context())
		t.fn(r)
	}
	return t.base.RoundTrip(r)
}

// TestExpressServerRefuses: the server verifies what it is sent. Requests
// altered on the way, signed with the wrong key, for another bucket's
// session or with an expired one are refused, and the client returns S3's
// error.
func TestExpressServerRefuses(t *testing.T) {
	const other = "other--usw2-az1--x-s3"
	tests := []struct {
		name     string
		route    string
		mod      func(*Config)
		tamper   func(*http.Request)
		stream   bool // send an aws-chunked body
		code     string
		sessions int
	}{
		{"wrong secret", routeZonal, func(c *Config) {
			c.Credentials = sigv4.NewStaticProvider(testAccessKey, "not-the-secret", "")
		}, nil, false, "SignatureDoesNotMatch", 0},
		// A token refused is a session dropped and renewed, once: two
		// sessions, and the second refusal is the answer.
		{"session token altered", routeZonal, nil, func(r *http.Request) {
			r.Header.Set(s3SessionTokenHeader, r.Header.Get(s3SessionTokenHeader)+"x")
		}, false, "InvalidToken", 2},
		{"session token missing", routeCustom, nil, func(r *http.Request) { r.Header.Del(s3SessionTokenHeader) }, false, "InvalidToken", 2},
		{"signature altered", routeCustom, nil, func(r *http.Request) {
			a, last := r.Header.Get("Authorization"), "0"
			if strings.HasSuffix(a, "0") {
				last = "1"
			}
			r.Header.Set("Authorization", a[:len(a)-1]+last)
		}, false, "SignatureDoesNotMatch", 1},
		{"signed header changed", routeZonal, nil, func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }, false, "SignatureDoesNotMatch", 1},
		{"x-amz header not signed", routeCustom, nil, func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "red") }, false, "AccessDenied", 1},
		{"session of another bucket", routeZonal, nil, func(r *http.Request) {
			r.Host = strings.Replace(r.Host, expressBucket, other, 1)
		}, false, "AccessDenied", 1},
		{"chunk signature altered", routeCustom, nil, func(r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			i := bytes.Index(body, []byte("chunk-signature=")) + len("chunk-signature=")
			// Another hex digit, so that the body stays well-formed and
			// only the signature is wrong.
			if body[i] == '0' {
				body[i] = '1'
			} else {
				body[i] = '0'
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}, true, "SignatureDoesNotMatch", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _, _ := newExpress(t, tt.route, func(cfg *Config) {
				cfg.MaxAttempts = 1
				if tt.tamper != nil {
					cfg.HTTPClient = &http.Client{Transport: &tamper{base: cfg.HTTPClient.Transport, fn: tt.tamper}}
				}
				if tt.mod != nil {
					tt.mod(cfg)
				}
			})
			srv.CreateBucket(t, other)
			in := &PutObjectInput{Bucket: expressBucket, Key: "k", Body: strings.NewReader("v"), ObjectProperties: ObjectProperties{ContentType: "text/plain"}}
			if tt.stream {
				data := bytes.Repeat([]byte("z"), 20<<10)
				in.Body, in.ContentLength = streamOf(data), int64(len(data))
			}
			_, err := c.PutObject(context.Background(), in)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.StatusCode != http.StatusForbidden {
				t.Fatalf("PutObject: %v, want 403 %s; refusals %v", err, tt.code, srv.Rejections())
			}
			if st := srv.Stats(); st.Sessions != tt.sessions {
				t.Errorf("%d sessions, want %d", st.Sessions, tt.sessions)
			}
			if _, err := srv.Backend().HeadObject(expressBucket, "k"); err == nil {
				t.Error("the refused object was stored")
			}
		})
	}
}

// TestExpressSessionExpiredOnServer: a client whose clock lags the
// server's by more than the session's life keeps using it; the server
// refuses it as expired (ExpiredToken), and the client drops the session
// and sends the request again, once, with a new one, even with one
// attempt allowed. A server that refuses the new session too gets no
// third try.
func TestExpressSessionExpiredOnServer(t *testing.T) {
	lagging := s3test.NewClock(expressStart)
	c, srv, clock, _ := newExpress(t, routeZonal, func(cfg *Config) { cfg.Now, cfg.MaxAttempts = lagging.Now, 1 })
	ctx := context.Background()
	if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: expressBucket, Key: "k", Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(s3test.DefaultSessionTTL + time.Second)
	before := srv.Stats().Sessions
	if _, err := c.HeadObject(ctx, &GetObjectInput{Bucket: expressBucket, Key: "k"}); err != nil {
		t.Fatalf("HeadObject after the server expired the session: %v, want success with a new one; refusals %v, stats %+v", err, srv.Rejections(), srv.Stats())
	}
	if r := srv.Rejections(); len(r) != 1 || !strings.Contains(r[0], "ExpiredToken") {
		t.Errorf("refusals %v, want one ExpiredToken", r)
	}
	if n := srv.Stats().Sessions - before; n != 1 {
		t.Errorf("%d new sessions, want 1", n)
	}

}

// TestExpressIntegrity: directory buckets take no Content-MD5. Where an
// operation needs an integrity check and no checksum is set, the client
// sends CRC32 instead (the server refuses Content-MD5 with 400); a
// Content-MD5 the caller gives is refused before anything is sent. General
// purpose buckets keep Content-MD5.
func TestExpressIntegrity(t *testing.T) {
	ctx := context.Background()
	deleteBody := `<Delete><Object><Key>k</Key></Object></Delete>`
	sends := []struct {
		name   string
		route  string
		policy ChecksumPolicy
		call   func(*Client) error
		header string // the checksum header sent
	}{
		{"DeleteObjects, custom endpoint (no checksum by default)", routeCustom, ChecksumAuto, func(c *Client) error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: expressBucket, Objects: []ObjectIdentifier{{Key: "k"}}})
			return err
		}, "X-Amz-Checksum-Crc32"},
		{"DeleteObjects, ChecksumWhenRequired", routeZonal, ChecksumWhenRequired, func(c *Client) error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: expressBucket, Objects: []ObjectIdentifier{{Key: "k"}}})
			return err
		}, "X-Amz-Checksum-Crc32"},
		{"DeleteObjects, an asked checksum is kept", routeZonal, ChecksumWhenRequired, func(c *Client) error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: expressBucket, Objects: []ObjectIdentifier{{Key: "k"}}, ChecksumAlgorithm: ChecksumSHA256})
			return err
		}, "X-Amz-Checksum-Sha256"},
		{"Do with ContentMD5", routeCustom, ChecksumAuto, func(c *Client) error {
			resp, err := c.Do(ctx, &Request{Method: http.MethodPost, Bucket: expressBucket, Query: url.Values{"delete": {""}},
				Body: strings.NewReader(deleteBody), ContentMD5: true})
			if err == nil {
				resp.Body.Close()
			}
			return err
		}, "X-Amz-Checksum-Crc32"},
	}
	for _, tt := range sends {
		t.Run(tt.name, func(t *testing.T) {
			c, srv, _, rec := newExpress(t, tt.route, func(cfg *Config) { cfg.ChecksumPolicy = tt.policy })
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			reqs := rec.all()
			last := reqs[len(reqs)-1]
			if last.Header.Get(tt.header) == "" {
				t.Errorf("sent %v, want %s", last.Header, tt.header)
			}
			checkExpressRequests(t, srv, rec, tt.route)
		})
	}

	refused := []struct {
		name string
		call func(*Client) error
	}{
		{"PutObject.ContentMD5", func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: expressBucket, Key: "k", Body: strings.NewReader("v"), ContentMD5: "bm90IGFuIE1ENQ=="})
			return err
		}},
		{"UploadPart.ContentMD5", func(c *Client) error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: expressBucket, Key: "k", UploadID: "u", PartNumber: 1,
				Body: strings.NewReader("v"), ContentMD5: "bm90IGFuIE1ENQ=="})
			return err
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _, rec := newExpress(t, routeZonal)
			err := tt.call(c)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "Content-MD5") {
				t.Errorf("got %v, want an input error naming Content-MD5", err)
			}
			if n := rec.count(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}

	t.Run("general purpose bucket keeps Content-MD5", func(t *testing.T) {
		var sent http.Header
		c, err := New(Config{Region: "us-west-2", Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""), ChecksumPolicy: ChecksumWhenRequired,
			HTTPClient: &http.Client{Transport: transportFunc(func(r *http.Request) (*http.Response, error) {
				sent = r.Header
				return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1, Body: io.NopCloser(strings.NewReader("<DeleteResult/>")), Request: r}, nil
			})}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "plain", Objects: []ObjectIdentifier{{Key: "k"}}}); err != nil {
			t.Fatal(err)
		}
		if sent.Get("Content-Md5") == "" || sent.Get("X-Amz-Checksum-Crc32") != "" {
			t.Errorf("sent %v, want Content-MD5 alone", sent)
		}
	})
}

// TestExpressControlPlane: CreateBucket, ListDirectoryBuckets and
// DeleteBucket go to the control endpoint, signed with the long-term
// credentials, no session; the server checks the directory bucket's
// configuration.
func TestExpressControlPlane(t *testing.T) {
	for _, route := range expressRoutes {
		t.Run(route, func(t *testing.T) {
			c, srv, _, rec := newExpress(t, route)
			ctx := context.Background()
			const nb = "new--usw2-az1--x-s3"
			if _, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: nb}); err != nil {
				t.Fatal(err)
			}
			list, err := c.ListDirectoryBuckets(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, b := range list.Buckets {
				names = append(names, b.Name)
			}
			if strings.Join(names, ",") != expressBucket+","+nb {
				t.Errorf("ListDirectoryBuckets: %v", names)
			}
			if err := c.DeleteBucket(ctx, &DeleteBucketInput{Bucket: nb}); err != nil {
				t.Fatal(err)
			}
			st := srv.Stats()
			if st.Control != 3 || st.Sessions != 0 || st.Data != 0 || st.Rejected != 0 {
				t.Errorf("stats %+v, want 3 control-plane requests", st)
			}
			for _, r := range rec.all() {
				_, akid, _, service := authOf(r)
				if akid != testAccessKey || service != "s3express" || r.Header.Get(s3SessionTokenHeader) != "" {
					t.Errorf("%s %s signed by %s for %s", r.Method, r.URL, akid, service)
				}
				if route == routeZonal && r.Host != "s3express-control.us-west-2.amazonaws.com" {
					t.Errorf("%s sent to %s, want the control endpoint", r.URL, r.Host)
				}
			}
		})
	}
}
