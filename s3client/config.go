package s3client

// The client's settings (Config) and LoadConfig, which fills them from the
// environment and the AWS shared files as the AWS CLI does. The parsing of
// those files is internal/awsconfig's; the HTTP transport is transport.go's.

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
	"sync"
	"time"

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

// Config configures a Client. The zero value is usable: anonymous requests
// to the AWS endpoints, with every default below. New copies it; later
// changes have no effect on the Client.
type Config struct {
	// Region is the AWS region requests are signed for and, on AWS, sent
	// to; S3's redirects teach the client the region of a bucket that is
	// elsewhere. "" signs for us-east-1 (AddressingPath on AWS needs it
	// set). With a custom Endpoint it is only the signing region (most
	// stores accept "us-east-1").
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
	// UseAccelerate sends object requests to S3 Transfer Acceleration
	// (BUCKET.s3-accelerate.amazonaws.com). AWS endpoints only, bucket
	// names without dots, virtual-hosted addressing.
	UseAccelerate bool
	// Credentials signs every request; nil sends anonymous, unsigned
	// requests (public buckets).
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
	// fallbacks); nil disables logging. Secrets are never logged.
	Logger *slog.Logger
	// AllowSSECOverHTTP lets SSE-C keys travel over plain http, which S3
	// itself refuses; for local test servers only.
	AllowSSECOverHTTP bool
	// Now is the clock used for signing; nil means time.Now. Tests fake
	// clock skew with it.
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
	// Profile overrides AWS_PROFILE.
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
//   - PayloadSigning: payload_signing_enabled = true in "s3 =" gives
//     PayloadSigningSigned (false keeps the default, as in botocore).
//   - MaxAttempts: AWS_MAX_ATTEMPTS, max_attempts.
//   - ChecksumPolicy: AWS_REQUEST_CHECKSUM_CALCULATION,
//     request_checksum_calculation (when_supported or when_required).
//   - HTTPClient: with AWS_CA_BUNDLE or ca_bundle (a PEM file), a client
//     with DefaultTransport() trusting only those certificates; otherwise
//     nil (the default).
//   - Credentials, in botocore's order: AWS_ACCESS_KEY_ID,
//     AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (and
//     AWS_CREDENTIAL_EXPIRATION); then keys in the credentials file; then
//     credential_process (run when credentials are first needed, cached
//     until five minutes before they expire); then keys in the config
//     file. A source that botocore would try before the keys but s3kit
//     cannot use yet — role_arn, web identity (web_identity_token_file,
//     AWS_WEB_IDENTITY_TOKEN_FILE), SSO (sso_session, sso_start_url),
//     credential_source — is an error wrapping errors.ErrUnsupported,
//     rather than a silent fall-back to other keys. With no source at all,
//     Credentials is nil (anonymous requests).
//
// Booleans are "true" or "false" (any case); anything else is an error
// that says where the value came from. Errors never contain secrets.
//
// ctx bounds nothing yet: every source LoadConfig reads is local, and
// credential_process runs later, under the context of the first request.
func LoadConfig(ctx context.Context, opts *LoadOptions) (Config, error) {
	_ = ctx
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	l := loader{getenv: o.Getenv}
	prof, err := awsconfig.Load(o.Getenv, o.Profile)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	l.prof = prof
	return l.load()
}

// loader reads one setting after another for LoadConfig.
type loader struct {
	getenv func(string) string
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

func (l *loader) load() (Config, error) {
	var cfg Config
	var endpointFrom string
	region := first(l.env("AWS_REGION"), l.env("AWS_DEFAULT_REGION"), l.profile("region"))
	if region.set() && !validRegion(region.value) {
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

	if cfg.Credentials, err = l.credentials(); err != nil {
		return Config{}, err
	}
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

// credentials picks the credential source; see LoadConfig.
func (l *loader) credentials() (sigv4.CredentialsProvider, error) {
	akid, secret := l.env("AWS_ACCESS_KEY_ID"), l.env("AWS_SECRET_ACCESS_KEY")
	if akid.set() || secret.set() {
		if !akid.set() || !secret.set() {
			return nil, fmt.Errorf("%w: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together", ErrInvalidConfig)
		}
		c := sigv4.Credentials{AccessKeyID: akid.value, SecretAccessKey: secret.value,
			SessionToken: first(l.env("AWS_SESSION_TOKEN"), l.env("AWS_SECURITY_TOKEN")).value}
		if exp := l.env("AWS_CREDENTIAL_EXPIRATION"); exp.set() {
			t, err := time.Parse(time.RFC3339, exp.value)
			if err != nil {
				return nil, fmt.Errorf("%w: AWS_CREDENTIAL_EXPIRATION %q is not an RFC 3339 time", ErrInvalidConfig, exp.value)
			}
			c.Expires = t
		}
		return sigv4.StaticProvider{Credentials: c}, nil
	}

	// What botocore tries before the shared keys, and s3kit cannot do yet.
	for _, key := range [...]string{"role_arn", "web_identity_token_file", "sso_session", "sso_start_url", "credential_source"} {
		if s := l.profile(key); s.set() {
			return nil, fmt.Errorf("s3client: %s: profile %q: %s credentials: %w", s.where, l.prof.Name, key, errors.ErrUnsupported)
		}
	}
	if s := l.env("AWS_WEB_IDENTITY_TOKEN_FILE"); s.set() {
		return nil, fmt.Errorf("s3client: %s: web identity credentials: %w", s.where, errors.ErrUnsupported)
	}

	if p, err := sectionKeys(l.prof.Credentials); p != nil || err != nil {
		return p, err
	}
	if s := l.profile("credential_process"); s.set() {
		return newProcessProvider(s.value), nil
	}
	return sectionKeys(l.prof.Config)
}

// sectionKeys returns a provider of the keys in one file's profile
// section, nil if it has none.
func sectionKeys(s *awsconfig.Section) (sigv4.CredentialsProvider, error) {
	get := func(k string) string { return strings.TrimSpace(s.Get(k)) }
	akid, secret := get("aws_access_key_id"), get("aws_secret_access_key")
	switch {
	case akid == "" && secret == "":
		return nil, nil
	case akid == "":
		return nil, fmt.Errorf("%w: %s: aws_secret_access_key without aws_access_key_id", ErrInvalidConfig, s.Where("aws_secret_access_key"))
	case secret == "":
		return nil, fmt.Errorf("%w: %s: aws_access_key_id without aws_secret_access_key", ErrInvalidConfig, s.Where("aws_access_key_id"))
	}
	token := get("aws_session_token")
	if token == "" {
		token = get("aws_security_token") // the boto2 name, still read by botocore
	}
	return sigv4.NewStaticProvider(akid, secret, token), nil
}

// processRefreshWindow is how long before their expiry credentials from
// credential_process are fetched again, so that a request signed with them
// does not arrive after they lapse.
const processRefreshWindow = 5 * time.Minute

// processProvider runs credential_process when it has no fresh
// credentials; concurrent callers wait for one run instead of each
// starting the command.
type processProvider struct {
	command string
	now     func() time.Time
	sem     chan struct{} // held while the command runs

	mu    sync.Mutex
	creds sigv4.Credentials
	have  bool
}

func newProcessProvider(command string) *processProvider {
	return &processProvider{command: command, now: time.Now, sem: make(chan struct{}, 1)}
}

func (p *processProvider) cached() (sigv4.Credentials, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.have && (p.creds.Expires.IsZero() || p.now().Add(processRefreshWindow).Before(p.creds.Expires)) {
		return p.creds, true
	}
	return sigv4.Credentials{}, false
}

// Retrieve returns the cached credentials or runs the command. Credentials
// without an Expiration are kept for the life of the provider; others are
// fetched again five minutes before they expire.
func (p *processProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	if c, ok := p.cached(); ok {
		return c, nil
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return sigv4.Credentials{}, fmt.Errorf("s3client: credentials: %w", ctx.Err())
	}
	defer func() { <-p.sem }()
	if c, ok := p.cached(); ok { // fetched while we waited
		return c, nil
	}
	c, err := awsconfig.ProcessCredentials(ctx, p.command)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("s3client: credentials: %w", err)
	}
	if c.Expired(p.now()) {
		return sigv4.Credentials{}, fmt.Errorf("s3client: credentials: credential_process returned credentials that expired at %s", c.Expires.UTC().Format(time.RFC3339))
	}
	p.mu.Lock()
	p.creds, p.have = c, true
	p.mu.Unlock()
	return c, nil
}

// String names the program only: the rest of the command line may hold a
// secret.
func (p *processProvider) String() string {
	prog := "?"
	if args, err := awsconfig.SplitCommand(p.command); err == nil && len(args) > 0 {
		prog = args[0]
	}
	return "s3client.processProvider{" + prog + "}"
}

// GoString is used by %#v; it redacts like String.
func (p *processProvider) GoString() string { return p.String() }

// Format redacts for every verb.
func (p *processProvider) Format(f fmt.State, verb rune) { fmt.Fprint(f, p.String()) }
