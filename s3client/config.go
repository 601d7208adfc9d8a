package s3client

// The client's settings (Config) and LoadConfig, which fills them from the
// environment and the AWS shared files as the AWS CLI does. The parsing of
// those files is internal/awsconfig's, the credential sources are the
// credentials package's, and the HTTP transport is transport.go's.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/s3kit/s3kit/credentials"
	"github.com/s3kit/s3kit/internal/awsconfig"
	"github.com/s3kit/s3kit/sigv4"
)

// ErrInvalidConfig is wrapped by every error about a Config setting or a
// value LoadConfig read.
var ErrInvalidConfig = errors.New("s3client: invalid config")

// PayloadSigning says what the signature covers of a request body.
type PayloadSigning int

const (
	// PayloadSigningAuto, the default, sends UNSIGNED-PAYLOAD over https,
	// where TLS already protects the body and hashing it twice would cost
	// a pass over the data, and signs the body's SHA-256 over plain http.
	PayloadSigningAuto PayloadSigning = iota
	// PayloadSigningUnsigned always sends UNSIGNED-PAYLOAD.
	PayloadSigningUnsigned
	// PayloadSigningSigned always signs the SHA-256 of the body, which
	// must then be read once before it is sent.
	PayloadSigningSigned
	// PayloadSigningStreaming sends bodies aws-chunked, each chunk signed
	// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): signed, yet read only once.
	PayloadSigningStreaming
)

// String returns "auto", "unsigned", "signed" or "streaming".
func (p PayloadSigning) String() string {
	switch p {
	case PayloadSigningAuto:
		return "auto"
	case PayloadSigningUnsigned:
		return "unsigned"
	case PayloadSigningSigned:
		return "signed"
	case PayloadSigningStreaming:
		return "streaming"
	}
	return "PayloadSigning(" + strconv.Itoa(int(p)) + ")"
}

// ChecksumPolicy says when uploads carry an additional checksum
// (x-amz-checksum-*), as boto3's request_checksum_calculation does.
type ChecksumPolicy int

const (
	// ChecksumAuto, the default, is ChecksumWhenSupported on the AWS
	// endpoints and ChecksumWhenRequired on a custom Endpoint, so that
	// S3-compatible stores that do not know the checksum headers keep
	// working.
	ChecksumAuto ChecksumPolicy = iota
	// ChecksumWhenSupported sends a checksum with every upload that can
	// carry one.
	ChecksumWhenSupported
	// ChecksumWhenRequired sends one only when the caller asks for it or
	// the operation requires it (DeleteObjects).
	ChecksumWhenRequired
)

// String returns "auto", "when_supported" or "when_required", the values
// of request_checksum_calculation in the AWS config file.
func (p ChecksumPolicy) String() string {
	switch p {
	case ChecksumAuto:
		return "auto"
	case ChecksumWhenSupported:
		return "when_supported"
	case ChecksumWhenRequired:
		return "when_required"
	}
	return "ChecksumPolicy(" + strconv.Itoa(int(p)) + ")"
}

// Defaults of the zero Config fields.
const (
	// DefaultMaxAttempts is the number of attempts, the first included.
	DefaultMaxAttempts = 3
	// DefaultRetryBaseDelay is the first backoff ceiling; each retry
	// doubles it (full jitter: the wait is uniform in [0, ceiling)).
	DefaultRetryBaseDelay = 100 * time.Millisecond
	// DefaultRetryMaxDelay caps the backoff ceiling, as the AWS SDKs' 20s.
	DefaultRetryMaxDelay = 20 * time.Second
)

// Logger is what receives a client's debug records; a *slog.Logger is
// one. The client asks for no more than this method so that a program that
// logs nothing does not carry log/slog's handlers: they and what they
// format with (encoding/json, reflection) are a quarter of a MiB of binary,
// linked only when a *slog.Logger is given to a Config.
type Logger interface {
	LogAttrs(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr)
}

