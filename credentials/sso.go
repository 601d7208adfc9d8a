package credentials

// Credentials from IAM Identity Center (AWS SSO): the token that
// "aws sso login" caches, refreshed with its refresh token when it
// expires, exchanged for role credentials with the portal's
// GetRoleCredentials.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/internal/awsconfig"
	"github.com/s3kit/s3kit/sigv4"
)

// ssoRefreshWindow is how long before its expiry a cached token is
// refreshed, as the AWS CLI does; a token that cannot be refreshed is used
// until it expires.
const ssoRefreshWindow = 15 * time.Minute

// SSOProvider gets role credentials with the token of an IAM Identity
// Center sign-in ("aws sso login"), read from the AWS CLI's token cache:
// CacheDir/<hex SHA-1 of the session name, or of the start URL for a
// legacy profile without sso_session>.json. A token within 15 minutes of
// its expiry is refreshed with its refresh token (the OIDC CreateToken
// call), for an sso_session profile whose client registration is still
// valid, and the cache file rewritten as the CLI does. The token then buys
// the role's credentials from the portal's GetRoleCredentials.
//
// A missing, expired or refused token is an error that says to run
// "aws sso login --profile PROFILE". Tokens never appear in errors or in
// fmt output. Wrap the provider in a Cache: each Retrieve asks the portal.
type SSOProvider struct {
	// Profile names the profile, for the advice in errors.
	Profile string
	// SessionName is the sso_session the profile names; "" for a legacy
	// profile with sso_start_url and sso_region of its own.
	SessionName string
	// StartURL and Region are the sign-in's sso_start_url and sso_region.
	StartURL, Region string
	// AccountID and RoleName are the profile's sso_account_id and
	// sso_role_name.
	AccountID, RoleName string
	// CacheDir is the token cache; "" means ~/.aws/sso/cache.
	CacheDir string
	// Getenv finds the home directory (nil means os.Getenv).
	Getenv func(string) string
	// HTTPClient sends the requests; nil means a default client with
	// timeouts.
	HTTPClient *http.Client
	// PortalEndpoint replaces https://portal.sso.REGION.amazonaws.com and
	// OIDCEndpoint https://oidc.REGION.amazonaws.com (tests).
	PortalEndpoint, OIDCEndpoint string
	// Now is the clock (nil means time.Now).
	Now func() time.Time

	mu sync.Mutex // serializes refreshes of the cache file
}

// ssoToken is a file of the AWS CLI's SSO token cache.
type ssoToken struct {
	StartURL              string `json:"startUrl,omitempty"`
	Region                string `json:"region,omitempty"`
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
	RefreshToken          string `json:"refreshToken,omitempty"`
}

// Retrieve returns the role's credentials.
func (p *SSOProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	token, err := p.token(ctx)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	return p.roleCredentials(ctx, token)
}

func (p *SSOProvider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *SSOProvider) client() *http.Client {
	if p.HTTPClient != nil {
		return p.HTTPClient
	}
	return sharedSTSClient()
}

// errorf formats an error of the provider, with the CLI's advice when
// login is the cure.
func (p *SSOProvider) errorf(login bool, format string, args ...any) error {
	msg := fmt.Sprintf("credentials: sso: profile %q: "+format, append([]any{p.Profile}, args...)...)
	if login {
		msg += "; run aws sso login --profile " + p.Profile
	}
	return errors.New(msg)
}

// CachePath returns the token cache file of the provider's sign-in.
func (p *SSOProvider) CachePath() (string, error) {
	dir := p.CacheDir
	if dir == "" {
		if dir = awsconfig.SSOCacheDir(orGetenv(p.Getenv)); dir == "" {
			return "", p.errorf(false, "no home directory for the SSO token cache")
		}
	}
	id := p.SessionName
	if id == "" {
		id = p.StartURL
	}
	sum := sha1.Sum([]byte(id))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
}

// token returns a valid access token, refreshed when it is about to
// expire.
func (p *SSOProvider) token(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path, err := p.CachePath()
	if err != nil {
		return "", err
	}
	b, err := readLimited(path, maxTokenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", p.errorf(true, "no SSO token in %s", path)
	}
	if err != nil {
		return "", p.errorf(false, "SSO token cache: %v", err)
	}
	var tok ssoToken
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
		return "", p.errorf(true, "%s is not an SSO token", path)
	}
	expires, err := time.Parse(time.RFC3339, tok.ExpiresAt)
	if err != nil {
		return "", p.errorf(true, "%s: expiresAt %q is not a time", path, tok.ExpiresAt)
	}
	now := p.now()
	if now.Before(expires.Add(-ssoRefreshWindow)) {
		return tok.AccessToken, nil
	}
	if p.refreshable(tok, now) {
		fresh, rerr := p.refresh(ctx, tok)
		if rerr == nil {
			// The CLI rewrites the file; a failure to write only means the
			// next run refreshes again.
			_ = writeToken(path, fresh)
			return fresh.AccessToken, nil
		}
		if !now.Before(expires) {
			return "", p.errorf(true, "the SSO token expired at %s and its refresh failed (%v)", expires.UTC().Format(time.RFC3339), rerr)
		}
	}
	if !now.Before(expires) {
		return "", p.errorf(true, "the SSO token expired at %s", expires.UTC().Format(time.RFC3339))
	}
	return tok.AccessToken, nil
}

