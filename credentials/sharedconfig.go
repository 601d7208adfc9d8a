package credentials

// Credentials from a profile of the shared config and credentials files.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/internal/awsconfig"
	"github.com/s3kit/s3kit/sigv4"
)

// SharedConfigProvider gets credentials as the profile in the shared files
// says, with the AWS CLI's precedence:
//
//  1. role_arn with source_profile or credential_source: STS AssumeRole,
//     with the source's credentials (a chain of roles is followed; a
//     source profile's own static keys win over its role_arn, and a
//     profile may name itself as source_profile to assume a role with its
//     own keys; loops are an error). credential_source is Environment,
//     Ec2InstanceMetadata or EcsContainer. role_session_name,
//     external_id, duration_seconds and mfa_serial are honoured;
//  2. web_identity_token_file with role_arn: AssumeRoleWithWebIdentity;
//  3. IAM Identity Center: sso_session naming an [sso-session NAME]
//     section (sso_start_url, sso_region), or the legacy sso_start_url and
//     sso_region in the profile, with sso_account_id and sso_role_name
//     (SSOProvider, with the token "aws sso login" cached);
//  4. aws_access_key_id and aws_secret_access_key (with
//     aws_session_token, else aws_security_token) in the credentials file;
//  5. credential_process;
//  6. the same keys in the config file.
//
// A profile with none of these
// (or no profile at all, when none was named) gives an error that matches
// ErrNotConfigured; a profile that was named but is in neither file, or a
// malformed file, is an error. The files are read on the first Retrieve;
// what they say is kept, and the remote parts are cached.
type SharedConfigProvider struct {
	opts Options

	mu       sync.Mutex
	provider sigv4.CredentialsProvider
	desc     string
}

// NewSharedConfigProvider returns a provider for the profile that opts
// names (see Options.Profile). Of opts it uses Profile, Region, Getenv,
// HTTPClient, the endpoints, AllowIMDSv1 and MFATokenCode.
func NewSharedConfigProvider(opts Options) *SharedConfigProvider {
	return &SharedConfigProvider{opts: opts}
}

// Retrieve returns the profile's credentials.
func (p *SharedConfigProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	p.mu.Lock()
	prov := p.provider
	if prov == nil {
		var (
			desc string
			err  error
		)
		prov, desc, err = p.build()
		if err != nil {
			p.mu.Unlock()
			return sigv4.Credentials{}, err
		}
		p.provider, p.desc = prov, desc
	}
	p.mu.Unlock()
	return prov.Retrieve(ctx)
}

// String describes the provider without secrets.
func (p *SharedConfigProvider) String() string {
	d := p.describe()
	if d == "" {
		d = "not loaded"
	}
	return "credentials.SharedConfigProvider{" + d + "}"
}

func (p *SharedConfigProvider) describe() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.desc
}

// profileBuilder turns profiles into providers.
type profileBuilder struct {
	opts     Options
	getenv   func(string) string
	region   string
	endpoint string
}

func (p *SharedConfigProvider) build() (sigv4.CredentialsProvider, string, error) {
	getenv := p.opts.getenv()
	prof, err := awsconfig.Load(getenv, p.opts.Profile)
	if err != nil {
		return nil, "", fmt.Errorf("credentials: shared config: %w", err)
	}
	if !prof.Found() {
		return nil, "", notConfigured("shared config", fmt.Sprintf("profile %q is in neither %s nor %s",
			prof.Name, orNoFile(prof.ConfigFile), orNoFile(prof.CredentialsFile)))
	}
	b := &profileBuilder{
		opts:     p.opts,
		getenv:   getenv,
		region:   p.opts.stsRegion(getenv, prof.Get("region")),
		endpoint: p.opts.stsEndpoint(getenv, prof),
	}
	prov, desc, err := b.resolve(prof, map[string]bool{}, true)
	if err != nil {
		return nil, "", err
	}
	return prov, fmt.Sprintf("profile %q: %s", prof.Name, desc), nil
}

func orNoFile(path string) string {
	if path == "" {
		return "(no file: no home directory)"
	}
	return path
}

// profileErrorf formats an error about a profile: "credentials: shared config:
// profile "NAME" (WHERE): ...".
func profileErrorf(prof *awsconfig.Profile, where, format string, args ...any) error {
	loc := ""
	if where != "" {
		loc = " (" + where + ")"
	}
	return fmt.Errorf("credentials: shared config: profile %q%s: "+format, append([]any{prof.Name, loc}, args...)...)
}

