package s3client

// Hostile answers to the one pipeline and the one XML decoder: documents
// nested or listed beyond S3's shapes, a redirect to a region that is not
// one, a server clock years off, and a CompleteMultipartUpload answered
// with a document that is not its result.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// nested returns a ListBucketResult holding a chain of depth elements.
func nested(depth int) string {
	return "<ListBucketResult>" + strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth) + "</ListBucketResult>"
}

func TestXMLLimits(t *testing.T) {
	ctx := context.Background()
	listObjects := func(c *Client) error {
		_, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "bkt"})
		return err
	}
	listBuckets := func(c *Client) error {
		_, err := c.ListBuckets(ctx, nil)
		return err
	}
	entries := func(n int, entry string) string { return strings.Repeat(entry, n) }
	tests := []struct {
		name string
		doc  string
		call func(*Client) error
		ok   bool
	}{
		{"depth at the bound", nested(maxXMLDepth - 1), listObjects, true},
		{"depth over the bound", nested(maxXMLDepth), listObjects, false},
		{"a million opening tags", "<ListBucketResult>" + strings.Repeat("<a>", 1_000_000), listObjects, false},
		{"a page of 10,000 buckets", "<ListAllMyBucketsResult><Buckets>" + entries(maxXMLEntries, "<Bucket><Name>b</Name></Bucket>") + "</Buckets></ListAllMyBucketsResult>", listBuckets, true},
		{"a page of 10,001 keys", "<ListBucketResult>" + entries(maxXMLEntries+1, "<Contents/>") + "</ListBucketResult>", listObjects, false},
		{"a million empty keys", "<ListBucketResult>" + entries(1_000_000, "<Contents/>") + "</ListBucketResult>", listObjects, false},
		{"too many elements in all", "<ListBucketResult>" + entries(maxXMLEntries, "<Contents>"+strings.Repeat("<x/>", maxXMLElements/maxXMLEntries)+"</Contents>") + "</ListBucketResult>", listObjects, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) { writeXML(w, tt.doc) })
			err := tt.call(newClient(t, f.URL))
			if f.count() != 1 {
				t.Errorf("%d requests, want 1", f.count())
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var e *Error
			if !errors.Is(err, ErrResponseTooLarge) || !errors.As(err, &e) || e.Op == "" || e.StatusCode != http.StatusOK {
				t.Fatalf("err = %v, want an *Error wrapping ErrResponseTooLarge", err)
			}
		})
	}
	t.Run("error document", func(t *testing.T) {
		// A deep <Error> is not read as one: the status alone classifies it.
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<Error><Code>Deep</Code>"+strings.Repeat("<a>", 1000))
		})
		_, err := newClient(t, f.URL).GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "k"})
		if !errors.Is(err, ErrForbidden) || ErrorCode(err) != "Forbidden" {
			t.Errorf("err = %v", err)
		}
	})
}

// FuzzXMLLimits builds listings of any depth, width and entry size: the
// decoder accepts exactly those within maxXMLDepth, maxXMLEntries and
// maxXMLElements, and refuses the others with ErrResponseTooLarge.
func FuzzXMLLimits(f *testing.F) {
	f.Add(uint16(maxXMLDepth-1), uint16(3), uint8(2))
	f.Add(uint16(maxXMLDepth), uint16(0), uint8(0))
	f.Add(uint16(0), uint16(maxXMLEntries), uint8(0))
	f.Add(uint16(1), uint16(maxXMLEntries), uint8(0))
	f.Add(uint16(0), uint16(maxXMLEntries), uint8(60))
	f.Fuzz(func(t *testing.T, depth, width uint16, children uint8) {
		d, w, c := int(depth)%(4*maxXMLDepth), int(width)%(maxXMLEntries+100), int(children)%64
		var b strings.Builder
		b.WriteString("<ListBucketResult>")
		b.WriteString(strings.Repeat("<n>", d) + strings.Repeat("</n>", d))
		entry := "<Contents><Key>k</Key>" + strings.Repeat("<x/>", c) + "</Contents>"
		b.WriteString(strings.Repeat(entry, w))
		b.WriteString("</ListBucketResult>")

		maxDepth := 1 + d
		if w > 0 {
			maxDepth = max(maxDepth, 3)
		}
		rootChildren := w
		if d > 0 {
			rootChildren++
		}
		elements := 1 + d + w*(2+c)
		within := maxDepth <= maxXMLDepth && rootChildren <= maxXMLEntries && 1+c <= maxXMLEntries && elements <= maxXMLElements

		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(b.String()))}
		var x xmlListObjectsV2Result
		err := decodeXML("ListObjectsV2", "bkt", "", resp, &x)
		switch {
		case within && err != nil:
			t.Fatalf("depth %d, %d entries of %d: %v", d, w, c, err)
		case !within && !errors.Is(err, ErrResponseTooLarge):
			t.Fatalf("depth %d, %d entries of %d: err = %v, want ErrResponseTooLarge", d, w, c, err)
		case within && len(x.Contents) != w:
			t.Fatalf("%d entries decoded, want %d", len(x.Contents), w)
		}
	})
}