// refreshable reports whether tok can be refreshed: an sso_session
// token with a refresh token and a client registration still valid.
func (p *SSOProvider) refreshable(tok ssoToken, now time.Time) bool {
	if p.SessionName == "" || tok.RefreshToken == "" || tok.ClientID == "" || tok.ClientSecret == "" {
		return false
	}
	reg, err := time.Parse(time.RFC3339, tok.RegistrationExpiresAt)
	return err == nil && now.Before(reg)
}

// refresh calls the OIDC CreateToken with the refresh token.
func (p *SSOProvider) refresh(ctx context.Context, tok ssoToken) (ssoToken, error) {
	endpoint := p.OIDCEndpoint
	if endpoint == "" {
		endpoint = "https://oidc." + p.Region + ".amazonaws.com"
	}
	body, err := json.Marshal(map[string]string{
		"clientId": tok.ClientID, "clientSecret": tok.ClientSecret,
		"grantType": "refresh_token", "refreshToken": tok.RefreshToken,
	})
	if err != nil {
		return tok, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/token", bytes.NewReader(body))
	if err != nil {
		return tok, fmt.Errorf("OIDC endpoint %s: %w", safeURL(endpoint), err)
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		AccessToken  string `json:"accessToken"`
		ExpiresIn    int64  `json:"expiresIn"`
		RefreshToken string `json:"refreshToken"`
	}
	if err := p.call(req, &out); err != nil {
		return tok, fmt.Errorf("CreateToken: %w", err)
	}
	// Bounded so that the duration cannot overflow: 2^31 seconds is
	// decades, far beyond any Identity Center session.
	if out.AccessToken == "" || out.ExpiresIn <= 0 || out.ExpiresIn > math.MaxInt32 {
		return tok, errors.New("CreateToken: the answer has no token or no lifetime")
	}
	tok.AccessToken = out.AccessToken
	tok.ExpiresAt = p.now().Add(time.Duration(out.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	if out.RefreshToken != "" {
		tok.RefreshToken = out.RefreshToken
	}
	return tok, nil
}

// roleCredentials calls GetRoleCredentials.
func (p *SSOProvider) roleCredentials(ctx context.Context, token string) (sigv4.Credentials, error) {
	endpoint := p.PortalEndpoint
	if endpoint == "" {
		endpoint = "https://portal.sso." + p.Region + ".amazonaws.com"
	}
	u := strings.TrimRight(endpoint, "/") + "/federation/credentials?" +
		url.Values{"account_id": {p.AccountID}, "role_name": {p.RoleName}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return sigv4.Credentials{}, p.errorf(false, "portal %s: %v", safeURL(endpoint), err)
	}
	req.Header.Set("X-Amz-Sso_bearer_token", token)
	var out struct {
		RoleCredentials struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"` // milliseconds since 1970
		} `json:"roleCredentials"`
	}
	if err := p.call(req, &out); err != nil {
		var se *ssoStatusError
		login := errors.As(err, &se) && (se.status == http.StatusUnauthorized || se.status == http.StatusForbidden)
		return sigv4.Credentials{}, p.errorf(login, "GetRoleCredentials for role %s in account %s: %v", p.RoleName, p.AccountID, err)
	}
	rc := out.RoleCredentials
	if rc.AccessKeyID == "" || rc.SecretAccessKey == "" {
		return sigv4.Credentials{}, p.errorf(false, "GetRoleCredentials: the answer has no keys")
	}
	creds := sigv4.Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken}
	// Milliseconds within 1970..9999: beyond is no expiry but garbage.
	if rc.Expiration > 0 && rc.Expiration < 253402300800000 {
		creds.Expires = time.UnixMilli(rc.Expiration)
	}
	return creds, nil
}

// ssoStatusError is an error status of the portal or the OIDC service.
type ssoStatusError struct {
	status int
	kind   string // the service's error type, when it says
}

func (e *ssoStatusError) Error() string {
	if e.kind != "" {
		return fmt.Sprintf("HTTP %d %s", e.status, e.kind)
	}
	return fmt.Sprintf("HTTP %d", e.status)
}

// call sends req and decodes its JSON answer into out. Error answers are
// reported by status and error type only: their bodies may echo a token.
func (p *SSOProvider) call(req *http.Request, out any) error {
	resp, err := p.client().Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", safeURL(req.URL.String()), unwrapURLError(err))
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return fmt.Errorf("%s: %w", safeURL(req.URL.String()), err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
			Type  string `json:"__type"`
		}
		_ = json.Unmarshal(b, &e)
		kind := e.Type
		if kind == "" {
			kind = e.Error
		}
		if kind == "" {
			kind = resp.Header.Get("X-Amzn-Errortype")
		}
		kind, _, _ = strings.Cut(kind, ":")
		if len(kind) > 64 || strings.ContainsFunc(kind, func(r rune) bool { return r < ' ' || r > '~' }) {
			kind = ""
		}
		return &ssoStatusError{status: resp.StatusCode, kind: kind}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: the answer is not JSON", safeURL(req.URL.String()))
	}
	return nil
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the URL
// with its query.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// writeToken replaces the cache file, readable by its owner only.
func writeToken(path string, tok ssoToken) error {
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".s3kit-sso-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// String describes the provider without its token.
func (p *SSOProvider) String() string { return "credentials.SSOProvider{" + p.describe() + "}" }

func (p *SSOProvider) describe() string {
	s := "sso role " + p.RoleName + " in account " + p.AccountID + " (" + p.StartURL
	if p.SessionName != "" {
		s += ", sso_session " + p.SessionName
	}
	return s + ")"
}

// Format prints String for every verb, %#v included.
func (p *SSOProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