// resolve builds the provider of prof. visited holds the profiles already
// on the path of source_profile links.
func (b *profileBuilder) resolve(prof *awsconfig.Profile, visited map[string]bool, top bool) (sigv4.CredentialsProvider, string, error) {
	visited[prof.Name] = true
	roleARN, roleWhere, _ := prof.Lookup("role_arn")
	webFile, webWhere, _ := prof.Lookup("web_identity_token_file")
	switch {
	case roleARN != "" && webFile == "":
		return b.assumeRole(prof, roleARN, roleWhere, visited)
	case webFile != "":
		if roleARN == "" {
			return nil, "", profileErrorf(prof, webWhere, "web_identity_token_file needs role_arn")
		}
		d, err := durationSetting(prof)
		if err != nil {
			return nil, "", err
		}
		wi := &WebIdentityProvider{
			TokenFile: webFile, RoleARN: roleARN, RoleSessionName: prof.Get("role_session_name"), Duration: d,
			Region: b.region, Endpoint: b.endpoint, HTTPClient: b.opts.HTTPClient,
		}
		return NewCache(wi, nil), wi.describe(), nil
	}
	if prov, desc, ok, err := b.sso(prof); err != nil || ok {
		return prov, desc, err
	}
	if creds, file, ok, err := staticKeys(prof, prof.Credentials); err != nil {
		return nil, "", err
	} else if ok {
		return sigv4.StaticProvider{Credentials: creds}, "static keys in " + file, nil
	}
	if cmd := prof.Get("credential_process"); cmd != "" {
		pp := ProcessProvider{Command: cmd}
		return NewCache(pp, nil), pp.describe(), nil
	}
	if creds, file, ok, err := staticKeys(prof, prof.Config); err != nil {
		return nil, "", err
	} else if ok {
		return sigv4.StaticProvider{Credentials: creds}, "static keys in " + file, nil
	}
	if top {
		return nil, "", notConfigured("shared config", fmt.Sprintf("profile %q has no credentials", prof.Name))
	}
	return nil, "", profileErrorf(prof, "", "has no credentials")
}

// sso builds the SSOProvider of a profile with sso_session or the legacy
// sso_start_url; ok is false for a profile with neither.
func (b *profileBuilder) sso(prof *awsconfig.Profile) (prov sigv4.CredentialsProvider, desc string, ok bool, err error) {
	session, where, hasSession := prof.Lookup("sso_session")
	startURL, urlWhere, hasURL := prof.Lookup("sso_start_url")
	if !hasSession && !hasURL {
		return nil, "", false, nil
	}
	p := &SSOProvider{
		Profile: prof.Name, AccountID: prof.Get("sso_account_id"), RoleName: prof.Get("sso_role_name"),
		Getenv: b.getenv, HTTPClient: b.opts.HTTPClient,
		PortalEndpoint: b.opts.SSOPortalEndpoint, OIDCEndpoint: b.opts.SSOOIDCEndpoint,
	}
	switch {
	case hasSession && (session == "" || prof.SSOSession == nil):
		return nil, "", false, profileErrorf(prof, where, "sso_session %q: no [sso-session %s] section in %s", session, session, orNoFile(prof.ConfigFile))
	case hasSession:
		p.SessionName = session
		p.StartURL, p.Region = prof.SSOSession.Get("sso_start_url"), prof.SSOSession.Get("sso_region")
		if hasURL && strings.TrimRight(startURL, "/") != strings.TrimRight(p.StartURL, "/") {
			return nil, "", false, profileErrorf(prof, urlWhere, "sso_start_url differs from the one of sso-session %q", session)
		}
	default:
		where = urlWhere
		p.StartURL, p.Region = startURL, prof.Get("sso_region")
	}
	var missing []string
	for _, kv := range [...][2]string{{"sso_start_url", p.StartURL}, {"sso_region", p.Region}, {"sso_account_id", p.AccountID}, {"sso_role_name", p.RoleName}} {
		if strings.TrimSpace(kv[1]) == "" {
			missing = append(missing, kv[0])
		}
	}
	if len(missing) > 0 {
		return nil, "", false, profileErrorf(prof, where, "an SSO profile needs %s", strings.Join(missing, ", "))
	}
	return NewCache(p, nil), p.describe(), true, nil
}

// staticKeys returns the keys of one section of prof (ok false when it has
// none); one key without the other is an error.
func staticKeys(prof *awsconfig.Profile, s *awsconfig.Section) (creds sigv4.Credentials, file string, ok bool, err error) {
	if s == nil {
		return sigv4.Credentials{}, "", false, nil
	}
	id, hasID := s.Lookup("aws_access_key_id")
	secret, hasSecret := s.Lookup("aws_secret_access_key")
	switch {
	case !hasID && !hasSecret:
		return sigv4.Credentials{}, "", false, nil
	case id == "":
		return sigv4.Credentials{}, "", false, profileErrorf(prof, s.Where("aws_secret_access_key"), "aws_secret_access_key without aws_access_key_id")
	case secret == "":
		return sigv4.Credentials{}, "", false, profileErrorf(prof, s.Where("aws_access_key_id"), "aws_access_key_id without aws_secret_access_key")
	}
	token := s.Get("aws_session_token")
	if token == "" {
		token = s.Get("aws_security_token") // the boto2 name, still read by botocore
	}
	return sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}, s.File, true, nil
}