// Config configures a Client. The zero value is usable: anonymous requests
// to the AWS endpoints, with every default below. New copies it; later
// changes have no effect on the Client.
type Config struct {
	// Region is the AWS region requests are signed for and, on AWS, sent
	// to; S3's redirects teach the client the region of a bucket that is
	// elsewhere. On AWS it must be set, as the endpoint rules say:
	// "aws-global" is the global endpoint s3.amazonaws.com, signed for
	// us-east-1 (what the AWS CLI uses when no region is configured). With
	// a custom Endpoint it is only the signing region, and "" signs for
	// us-east-1, which most stores accept.
	Region string
	// Endpoint is the URL of an S3-compatible store ("http://localhost:9000",
	// "https://minio.example.com/s3"); "" means AWS. A path in it is kept
	// as a prefix of every request path.
	Endpoint string
	// AddressingStyle says where the bucket name goes; see AddressingAuto.
	AddressingStyle AddressingStyle
	// UseDualStack sends requests to the IPv4/IPv6 hosts
	// (s3.dualstack.REGION.amazonaws.com). AWS endpoints only.
	UseDualStack bool
	// UseFIPS sends requests to the FIPS 140 endpoints
	// (s3-fips.REGION.amazonaws.com); not in aws-cn, not with a custom
	// Endpoint or UseAccelerate.
	UseFIPS bool
	// UseAccelerate sends object requests to S3 Transfer Acceleration
	// (BUCKET.s3-accelerate.amazonaws.com). AWS endpoints only, bucket
	// names without dots, virtual-hosted addressing.
	UseAccelerate bool
	// UseGlobalEndpoint sends the requests of Region us-east-1 to the
	// legacy global endpoint s3.amazonaws.com instead of
	// s3.us-east-1.amazonaws.com (s3_us_east_1_regional_endpoint = legacy).
	UseGlobalEndpoint bool
	// UseARNRegion says whether a bucket ARN (an access point, Object
	// Lambda or Outposts) may name another region than Region: nil or
	// true sends the request to the ARN's region, as the AWS CLI does;
	// false refuses it.
	UseARNRegion *bool
	// DisableMultiRegionAccessPoints refuses Multi-Region Access Point
	// ARNs.
	DisableMultiRegionAccessPoints bool
	// DisableS3ExpressSessionAuth signs directory bucket requests with the
	// credentials themselves (service s3express) instead of the session
	// credentials CreateSession issues.
	DisableS3ExpressSessionAuth bool
	// Credentials signs every request; nil sends anonymous, unsigned
	// requests (public buckets). LoadConfig sets a *credentials.Chain,
	// whose Source method says which source it used.
	Credentials sigv4.CredentialsProvider
	// HTTPClient sends the requests; nil means a client with
	// DefaultTransport() and no overall timeout (transfers can take
	// hours; use contexts). The Client uses a copy that does not follow
	// redirects, since S3's redirects are answered by re-signing.
	HTTPClient *http.Client
	// MaxAttempts is how many times a request is sent at most, the first
	// one included: 0 means DefaultMaxAttempts, 1 disables retries.
	MaxAttempts int
	// RetryBaseDelay and RetryMaxDelay shape the exponential backoff
	// between attempts; 0 means DefaultRetryBaseDelay and
	// DefaultRetryMaxDelay.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// PayloadSigning says what the signature covers of a body.
	PayloadSigning PayloadSigning
	// ChecksumPolicy says when uploads carry an additional checksum.
	ChecksumPolicy ChecksumPolicy
	// UserAgent is appended to the User-Agent header "s3kit/VERSION".
	UserAgent string
	// Logger receives debug records (retries, redirects, compatibility
	// fallbacks): a *slog.Logger, usually. Nil disables logging. Secrets
	// are never logged.
	Logger Logger
	// AllowSSECOverHTTP lets SSE-C keys travel over plain http, which S3
	// itself refuses; for local test servers only.
	AllowSSECOverHTTP bool
	// Now is the clock used for signing; nil means time.Now. Tests fake
	// clock skew with it. The client corrects it by what it learns from
	// RequestTimeTooSkewed answers, by MaxClockSkew at most.
	Now func() time.Time
}

// validate checks the settings that newEndpointResolver does not: New
// should call both.
func (c *Config) validate() error {
	switch {
	case c.MaxAttempts < 0:
		return fmt.Errorf("%w: MaxAttempts %d is negative", ErrInvalidConfig, c.MaxAttempts)
	case c.RetryBaseDelay < 0 || c.RetryMaxDelay < 0:
		return fmt.Errorf("%w: negative retry delay", ErrInvalidConfig)
	case c.PayloadSigning < PayloadSigningAuto || c.PayloadSigning > PayloadSigningStreaming:
		return fmt.Errorf("%w: unknown %v", ErrInvalidConfig, c.PayloadSigning)
	case c.ChecksumPolicy < ChecksumAuto || c.ChecksumPolicy > ChecksumWhenRequired:
		return fmt.Errorf("%w: unknown %v", ErrInvalidConfig, c.ChecksumPolicy)
	}
	base, maxDelay := c.RetryBaseDelay, c.RetryMaxDelay
	if base == 0 {
		base = DefaultRetryBaseDelay
	}
	if maxDelay == 0 {
		maxDelay = DefaultRetryMaxDelay
	}
	if base > maxDelay {
		return fmt.Errorf("%w: RetryBaseDelay %v is above RetryMaxDelay %v", ErrInvalidConfig, base, maxDelay)
	}
	return nil
}

