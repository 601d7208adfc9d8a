package s3client

// Endpoint resolution as the Amazon S3 endpoint rules define it: the
// settings checked once (newEndpointResolver), then, per request, the
// branch for the kind of bucket — none, a general purpose bucket (virtual
// hosted or path style), a directory bucket (express.go), an Outposts
// bucket alias, or an ARN (arn.go) — each giving the URL, the signing
// name, the signing region or region set and the signature scheme. The
// rules' error messages are kept word for word after the sentinel.

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/s3kit/s3kit/sigv4"
)

// ErrInvalidEndpoint is wrapped, with the endpoint rules' own message, when
// the settings and the bucket cannot make an endpoint (FIPS with a custom
// Endpoint, a dual-stack Multi-Region Access Point, no Region on AWS...).
// Nothing is sent. It also matches ErrInvalidConfig.
var ErrInvalidEndpoint = fmt.Errorf("%w: no endpoint", ErrInvalidConfig)

// authScheme is how a resolved request is signed.
type authScheme int

const (
	authSigV4     authScheme = iota // SigV4 for the signing region
	authSigV4a                      // SigV4a for the region set "*"
	authS3Express                   // SigV4 with a directory bucket's session credentials
)

func (a authScheme) String() string {
	switch a {
	case authSigV4a:
		return "sigv4a"
	case authS3Express:
		return "sigv4-s3express"
	}
	return "sigv4"
}

// endpoint is where one request goes and how it is signed.
type endpoint struct {
	url         *url.URL
	auth        authScheme
	signingName string // s3, s3-object-lambda, s3-outposts or s3express
	// signingRegion is the region of a SigV4 signature, or the region set
	// of a SigV4a one.
	signingRegion string
}

// target is what one request asks of the resolver beyond the Config: the
// bucket and key, the region (the client's or the one learned for the
// bucket), and the operation's own endpoint parameters.
type target struct {
	bucket, key string
	region      string
	// noAccelerate: an operation S3 Transfer Acceleration does not serve
	// (CreateBucket, DeleteBucket).
	noAccelerate bool
	// noAccessPoints: an operation that cannot name an access point
	// (CreateBucket); the rules' DisableAccessPoints.
	noAccessPoints bool
	// expressControl: a bucket operation that directory buckets serve on
	// the regional control endpoint (the rules' UseS3ExpressControlEndpoint).
	expressControl bool
	// objectLambda: WriteGetObjectResponse (UseObjectLambdaEndpoint).
	objectLambda bool
	// noExpressSession: CreateSession itself, signed with the client's
	// credentials (DisableS3ExpressSessionAuth for one request).
	noExpressSession bool
}

// endpointResolver holds the endpoint settings of a Config, checked. It is
// immutable and safe for concurrent use.
type endpointResolver struct {
	style          AddressingStyle
	fips           bool
	dualStack      bool
	accelerate     bool
	globalEndpoint bool // us-east-1 requests go to s3.amazonaws.com
	// arnRegion: false refuses an ARN whose region is not the client's;
	// arnRegionSet says whether it was set at all (unset follows the ARN).
	arnRegion, arnRegionSet bool
	noMRAP                  bool
	noExpressSession        bool

	// A custom endpoint; custom is false for the AWS endpoints.
	custom   bool
	scheme   string // "https" on AWS
	host     string // lower-cased host[:port], default port removed
	hostIsIP bool
	prefix   string // the endpoint's own path, decoded, without trailing '/'
}

// endpointErr returns an ErrInvalidEndpoint with the rules' message.
func endpointErr(msg string) error { return fmt.Errorf("%w: %s", ErrInvalidEndpoint, msg) }