// anyStaticKeys looks in the credentials file, then the config file.
func anyStaticKeys(prof *awsconfig.Profile) (sigv4.Credentials, string, bool, error) {
	if creds, where, ok, err := staticKeys(prof, prof.Credentials); err != nil || ok {
		return creds, where, ok, err
	}
	return staticKeys(prof, prof.Config)
}

func durationSetting(prof *awsconfig.Profile) (time.Duration, error) {
	v, where, ok := prof.Lookup("duration_seconds")
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, profileErrorf(prof, where, "duration_seconds %q is not a positive number of seconds", v)
	}
	return time.Duration(n) * time.Second, nil
}

func (b *profileBuilder) assumeRole(prof *awsconfig.Profile, roleARN, where string, visited map[string]bool) (sigv4.CredentialsProvider, string, error) {
	srcName := strings.TrimSpace(prof.Get("source_profile"))
	credSource := strings.TrimSpace(prof.Get("credential_source"))
	var (
		src  sigv4.CredentialsProvider
		desc string
		err  error
	)
	switch {
	case srcName != "" && credSource != "":
		return nil, "", profileErrorf(prof, where, "role_arn has both source_profile and credential_source; use one")
	case credSource != "":
		src, desc, err = b.credentialSource(prof, credSource)
	case srcName != "":
		src, desc, err = b.sourceProfile(prof, srcName, visited)
	default:
		return nil, "", profileErrorf(prof, where, "role_arn needs source_profile or credential_source")
	}
	if err != nil {
		return nil, "", err
	}
	d, err := durationSetting(prof)
	if err != nil {
		return nil, "", err
	}
	ar := &AssumeRoleProvider{
		Source: src, RoleARN: roleARN, RoleSessionName: prof.Get("role_session_name"),
		ExternalID: prof.Get("external_id"), Duration: d, SerialNumber: prof.Get("mfa_serial"), TokenCode: b.opts.MFATokenCode,
		Region: b.region, Endpoint: b.endpoint, HTTPClient: b.opts.HTTPClient,
	}
	if ar.SerialNumber != "" && ar.TokenCode == nil {
		return nil, "", profileErrorf(prof, where, "mfa_serial is set, but Options.MFATokenCode is nil")
	}
	return NewCache(ar, nil), ar.describe() + " (source: " + desc + ")", nil
}

func (b *profileBuilder) credentialSource(prof *awsconfig.Profile, name string) (sigv4.CredentialsProvider, string, error) {
	switch name {
	case "Environment":
		return EnvProvider{Getenv: b.getenv}, "environment", nil
	case "Ec2InstanceMetadata":
		return NewCache(&IMDSProvider{Getenv: b.getenv, HTTPClient: b.opts.HTTPClient, Endpoint: b.opts.IMDSEndpoint, AllowV1: b.opts.AllowIMDSv1}, nil), "imds", nil
	case "EcsContainer":
		return NewCache(&ContainerProvider{Getenv: b.getenv, HTTPClient: b.opts.HTTPClient, Endpoint: b.opts.ContainerEndpoint}, nil), "container", nil
	}
	_, where, _ := prof.Lookup("credential_source")
	return nil, "", profileErrorf(prof, where, "credential_source %q is not Environment, Ec2InstanceMetadata or EcsContainer", name)
}

func (b *profileBuilder) sourceProfile(prof *awsconfig.Profile, name string, visited map[string]bool) (sigv4.CredentialsProvider, string, error) {
	_, where, _ := prof.Lookup("source_profile")
	if name == prof.Name {
		// Assuming a role with the profile's own keys.
		creds, file, ok, err := anyStaticKeys(prof)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			return nil, "", profileErrorf(prof, where, "source_profile names the profile itself, which has no keys")
		}
		return sigv4.StaticProvider{Credentials: creds}, fmt.Sprintf("profile %q: static keys in %s", name, file), nil
	}
	if visited[name] {
		return nil, "", profileErrorf(prof, where, "source_profile %q makes a loop", name)
	}
	sp, err := awsconfig.Load(b.getenv, name)
	if err != nil {
		return nil, "", fmt.Errorf("credentials: shared config: profile %q: source_profile: %w", prof.Name, err)
	}
	if !sp.Found() {
		return nil, "", profileErrorf(prof, where, "source_profile %q not found", name)
	}
	// A source profile's keys win over its own role_arn, as in botocore.
	creds, file, ok, err := anyStaticKeys(sp)
	if err != nil {
		return nil, "", err
	}
	if ok {
		return sigv4.StaticProvider{Credentials: creds}, fmt.Sprintf("profile %q: static keys in %s", name, file), nil
	}
	src, desc, err := b.resolve(sp, visited, false)
	if err != nil {
		return nil, "", err
	}
	return src, fmt.Sprintf("profile %q: %s", name, desc), nil
}

// Format prints String for every verb, %#v included.
func (p *SharedConfigProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
