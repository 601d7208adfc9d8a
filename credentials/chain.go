package credentials

// The default chain: Options, Chain, NewDefaultChain, and the sources that
// exist only inside it (static keys, web identity from the environment).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/s3kit/s3kit/internal/awsconfig"
	"github.com/s3kit/s3kit/sigv4"
)

// Options configures NewDefaultChain and NewSharedConfigProvider. The zero
// value reads the real environment and files and uses the real endpoints.
type Options struct {
	// Credentials, when they have keys, are used before anything else
	// (static configuration).
	Credentials sigv4.Credentials
	// Profile names the shared-config profile; "" means AWS_PROFILE, else
	// AWS_DEFAULT_PROFILE, else "default". A profile named here also skips
	// the environment's keys, as boto3 does for a profile given in code (a
	// profile named by AWS_PROFILE does not).
	Profile string
	// Region selects the regional STS endpoint; "" means AWS_REGION, else
	// AWS_DEFAULT_REGION, else the profile's region, else the global
	// endpoint.
	Region string
	// Getenv looks up environment variables (nil means os.Getenv); the
	// shared files are found through it too (AWS_CONFIG_FILE, HOME, ...).
	Getenv func(string) string
	// HTTPClient sends the STS and IAM Identity Center requests of the
	// chain. The container
	// endpoint and IMDS get a clone of its transport, when that is an
	// *http.Transport, without its proxy and without following redirects
	// (see ContainerProvider.HTTPClient), so that a client that honours
	// HTTP_PROXY for STS never hands a metadata token to the proxy. nil
	// means default clients with timeouts.
	HTTPClient *http.Client
	// STSEndpoint replaces the STS endpoint (an http or https URL); ""
	// means AWS_ENDPOINT_URL_STS, else the profile's "services" sts
	// endpoint_url, else the regional endpoint. The variable and the file
	// are ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
	STSEndpoint string
	// ContainerEndpoint replaces http://169.254.170.2, the base of
	// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
	ContainerEndpoint string
	// IMDSEndpoint replaces the instance metadata endpoint (see
	// IMDSProvider).
	IMDSEndpoint string
	// AllowIMDSv1 permits falling back to IMDSv1 when IMDSv2 is refused
	// (see IMDSProvider.AllowV1).
	AllowIMDSv1 bool
	// MFATokenCode supplies the MFA code for a profile with mfa_serial; nil
	// makes such profiles fail with an error that says so.
	MFATokenCode func() (string, error)
	// SSOPortalEndpoint and SSOOIDCEndpoint replace the IAM Identity
	// Center endpoints of SSO profiles (see SSOProvider):
	// https://portal.sso.REGION.amazonaws.com and
	// https://oidc.REGION.amazonaws.com.
	SSOPortalEndpoint, SSOOIDCEndpoint string
}

func (o *Options) getenv() func(string) string { return orGetenv(o.Getenv) }

// stsRegion picks the STS region: the option, the environment, then the
// profile's region.
func (o *Options) stsRegion(getenv func(string) string, profileRegion string) string {
	for _, r := range [...]string{o.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), profileRegion} {
		if r = strings.TrimSpace(r); r != "" {
			return r
		}
	}
	return ""
}

// stsEndpoint picks the STS endpoint override, if any.
func (o *Options) stsEndpoint(getenv func(string) string, prof *awsconfig.Profile) string {
	if o.STSEndpoint != "" {
		return o.STSEndpoint
	}
	if isTrue(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
		return ""
	}
	if e := getenv("AWS_ENDPOINT_URL_STS"); e != "" {
		return e
	}
	if prof != nil {
		if e, _, ok := prof.LookupService("sts", "endpoint_url"); ok {
			return e
		}
	}
	return ""
}

// ChainSource is one source of a Chain.
type ChainSource struct {
	// Name says where credentials come from ("environment", "imds"); it is
	// what Chain.Source reports.
	Name     string
	Provider sigv4.CredentialsProvider
}