// newEndpointResolver checks the endpoint settings of cfg, with the rules'
// messages for the combinations they always refuse, and builds the
// resolver. An Endpoint must be an absolute http(s) URL without user info,
// query or fragment.
func newEndpointResolver(cfg *Config) (*endpointResolver, error) {
	r := &endpointResolver{
		style: cfg.AddressingStyle, fips: cfg.UseFIPS, dualStack: cfg.UseDualStack, accelerate: cfg.UseAccelerate,
		globalEndpoint: cfg.UseGlobalEndpoint, noMRAP: cfg.DisableMultiRegionAccessPoints,
		noExpressSession: cfg.DisableS3ExpressSessionAuth, scheme: "https",
	}
	if cfg.UseARNRegion != nil {
		r.arnRegion, r.arnRegionSet = *cfg.UseARNRegion, true
	}
	if r.style < AddressingAuto || r.style > AddressingPath {
		return nil, fmt.Errorf("%w: unknown %v", ErrInvalidConfig, r.style)
	}
	if cfg.Region != "" && !validRegion(cfg.Region) {
		return nil, endpointErr("Invalid region: region was not a valid DNS name.")
	}
	if cfg.Endpoint != "" {
		var err error
		r.scheme, r.host, r.prefix, r.hostIsIP, err = parseEndpoint(cfg.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("%w: Custom endpoint %w", ErrInvalidEndpoint, err)
		}
		r.custom = true
	}
	switch {
	case r.accelerate && r.fips:
		return nil, endpointErr("Accelerate cannot be used with FIPS")
	case r.dualStack && r.custom:
		return nil, endpointErr("Cannot set dual-stack in combination with a custom endpoint.")
	case r.fips && r.custom:
		return nil, endpointErr("A custom endpoint cannot be combined with FIPS")
	case r.accelerate && r.custom:
		return nil, endpointErr("A custom endpoint cannot be combined with S3 Accelerate")
	}
	if cfg.Region != "" && r.fips && !partitionOf(cfg.Region).fips {
		return nil, endpointErr("Partition does not support FIPS")
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
		return "", "", "", false, bad("was not a valid URI")
	}
	scheme = strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" || u.Opaque != "" || u.Host == "" {
		return "", "", "", false, bad(`was not a valid URI: it must be an absolute http:// or https:// URL, such as "http://localhost:9000"`)
	}
	if u.User != nil {
		return "", "", "", false, bad("must not contain user information (set Credentials instead)")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", "", "", false, bad("was not a valid URI: it must not have a query or fragment")
	}
	hostname, port := strings.ToLower(u.Hostname()), u.Port()
	if hostname == "" {
		return "", "", "", false, bad("has no host name")
	}
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		port = ""
	}
	isIP = net.ParseIP(hostname) != nil
	if !isIP && !strings.Contains(hostname, ":") && !hostName(hostname) {
		return "", "", "", false, bad("was not a valid URI: its host is neither a host name nor an IP address")
	}
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

// hostName reports whether a custom endpoint's host can be looked up: dot
// separated labels of 1 to 63 letters, digits, hyphens and underscores
// (which container and internal names use), none beginning or ending with
// a hyphen, a final dot allowed.
func hostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
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

// validRegion reports whether a region can be part of a host name: one or
// more dot-separated host labels (the rules' isValidHostLabel(Region, true)).
func validRegion(s string) bool { return hostLabel(s, true) }

// hostLabel is the rules' isValidHostLabel: 1-63 letters, digits and
// hyphens, not starting with a hyphen; with subdomains, several such labels
// separated by dots.
func hostLabel(s string, subdomains bool) bool {
	if subdomains {
		for _, l := range strings.Split(s, ".") {
			if !hostLabel(l, false) {
				return false
			}
		}
		return true
	}
	if s == "" || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '-' {
			return false
		}
	}
	return true
}

// virtualHostable is the rules' aws.isVirtualHostableS3Bucket: a name that
// can be the first label(s) of an S3 host — 3-63 lowercase letters, digits
// and hyphens beginning and ending with a letter or digit, not an IP
// address; with dots allowed (plain http, where no certificate is
// checked), each dot-separated part so.
func virtualHostable(name string, allowDots bool) bool {
	if allowDots && strings.Contains(name, ".") {
		if len(name) < 3 || len(name) > 63 || net.ParseIP(name) != nil {
			return false
		}
		for _, l := range strings.Split(name, ".") {
			if !lowerLabel(l) {
				return false
			}
		}
		return true
	}
	return len(name) >= 3 && len(name) <= 63 && lowerLabel(name)
}

