package s3client

// Where a request goes: the endpoint host, the addressing style and the
// encoded path, and the bucket-name and key rules that decide them. do.go
// calls the resolver built here once per attempt.

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AddressingStyle says where the bucket name goes in a request URL.
type AddressingStyle int

const (
	// AddressingAuto, the default, is what botocore does: virtual-hosted
	// style on the AWS endpoints when the bucket name can be a DNS label
	// (and has no dots over https, where they would break the TLS
	// wildcard certificate), path style otherwise, and path style on a
	// custom Endpoint, which is what S3-compatible stores serve without
	// DNS set-up.
	AddressingAuto AddressingStyle = iota
	// AddressingVirtual puts the bucket in the host name
	// (bucket.s3.us-west-2.amazonaws.com, bucket.localhost:9000), also on a
	// custom Endpoint. Names that cannot be a host name still go path
	// style, as in botocore.
	AddressingVirtual
	// AddressingPath puts the bucket first in the path
	// (s3.us-west-2.amazonaws.com/bucket). On AWS it needs a Region.
	AddressingPath
)

// String returns "auto", "virtual" or "path", the values of the
// addressing_style setting in the AWS config file.
func (s AddressingStyle) String() string {
	switch s {
	case AddressingAuto:
		return "auto"
	case AddressingVirtual:
		return "virtual"
	case AddressingPath:
		return "path"
	}
	return "AddressingStyle(" + strconv.Itoa(int(s)) + ")"
}

// ParseAddressingStyle parses "auto", "virtual" or "path" (any case; ""
// means auto).
func ParseAddressingStyle(s string) (AddressingStyle, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return AddressingAuto, nil
	case "virtual":
		return AddressingVirtual, nil
	case "path":
		return AddressingPath, nil
	}
	return 0, fmt.Errorf("%w: addressing style %q (want auto, virtual or path)", ErrInvalidConfig, s)
}

var (
	// ErrInvalidBucketName is wrapped, with the name and the rule it
	// breaks, when a bucket name is rejected before any request is sent.
	ErrInvalidBucketName = fmt.Errorf("%w: invalid bucket name", ErrInvalidInput)
	// ErrInvalidKey is wrapped when an object key is empty, longer than
	// 1024 bytes or not UTF-8.
	ErrInvalidKey = fmt.Errorf("%w: invalid object key", ErrInvalidInput)
)

// ValidateBucketName checks a bucket name against the rules for new general purpose
// buckets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
// 3-63 lowercase letters, digits, dots and hyphens, beginning and ending
// with a letter or digit, no "..", not an IP address, none of the prefixes
// and suffixes AWS reserves. CreateBucket uses it as is; the resolver also
// lets through legacy names where such buckets can exist (see
// legacyBucketName).
func ValidateBucketName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidBucketName, name, why) }
	if len(name) < 3 || len(name) > 63 {
		return bad("must be 3 to 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			if c >= 'A' && c <= 'Z' {
				return bad("uppercase letters are not allowed")
			}
			return bad("only lowercase letters, digits, dots and hyphens are allowed")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("must not contain two adjacent dots")
	}
	if net.ParseIP(name) != nil {
		return bad("must not be an IP address")
	}
	for _, p := range [...]string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad("the prefix " + p + " is reserved")
		}
	}
	for _, s := range [...]string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return bad("the suffix " + s + " is reserved")
		}
	}
	return nil
}

// legacyBucketName reports whether name meets the rules us-east-1 applied
// before March 2018 (3-255 letters of either case, digits, dots, hyphens
// and underscores). Such buckets still exist there, and S3-compatible stores
// accept such names, so the resolver serves them in path style on custom
// endpoints and in us-east-1 — never in virtual-hosted style, since they
// are not host names.
func legacyBucketName(name string) bool {
	if len(name) < 3 || len(name) > 255 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// virtualHostable reports whether a valid bucket name can be the first
// label(s) of a host name: every dot-separated label must begin and end
// with a letter or digit, and when dots are not allowed (https, where a
// dotted name does not match the *.s3... certificate; and accelerate)
// there must be none.
func virtualHostable(name string, allowDots bool) bool {
	if strings.Contains(name, ".") {
		return allowDots && !strings.Contains(name, "-.") && !strings.Contains(name, ".-")
	}
	return true
}

// validKey checks an object key: not empty, at most 1024 bytes, UTF-8.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > 1024:
		return fmt.Errorf("%w: %d bytes long (at most 1024)", ErrInvalidKey, len(key))
	case !utf8.ValidString(key):
		return fmt.Errorf("%w %q: not valid UTF-8", ErrInvalidKey, key)
	}
	return nil
}