// loopbackTransport sends every request, whatever its host, to a loopback
// test server: the client addresses the AWS endpoints, the test server
// answers.
type loopbackTransport struct{ addr string }

func (l loopbackTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = "http", l.addr
	return (&http.Transport{}).RoundTrip(r)
}

func TestRedirectToInvalidRegion(t *testing.T) {
	aws := func(accelerate bool) func(f *fake) func(*Config) {
		return func(f *fake) func(*Config) {
			return func(cfg *Config) {
				cfg.Endpoint, cfg.AddressingStyle, cfg.UseAccelerate = "", AddressingAuto, accelerate
				cfg.HTTPClient = &http.Client{Transport: loopbackTransport{f.Listener.Addr().String()}}
			}
		}
	}
	custom := func(*fake) func(*Config) { return func(*Config) {} }
	header := func(region string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("X-Amz-Bucket-Region", region)
			writeError(w, http.StatusMovedPermanently, "PermanentRedirect", "elsewhere")
		}
	}
	tests := []struct {
		name   string
		cfg    func(*fake) func(*Config)
		answer func(http.ResponseWriter)
	}{
		{"AWS, a host name as region", aws(false), header("eu-west-1.attacker.example")},
		{"AWS, a path as region", aws(false), header("eu-west-1/x")},
		{"AWS accelerate, a region without acceleration", aws(true), header("cn-north-1")},
		{"custom endpoint, a region with a line break", custom, func(w http.ResponseWriter) {
			writeError(w, http.StatusBadRequest, "AuthorizationHeaderMalformed", "wrong region", "<Region>eu&#10;west-1</Region>")
		}},
		{"custom endpoint, an over-long region", custom, header(strings.Repeat("a", 64))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if n == 1 {
					tt.answer(w)
					return
				}
				w.Header().Set("ETag", `"abc"`)
			})
			c := newClient(t, f.URL, tt.cfg(f))
			ctx := context.Background()
			put := func() error {
				_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("data")})
				return err
			}
			err := put()
			var e *Error
			if !errors.As(err, &e) || e.StatusCode == 0 || !isRedirectCode(e.Code) {
				t.Fatalf("err = %v, want the server's redirect", err)
			}
			if f.count() != 1 {
				t.Errorf("%d requests, want 1: an invalid region is not followed", f.count())
			}
			if r, ok := c.BucketRegion("bkt"); ok {
				t.Errorf("BucketRegion = %q, learned", r)
			}
			// The bucket is not poisoned: the next request is sent, signed
			// for the client's region.
			if err := put(); err != nil {
				t.Fatalf("second PutObject: %v", err)
			}
			if f.count() != 2 || credentialRegion(f.rec.all()[1]) != testRegion {
				t.Errorf("%d requests; the second signed for %q", f.count(), credentialRegion(f.rec.all()[len(f.rec.all())-1]))
			}
		})
	}
}

func TestClockSkewBound(t *testing.T) {
	local := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name    string
		offset  time.Duration
		adopted bool
	}{
		{"an hour ahead", time.Hour, true},
		{"a time zone behind", -14 * time.Hour, true},
		{"at the bound", MaxClockSkew, true},
		{"just over the bound", MaxClockSkew + time.Second, false},
		{"ten years ahead", 10 * 365 * 24 * time.Hour, false},
		{"ten years behind", -10 * 365 * 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := local.Add(tt.offset)
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
				w.Header().Set("Date", server.Format(http.TimeFormat))
				if d.Sub(server).Abs() > 15*time.Minute {
					writeError(w, http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
				}
			})
			c := newClient(t, f.URL, func(cfg *Config) { cfg.Now = func() time.Time { return local } })
			ctx := context.Background()
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x")})
			presigned, perr := c.PresignGetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "k"}, time.Hour)
			if perr != nil {
				t.Fatal(perr)
			}
			u, _ := url.Parse(presigned.URL)
			signedAt := u.Query().Get("X-Amz-Date")
			if tt.adopted {
				if err != nil || f.count() != 2 || c.ClockSkew() != tt.offset {
					t.Fatalf("err = %v after %d requests, skew %v; want success after 2, skew %v", err, f.count(), c.ClockSkew(), tt.offset)
				}
				if signedAt != server.Format("20060102T150405Z") {
					t.Errorf("presigned at %s, want the server's time", signedAt)
				}
				return
			}
			if ErrorCode(err) != "RequestTimeTooSkewed" || f.count() != 1 || c.ClockSkew() != 0 {
				t.Fatalf("err = %v after %d requests, skew %v; want the server's error after 1, no skew", err, f.count(), c.ClockSkew())
			}
			if !strings.Contains(err.Error(), "MaxClockSkew") {
				t.Errorf("the error does not say why the skew was not adopted: %v", err)
			}
			if signedAt != local.Format("20060102T150405Z") {
				t.Errorf("presigned at %s, want the local time", signedAt)
			}
		})
	}
}