// Chain tries its sources in order until one gives credentials, and then
// keeps to that source: later calls go to it alone, so that a process does
// not switch identities because a source failed once. A source whose error
// matches ErrNotConfigured is passed over; any other error stops the walk,
// as in the AWS SDKs, since a source that is configured but failing (a
// role that cannot be assumed, say) should be fixed, not replaced by the
// next one. When no source gives credentials, the error is a *ChainError
// that lists what each source said, and the next Retrieve walks the chain
// again. A Chain is safe for concurrent use.
type Chain struct {
	sources []ChainSource
	walk    chan struct{} // a lock for the walk that a ctx can abandon

	mu       sync.Mutex
	selected *ChainSource
}

// NewChain returns a Chain of the given sources.
func NewChain(sources ...ChainSource) *Chain {
	return &Chain{sources: append([]ChainSource(nil), sources...), walk: make(chan struct{}, 1)}
}

// NewDefaultChain returns the chain that the AWS SDKs use, in their order:
//
//  1. "static": opts.Credentials, when they have keys;
//  2. "environment": AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
//     AWS_SESSION_TOKEN (EnvProvider), skipped when opts.Profile is set;
//  3. "shared config": the profile in the shared files
//     (SharedConfigProvider: keys, credential_process, role_arn with
//     source_profile or credential_source, web_identity_token_file, SSO);
//  4. "web identity": AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN and
//     AWS_ROLE_SESSION_NAME (WebIdentityProvider);
//  5. "container": AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI
//     (ContainerProvider);
//  6. "imds": EC2 instance metadata (IMDSProvider), unless
//     AWS_EC2_METADATA_DISABLED is true.
//
// Every remote source is wrapped in a Cache. Nothing is read or fetched
// until the first Retrieve.
func NewDefaultChain(opts Options) *Chain {
	getenv := opts.getenv()
	sources := []ChainSource{{Name: "static", Provider: staticSource{creds: opts.Credentials}}}
	if opts.Profile == "" {
		sources = append(sources, ChainSource{Name: "environment", Provider: EnvProvider{Getenv: getenv}})
	} else {
		sources = append(sources, ChainSource{Name: "environment", Provider: skippedSource{
			source: "environment", reason: fmt.Sprintf("skipped, since profile %q was named in Options", opts.Profile)}})
	}
	sources = append(sources,
		ChainSource{Name: "shared config", Provider: NewSharedConfigProvider(opts)},
		ChainSource{Name: "web identity", Provider: &envWebIdentity{opts: opts}},
		ChainSource{Name: "container", Provider: NewCache(&ContainerProvider{
			Getenv: getenv, HTTPClient: opts.HTTPClient, Endpoint: opts.ContainerEndpoint}, nil)},
		ChainSource{Name: "imds", Provider: NewCache(&IMDSProvider{
			Getenv: getenv, HTTPClient: opts.HTTPClient, Endpoint: opts.IMDSEndpoint, AllowV1: opts.AllowIMDSv1}, nil)},
	)
	return NewChain(sources...)
}

// Retrieve returns credentials from the chosen source, choosing it first
// if needed.
func (c *Chain) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	if s := c.chosen(); s != nil {
		return s.Provider.Retrieve(ctx)
	}
	select {
	case c.walk <- struct{}{}:
	case <-ctx.Done():
		return sigv4.Credentials{}, fmt.Errorf("credentials: chain: %w", ctx.Err())
	}
	defer func() { <-c.walk }()
	if s := c.chosen(); s != nil { // chosen while we waited
		return s.Provider.Retrieve(ctx)
	}
	var attempts []SourceError
	for i := range c.sources {
		s := &c.sources[i]
		creds, err := s.Provider.Retrieve(ctx)
		if err == nil && !creds.HasKeys() {
			err = fmt.Errorf("credentials: %s: empty credentials", s.Name)
		}
		if err == nil {
			c.mu.Lock()
			c.selected = s
			c.mu.Unlock()
			return creds, nil
		}
		attempts = append(attempts, SourceError{Source: s.Name, Err: err})
		if !isNotConfigured(err) || ctx.Err() != nil {
			break
		}
	}
	return sigv4.Credentials{}, &ChainError{Attempts: attempts}
}