// encodePath percent-encodes s as S3 wants a path on the wire and in the
// canonical request: every byte but A-Z a-z 0-9 - . _ ~ and '/' becomes %XX
// with uppercase hex. Nothing is normalized: "//", "./" and "../" stay.
func encodePath(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreservedOrSlash(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreservedOrSlash(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreservedOrSlash(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}

// endpointResolver turns (bucket, key, region) into a request URL. New
// builds one from the Config; it is immutable and safe for concurrent use.
type endpointResolver struct {
	style      AddressingStyle
	dualStack  bool
	accelerate bool

	// A custom endpoint; custom is false for the AWS endpoints.
	custom   bool
	scheme   string // "https" on AWS
	host     string // lower-cased host[:port], default port removed
	hostIsIP bool
	prefix   string // the endpoint's own path, decoded, without trailing '/'
}

// newEndpointResolver checks the endpoint settings of cfg and builds the
// resolver. It rejects, as ErrInvalidConfig: an Endpoint that is not an
// absolute http(s) URL without user info, query or fragment;
// UseAccelerate or UseDualStack with a custom Endpoint (the host is then
// the caller's, and botocore's half-support of such mixes only surprises);
// UseAccelerate with AddressingPath (accelerate endpoints only serve
// virtual-hosted requests; botocore silently switches style, we say so);
// AddressingVirtual on an endpoint that is an IP address; AddressingPath on
// AWS without a Region; and a Region that cannot be part of a host name.
func newEndpointResolver(cfg *Config) (*endpointResolver, error) {
	r := &endpointResolver{style: cfg.AddressingStyle, dualStack: cfg.UseDualStack, accelerate: cfg.UseAccelerate, scheme: "https"}
	if r.style < AddressingAuto || r.style > AddressingPath {
		return nil, fmt.Errorf("%w: unknown %v", ErrInvalidConfig, r.style)
	}
	if cfg.Endpoint == "" {
		if r.style == AddressingPath && cfg.Region == "" {
			return nil, fmt.Errorf("%w: AddressingPath on the AWS endpoints needs a Region", ErrInvalidConfig)
		}
		if r.accelerate && r.style == AddressingPath {
			return nil, fmt.Errorf("%w: UseAccelerate needs virtual-hosted addressing, not AddressingPath", ErrInvalidConfig)
		}
		if cfg.Region != "" {
			if err := checkRegion(cfg.Region, r.accelerate); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	if r.accelerate {
		return nil, fmt.Errorf("%w: UseAccelerate cannot be combined with a custom Endpoint", ErrInvalidConfig)
	}
	if r.dualStack {
		return nil, fmt.Errorf("%w: UseDualStack cannot be combined with a custom Endpoint", ErrInvalidConfig)
	}
	var err error
	r.scheme, r.host, r.prefix, r.hostIsIP, err = parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: Endpoint %w", ErrInvalidConfig, err)
	}
	r.custom = true
	if r.style == AddressingVirtual && r.hostIsIP {
		return nil, fmt.Errorf("%w: AddressingVirtual needs an Endpoint with a host name, not an IP address", ErrInvalidConfig)
	}
	return r, nil
}

// parseEndpoint checks a custom endpoint URL and splits it. Its errors say
// what is wrong, for the caller to prefix; they never quote the URL, which
// might carry a password.
func parseEndpoint(raw string) (scheme, host, prefix string, isIP bool, err error) {
	bad := errors.New
	u, err := url.Parse(raw)
	if err != nil {
		// url's messages quote pieces of the input: a password that
		// contains '/' ends up in the "port".
		return "", "", "", false, bad("is not a valid URL")
	}
	scheme = strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" || u.Opaque != "" || u.Host == "" {
		return "", "", "", false, bad(`must be an absolute http:// or https:// URL, such as "http://localhost:9000"`)
	}
	if u.User != nil {
		return "", "", "", false, bad("must not contain user information (set Credentials instead)")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", "", "", false, bad("must not have a query or fragment")
	}
	hostname, port := strings.ToLower(u.Hostname()), u.Port()
	if hostname == "" {
		return "", "", "", false, bad("has no host name")
	}
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		port = ""
	}
	isIP = net.ParseIP(hostname) != nil
	switch {
	case port != "":
		host = net.JoinHostPort(hostname, port)
	case strings.Contains(hostname, ":"):
		host = "[" + hostname + "]"
	default:
		host = hostname
	}
	return scheme, host, strings.TrimRight(u.Path, "/"), isIP, nil
}

// checkRegion rejects regions that cannot be a host label (and so could
// change which host a request goes to), and accelerate outside the aws
// partition, where it does not exist.
func checkRegion(region string, accelerate bool) error {
	if !validRegion(region) {
		return fmt.Errorf("%w: region %q is not a valid host label", ErrInvalidConfig, region)
	}
	if accelerate && (strings.HasPrefix(region, "cn-") || strings.HasPrefix(region, "us-gov-")) {
		return fmt.Errorf("%w: S3 Transfer Acceleration is not available in %s", ErrInvalidConfig, region)
	}
	return nil
}

func validRegion(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// partitionSuffix returns the DNS suffix of region's partition: aws-cn
// regions (cn-north-1, cn-northwest-1) live under amazonaws.com.cn; aws and
// aws-us-gov regions under amazonaws.com.
func partitionSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// awsHost returns the S3 host of region: s3.REGION.SUFFIX, or
// s3.dualstack.REGION.SUFFIX. Every region, us-east-1 included, gets its
// regional host. With no region (or the pseudo-region aws-global) it is the
// global s3.amazonaws.com, which DNS routes to the bucket's region; only
// virtual-hosted requests and ListBuckets can use it — the caller signs for
// us-east-1 and follows the region redirect.
func awsHost(region string, dualStack bool) string {
	if region == "" || region == "aws-global" {
		if !dualStack {
			return "s3.amazonaws.com"
		}
		region = "us-east-1" // as botocore: there is no global dual-stack host
	}
	if dualStack {
		return "s3.dualstack." + region + "." + partitionSuffix(region)
	}
	return "s3." + region + "." + partitionSuffix(region)
}

// resolve returns the URL of key in bucket, for a request signed for
// region (the client's, or the bucket's own once learned). bucket "" gives
// the service endpoint (ListBuckets); key "" the bucket itself.
//
// Path is the decoded path and RawPath its S3 encoding (see encodePath),
// so that net/http sends exactly the canonical URI; Host never carries a
// default port. Bucket names are checked here (see ValidateBucketName and
// legacyBucketName); keys are not (see validKey), since a bucket-level
// request has none.
func (r *endpointResolver) resolve(bucket, key, region string) (*url.URL, error) {
	return r.resolveURL(bucket, key, region, r.accelerate)
}

// resolveNoAccelerate is resolve for the operations the accelerate
// endpoints do not serve (CreateBucket, DeleteBucket; botocore's list):
// they go to the regional endpoint even when UseAccelerate is set.
func (r *endpointResolver) resolveNoAccelerate(bucket, key, region string) (*url.URL, error) {
	return r.resolveURL(bucket, key, region, false)
}

func (r *endpointResolver) resolveURL(bucket, key, region string, accelerate bool) (*url.URL, error) {
	if bucket == "" && key != "" {
		return nil, fmt.Errorf("%w: a key needs a bucket", ErrInvalidBucketName)
	}
	if !r.custom && region != "" {
		if err := checkRegion(region, accelerate); err != nil {
			return nil, err
		}
	}
	u := &url.URL{Scheme: r.scheme}
	if bucket == "" {
		u.Host = r.host
		if !r.custom {
			u.Host = awsHost(region, r.dualStack)
		}
		return withPath(u, r.prefix+"/"), nil
	}

	strictErr := ValidateBucketName(bucket)
	if strictErr != nil {
		// Region "" lets the name through to the path-style branch
		// below, whose error (no Region) is the one to fix first.
		legacyHere := r.custom || region == "" || region == "us-east-1" || region == "aws-global"
		if !legacyHere || !legacyBucketName(bucket) || accelerate {
			return nil, strictErr
		}
	}

	if accelerate {
		if !virtualHostable(bucket, false) {
			return nil, fmt.Errorf("%w %q: S3 Transfer Acceleration needs a name without dots", ErrInvalidBucketName, bucket)
		}
		u.Host = bucket + ".s3-accelerate.amazonaws.com"
		if r.dualStack {
			u.Host = bucket + ".s3-accelerate.dualstack.amazonaws.com"
		}
		return withPath(u, "/"+key), nil
	}

	virtual := false
	if strictErr == nil && virtualHostable(bucket, r.scheme == "http") {
		virtual = r.style == AddressingVirtual || r.style == AddressingAuto && !r.custom
	}
	switch {
	case virtual && r.custom:
		u.Host = bucket + "." + r.host
	case virtual:
		u.Host = bucket + "." + awsHost(region, r.dualStack)
	case r.custom:
		u.Host = r.host
	case region == "":
		return nil, fmt.Errorf("%w: bucket %q needs path-style addressing, which needs a Region on AWS", ErrInvalidConfig, bucket)
	default:
		u.Host = awsHost(region, r.dualStack)
	}
	if virtual {
		return withPath(u, r.prefix+"/"+key), nil
	}
	p := r.prefix + "/" + bucket
	if key != "" {
		p += "/" + key
	}
	return withPath(u, p), nil
}

func withPath(u *url.URL, p string) *url.URL {
	u.Path = p
	u.RawPath = encodePath(p)
	return u
}