func TestCompleteMultipartUploadDocument(t *testing.T) {
	const good = `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>bkt</Bucket><Key>k</Key><ETag>"done-2"</ETag></CompleteMultipartUploadResult>`
	tests := []struct {
		name     string
		answers  []string // one per request, the last repeated
		requests int
		err      error // nil: success with ETag "done-2"
		code     string
	}{
		{"the result", []string{good}, 1, nil, ""},
		{"an unknown document, then the result", []string{`<Surprise><ETag>"x"</ETag></Surprise>`, good}, 2, nil, ""},
		{"an empty body, then the result", []string{"", good}, 2, nil, ""},
		{"an error in 200, then the result", []string{`<Error><Code>InternalError</Code><Message>m</Message></Error>`, good}, 2, nil, ""},
		{"always an unknown document", []string{`<CompleteMultipartUploadResultX/>`}, DefaultMaxAttempts, ErrUnexpectedResponse, ""},
		{"always text", []string{`done`}, DefaultMaxAttempts, ErrUnexpectedResponse, ""},
		{"a final error in 200", []string{`<Error><Code>InvalidPart</Code><Message>m</Message></Error>`}, 1, nil, "InvalidPart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				w.Header().Set("Content-Type", "application/xml")
				io.WriteString(w, tt.answers[min(n, len(tt.answers))-1])
			})
			out, err := newClient(t, f.URL).CompleteMultipartUpload(context.Background(), &CompleteMultipartUploadInput{
				Bucket: "bkt", Key: "k", UploadID: "u", Parts: []CompletedPart{{PartNumber: 1, ETag: `"p1"`}}})
			if f.count() != tt.requests {
				t.Errorf("%d requests, want %d", f.count(), tt.requests)
			}
			switch {
			case tt.err == nil && tt.code == "":
				if err != nil || out.ETag != `"done-2"` {
					t.Fatalf("out = %+v, err = %v", out, err)
				}
			case tt.code != "":
				if ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
			default:
				var e *Error
				if !errors.Is(err, tt.err) || !errors.As(err, &e) || e.Op != "CompleteMultipartUpload" || e.Attempts != tt.requests || out != nil {
					t.Fatalf("out = %+v, err = %v; want an *Error wrapping %v after %d attempts", out, err, tt.err, tt.requests)
				}
			}
		})
	}
}

// TestSkewKeptWhenLaterDateIsAbsurd checks that the bound holds for a
// client whose skew was learned earlier: a later absurd Date leaves it as
// it was.
func TestSkewKeptWhenLaterDateIsAbsurd(t *testing.T) {
	local := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var offset atomic.Int64 // the server's clock, from local
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		server := local.Add(time.Duration(offset.Load()))
		d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		w.Header().Set("Date", server.Format(http.TimeFormat))
		if d.Sub(server).Abs() > 15*time.Minute {
			writeError(w, http.StatusForbidden, "RequestTimeTooSkewed", "skewed")
		}
	})
	c := newClient(t, f.URL, func(cfg *Config) { cfg.Now = func() time.Time { return local } })
	ctx := context.Background()
	put := func() error {
		_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader([]byte("x"))})
		return err
	}
	offset.Store(int64(30 * time.Minute))
	if err := put(); err != nil || c.ClockSkew() != 30*time.Minute {
		t.Fatalf("err = %v, skew %v", err, c.ClockSkew())
	}
	offset.Store(int64(100 * 365 * 24 * time.Hour))
	if err := put(); ErrorCode(err) != "RequestTimeTooSkewed" {
		t.Fatalf("err = %v", err)
	}
	if c.ClockSkew() != 30*time.Minute {
		t.Errorf("skew %v after an absurd Date, want the 30m learned before", c.ClockSkew())
	}
	if f.count() != 3 {
		t.Errorf("%d requests, want 3", f.count())
	}
}
