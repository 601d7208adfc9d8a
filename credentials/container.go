package credentials

// Credentials from the container endpoint: ECS task roles and EKS Pod
// Identity.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

const (
	// ecsEndpoint is the base of AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
	ecsEndpoint             = "http://169.254.170.2"
	defaultContainerTimeout = 2 * time.Second
	containerAttempts       = 2
)

// Hosts other than loopback that AWS_CONTAINER_CREDENTIALS_FULL_URI may
// name over plain http: ECS, and the EKS Pod Identity agent (IPv4, IPv6).
var containerHosts = []net.IP{
	net.ParseIP("169.254.170.2"),
	net.ParseIP("169.254.170.23"),
	net.ParseIP("fd00:ec2::23"),
}

// ContainerProvider gets credentials from the endpoint that ECS and EKS
// Pod Identity give a container, as the SDKs do:
//
//   - AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is a path on
//     http://169.254.170.2 (ECS); it wins over
//   - AWS_CONTAINER_CREDENTIALS_FULL_URI, a whole URL, which must be https
//     or name a loopback address, the ECS address or the EKS Pod Identity
//     agent (169.254.170.23, fd00:ec2::23), so that the authorization token
//     and the credentials never travel in clear to another host;
//   - AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every call, as EKS
//     rotates it) or else AWS_CONTAINER_AUTHORIZATION_TOKEN is sent as the
//     Authorization header.
//
// With neither URI variable set its error matches ErrNotConfigured. Each
// Retrieve is one request (two attempts at most); wrap the provider in a
// Cache.
type ContainerProvider struct {
	// Getenv looks up a variable; nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient lends its transport to the request when it is an
	// *http.Transport (for a CA bundle that signs an https FULL_URI, or a
	// test dialer), cloned with Proxy set to nil; nil or any other client
	// means a default client. The request never goes through a proxy,
	// which would see the authorization token, and never follows a
	// redirect, which would carry the token past the host check above.
	HTTPClient *http.Client
	// Endpoint replaces http://169.254.170.2 as the base of the relative
	// URI; for tests.
	Endpoint string
	// Timeout bounds each attempt; zero means 2 seconds.
	Timeout time.Duration
}

// Retrieve fetches the container's credentials.
func (p *ContainerProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	getenv := orGetenv(p.Getenv)
	target, err := p.target(getenv)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	token, err := containerToken(getenv)
	if err != nil {
		return sigv4.Credentials{}, err
	}
	client, release := metadataClient(p.HTTPClient)
	defer release()
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = defaultContainerTimeout
	}
	var lastErr error
	for attempt := 0; attempt < containerAttempts; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				return sigv4.Credentials{}, fmt.Errorf("%w; gave up: %w", lastErr, err)
			}
		}
		creds, retry, err := p.attempt(ctx, client, timeout, target, token)
		if err == nil {
			return creds, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return sigv4.Credentials{}, lastErr
}

// target returns the URL to ask.
func (p *ContainerProvider) target(getenv func(string) string) (string, error) {
	if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		if !strings.HasPrefix(rel, "/") {
			return "", errors.New("credentials: container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI does not start with /")
		}
		base := p.Endpoint
		if base == "" {
			base = ecsEndpoint
		}
		return strings.TrimSuffix(base, "/") + rel, nil
	}
	full := getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if full == "" {
		return "", notConfigured("container", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
	}
	u, err := url.Parse(full)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("credentials: container: AWS_CONTAINER_CREDENTIALS_FULL_URI %q is not a URL", safeURL(full))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowedContainerHost(u.Hostname()) {
			return "", fmt.Errorf("credentials: container: AWS_CONTAINER_CREDENTIALS_FULL_URI host %q is not allowed over http: "+
				"it must be a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23, or the URL must be https", u.Hostname())
		}
	default:
		return "", fmt.Errorf("credentials: container: AWS_CONTAINER_CREDENTIALS_FULL_URI scheme %q is not http or https", u.Scheme)
	}
	return full, nil
}

func allowedContainerHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		// A name that resolves to loopback is not enough: whoever controls
		// DNS would receive the token.
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	for _, h := range containerHosts {
		if ip.Equal(h) {
			return true
		}
	}
	return false
}

// containerToken returns the authorization token, "" when none is set.
func containerToken(getenv func(string) string) (string, error) {
	var tok string
	if f := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" {
		t, err := readTokenFile(f)
		if err != nil {
			return "", fmt.Errorf("credentials: container: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %w", err)
		}
		tok = t
	} else {
		tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	}
	if strings.ContainsAny(tok, "\r\n") {
		return "", errors.New("credentials: container: the authorization token contains a line break")
	}
	return tok, nil
}

// containerResponse is the JSON of the endpoint, success or error.
type containerResponse struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	// Errors: ECS sends code and message; the EKS agent sends the same.
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p *ContainerProvider) attempt(ctx context.Context, client *http.Client, timeout time.Duration, target, token string) (creds sigv4.Credentials, retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	shown := safeURL(target)
	req, err := http.NewRequestWithContext(actx, http.MethodGet, target, nil)
	if err != nil {
		return sigv4.Credentials{}, false, fmt.Errorf("credentials: container: GET %s: bad request", shown)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return sigv4.Credentials{}, transient(ctx, err), fmt.Errorf("credentials: container: GET %s: %w", shown, err)
	}
	defer resp.Body.Close()
	data, err := readBody(resp)
	if err != nil {
		return sigv4.Credentials{}, transient(ctx, err), fmt.Errorf("credentials: container: GET %s: %w", shown, err)
	}
	var r containerResponse
	jsonErr := json.Unmarshal(data, &r)
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("credentials: container: GET %s: %s", shown, resp.Status)
		if jsonErr == nil && (r.Code != "" || r.Message != "") {
			msg += ": " + r.Code
			if r.Message != "" {
				msg += ": " + redact(r.Message, token)
			}
		}
		retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		return sigv4.Credentials{}, retry, errors.New(msg)
	}
	if jsonErr != nil {
		return sigv4.Credentials{}, false, fmt.Errorf("credentials: container: GET %s: response is not the expected JSON%s", shown, jsonErrorOffset(jsonErr))
	}
	creds, err = makeCredentials("container", shown, r.AccessKeyID, r.SecretAccessKey, r.Token, r.Expiration)
	return creds, false, err
}

// makeCredentials checks the fields of a JSON credentials document (the
// container endpoint's and IMDS's share them).
func makeCredentials(source, where, id, secret, token, expiration string) (sigv4.Credentials, error) {
	if id == "" || secret == "" {
		return sigv4.Credentials{}, fmt.Errorf("credentials: %s: %s: response lacks AccessKeyId or SecretAccessKey", source, where)
	}
	c := sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}
	if expiration != "" {
		t, err := time.Parse(time.RFC3339, expiration)
		if err != nil {
			return sigv4.Credentials{}, fmt.Errorf("credentials: %s: %s: Expiration %.40q is not an RFC 3339 time", source, where, expiration)
		}
		c.Expires = t
	}
	return c, nil
}

// jsonErrorOffset says where a document is malformed without quoting it.
func jsonErrorOffset(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf(" (at byte %d)", se.Offset)
	}
	return ""
}

// String describes the provider.
func (p *ContainerProvider) String() string {
	return "credentials.ContainerProvider"
}

func (p *ContainerProvider) describe() string {
	t, err := p.target(orGetenv(p.Getenv))
	if err != nil {
		return ""
	}
	return safeURL(t)
}

// Format prints String for every verb, %#v included.
func (p *ContainerProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
