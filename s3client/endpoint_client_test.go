package s3client

// The endpoint settings through LoadConfig, SigV4a presigned URLs of
// Multi-Region Access Points, and the S3 Express session cache.

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

func TestLoadConfigEndpointSettings(t *testing.T) {
	config := "[profile rules]\nuse_fips_endpoint = true\ns3_use_arn_region = false\ns3_disable_multiregion_access_points = true\n" +
		"s3_us_east_1_regional_endpoint = legacy\ns3_disable_express_session_auth = true\n"
	tests := []struct {
		name    string
		profile string
		env     map[string]string
		check   func(Config) bool
	}{
		{"profile settings", "rules", nil, func(c Config) bool {
			return c.UseFIPS && c.UseARNRegion != nil && !*c.UseARNRegion && c.DisableMultiRegionAccessPoints && c.UseGlobalEndpoint && c.DisableS3ExpressSessionAuth
		}},
		{"environment beats the profile", "rules", map[string]string{"AWS_USE_FIPS_ENDPOINT": "false", "AWS_S3_USE_ARN_REGION": "true",
			"AWS_S3_US_EAST_1_REGIONAL_ENDPOINT": "regional", "AWS_S3_DISABLE_EXPRESS_SESSION_AUTH": "false"}, func(c Config) bool {
			return !c.UseFIPS && c.UseARNRegion != nil && *c.UseARNRegion && !c.UseGlobalEndpoint && !c.DisableS3ExpressSessionAuth
		}},
		{"unset UseARNRegion stays nil", "", nil, func(c Config) bool { return c.UseARNRegion == nil && !c.UseFIPS }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"AWS_REGION": "us-east-1"}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := LoadConfig(context.Background(), &LoadOptions{Profile: tt.profile, Getenv: testEnv(t, config, "", env)})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("got %+v", cfg)
			}
		})
	}
	_, err := LoadConfig(context.Background(), &LoadOptions{Getenv: testEnv(t, "", "", map[string]string{"AWS_S3_US_EAST_1_REGIONAL_ENDPOINT": "global"})})
	if err == nil || !strings.Contains(err.Error(), "legacy or regional") {
		t.Errorf("bad s3_us_east_1_regional_endpoint: %v", err)
	}
}

func TestPresignMRAP(t *testing.T) {
	c, err := New(Config{Region: "us-west-2", Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.PresignGetObject(context.Background(), &GetObjectInput{Bucket: "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap", Key: "a b"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com" || u.EscapedPath() != "/a%20b" ||
		q.Get("X-Amz-Algorithm") != sigv4.AlgorithmV4a || q.Get("X-Amz-Region-Set") != "*" || !strings.HasSuffix(q.Get("X-Amz-Credential"), "/s3/aws4_request") {
		t.Errorf("presigned MRAP URL %s", p)
	}
	_, err = c.PresignPost(context.Background(), nil)
	if err == nil {
		t.Error("PresignPost(nil) succeeded")
	}
}

// TestExpressSessionSingleFlight: concurrent requests on a directory bucket
// share one CreateSession, and each carries the session token, signed with
// the session key for s3express; expiring credentials are replaced.
func TestExpressSessionSingleFlight(t *testing.T) {
	var sessions, objects atomic.Int32
	var mu sync.Mutex
	var bad []string
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	rt := transportFunc(func(r *http.Request) (*http.Response, error) {
		alg, akid, region, service := authOf(r)
		if _, ok := r.URL.Query()["session"]; ok {
			n := sessions.Add(1)
			if akid != testAccessKey || service != "s3express" || region != "us-west-2" {
				mu.Lock()
				bad = append(bad, "CreateSession "+alg+" "+akid)
				mu.Unlock()
			}
			exp := time.Unix(0, clock.Load()).Add(5 * time.Minute).UTC().Format(time.RFC3339)
			body := `<CreateSessionResult><Credentials><SessionToken>tok` + itoa(int64(n)) + `</SessionToken><SecretAccessKey>s</SecretAccessKey><AccessKeyId>ASIAS` +
				`</AccessKeyId><Expiration>` + exp + `</Expiration></Credentials></CreateSessionResult>`
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}
		objects.Add(1)
		if r.Host != "b--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com" || akid != "ASIAS" || service != "s3express" ||
			!strings.HasPrefix(r.Header.Get(s3SessionTokenHeader), "tok") || r.Header.Get("X-Amz-Security-Token") != "" {
			mu.Lock()
			bad = append(bad, r.Host+" "+akid+" "+service)
			mu.Unlock()
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})
	c, err := New(Config{Region: "us-west-2", Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
		HTTPClient: &http.Client{Transport: rt}, MaxAttempts: 1, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	get := func() {
		if _, err := c.DeleteObject(context.Background(), &DeleteObjectInput{Bucket: "b--usw2-az1--x-s3", Key: "k"}); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() { defer wg.Done(); get() }()
	}
	wg.Wait()
	if n := sessions.Load(); n != 1 {
		t.Errorf("%d CreateSession for 100 concurrent requests, want 1", n)
	}
	clock.Add(int64(4*time.Minute + 30*time.Second)) // within expressRefresh of expiry
	get()
	if n := sessions.Load(); n != 2 {
		t.Errorf("%d CreateSession after the session neared expiry, want 2", n)
	}
	if objects.Load() != 101 || len(bad) != 0 {
		t.Errorf("%d object requests; wrong: %v", objects.Load(), bad)
	}
}

type transportFunc func(*http.Request) (*http.Response, error)

func (f transportFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
