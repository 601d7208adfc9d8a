package credentials

// Credentials from EC2 instance metadata (IMDS), IMDSv2 first.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

const (
	imdsEndpoint     = "http://169.254.169.254"
	imdsEndpointIPv6 = "http://[fd00:ec2::254]"
	imdsTokenPath    = "/latest/api/token"
	imdsRolePath     = "/latest/meta-data/iam/security-credentials/"
	// Short limits, as the SDKs use: off EC2 nothing answers, and the
	// chain must not hang on its last source.
	defaultIMDSTimeout  = time.Second
	imdsAttempts        = 2
	defaultIMDSTokenTTL = 6 * time.Hour
)

// IMDSProvider gets the credentials of the instance's IAM role from the EC2
// instance metadata service, as the SDKs do:
//
//   - IMDSv2: a session token from PUT /latest/api/token (header
//     X-aws-ec2-metadata-token-ttl-seconds), kept until shortly before it
//     expires and sent as X-aws-ec2-metadata-token with each GET of
//     /latest/meta-data/iam/security-credentials/ (the role name) and
//     .../ROLE (the credentials);
//   - IMDSv1 (the same GETs without a token) only when AllowV1 is set and
//     AWS_EC2_METADATA_V1_DISABLED is not true, and only when the token
//     request was refused (403, 404, 405), failed on the network or timed
//     out, or met a server error — never after a 400;
//   - AWS_EC2_METADATA_DISABLED=true turns the provider off (its error
//     matches ErrNotConfigured);
//   - the endpoint is Endpoint, else AWS_EC2_METADATA_SERVICE_ENDPOINT,
//     else http://169.254.169.254 (or http://[fd00:ec2::254] when
//     AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is IPv6).
//
// Each request has a short timeout and at most two attempts. Wrap the
// provider in a Cache. Use it by pointer: it keeps the session token.
type IMDSProvider struct {
	// Getenv looks up a variable; nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient lends its transport to the requests when it is an
	// *http.Transport (for a CA bundle or a test dialer); nil or any other
	// client means a default client. The requests never go through a
	// proxy and never follow a redirect, whatever HTTPClient says (see
	// ContainerProvider.HTTPClient).
	HTTPClient *http.Client
	// Endpoint replaces the metadata endpoint (scheme and host).
	Endpoint string
	// AllowV1 permits the IMDSv1 fallback described above. It is off by
	// default: IMDSv1 is what SSRF attacks on EC2 use, and every instance
	// launched since 2019 serves IMDSv2.
	AllowV1 bool
	// Timeout bounds each attempt of each request; zero means one second.
	Timeout time.Duration
	// TokenTTL is the lifetime asked for the session token; zero means six
	// hours (the maximum).
	TokenTTL time.Duration

	mu           sync.Mutex
	token        string
	tokenExpires time.Time
	role         string // last role seen, for describe
}

// imdsSession is what one Retrieve needs.
type imdsSession struct {
	client  *http.Client
	base    string
	timeout time.Duration
	v1ok    bool
}

func isTrue(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "true") }

// Retrieve fetches the instance role's credentials.
func (p *IMDSProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	getenv := orGetenv(p.Getenv)
	if isTrue(getenv("AWS_EC2_METADATA_DISABLED")) {
		return sigv4.Credentials{}, notConfigured("imds", "AWS_EC2_METADATA_DISABLED is true")
	}
	base, err := p.endpoint(getenv)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	client, release := metadataClient(p.HTTPClient)
	defer release()
	s := &imdsSession{client: client, base: base, timeout: p.Timeout,
		v1ok: p.AllowV1 && !isTrue(getenv("AWS_EC2_METADATA_V1_DISABLED"))}
	if s.timeout <= 0 {
		s.timeout = defaultIMDSTimeout
	}

	body, err := p.get(ctx, s, imdsRolePath)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	role, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	role = strings.TrimSpace(role)
	if role == "" {
		return sigv4.Credentials{}, fmt.Errorf("credentials: imds: %s%s: no IAM role is attached to the instance", base, imdsRolePath)
	}
	body, err = p.get(ctx, s, imdsRolePath+url.PathEscape(role))
	if err != nil {
		return sigv4.Credentials{}, err
	}
	where := base + imdsRolePath + url.PathEscape(role)
	var r struct {
		Code            string
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		Token           string
		Expiration      string
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return sigv4.Credentials{}, fmt.Errorf("credentials: imds: %s: response is not the expected JSON%s", where, jsonErrorOffset(err))
	}
	if r.Code != "" && r.Code != "Success" {
		return sigv4.Credentials{}, fmt.Errorf("credentials: imds: %s: Code %.64q", where, r.Code)
	}
	creds, err := makeCredentials("imds", where, r.AccessKeyID, r.SecretAccessKey, r.Token, r.Expiration)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	p.mu.Lock()
	p.role = role
	p.mu.Unlock()
	return creds, nil
}

func (p *IMDSProvider) endpoint(getenv func(string) string) (string, error) {
	e := p.Endpoint
	if e == "" {
		e = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT")
	}
	if e == "" {
		switch mode := getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"); strings.ToLower(mode) {
		case "", "ipv4":
			return imdsEndpoint, nil
		case "ipv6":
			return imdsEndpointIPv6, nil
		default:
			return "", fmt.Errorf("credentials: imds: AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE %.20q is not IPv4 or IPv6", mode)
		}
	}
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("credentials: imds: endpoint %q is not an http or https URL", safeURL(e))
	}
	return strings.TrimSuffix(e, "/"), nil
}

