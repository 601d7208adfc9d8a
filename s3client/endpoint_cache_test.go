package s3client

// The endpoint cache (endpointCache) against the endpoint rules: for every
// ruleset case with a bucket, and keys that need encoding or none, the
// endpoint a request gets from the cache, filled and then hit, is the one
// the rules give; the cache stays bounded, and each request owns its URL.

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

func TestEndpointCacheAsRules(t *testing.T) {
	keys := []string{"", "key", "a b/c%2Fd", "dir//x/../y", "ключ?#&=+", "~._-", "/lead"}
	n := 0
	for _, tc := range loadEndpointCases(t) {
		p := &tc.Params
		if tc.Expect.Error != "" || p.Bucket == "" || p.UseObjectLambdaEndpoint {
			continue
		}
		cfg := Config{
			Region: p.Region, Endpoint: p.Endpoint, UseFIPS: p.UseFIPS, UseDualStack: p.UseDualStack, UseAccelerate: p.Accelerate,
			AddressingStyle: AddressingVirtual, UseARNRegion: p.UseArnRegion, UseGlobalEndpoint: p.UseGlobalEndpoint,
			DisableMultiRegionAccessPoints: p.DisableMultiRegionAccessPoints, DisableS3ExpressSessionAuth: p.DisableS3ExpressSessionAuth,
			Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
		}
		if p.ForcePathStyle {
			cfg.AddressingStyle = AddressingPath
		}
		c, err := New(cfg)
		if err != nil {
			t.Fatalf("case %d: %v", tc.Index, err)
		}
		for _, key := range keys {
			r := &request{op: "Test", bucket: p.Bucket, key: key, noAccessPoints: p.DisableAccessPoints, expressControl: p.UseS3ExpressControlEndpoint}
			region := c.bucketRegion(r.bucket)
			want, wantErr := c.endpoint.resolve(&target{bucket: r.bucket, key: key, region: region,
				noAccessPoints: r.noAccessPoints, expressControl: r.expressControl})
			for _, pass := range []string{"fill", "hit"} {
				got, err := c.resolve(r, region)
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("case %d, key %q, %s: error %v, want %v", tc.Index, key, pass, err, wantErr)
				}
				if err != nil {
					continue
				}
				n++
				if got.auth != want.auth || got.signingName != want.signingName || got.signingRegion != want.signingRegion {
					t.Errorf("case %d, key %q, %s: signs %v %s %s, want %v %s %s", tc.Index, key, pass,
						got.auth, got.signingName, got.signingRegion, want.auth, want.signingName, want.signingRegion)
				}
				if got.url.String() != want.url.String() || got.url.Path != want.url.Path || got.url.EscapedPath() != want.url.EscapedPath() {
					t.Errorf("case %d, key %q, %s: URL %s (path %q), want %s (path %q)", tc.Index, key, pass,
						got.url, got.url.Path, want.url, want.url.Path)
				}
				got.url.Host, got.url.Path = "changed", "/changed" // the request's own
			}
		}
	}
	if n < 1000 {
		t.Errorf("%d endpoints compared, want the cases' buckets with every key", n)
	}
}

func TestEndpointCacheBound(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:9000")
	count := func() int {
		n := 0
		c.endpoints.m.Range(func(any, any) bool { n++; return true })
		return n
	}
	for i := range 3 * maxCachedEndpoints {
		b := "bucket-" + strconv.Itoa(i)
		ep, err := c.resolve(&request{op: "Test", bucket: b, key: "k"}, testRegion)
		if err != nil {
			t.Fatal(err)
		}
		if want := "http://127.0.0.1:9000/" + b + "/k"; ep.url.String() != want {
			t.Fatalf("URL %s, want %s", ep.url, want)
		}
		if n := count(); n > maxCachedEndpoints {
			t.Fatalf("after %d buckets the cache holds %d endpoints, bound %d", i+1, n, maxCachedEndpoints)
		}
	}
}

// TestEndpointCacheRequestsAlike: two requests for one object at one time,
// the second's endpoint from the cache, carry the same URL and signature.
func TestEndpointCacheRequestsAlike(t *testing.T) {
	var auths, urls []string
	rt := transportFunc(func(r *http.Request) (*http.Response, error) {
		auths = append(auths, r.Header.Get("Authorization"))
		urls = append(urls, r.URL.String())
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})
	c := newClient(t, "http://127.0.0.1:9000", func(c *Config) {
		c.HTTPClient = &http.Client{Transport: rt}
		c.Now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	})
	for range 2 {
		if _, err := c.HeadObject(t.Context(), &GetObjectInput{Bucket: "b", Key: "a b/ключ"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(auths) != 2 || auths[0] != auths[1] || urls[0] != urls[1] || urls[0] != "http://127.0.0.1:9000/b/a%20b/%D0%BA%D0%BB%D1%8E%D1%87" {
		t.Errorf("requests %q signed %q", urls, auths)
	}
}
