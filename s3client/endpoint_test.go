package s3client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestResolve follows the addressing table of botocore's
// tests/functional/test_s3.py (_s3_addressing_test_cases), with the
// endpoint rules' answers where they differ (testdata/endpoints, run by
// TestEndpointCases): us-east-1 uses its regional host, names that cannot
// be host names go path style, a Region is required on AWS, accelerate
// with path style or in aws-cn is an error, and dual-stack or accelerate
// with a custom endpoint is an error.
func TestResolve(t *testing.T) {
	long := strings.Repeat("a", 64)
	tests := []struct {
		name   string
		cfg    Config
		bucket string
		key    string
		region string // "" means cfg.Region; "-" means ""
		want   string
		err    error // sentinel the error must wrap
	}{
		// Virtual-hosted style on AWS for DNS-compatible names.
		{name: "us-west-2", cfg: Config{Region: "us-west-2"}, bucket: "bucket", key: "key", want: "https://bucket.s3.us-west-2.amazonaws.com/key"},
		{name: "us-east-1 regional host (botocore legacy: s3.amazonaws.com)", cfg: Config{Region: "us-east-1"}, bucket: "bucket", key: "key", want: "https://bucket.s3.us-east-1.amazonaws.com/key"},
		{name: "digits and hyphens", cfg: Config{Region: "us-west-1"}, bucket: "bucket-with-num-1", key: "key", want: "https://bucket-with-num-1.s3.us-west-1.amazonaws.com/key"},
		{name: "aws-cn", cfg: Config{Region: "cn-north-1"}, bucket: "bucket", key: "key", want: "https://bucket.s3.cn-north-1.amazonaws.com.cn/key"},
		{name: "aws-cn dotted name goes path style", cfg: Config{Region: "cn-north-1"}, bucket: "bucket.dot", key: "key", want: "https://s3.cn-north-1.amazonaws.com.cn/bucket.dot/key"},
		{name: "aws-cn explicit virtual", cfg: Config{Region: "cn-north-1", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.s3.cn-north-1.amazonaws.com.cn/key"},
		{name: "aws-cn explicit path", cfg: Config{Region: "cn-north-1", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://s3.cn-north-1.amazonaws.com.cn/bucket/key"},
		{name: "dotted name over https goes path style", cfg: Config{Region: "us-west-2"}, bucket: "bucket.dot", key: "key", want: "https://s3.us-west-2.amazonaws.com/bucket.dot/key"},
		{name: "dotted name in us-east-1", cfg: Config{Region: "us-east-1"}, bucket: "bucket.dot", key: "key", want: "https://s3.us-east-1.amazonaws.com/bucket.dot/key"},
		{name: "legacy uppercase name in us-east-1", cfg: Config{Region: "us-east-1"}, bucket: "BucketName", key: "key", want: "https://s3.us-east-1.amazonaws.com/BucketName/key"},
		{name: "legacy underscore name in us-east-1", cfg: Config{Region: "us-east-1"}, bucket: "bucket_name", key: "key", want: "https://s3.us-east-1.amazonaws.com/bucket_name/key"},
		{name: "legacy 64-char name in us-east-1", cfg: Config{Region: "us-east-1"}, bucket: long, key: "key", want: "https://s3.us-east-1.amazonaws.com/" + long + "/key"},
		{name: "legacy name outside us-east-1", cfg: Config{Region: "us-west-1"}, bucket: "bucket_name", key: "key", want: "https://s3.us-west-1.amazonaws.com/bucket_name/key"},
		{name: "leading hyphen", cfg: Config{Region: "us-west-1"}, bucket: "-bucket-name", key: "key", want: "https://s3.us-west-1.amazonaws.com/-bucket-name/key"},
		{name: "trailing hyphen", cfg: Config{Region: "us-west-1"}, bucket: "bucket-name-", key: "key", want: "https://s3.us-west-1.amazonaws.com/bucket-name-/key"},
		{name: "two characters", cfg: Config{Region: "us-west-1"}, bucket: "aa", key: "key", want: "https://s3.us-west-1.amazonaws.com/aa/key"},
		{name: "64 characters outside us-east-1", cfg: Config{Region: "us-west-1"}, bucket: long, key: "key", want: "https://s3.us-west-1.amazonaws.com/" + long + "/key"},
		{name: "slash in name is one path segment", cfg: Config{Region: "us-east-1"}, bucket: "adfgasdfadfs/bucket/name", key: "foo", want: "https://s3.us-east-1.amazonaws.com/adfgasdfadfs%2Fbucket%2Fname/foo"},
		{name: "URL characters in name", cfg: Config{Region: "us-west-2"}, bucket: "example.com#?x", key: "k", want: "https://s3.us-west-2.amazonaws.com/example.com%23%3Fx/k"},

		// Custom endpoints: path style by default, whatever the region.
		{name: "custom endpoint", cfg: Config{Endpoint: "https://my-custom-s3/"}, bucket: "foo", key: "bar", want: "https://my-custom-s3/foo/bar"},
		{name: "custom endpoint dotted name", cfg: Config{Endpoint: "https://my-custom-s3/"}, bucket: "bucket.dots", key: "bar", want: "https://my-custom-s3/bucket.dots/bar"},
		{name: "custom endpoint ignores region", cfg: Config{Endpoint: "https://my-custom-s3/", Region: "us-west-2"}, bucket: "foo", key: "bar", want: "https://my-custom-s3/foo/bar"},
		{name: "custom endpoint legacy name", cfg: Config{Endpoint: "http://localhost:9000", Region: "us-west-2"}, bucket: "My_Bucket", key: "k", want: "http://localhost:9000/My_Bucket/k"},
		{name: "custom endpoint explicit virtual", cfg: Config{Endpoint: "https://foo.amazonaws.com", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.foo.amazonaws.com/key"},
		{name: "custom endpoint explicit path", cfg: Config{Endpoint: "https://foo.amazonaws.com/", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://foo.amazonaws.com/bucket/key"},
		{name: "virtual on localhost", cfg: Config{Endpoint: "http://localhost:9000", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "http://bucket.localhost:9000/key"},
		{name: "virtual over http allows dots", cfg: Config{Endpoint: "http://localhost:9000", AddressingStyle: AddressingVirtual}, bucket: "my.bucket", key: "key", want: "http://my.bucket.localhost:9000/key"},
		{name: "virtual over https falls back to path for dots", cfg: Config{Endpoint: "https://minio.example.com", AddressingStyle: AddressingVirtual}, bucket: "my.bucket", key: "key", want: "https://minio.example.com/my.bucket/key"},
		{name: "virtual falls back to path for legacy names", cfg: Config{Endpoint: "http://localhost:9000", AddressingStyle: AddressingVirtual}, bucket: "My_Bucket", key: "k", want: "http://localhost:9000/My_Bucket/k"},
		{name: "default https port dropped", cfg: Config{Endpoint: "https://h.example:443"}, bucket: "b-1", key: "k", want: "https://h.example/b-1/k"},
		{name: "default http port dropped", cfg: Config{Endpoint: "http://h.example:80"}, bucket: "b-1", key: "k", want: "http://h.example/b-1/k"},
		{name: "other port kept, host lower-cased", cfg: Config{Endpoint: "HTTP://LocalHost:443"}, bucket: "b-1", key: "k", want: "http://localhost:443/b-1/k"},
		{name: "IPv4 endpoint", cfg: Config{Endpoint: "http://127.0.0.1:9000"}, bucket: "b-1", key: "k", want: "http://127.0.0.1:9000/b-1/k"},
		{name: "IPv6 endpoint with port", cfg: Config{Endpoint: "http://[::1]:9000"}, bucket: "b-1", key: "k", want: "http://[::1]:9000/b-1/k"},
		{name: "IPv6 endpoint without port", cfg: Config{Endpoint: "https://[::1]:443/"}, bucket: "b-1", key: "k", want: "https://[::1]/b-1/k"},
		{name: "endpoint path prefix, path style", cfg: Config{Endpoint: "https://h.example/s3/"}, bucket: "b-1", key: "k", want: "https://h.example/s3/b-1/k"},
		{name: "endpoint path prefix, virtual", cfg: Config{Endpoint: "https://h.example/s3", AddressingStyle: AddressingVirtual}, bucket: "b-1", key: "k", want: "https://b-1.h.example/s3/k"},
		{name: "endpoint path prefix is encoded", cfg: Config{Endpoint: "https://h.example/my%20store/"}, bucket: "b-1", key: "k", want: "https://h.example/my%20store/b-1/k"},

		// Explicit styles on AWS.
		{name: "explicit virtual us-east-1", cfg: Config{Region: "us-east-1", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.s3.us-east-1.amazonaws.com/key"},
		{name: "explicit virtual eu-central-1", cfg: Config{Region: "eu-central-1", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.s3.eu-central-1.amazonaws.com/key"},
		{name: "unknown region", cfg: Config{Region: "unknown", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.s3.unknown.amazonaws.com/key"},
		{name: "aws-us-gov", cfg: Config{Region: "us-gov-west-1", AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.s3.us-gov-west-1.amazonaws.com/key"},
		{name: "explicit path us-east-1", cfg: Config{Region: "us-east-1", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://s3.us-east-1.amazonaws.com/bucket/key"},
		{name: "explicit path unknown region", cfg: Config{Region: "unknown", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://s3.unknown.amazonaws.com/bucket/key"},
		{name: "explicit path without the region", cfg: Config{Region: "us-west-2", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", region: "-", err: ErrInvalidConfig},
		{name: "aws-global path", cfg: Config{Region: "aws-global", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://s3.amazonaws.com/bucket/key"},
		{name: "no region on AWS", cfg: Config{}, bucket: "bucket", key: "key", err: ErrInvalidEndpoint},
		{name: "aws-global: global host", cfg: Config{Region: "aws-global"}, bucket: "bucket", key: "key", want: "https://bucket.s3.amazonaws.com/key"},
		{name: "legacy global endpoint for us-east-1", cfg: Config{Region: "us-east-1", UseGlobalEndpoint: true}, bucket: "bucket", key: "key", want: "https://bucket.s3.amazonaws.com/key"},
		{name: "no region on a custom endpoint", cfg: Config{Endpoint: "http://h.example"}, bucket: "bucket", key: "key", want: "http://h.example/bucket/key"},
		{name: "no region, dotted name needs path style", cfg: Config{}, bucket: "bucket.dot", key: "key", err: ErrInvalidConfig},
		{name: "learned region overrides the client's", cfg: Config{Region: "us-east-1"}, bucket: "bucket", key: "key", region: "eu-west-1", want: "https://bucket.s3.eu-west-1.amazonaws.com/key"},
		{name: "learned region in path style", cfg: Config{Region: "us-east-1", AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", region: "ap-south-1", want: "https://s3.ap-south-1.amazonaws.com/bucket/key"},
		{name: "region that is not a host label", cfg: Config{Region: "us-east-1"}, bucket: "bucket", key: "key", region: "evil.example/x", err: ErrInvalidConfig},

		// Accelerate.
		{name: "accelerate", cfg: Config{Region: "us-east-1", UseAccelerate: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.amazonaws.com/key"},
		{name: "accelerate ignores region", cfg: Config{Region: "us-west-2", UseAccelerate: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.amazonaws.com/key"},
		{name: "accelerate aws-global", cfg: Config{Region: "aws-global", UseAccelerate: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.amazonaws.com/key"},
		{name: "accelerate with path style", cfg: Config{Region: "us-east-1", UseAccelerate: true, AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", err: ErrInvalidEndpoint},
		{name: "accelerate in aws-cn", cfg: Config{Region: "cn-north-1", UseAccelerate: true}, bucket: "bucket", key: "key", err: ErrInvalidEndpoint},
		{name: "accelerate in aws-us-gov", cfg: Config{Region: "us-gov-west-1", UseAccelerate: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.amazonaws.com/key"},
		{name: "accelerate explicit virtual", cfg: Config{Region: "us-west-2", UseAccelerate: true, AddressingStyle: AddressingVirtual}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.amazonaws.com/key"},
		{name: "accelerate dotted name", cfg: Config{Region: "us-west-2", UseAccelerate: true}, bucket: "bucket.dot", key: "key", err: ErrInvalidEndpoint},
		{name: "accelerate legacy name", cfg: Config{Region: "us-east-1", UseAccelerate: true}, bucket: "Bucket", key: "key", err: ErrInvalidEndpoint},
		{name: "accelerate dual-stack", cfg: Config{Region: "us-east-1", UseAccelerate: true, UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.dualstack.amazonaws.com/key"},
		{name: "accelerate dual-stack ignores region", cfg: Config{Region: "us-west-2", UseAccelerate: true, UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-accelerate.dualstack.amazonaws.com/key"},
		{name: "accelerate ListBuckets goes regional", cfg: Config{Region: "us-west-2", UseAccelerate: true}, want: "https://s3.us-west-2.amazonaws.com/"},

		// Dual-stack.
		{name: "dual-stack us-east-1", cfg: Config{Region: "us-east-1", UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3.dualstack.us-east-1.amazonaws.com/key"},
		{name: "FIPS", cfg: Config{Region: "us-west-2", UseFIPS: true}, bucket: "bucket", key: "key", want: "https://bucket.s3-fips.us-west-2.amazonaws.com/key"},
		{name: "FIPS dual-stack path", cfg: Config{Region: "us-gov-west-1", UseFIPS: true, UseDualStack: true, AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://s3-fips.dualstack.us-gov-west-1.amazonaws.com/bucket/key"},
		{name: "aws-iso-b", cfg: Config{Region: "us-isob-east-1"}, bucket: "bucket", key: "key", want: "https://bucket.s3.us-isob-east-1.sc2s.sgov.gov/key"},
		{name: "aws-iso dual-stack", cfg: Config{Region: "us-iso-east-1", UseDualStack: true}, bucket: "bucket", key: "key", err: ErrInvalidEndpoint},
		{name: "eu sovereign cloud", cfg: Config{Region: "eusc-de-east-1"}, bucket: "bucket", key: "key", want: "https://bucket.s3.eusc-de-east-1.amazonaws.eu/key"},
		{name: "dual-stack aws-global uses us-east-1", cfg: Config{Region: "aws-global", UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3.dualstack.us-east-1.amazonaws.com/key"},
		{name: "dual-stack us-west-2", cfg: Config{Region: "us-west-2", UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3.dualstack.us-west-2.amazonaws.com/key"},
		{name: "dual-stack unknown region", cfg: Config{Region: "unknown", UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3.dualstack.unknown.amazonaws.com/key"},
		{name: "dual-stack dotted name", cfg: Config{Region: "us-west-2", UseDualStack: true}, bucket: "bucket.dot", key: "key", want: "https://s3.dualstack.us-west-2.amazonaws.com/bucket.dot/key"},
		{name: "dual-stack explicit path", cfg: Config{Region: "us-west-2", UseDualStack: true, AddressingStyle: AddressingPath}, bucket: "bucket", key: "key", want: "https://s3.dualstack.us-west-2.amazonaws.com/bucket/key"},
		{name: "dual-stack aws-cn", cfg: Config{Region: "cn-north-1", UseDualStack: true}, bucket: "bucket", key: "key", want: "https://bucket.s3.dualstack.cn-north-1.amazonaws.com.cn/key"},

		// Service endpoint and bucket-level requests.
		{name: "ListBuckets", cfg: Config{Region: "us-west-2"}, want: "https://s3.us-west-2.amazonaws.com/"},
		{name: "ListBuckets aws-global", cfg: Config{Region: "aws-global"}, want: "https://s3.amazonaws.com/"},
		{name: "ListBuckets custom endpoint with prefix", cfg: Config{Endpoint: "https://h.example/s3/"}, want: "https://h.example/s3/"},
		{name: "bucket request, virtual", cfg: Config{Region: "us-west-2"}, bucket: "bucket", want: "https://bucket.s3.us-west-2.amazonaws.com/"},
		{name: "bucket request, path", cfg: Config{Region: "us-west-2", AddressingStyle: AddressingPath}, bucket: "bucket", want: "https://s3.us-west-2.amazonaws.com/bucket"},
		{name: "key without bucket", cfg: Config{Region: "us-west-2"}, key: "k", err: ErrInvalidBucketName},

		// Keys are encoded, never normalized.
		{name: "key encoding", cfg: Config{Region: "us-west-2"}, bucket: "bucket", key: "a b/c+d~é%?#&=", want: "https://bucket.s3.us-west-2.amazonaws.com/a%20b/c%2Bd~%C3%A9%25%3F%23%26%3D"},
		{name: "key not normalized, virtual", cfg: Config{Region: "us-west-2"}, bucket: "bucket", key: "/a//b/./c/../d/", want: "https://bucket.s3.us-west-2.amazonaws.com//a//b/./c/../d/"},
		{name: "key not normalized, path", cfg: Config{Endpoint: "http://localhost:9000"}, bucket: "bucket", key: "../x/", want: "http://localhost:9000/bucket/../x/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newEndpointResolver(&tt.cfg)
			if err != nil {
				t.Fatalf("newEndpointResolver: %v", err)
			}
			region := tt.cfg.Region
			switch tt.region {
			case "":
			case "-":
				region = ""
			default:
				region = tt.region
			}
			ep, err := r.resolve(&target{bucket: tt.bucket, key: tt.key, region: region})
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, %v; want error %v", ep, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			u := ep.url
			if got := u.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			checkURL(t, u)
		})
	}
}

// checkURL checks the invariants every resolved URL keeps.
func checkURL(t *testing.T, u *url.URL) {
	t.Helper()
	if p, err := url.PathUnescape(u.RawPath); err != nil || p != u.Path {
		t.Errorf("RawPath %q does not decode to Path %q (%v)", u.RawPath, u.Path, err)
	}
	if u.EscapedPath() != u.RawPath {
		t.Errorf("net/url would send %q, not RawPath %q", u.EscapedPath(), u.RawPath)
	}
	if strings.HasSuffix(u.Host, ":443") && u.Scheme == "https" || strings.HasSuffix(u.Host, ":80") && u.Scheme == "http" {
		t.Errorf("default port in host %q", u.Host)
	}
}

func TestResolveNoAccelerate(t *testing.T) {
	r, err := newEndpointResolver(&Config{Region: "us-west-2", UseAccelerate: true})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := r.resolve(&target{bucket: "bucket", region: "us-west-2", noAccelerate: true})
	if err != nil || ep.url.String() != "https://bucket.s3.us-west-2.amazonaws.com/" {
		t.Errorf("got %v, %v", ep, err)
	}
}

func TestNewEndpointResolverErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no scheme", Config{Endpoint: "localhost:9000"}, "absolute http:// or https:// URL"},
		{"ftp", Config{Endpoint: "ftp://h.example"}, "absolute http:// or https:// URL"},
		{"no host", Config{Endpoint: "http://"}, "absolute http:// or https:// URL"},
		{"relative", Config{Endpoint: "/s3"}, "absolute http:// or https:// URL"},
		{"user info", Config{Endpoint: "http://admin:hunter2@h.example"}, "user information"},
		{"query", Config{Endpoint: "http://h.example/?x=1"}, "query or fragment"},
		{"fragment", Config{Endpoint: "http://h.example/#f"}, "query or fragment"},
		{"bad port", Config{Endpoint: "http://h.example:port"}, "not a valid URI"},
		{"password with a slash", Config{Endpoint: "http://admin:hun/ter2@h.example"}, "not a valid URI"},
		{"dual-stack with endpoint", Config{Endpoint: "http://h.example", UseDualStack: true}, "dual-stack in combination with a custom endpoint"},
		{"FIPS with endpoint", Config{Endpoint: "http://h.example", UseFIPS: true}, "custom endpoint cannot be combined with FIPS"},
		{"accelerate with endpoint", Config{Endpoint: "https://s3-accelerate.amazonaws.com", UseAccelerate: true}, "custom endpoint cannot be combined with S3 Accelerate"},
		{"accelerate with FIPS", Config{Region: "us-east-1", UseAccelerate: true, UseFIPS: true}, "Accelerate cannot be used with FIPS"},
		{"FIPS in aws-cn", Config{Region: "cn-north-1", UseFIPS: true}, "Partition does not support FIPS"},
		{"unknown style", Config{AddressingStyle: 7}, "AddressingStyle(7)"},
		{"bad region", Config{Region: "us east 1"}, "not a valid DNS name"},
		{"region with a slash", Config{Region: "x.evil.example/"}, "not a valid DNS name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newEndpointResolver(&tt.cfg)
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidConfig saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun/") {
				t.Errorf("error leaks the endpoint password: %v", err)
			}
		})
	}
}

func TestValidBucketName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		why  string
	}{
		{"abc", true, ""},
		{"my-bucket.example.com", true, ""},
		{"a1-2.b3", true, ""},
		{"a-.b", true, ""}, // valid, though not a host name (see TestVirtualHostable)
		{strings.Repeat("a", 63), true, ""},
		{"ab", false, "3 to 63"},
		{strings.Repeat("a", 64), false, "3 to 63"},
		{"", false, "3 to 63"},
		{"MyBucket", false, "uppercase"},
		{"my_bucket", false, "only lowercase"},
		{"my bucket", false, "only lowercase"},
		{"bücket", false, "only lowercase"},
		{"-abc", false, "begin and end"},
		{"abc-", false, "begin and end"},
		{".abc", false, "begin and end"},
		{"abc.", false, "begin and end"},
		{"a..b", false, "adjacent dots"},
		{"192.168.5.4", false, "IP address"},
		{"xn--abc", false, "prefix xn--"},
		{"sthree-abc", false, "prefix sthree-"},
		{"amzn-s3-demo-bucket", false, "prefix amzn-s3-demo-"},
		{"abc-s3alias", false, "suffix -s3alias"},
		{"abc--ol-s3", false, "suffix --ol-s3"},
		{"abc.mrap", false, "suffix .mrap"},
		{"abc--x-s3", false, "suffix --x-s3"},
		{"abc--table-s3", false, "suffix --table-s3"},
	}
	for _, tt := range tests {
		err := ValidateBucketName(tt.name)
		if tt.ok {
			if err != nil {
				t.Errorf("ValidateBucketName(%q) = %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidBucketName) || !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("ValidateBucketName(%q) = %v, want ErrInvalidBucketName saying %q", tt.name, err, tt.why)
		}
	}
}

func TestVirtualHostable(t *testing.T) {
	tests := []struct {
		name            string
		dots, withoutOK bool
	}{
		{"bucket", true, true},
		{"my.bucket", true, false},
		{"a-.b", false, false},
		{"a.-b", false, false},
	}
	for _, tt := range tests {
		if got := virtualHostable(tt.name, true); got != tt.dots {
			t.Errorf("virtualHostable(%q, true) = %v", tt.name, got)
		}
		if got := virtualHostable(tt.name, false); got != tt.withoutOK {
			t.Errorf("virtualHostable(%q, false) = %v", tt.name, got)
		}
	}
}

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"k", true},
		{"/", true},
		{"../a//b/", true},
		{"日本語/ファイル.txt", true},
		{strings.Repeat("k", 1024), true},
		{strings.Repeat("é", 512), true}, // 1024 bytes
		{"", false},
		{strings.Repeat("k", 1025), false},
		{"bad\xffutf8", false},
	}
	for _, tt := range tests {
		err := ValidateKey(tt.key)
		if (err == nil) != tt.ok || err != nil && (!errors.Is(err, ErrInvalidKey) || !errors.Is(err, ErrInvalidInput)) {
			t.Errorf("ValidateKey(%.20q...) = %v, want ok=%v", tt.key, err, tt.ok)
		}
	}
}

func TestEncodePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/bucket/key", "/bucket/key"},
		{"/AZaz09-._~/", "/AZaz09-._~/"},
		{"/a b+c", "/a%20b%2Bc"},
		{"/!$&'()*,;=:@", "/%21%24%26%27%28%29%2A%2C%3B%3D%3A%40"},
		{"/%2F", "/%252F"},
		{"/é\x00\xff", "/%C3%A9%00%FF"},
		{"//./../", "//./../"},
	}
	for _, tt := range tests {
		if got := encodePath(tt.in); got != tt.want {
			t.Errorf("encodePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddressingStyle(t *testing.T) {
	for _, s := range []AddressingStyle{AddressingAuto, AddressingVirtual, AddressingPath} {
		got, err := ParseAddressingStyle(strings.ToUpper(s.String()))
		if err != nil || got != s {
			t.Errorf("ParseAddressingStyle(%q) = %v, %v", s.String(), got, err)
		}
	}
	if got, err := ParseAddressingStyle(""); err != nil || got != AddressingAuto {
		t.Errorf(`ParseAddressingStyle("") = %v, %v`, got, err)
	}
	if _, err := ParseAddressingStyle("host"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf(`ParseAddressingStyle("host") = %v`, err)
	}
	if s := AddressingStyle(9).String(); s != "AddressingStyle(9)" {
		t.Errorf("String = %q", s)
	}
}

// TestResolveOnTheWire sends requests to resolved URLs and checks what a
// server receives: the exact encoded path, and the bucket in the Host
// header for virtual-hosted style.
func TestResolveOnTheWire(t *testing.T) {
	type got struct{ host, uri string }
	seen := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- got{r.Host, r.RequestURI}
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	client := &http.Client{Transport: &http.Transport{
		// *.localhost names do not resolve here: send them to the server.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}}
	defer client.CloseIdleConnections()
	key := "dir//a b+c/%41/./../é?x#y"
	tests := []struct {
		style    AddressingStyle
		endpoint string
		host     string
		uri      string
	}{
		{AddressingPath, srv.URL + "/prefix", srv.Listener.Addr().String(), "/prefix/bucket/dir//a%20b%2Bc/%2541/./../%C3%A9%3Fx%23y"},
		{AddressingVirtual, "http://localhost:" + strconv.Itoa(port), "bucket.localhost:" + strconv.Itoa(port), "/dir//a%20b%2Bc/%2541/./../%C3%A9%3Fx%23y"},
	}
	for _, tt := range tests {
		r, err := newEndpointResolver(&Config{Endpoint: tt.endpoint, AddressingStyle: tt.style})
		if err != nil {
			t.Fatal(err)
		}
		ep, err := r.resolve(&target{bucket: "bucket", key: key})
		if err != nil {
			t.Fatal(err)
		}
		u := ep.url
		req, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		// The lead's do.go passes the *url.URL itself; check both.
		for _, req := range []*http.Request{req, {Method: http.MethodGet, URL: u, Header: http.Header{}, Host: u.Host}} {
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			g := <-seen
			if g.host != tt.host || g.uri != tt.uri {
				t.Errorf("%v: server saw Host %q URI %q; want %q %q", tt.style, g.host, g.uri, tt.host, tt.uri)
			}
		}
	}
}

// FuzzResolve checks that any bucket and key either resolve to a URL whose
// encoded path is the exact S3 encoding of its decoded path, or give an
// error — never a panic.
func FuzzResolve(f *testing.F) {
	f.Add("bucket", "key", 0, false)
	f.Add("my.bucket", "a b/../c", 1, true)
	f.Add("Bucket_Legacy", "//", 2, true)
	f.Add("", "", 0, false)
	f.Add("arn:aws:s3:us-west-2:123456789012:accesspoint/ap", "k", 0, true)
	f.Add("arn:aws:s3::123456789012:accesspoint/a.mrap", "k", 0, true)
	f.Add("arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-1/accesspoint/ap", "k", 0, true)
	f.Add("arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint:x", "k", 0, true)
	f.Add("b--usw2-az1--x-s3", "k", 0, true)
	f.Add("test-accessp-o0b1d075431d83bebde8xz5w8ijx1qzlbp3i3kuse10--op-s3", "k", 0, true)
	configs := []Config{
		{Region: "us-west-2"},
		{Region: "us-east-1", AddressingStyle: AddressingVirtual, UseDualStack: true},
		{Endpoint: "http://localhost:9000/p", AddressingStyle: AddressingVirtual},
		{Endpoint: "https://h.example"},
		{Region: "eu-west-1", UseAccelerate: true},
		{Region: "us-west-2", UseFIPS: true, UseDualStack: true},
		{Endpoint: "https://h.example", AddressingStyle: AddressingVirtual},
	}
	f.Fuzz(func(t *testing.T, bucket, key string, which int, regional bool) {
		cfg := configs[uint(which)%uint(len(configs))]
		r, err := newEndpointResolver(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		region := ""
		if regional {
			region = cfg.Region
		}
		ep, err := r.resolve(&target{bucket: bucket, key: key, region: region})
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("untyped error %v", err)
			}
			return
		}
		u := ep.url
		checkURL(t, u)
		// The bucket leads the host, or follows the endpoint's own path
		// prefix as the first element of the path; an ARN, an Outposts
		// alias or a directory bucket's control endpoint has its own host.
		inPath := false
		if rest, ok := strings.CutPrefix(u.Path, r.prefix+"/"+bucket); ok {
			inPath = rest == "" || rest[0] == '/'
		}
		special := strings.HasPrefix(bucket, "arn:") || strings.HasSuffix(bucket, "--op-s3")
		if bucket != "" && !special && !strings.HasPrefix(u.Host, bucket+".") && !inPath {
			t.Errorf("bucket %q is neither in host %q nor after the prefix %q in path %q", bucket, u.Host, r.prefix, u.Path)
		}
		back, err := url.Parse(u.String())
		if err != nil || back.Host != u.Host || back.EscapedPath() != u.RawPath {
			t.Errorf("%s does not parse back: %v", u, err)
		}
	})
}