func lowerLabel(l string) bool {
	if l == "" || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// signingRegion is the region a regional request is signed for: aws-global
// signs for us-east-1.
func signingRegion(region string) string {
	if region == "aws-global" {
		return "us-east-1"
	}
	return region
}

// resolve returns where t goes and how it is signed, or an error (wrapping
// ErrInvalidEndpoint, ErrInvalidARN or ErrInvalidBucketName) before
// anything is sent.
func (r *endpointResolver) resolve(t *target) (*endpoint, error) {
	if t.bucket == "" && t.key != "" {
		return nil, fmt.Errorf("%w: a key needs a bucket", ErrInvalidBucketName)
	}
	region := t.region
	if region == "" {
		if !r.custom {
			return nil, endpointErr(`A region must be set when sending requests to S3. (Region "aws-global" is the global endpoint s3.amazonaws.com.)`)
		}
		region = "us-east-1" // what S3-compatible stores accept
	}
	if !validRegion(region) {
		return nil, endpointErr("Invalid region: region was not a valid DNS name.")
	}
	part := partitionOf(region)
	if r.fips && !part.fips {
		return nil, endpointErr("Partition does not support FIPS")
	}
	accelerate := r.accelerate && !t.noAccelerate
	b := t.bucket
	switch {
	case b == "" && t.objectLambda:
		return r.objectLambdaService(region, part)
	case b == "" && t.expressControl:
		return r.expressControl("", region, part)
	case b == "":
		return r.regional("", region, part, false)
	case IsDirectoryBucket(b):
		return r.express(t, region, part, accelerate)
	}
	if ep, err, ok := r.outpostsAlias(t, region, part); ok {
		return ep, err
	}
	pathStyle := r.style == AddressingPath || r.style == AddressingAuto && r.custom
	if r.style != AddressingPath {
		if virtualHostable(b, false) || r.custom && r.scheme == "http" && virtualHostable(b, true) {
			return r.bucket(t, region, part, accelerate, pathStyle)
		}
	}
	if a, ok := parseARN(b); ok {
		if r.style == AddressingPath {
			return nil, endpointErr("Path-style addressing cannot be used with ARN buckets")
		}
		return r.arn(t, a, region, part, accelerate)
	}
	if strings.HasPrefix(b, "arn:") {
		return nil, arnErr("`%s` was not a valid ARN", b)
	}
	return r.bucket(t, region, part, accelerate, true)
}

// bucket is the endpoint of a general purpose bucket, virtual hosted or
// in path style.
func (r *endpointResolver) bucket(t *target, region string, part *partition, accelerate, pathStyle bool) (*endpoint, error) {
	if accelerate {
		if pathStyle {
			return nil, endpointErr("Path-style addressing cannot be used with S3 Accelerate")
		}
		if part.name == "aws-cn" {
			return nil, endpointErr("S3 Accelerate cannot be used in this region")
		}
	}
	if r.custom && r.hostIsIP {
		pathStyle = true
	}
	ep, err := r.regional(t.bucket, region, part, accelerate && !pathStyle)
	if err != nil {
		return nil, err
	}
	if pathStyle {
		setPath(ep.url, r.prefix, t.bucket, t.key)
	} else {
		ep.url.Host = t.bucket + "." + ep.url.Host
		setPath(ep.url, r.prefix, "", t.key)
	}
	return ep, nil
}

// regional is the endpoint of the S3 service in region, without a bucket:
// the custom Endpoint; s3-accelerate; s3[-fips][.dualstack].REGION.SUFFIX;
// or the global s3.SUFFIX for aws-global and, with UseGlobalEndpoint,
// us-east-1 (neither with FIPS or dual-stack).
func (r *endpointResolver) regional(bucket, region string, part *partition, accelerate bool) (*endpoint, error) {
	ep := &endpoint{url: &url.URL{Scheme: r.scheme}, signingName: "s3", signingRegion: signingRegion(region)}
	if r.custom {
		ep.url.Host = r.host
		setPath(ep.url, r.prefix, "", "")
		return ep, nil
	}
	if r.dualStack && !part.dualStack {
		return nil, endpointErr("DualStack is enabled but this partition does not support DualStack")
	}
	switch {
	case accelerate && r.dualStack && region == "aws-global":
		ep.url.Host = "s3-accelerate.dualstack.us-east-1." + part.dnsSuffix
	case accelerate && r.dualStack:
		ep.url.Host = "s3-accelerate.dualstack." + part.dnsSuffix
	case accelerate:
		ep.url.Host = "s3-accelerate." + part.dnsSuffix
	case !r.fips && !r.dualStack && (region == "aws-global" || r.globalEndpoint && region == "us-east-1"):
		ep.url.Host = "s3." + part.dnsSuffix
	default:
		ep.url.Host = serviceHost("s3", r.fips, r.dualStack, signingRegion(region), part)
	}
	setPath(ep.url, "", "", "")
	return ep, nil
}

// serviceHost returns NAME[-fips][.dualstack].REGION.SUFFIX.
func serviceHost(name string, fips, dualStack bool, region string, part *partition) string {
	if fips {
		name += "-fips"
	}
	if dualStack {
		name += ".dualstack"
	}
	return name + "." + region + "." + part.dnsSuffix
}

// labeled returns the URL of labels in front of the custom endpoint's host
// (with its path), or of awsHost on AWS.
func (r *endpointResolver) labeled(labels, awsHost string) *url.URL {
	u := &url.URL{Scheme: r.scheme, Host: labels + "." + awsHost}
	if r.custom {
		u.Host = labels + "." + r.host
	}
	setPath(u, r.prefix, "", "")
	return u
}

// objectLambdaService is the endpoint of WriteGetObjectResponse.
func (r *endpointResolver) objectLambdaService(region string, part *partition) (*endpoint, error) {
	switch {
	case r.dualStack:
		return nil, endpointErr("S3 Object Lambda does not support Dual-stack")
	case r.accelerate:
		return nil, endpointErr("S3 Object Lambda does not support S3 Accelerate")
	}
	ep := &endpoint{url: &url.URL{Scheme: r.scheme, Host: r.host}, signingName: "s3-object-lambda", signingRegion: signingRegion(region)}
	if !r.custom {
		ep.url.Host = serviceHost("s3-object-lambda", r.fips, false, signingRegion(region), part)
	}
	setPath(ep.url, r.prefix, "", "")
	return ep, nil
}

// setPath sets u's path to prefix/bucket/key (bucket and key may be
// empty), with RawPath its S3 encoding: the bucket is one path segment
// (a '/' in it is encoded), the key keeps its slashes.
func setPath(u *url.URL, prefix, bucket, key string) {
	p, raw := prefix+"/", encodePath(prefix)+"/"
	if bucket != "" {
		p += bucket
		raw += sigv4.URIEncode(bucket, false)
		if key != "" {
			p += "/"
			raw += "/"
		}
	}
	u.Path, u.RawPath = p+key, raw+encodePath(key)
}