// LoadOptions adjusts LoadConfig; a nil *LoadOptions means the defaults.
type LoadOptions struct {
	// Profile overrides AWS_PROFILE; as in boto3, a profile named here
	// also keeps the environment's keys out of Credentials.
	Profile string
	// Getenv replaces os.Getenv, for tests and for programs that keep
	// their settings elsewhere. Every environment read goes through it,
	// the home directory ($HOME, %USERPROFILE%) included.
	Getenv func(string) string
}

// LoadConfig returns the Config the AWS CLI and boto3 would use, read from
// the environment and the shared files, with their precedence (the first
// that is set wins):
//
//   - profile: LoadOptions.Profile, AWS_PROFILE, AWS_DEFAULT_PROFILE,
//     "default"; a profile named but found in neither file is an error.
//   - files: AWS_CONFIG_FILE (~/.aws/config, sections [profile NAME] and
//     [default]) and AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials,
//     sections [NAME]); the credentials file wins for every key. Missing
//     files are fine; a malformed one is an error naming the file and line.
//   - Region: AWS_REGION, AWS_DEFAULT_REGION, region.
//   - Endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, endpoint_url in the
//     s3 part of the profile's [services NAME] section, endpoint_url in the
//     profile's own "s3 =" sub-section (the awscli-plugin-endpoint
//     convention), endpoint_url; none of them when
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or ignore_configured_endpoint_urls
//     is true.
//   - AddressingStyle: addressing_style in "s3 =".
//   - UseDualStack: AWS_USE_DUALSTACK_ENDPOINT, use_dualstack_endpoint in
//     "s3 =", use_dualstack_endpoint.
//   - UseAccelerate: use_accelerate_endpoint in "s3 =".
//   - UseFIPS: AWS_USE_FIPS_ENDPOINT, use_fips_endpoint.
//   - UseARNRegion: AWS_S3_USE_ARN_REGION, use_arn_region in "s3 =",
//     s3_use_arn_region; unset leaves it nil (follow the ARN).
//   - DisableMultiRegionAccessPoints: AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS,
//     s3_disable_multiregion_access_points in "s3 =" or the profile.
//   - DisableS3ExpressSessionAuth: AWS_S3_DISABLE_EXPRESS_SESSION_AUTH,
//     s3_disable_express_session_auth.
//   - UseGlobalEndpoint: AWS_S3_US_EAST_1_REGIONAL_ENDPOINT,
//     us_east_1_regional_endpoint in "s3 =", s3_us_east_1_regional_endpoint:
//     "legacy" sets it, "regional" (s3kit's default) does not.
//   - PayloadSigning: payload_signing_enabled = true in "s3 =" gives
//     PayloadSigningSigned (false keeps the default, as in botocore).
//   - MaxAttempts: AWS_MAX_ATTEMPTS, max_attempts.
//   - ChecksumPolicy: AWS_REQUEST_CHECKSUM_CALCULATION,
//     request_checksum_calculation (when_supported or when_required).
//   - HTTPClient: with AWS_CA_BUNDLE or ca_bundle (a PEM file), a client
//     with DefaultTransport() trusting only those certificates; otherwise
//     nil (the default).
//   - Credentials: a *credentials.Chain, credentials.NewDefaultChain given
//     LoadOptions.Profile, the Region above, LoadOptions.Getenv and the
//     CA-bundle HTTPClient, if any, for its own requests: STS with it, the
//     metadata endpoints with its certificates but never through
//     HTTP_PROXY and never following a redirect (see
//     credentials.ContainerProvider). It takes, in the AWS SDKs' order,
//     the first of:
//     the environment's keys (skipped when LoadOptions.Profile is set, as
//     boto3 skips them for a profile named in code); the profile's
//     role_arn, web_identity_token_file, keys in the credentials file,
//     credential_process, keys in the config file;
//     AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN; the ECS or EKS
//     container endpoint; EC2 instance metadata. The chain's Source method
//     names the one it used. The credentials package documents each source
//     and the variables that move or disable them (AWS_ENDPOINT_URL_STS,
//     AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_EC2_METADATA_SERVICE_ENDPOINT,
//     AWS_EC2_METADATA_DISABLED); for its other options (MFATokenCode,
//     AllowIMDSv1), build a chain and replace Credentials.
//
// The chain looks for credentials when the first request needs them, since
// most sources are remote or run a program: a source that is configured
// but broken (role_arn without source_profile, a key without its pair in a
// file, a missing token file, an SSO profile, which s3kit does not
// support) and the absence of any source are errors of that request, which
// wrap a *credentials.ChainError listing what each source said. What costs
// nothing to check is checked here: half a key pair or a bad
// AWS_CREDENTIAL_EXPIRATION in the environment, when the chain would read
// it. For anonymous requests (public buckets), set Credentials to nil.
//
// Booleans are "true" or "false" (any case); anything else is an error
// that says where the value came from. Errors never contain secrets.
//
// ctx bounds nothing: every source LoadConfig reads is local, and the
// credential sources are used later, under the context of the first
// request.
func LoadConfig(ctx context.Context, opts *LoadOptions) (Config, error) {
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	l := loader{getenv: o.Getenv, named: o.Profile}
	prof, err := awsconfig.Load(o.Getenv, o.Profile)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	l.prof = prof
	return l.load(ctx)
}