// get GETs path with the session token (or without one, for IMDSv1). A 401
// means the token expired early (the instance was stopped, say): it is
// dropped and the request made once more with a new one.
func (p *IMDSProvider) get(ctx context.Context, s *imdsSession, path string) ([]byte, error) {
	for try := 0; ; try++ {
		token, err := p.sessionToken(ctx, s)
		if err != nil {
			return nil, err
		}
		h := http.Header{}
		if token != "" {
			h.Set("X-Aws-Ec2-Metadata-Token", token)
		}
		status, body, err := s.do(ctx, http.MethodGet, path, h)
		if err != nil {
			return nil, err
		}
		switch {
		case status == http.StatusOK:
			return body, nil
		case status == http.StatusUnauthorized && token != "" && try == 0:
			p.dropToken(token)
			continue
		case status == http.StatusNotFound && path == imdsRolePath:
			return nil, fmt.Errorf("credentials: imds: GET %s%s: 404 Not Found: no IAM role is attached to the instance", s.base, path)
		}
		return nil, fmt.Errorf("credentials: imds: GET %s%s: %d %s", s.base, path, status, http.StatusText(status))
	}
}

// sessionToken returns the IMDSv2 token, or "" when IMDSv1 is to be used.
func (p *IMDSProvider) sessionToken(ctx context.Context, s *imdsSession) (string, error) {
	p.mu.Lock()
	if p.token != "" && time.Until(p.tokenExpires) > time.Minute {
		t := p.token
		p.mu.Unlock()
		return t, nil
	}
	p.mu.Unlock()

	ttl := p.TokenTTL
	if ttl <= 0 || ttl > defaultIMDSTokenTTL {
		ttl = defaultIMDSTokenTTL
	}
	if ttl < time.Second {
		ttl = time.Second
	}
	h := http.Header{}
	h.Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", strconv.FormatInt(int64(ttl/time.Second), 10))
	start := time.Now()
	status, body, err := s.do(ctx, http.MethodPut, imdsTokenPath, h)
	if err == nil && status == http.StatusOK {
		tok := strings.TrimSpace(string(body))
		if tok == "" || strings.ContainsAny(tok, "\r\n") {
			return "", fmt.Errorf("credentials: imds: PUT %s%s: empty or malformed token", s.base, imdsTokenPath)
		}
		p.mu.Lock()
		p.token, p.tokenExpires = tok, start.Add(ttl)
		p.mu.Unlock()
		return tok, nil
	}
	var why string
	fallback := false
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return "", err
		}
		why = strings.TrimPrefix(err.Error(), "credentials: imds: ")
		fallback = true
	case status == http.StatusBadRequest:
		// A 400 means the request was wrong (a bad TTL), not that IMDSv2
		// is missing: falling back would hide the problem.
		return "", fmt.Errorf("credentials: imds: PUT %s%s: 400 Bad Request", s.base, imdsTokenPath)
	default:
		why = fmt.Sprintf("PUT %s%s: %d %s", s.base, imdsTokenPath, status, http.StatusText(status))
		fallback = status == http.StatusForbidden || status == http.StatusNotFound ||
			status == http.StatusMethodNotAllowed || status >= 500
	}
	if fallback && s.v1ok {
		return "", nil
	}
	if fallback {
		return "", fmt.Errorf("credentials: imds: %s (the IMDSv1 fallback is not allowed)", why)
	}
	return "", fmt.Errorf("credentials: imds: %s", why)
}

func (p *IMDSProvider) dropToken(token string) {
	p.mu.Lock()
	if p.token == token {
		p.token, p.tokenExpires = "", time.Time{}
	}
	p.mu.Unlock()
}

// do makes one request with up to imdsAttempts attempts, retrying network
// failures, timeouts, 429 and 5xx. A status that is still bad after the
// last attempt is returned, not an error.
func (s *imdsSession) do(ctx context.Context, method, path string, h http.Header) (int, []byte, error) {
	var (
		status int
		body   []byte
		err    error
	)
	for attempt := 0; attempt < imdsAttempts; attempt++ {
		if attempt > 0 {
			if serr := sleep(ctx, 100*time.Millisecond); serr != nil {
				return 0, nil, serr
			}
		}
		var retry bool
		status, body, retry, err = s.attempt(ctx, method, path, h)
		if !retry {
			break
		}
	}
	return status, body, err
}

func (s *imdsSession) attempt(ctx context.Context, method, path string, h http.Header) (status int, body []byte, retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, method, s.base+path, nil)
	if err != nil {
		return 0, nil, false, fmt.Errorf("credentials: imds: %s %s%s: bad request", method, s.base, path)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, transient(ctx, err), fmt.Errorf("credentials: imds: %s %s%s: %w", method, s.base, path, err)
	}
	defer resp.Body.Close()
	body, err = readBody(resp)
	if err != nil {
		return 0, nil, transient(ctx, err), fmt.Errorf("credentials: imds: %s %s%s: %w", method, s.base, path, err)
	}
	retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	return resp.StatusCode, body, retry, nil
}

// String describes the provider.
func (p *IMDSProvider) String() string { return "credentials.IMDSProvider" }

func (p *IMDSProvider) describe() string {
	base, err := p.endpoint(orGetenv(p.Getenv))
	if err != nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.role != "" {
		return base + " role " + p.role
	}
	return base
}

// Format prints String for every verb, %#v included.
func (p *IMDSProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