func isNotConfigured(err error) bool { return errors.Is(err, ErrNotConfigured) }

func (c *Chain) chosen() *ChainSource {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.selected
}

// Source reports which source the chain uses, with a short description
// when the source has one: for example
// `shared config: profile "dev": assume role arn:aws:iam::123456789012:role/r
// (source: profile "base": static keys in /home/u/.aws/credentials)`.
// It is "" until a Retrieve has succeeded.
func (c *Chain) Source() string {
	s := c.chosen()
	if s == nil {
		return ""
	}
	if d, ok := s.Provider.(describer); ok {
		if desc := d.describe(); desc != "" {
			return s.Name + ": " + desc
		}
	}
	return s.Name
}

// String describes the chain without secrets.
func (c *Chain) String() string {
	names := make([]string, len(c.sources))
	for i, s := range c.sources {
		names[i] = s.Name
	}
	src := c.Source()
	if src == "" {
		src = "none yet"
	}
	return "credentials.Chain{" + strings.Join(names, ", ") + "; using: " + src + "}"
}

// staticSource is the chain's first source.
type staticSource struct{ creds sigv4.Credentials }

func (s staticSource) Retrieve(context.Context) (sigv4.Credentials, error) {
	if !s.creds.HasKeys() {
		return sigv4.Credentials{}, notConfigured("static", "no credentials in Options")
	}
	return s.creds, nil
}

func (s staticSource) String() string                { return "credentials.staticSource{" + s.creds.String() + "}" }
func (s staticSource) Format(f fmt.State, verb rune) { formatAs(f, verb, s.String()) }
func (s staticSource) describe() string              { return "" }

// skippedSource stands for a source the options turned off, so that the
// chain's error still says why it was not used.
type skippedSource struct{ source, reason string }

func (s skippedSource) Retrieve(context.Context) (sigv4.Credentials, error) {
	return sigv4.Credentials{}, notConfigured(s.source, s.reason)
}

func (s skippedSource) describe() string { return "" }

// envWebIdentity is the chain's "web identity" source: a
// WebIdentityProvider configured by AWS_WEB_IDENTITY_TOKEN_FILE,
// AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME, built on first use.
type envWebIdentity struct {
	opts Options

	mu    sync.Mutex
	cache *Cache
	wi    *WebIdentityProvider
}

func (s *envWebIdentity) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	s.mu.Lock()
	cache := s.cache
	if cache == nil {
		wi, err := s.build()
		if err != nil {
			s.mu.Unlock()
			return sigv4.Credentials{}, err
		}
		s.wi, s.cache = wi, NewCache(wi, nil)
		cache = s.cache
	}
	s.mu.Unlock()
	return cache.Retrieve(ctx)
}

func (s *envWebIdentity) build() (*WebIdentityProvider, error) {
	getenv := s.opts.getenv()
	file, role := getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), getenv("AWS_ROLE_ARN")
	switch {
	case file == "":
		return nil, notConfigured("web identity", "AWS_WEB_IDENTITY_TOKEN_FILE is not set")
	case role == "":
		return nil, fmt.Errorf("credentials: web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
	}
	region := s.opts.stsRegion(getenv, "")
	var prof *awsconfig.Profile
	if region == "" || s.opts.STSEndpoint == "" {
		// The profile's region and STS endpoint, when the files can be
		// read; a broken file is the shared config source's to report.
		prof, _ = awsconfig.Load(getenv, s.opts.Profile)
		if prof != nil && region == "" {
			region = s.opts.stsRegion(getenv, prof.Get("region"))
		}
	}
	return &WebIdentityProvider{
		TokenFile: file, RoleARN: role, RoleSessionName: getenv("AWS_ROLE_SESSION_NAME"),
		Region: region, Endpoint: s.opts.stsEndpoint(getenv, prof), HTTPClient: s.opts.HTTPClient,
	}, nil
}

func (s *envWebIdentity) describe() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wi == nil {
		return ""
	}
	return s.wi.describe()
}

// Format prints String for every verb, %#v included.
func (c *Chain) Format(f fmt.State, verb rune) { formatAs(f, verb, c.String()) }
