package s3client

// A fuzz target over bucket names, ARNs, keys, regions, custom endpoints
// and the endpoint settings, through the client's operations: nothing
// panics, a refusal is typed and sends nothing, and every request that
// leaves has a host a URL can carry. The seed corpus is the 393 cases of
// testdata/endpoints.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// The settings a fuzz input's flags turn on, one bit each, and the
// addressing style in the two bits above them.
const (
	fuzzFIPS = 1 << iota
	fuzzDualStack
	fuzzAccelerate
	fuzzARNRegionSet
	fuzzARNRegion
	fuzzNoMRAP
	fuzzGlobalEndpoint
	fuzzNoExpressSession
	fuzzPresign
	fuzzCreateBucket
	fuzzStyleShift = 10
)

// fuzzTransport answers every request 200 (CreateSession with session
// credentials) and keeps them.
type fuzzTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (f *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	doc := ""
	if r.URL.Query().Has("session") {
		doc = `<CreateSessionResult><Credentials><SessionToken>t</SessionToken><SecretAccessKey>s</SecretAccessKey>` +
			`<AccessKeyId>ASIAFUZZ</AccessKeyId><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>`
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: int64(len(doc)),
		Body: io.NopCloser(strings.NewReader(doc)), Request: r}, nil
}

// fuzzSeeds returns the endpoint cases as fuzz inputs.
func fuzzSeeds(f *testing.F) {
	data, err := os.ReadFile("../testdata/endpoints/cases.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	var cases []endpointCase
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c endpointCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			f.Fatal(err)
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		p := &c.Params
		var flags uint16
		set := func(on bool, bit uint16) {
			if on {
				flags |= bit
			}
		}
		set(p.UseFIPS, fuzzFIPS)
		set(p.UseDualStack, fuzzDualStack)
		set(p.Accelerate, fuzzAccelerate)
		set(p.UseArnRegion != nil, fuzzARNRegionSet)
		set(p.UseArnRegion != nil && *p.UseArnRegion, fuzzARNRegion)
		set(p.DisableMultiRegionAccessPoints, fuzzNoMRAP)
		set(p.UseGlobalEndpoint, fuzzGlobalEndpoint)
		set(p.DisableS3ExpressSessionAuth, fuzzNoExpressSession)
		set(p.DisableAccessPoints, fuzzCreateBucket)
		style := AddressingVirtual
		if p.ForcePathStyle {
			style = AddressingPath
		}
		flags |= uint16(style) << fuzzStyleShift
		f.Add(p.Bucket, p.Key, p.Region, p.Endpoint, flags)
		f.Add(p.Bucket, "a/b c", p.Region, p.Endpoint, flags|fuzzPresign)
	}
}

func FuzzEndpointBucket(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, bucket, key, region, endpoint string, flags uint16) {
		rt := &fuzzTransport{}
		cfg := Config{
			Region: region, Endpoint: endpoint,
			UseFIPS: flags&fuzzFIPS != 0, UseDualStack: flags&fuzzDualStack != 0, UseAccelerate: flags&fuzzAccelerate != 0,
			DisableMultiRegionAccessPoints: flags&fuzzNoMRAP != 0, UseGlobalEndpoint: flags&fuzzGlobalEndpoint != 0,
			DisableS3ExpressSessionAuth: flags&fuzzNoExpressSession != 0,
			AddressingStyle:             AddressingStyle(flags >> fuzzStyleShift & 3),
			Credentials:                 sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
			HTTPClient:                  &http.Client{Transport: rt}, MaxAttempts: 1,
			Now: func() time.Time { return expressStart },
		}
		if flags&fuzzARNRegionSet != 0 {
			v := flags&fuzzARNRegion != 0
			cfg.UseARNRegion = &v
		}
		typed := func(err error) bool { return errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrInvalidConfig) }
		c, err := New(cfg)
		if err != nil {
			if !typed(err) {
				t.Errorf("New: untyped error %v", err)
			}
			return
		}
		if key == "" {
			key = "key"
		}
		ctx := context.Background()
		var urls []*url.URL
		switch {
		case flags&fuzzPresign != 0:
			var p *PresignedRequest
			if p, err = c.PresignGetObject(ctx, &GetObjectInput{Bucket: bucket, Key: key}, time.Minute); err == nil {
				u, perr := url.Parse(p.URL)
				if perr != nil {
					t.Fatalf("presigned URL %q does not parse: %v", p.URL, perr)
				}
				urls = append(urls, u)
			}
		case flags&fuzzCreateBucket != 0:
			_, err = c.CreateBucket(ctx, &CreateBucketInput{Bucket: bucket})
		default:
			var out *GetObjectOutput
			if out, err = c.GetObject(ctx, &GetObjectInput{Bucket: bucket, Key: key}); err == nil {
				out.Body.Close()
			}
		}
		rt.mu.Lock()
		sent := rt.reqs
		rt.mu.Unlock()
		if err != nil {
			if !typed(err) {
				t.Errorf("untyped error %v", err)
			}
			// A refusal before the operation's request; CreateSession
			// may have gone out for a directory bucket.
			for _, r := range sent {
				if !r.URL.Query().Has("session") {
					t.Errorf("refused with %v after sending %s", err, r.URL)
				}
			}
			return
		}
		for _, r := range sent {
			if r.Host != r.URL.Host {
				t.Errorf("Host %q, URL host %q", r.Host, r.URL.Host)
			}
			urls = append(urls, r.URL)
		}
		for _, u := range urls {
			if !validURLHost(u.Host) {
				t.Errorf("URL %s: host %q is not a valid host", u, u.Host)
			}
			back, err := url.Parse(u.String())
			if err != nil || back.Host != u.Host || back.EscapedPath() != u.EscapedPath() {
				t.Errorf("%s does not parse back: %v", u, err)
			}
		}
	})
}

// validURLHost reports whether h is a host[:port] a request can go to: an
// IP address, or dot-separated labels of 1 to 63 letters, digits and
// hyphens (a trailing hyphen allowed, as the endpoint rules allow it in a
// region; underscores in a custom endpoint's), with an optional port.
func validURLHost(h string) bool {
	host := h
	if hh, port, err := net.SplitHostPort(h); err == nil {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
		host = hh
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		host = h[1 : len(h)-1]
	}
	if ip, _, _ := strings.Cut(host, "%"); net.ParseIP(ip) != nil {
		return true // an IP address, IPv6 with its zone
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > 253 {
		return false
	}
	for _, l := range strings.Split(host, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !isAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}