// loader reads one setting after another for LoadConfig.
type loader struct {
	getenv func(string) string
	named  string // LoadOptions.Profile
	prof   *awsconfig.Profile
}

// setting is a value LoadConfig found and where: "environment variable X"
// or "FILE:LINE".
type setting struct {
	value, where string
}

func (s setting) set() bool { return s.value != "" }

func (l *loader) env(name string) setting {
	return setting{strings.TrimSpace(l.getenv(name)), "environment variable " + name}
}

func (l *loader) profile(key string) setting {
	v, where, _ := l.prof.Lookup(key)
	return setting{strings.TrimSpace(v), where}
}

func (l *loader) s3(key string) setting {
	v, where, _ := l.prof.LookupSub("s3", key)
	return setting{strings.TrimSpace(v), where}
}

func (l *loader) service(key string) setting {
	v, where, _ := l.prof.LookupService("s3", key)
	return setting{strings.TrimSpace(v), where}
}

// first returns the first setting that is set, or the zero setting.
func first(candidates ...setting) setting {
	for _, s := range candidates {
		if s.set() {
			return s
		}
	}
	return setting{}
}

func (s setting) bool(name string) (bool, error) {
	switch strings.ToLower(s.value) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, fmt.Errorf("%w: %s: %s %q is not true or false", ErrInvalidConfig, s.where, name, s.value)
}

func (l *loader) load(ctx context.Context) (Config, error) {
	var cfg Config
	var endpointFrom string
	region := first(l.env("AWS_REGION"), l.env("AWS_DEFAULT_REGION"), l.profile("region"))
	if region.set() && !hostLabel(region.value, false) {
		return Config{}, fmt.Errorf("%w: %s: region %q is not a valid region name", ErrInvalidConfig, region.where, region.value)
	}
	cfg.Region = region.value

	ignore, err := first(l.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), l.profile("ignore_configured_endpoint_urls")).bool("ignore_configured_endpoint_urls")
	if err != nil {
		return Config{}, err
	}
	if !ignore {
		ep := first(l.env("AWS_ENDPOINT_URL_S3"), l.env("AWS_ENDPOINT_URL"), l.service("endpoint_url"), l.s3("endpoint_url"), l.profile("endpoint_url"))
		if ep.set() {
			if _, _, _, _, err := parseEndpoint(ep.value); err != nil {
				return Config{}, fmt.Errorf("%w: %s: endpoint URL %w", ErrInvalidConfig, ep.where, err)
			}
		}
		cfg.Endpoint = ep.value
		endpointFrom = ep.where
	}

	if s := l.s3("addressing_style"); s.set() {
		if cfg.AddressingStyle, err = ParseAddressingStyle(s.value); err != nil {
			return Config{}, fmt.Errorf("%w: %s: addressing_style %q is not auto, virtual or path", ErrInvalidConfig, s.where, s.value)
		}
	}
	if cfg.UseDualStack, err = first(l.env("AWS_USE_DUALSTACK_ENDPOINT"), l.s3("use_dualstack_endpoint"), l.profile("use_dualstack_endpoint")).bool("use_dualstack_endpoint"); err != nil {
		return Config{}, err
	}
	if cfg.UseAccelerate, err = l.s3("use_accelerate_endpoint").bool("use_accelerate_endpoint"); err != nil {
		return Config{}, err
	}
	if cfg.UseFIPS, err = first(l.env("AWS_USE_FIPS_ENDPOINT"), l.profile("use_fips_endpoint")).bool("use_fips_endpoint"); err != nil {
		return Config{}, err
	}
	if s := first(l.env("AWS_S3_USE_ARN_REGION"), l.s3("use_arn_region"), l.profile("s3_use_arn_region")); s.set() {
		v, err := s.bool("s3_use_arn_region")
		if err != nil {
			return Config{}, err
		}
		cfg.UseARNRegion = &v
	}
	if cfg.DisableMultiRegionAccessPoints, err = first(l.env("AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS"),
		l.s3("s3_disable_multiregion_access_points"), l.profile("s3_disable_multiregion_access_points")).bool("s3_disable_multiregion_access_points"); err != nil {
		return Config{}, err
	}
	if cfg.DisableS3ExpressSessionAuth, err = first(l.env("AWS_S3_DISABLE_EXPRESS_SESSION_AUTH"),
		l.profile("s3_disable_express_session_auth")).bool("s3_disable_express_session_auth"); err != nil {
		return Config{}, err
	}
	if s := first(l.env("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"), l.s3("us_east_1_regional_endpoint"), l.profile("s3_us_east_1_regional_endpoint")); s.set() {
		switch strings.ToLower(s.value) {
		case "legacy":
			cfg.UseGlobalEndpoint = true
		case "regional":
		default:
			return Config{}, fmt.Errorf("%w: %s: s3_us_east_1_regional_endpoint %q is not legacy or regional", ErrInvalidConfig, s.where, s.value)
		}
	}
	signed, err := l.s3("payload_signing_enabled").bool("payload_signing_enabled")
	if err != nil {
		return Config{}, err
	}
	if signed {
		cfg.PayloadSigning = PayloadSigningSigned
	}

	if s := first(l.env("AWS_MAX_ATTEMPTS"), l.profile("max_attempts")); s.set() {
		n, err := strconv.Atoi(s.value)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("%w: %s: max_attempts %q is not a whole number of at least 1", ErrInvalidConfig, s.where, s.value)
		}
		cfg.MaxAttempts = n
	}
	if s := first(l.env("AWS_REQUEST_CHECKSUM_CALCULATION"), l.profile("request_checksum_calculation")); s.set() {
		switch strings.ToLower(s.value) {
		case "when_supported":
			cfg.ChecksumPolicy = ChecksumWhenSupported
		case "when_required":
			cfg.ChecksumPolicy = ChecksumWhenRequired
		default:
			return Config{}, fmt.Errorf("%w: %s: request_checksum_calculation %q is not when_supported or when_required", ErrInvalidConfig, s.where, s.value)
		}
	}
	if s := first(l.env("AWS_CA_BUNDLE"), l.profile("ca_bundle")); s.set() {
		pool, err := loadCABundle(s.value)
		if err != nil {
			return Config{}, fmt.Errorf("%w: %s: %w", ErrInvalidConfig, s.where, err)
		}
		t := DefaultTransport()
		t.TLSClientConfig.RootCAs = pool
		cfg.HTTPClient = &http.Client{Transport: t}
	}

	// The endpoint settings may contradict each other across sources
	// (endpoint_url with use_dualstack_endpoint); say so now, not at New.
	if _, err := newEndpointResolver(&cfg); err != nil {
		if endpointFrom != "" {
			return Config{}, fmt.Errorf("%w (Endpoint from %s)", err, endpointFrom)
		}
		return Config{}, err
	}

	// The environment's keys cost nothing to check, and half a pair
	// would fail every request; the chain reads them only when no
	// profile was named in LoadOptions.
	if l.named == "" {
		if _, err := (credentials.EnvProvider{Getenv: l.getenv}).Retrieve(ctx); err != nil && !errors.Is(err, credentials.ErrNotConfigured) {
			return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	cfg.Credentials = credentials.NewDefaultChain(credentials.Options{
		Profile:    l.named,
		Region:     cfg.Region,
		Getenv:     l.getenv,
		HTTPClient: cfg.HTTPClient,
	})
	return cfg, nil
}

// loadCABundle reads a PEM file of trusted root certificates.
func loadCABundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s has no PEM certificate", path)
	}
	return pool, nil
}
