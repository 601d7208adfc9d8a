package credentials

// AWS STS over the Query API: the endpoint, the one request path, the XML,
// and the two providers built on it (AssumeRoleProvider,
// WebIdentityProvider).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

const (
	stsVersion = "2011-06-15"
	// stsAttempts and stsRetryBase: STS throttles bursts of AssumeRole and
	// OIDC providers are briefly unreachable; two retries with jittered
	// backoff cover both without holding a caller long.
	stsAttempts  = 3
	stsRetryBase = 200 * time.Millisecond
)

// stsSigner signs every STS request. A Signer holds only a cache of derived
// keys, so one for the package is enough and keeps the providers copyable.
var stsSigner = &sigv4.Signer{Service: "sts"}

// STSEndpoint returns the regional endpoint of AWS STS for region and the
// region to sign for: https://sts.REGION.amazonaws.com, with the domain of
// the region's partition (amazonaws.com.cn for cn-*, c2s.ic.gov and
// sc2s.sgov.gov for the ISO regions; us-gov-* is under amazonaws.com). With
// no region (or "aws-global") it is the global endpoint
// https://sts.amazonaws.com, signed for us-east-1.
func STSEndpoint(region string) (endpoint, signingRegion string, err error) {
	if region == "" || region == "aws-global" {
		return "https://sts.amazonaws.com", "us-east-1", nil
	}
	if !validRegion(region) {
		return "", "", fmt.Errorf("credentials: sts: invalid region %q", region)
	}
	domain := "amazonaws.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		domain = "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-isob-"):
		domain = "sc2s.sgov.gov"
	case strings.HasPrefix(region, "us-iso-"):
		domain = "c2s.ic.gov"
	}
	return "https://sts." + region + "." + domain, region, nil
}

// validRegion accepts what can be a DNS label, so that a region never
// changes which host is contacted.
func validRegion(r string) bool {
	if r == "" || len(r) > 63 || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// stsCall is one STS action.
type stsCall struct {
	op       string
	region   string // "" means the global endpoint
	endpoint string // overrides the regional endpoint
	client   *http.Client
	form     url.Values
	creds    *sigv4.Credentials // nil: an unsigned call
	secrets  []string           // redacted from STS's messages
	roleARN  string             // for errors
}

// errorf formats an error of the call: "credentials: sts OP ROLE: ...".
func (c *stsCall) errorf(format string, args ...any) error {
	return fmt.Errorf("credentials: sts %s %s: "+format, append([]any{c.op, c.roleARN}, args...)...)
}

// do sends the call, retrying throttling, server errors and network
// failures, and returns the credentials of the answer.
func (c *stsCall) do(ctx context.Context) (sigv4.Credentials, error) {
	endpoint, signingRegion, err := c.resolve()
	if err != nil {
		return sigv4.Credentials{}, err
	}
	client := c.client
	if client == nil {
		client = sharedSTSClient()
	}
	c.form.Set("Action", c.op)
	c.form.Set("Version", stsVersion)
	body := c.form.Encode()
	sum := sha256.Sum256([]byte(body))
	payloadHash := hex.EncodeToString(sum[:])

	var lastErr error
	for attempt := 0; attempt < stsAttempts; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, stsRetryBase<<(attempt-1)); err != nil {
				return sigv4.Credentials{}, fmt.Errorf("%w; gave up: %w", lastErr, err)
			}
		}
		creds, retry, err := c.attempt(ctx, client, endpoint, signingRegion, body, payloadHash)
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

func (c *stsCall) resolve() (endpoint, signingRegion string, err error) {
	if c.endpoint == "" {
		endpoint, signingRegion, err = STSEndpoint(c.region)
		if err != nil {
			return "", "", c.errorf("invalid region %q", c.region)
		}
		return endpoint, signingRegion, nil
	}
	u, err := url.Parse(c.endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", "", c.errorf("endpoint %q is not an http or https URL", safeURL(c.endpoint))
	}
	signingRegion = c.region
	if signingRegion == "" || signingRegion == "aws-global" {
		signingRegion = "us-east-1"
	}
	return strings.TrimSuffix(c.endpoint, "/") + "/", signingRegion, nil
}

func (c *stsCall) attempt(ctx context.Context, client *http.Client, endpoint, signingRegion, body, payloadHash string) (creds sigv4.Credentials, retry bool, err error) {
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return sigv4.Credentials{}, false, c.errorf("%w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if c.creds != nil {
		if err := stsSigner.Sign(req, *c.creds, signingRegion, payloadHash, time.Now()); err != nil {
			return sigv4.Credentials{}, false, c.errorf("sign: %w", err)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return sigv4.Credentials{}, transient(ctx, err), c.errorf("POST %s: %w", safeURL(endpoint), err)
	}
	defer resp.Body.Close()
	data, err := readBody(resp)
	if err != nil {
		return sigv4.Credentials{}, transient(ctx, err), c.errorf("%w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := decodeSTSError(c.op, resp.StatusCode, data, c.secrets)
		e.RoleARN = c.roleARN
		if e.RequestID == "" {
			e.RequestID = resp.Header.Get("X-Amzn-Requestid")
		}
		return sigv4.Credentials{}, stsRetryable(e), e
	}
	creds, err = decodeSTSResponse(c.op, data)
	if err != nil {
		return sigv4.Credentials{}, false, c.errorf("%w", err)
	}
	return creds, false, nil
}

func stsRetryable(e *STSError) bool {
	switch e.Code {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "IDPCommunicationError":
		return true
	}
	return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests
}

// Wire types of STS answers. The result element is named after the action.
type stsResponse struct {
	XMLName     xml.Name
	AssumeRole  *stsResult `xml:"AssumeRoleResult"`
	WebIdentity *stsResult `xml:"AssumeRoleWithWebIdentityResult"`
}

type stsResult struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// decodeSTSResponse decodes a successful answer to op. Its errors (which
// the caller prefixes) never quote the document, which holds the secret.
func decodeSTSResponse(op string, data []byte) (sigv4.Credentials, error) {
	var r stsResponse
	if err := xml.Unmarshal(data, &r); err != nil {
		return sigv4.Credentials{}, fmt.Errorf("malformed XML response%s", xmlErrorLine(err))
	}
	if r.XMLName.Local != op+"Response" {
		return sigv4.Credentials{}, fmt.Errorf("unexpected response element <%.64s>", r.XMLName.Local)
	}
	res := r.AssumeRole
	if op == "AssumeRoleWithWebIdentity" {
		res = r.WebIdentity
	}
	if res == nil {
		return sigv4.Credentials{}, fmt.Errorf("response has no %sResult", op)
	}
	x := res.Credentials
	if x.AccessKeyID == "" || x.SecretAccessKey == "" || x.SessionToken == "" {
		return sigv4.Credentials{}, errors.New("response lacks AccessKeyId, SecretAccessKey or SessionToken")
	}
	exp, err := time.Parse(time.RFC3339, strings.TrimSpace(x.Expiration))
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("Expiration %.40q is not an RFC 3339 time", x.Expiration)
	}
	return sigv4.Credentials{AccessKeyID: x.AccessKeyID, SecretAccessKey: x.SecretAccessKey, SessionToken: x.SessionToken, Expires: exp}, nil
}

// decodeSTSError makes an *STSError of an error answer; a body that is not
// STS's ErrorResponse gives the HTTP status text as the code.
func decodeSTSError(op string, status int, data []byte, secrets []string) *STSError {
	e := &STSError{Op: op, StatusCode: status}
	var r stsErrorResponse
	if err := xml.Unmarshal(data, &r); err == nil && r.Error.Code != "" {
		e.Code = r.Error.Code
		e.Message = redact(strings.TrimSpace(r.Error.Message), secrets...)
		e.RequestID = r.RequestID
		return e
	}
	e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
	return e
}

// xmlErrorLine says where a document is malformed without quoting it
// (encoding/xml's messages can contain a fragment).
func xmlErrorLine(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return " (line " + strconv.Itoa(se.Line) + ")"
	}
	return ""
}

// defaultSessionName is what the SDKs do when no session name is given: a
// name unique enough to tell sessions apart in CloudTrail.
func defaultSessionName() string {
	return "s3kit-" + strconv.FormatInt(time.Now().UnixNano(), 10)
}

func setDuration(form url.Values, d time.Duration) {
	if d > 0 {
		form.Set("DurationSeconds", strconv.FormatInt(int64(d/time.Second), 10))
	}
}

// AssumeRoleProvider gets temporary credentials for a role with STS
// AssumeRole, signing the call with the credentials of Source. Wrap it in a
// Cache: every Retrieve is a call to STS.
type AssumeRoleProvider struct {
	// Source gives the credentials that call AssumeRole. Required.
	Source sigv4.CredentialsProvider
	// RoleARN is the role to assume. Required.
	RoleARN string
	// RoleSessionName names the session; "" means "s3kit-" and the time in
	// nanoseconds.
	RoleSessionName string
	// ExternalID is passed as ExternalId when not empty.
	ExternalID string
	// Duration of the credentials; zero means STS's default (one hour).
	Duration time.Duration
	// Policy is an optional session policy (JSON).
	Policy string
	// SerialNumber is the MFA device to present (mfa_serial); TokenCode
	// then supplies the current code and is required.
	SerialNumber string
	TokenCode    func() (string, error)
	// Region selects the regional STS endpoint (see STSEndpoint) and is the
	// signing region; "" means the global endpoint.
	Region string
	// Endpoint replaces the STS endpoint (an http or https URL); for tests
	// and private endpoints.
	Endpoint string
	// HTTPClient sends the call; nil means a client with timeouts.
	HTTPClient *http.Client
}

// Retrieve calls AssumeRole.
func (p *AssumeRoleProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	if p.RoleARN == "" {
		return sigv4.Credentials{}, errors.New("credentials: assume role: no RoleARN")
	}
	if p.Source == nil {
		return sigv4.Credentials{}, fmt.Errorf("credentials: assume role %s: no Source credentials provider", p.RoleARN)
	}
	src, err := p.Source.Retrieve(ctx)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("credentials: assume role %s: source credentials: %w", p.RoleARN, err)
	}
	if !src.HasKeys() {
		return sigv4.Credentials{}, fmt.Errorf("credentials: assume role %s: source credentials are empty", p.RoleARN)
	}
	form := url.Values{}
	form.Set("RoleArn", p.RoleARN)
	name := p.RoleSessionName
	if name == "" {
		name = defaultSessionName()
	}
	form.Set("RoleSessionName", name)
	if p.ExternalID != "" {
		form.Set("ExternalId", p.ExternalID)
	}
	if p.Policy != "" {
		form.Set("Policy", p.Policy)
	}
	setDuration(form, p.Duration)
	if p.SerialNumber != "" {
		if p.TokenCode == nil {
			return sigv4.Credentials{}, fmt.Errorf("credentials: assume role %s: MFA device %s needs a TokenCode function", p.RoleARN, p.SerialNumber)
		}
		code, err := p.TokenCode()
		if err != nil {
			return sigv4.Credentials{}, fmt.Errorf("credentials: assume role %s: MFA token code: %w", p.RoleARN, err)
		}
		form.Set("SerialNumber", p.SerialNumber)
		form.Set("TokenCode", code)
	}
	call := &stsCall{
		op: "AssumeRole", region: p.Region, endpoint: p.Endpoint, client: p.HTTPClient,
		form: form, creds: &src, secrets: []string{src.SecretAccessKey, src.SessionToken}, roleARN: p.RoleARN,
	}
	return call.do(ctx)
}

// String describes the provider without secrets.
func (p *AssumeRoleProvider) String() string {
	return "credentials.AssumeRoleProvider{RoleARN: " + p.RoleARN + ", Region: " + p.Region + "}"
}

func (p *AssumeRoleProvider) describe() string { return "assume role " + p.RoleARN }

// WebIdentityProvider exchanges an OpenID Connect token (EKS service
// account, GitHub Actions, ...) read from TokenFile for temporary
// credentials with STS AssumeRoleWithWebIdentity, an unsigned call. The
// file is read on every Retrieve, since its token is rotated. Wrap the
// provider in a Cache.
type WebIdentityProvider struct {
	// TokenFile holds the token. Required.
	TokenFile string
	// RoleARN is the role to assume. Required.
	RoleARN string
	// RoleSessionName names the session; "" means "s3kit-" and the time in
	// nanoseconds.
	RoleSessionName string
	// Duration of the credentials; zero means STS's default (one hour).
	Duration time.Duration
	// Policy is an optional session policy (JSON).
	Policy string
	// Region, Endpoint and HTTPClient are as in AssumeRoleProvider.
	Region     string
	Endpoint   string
	HTTPClient *http.Client
}

// Retrieve calls AssumeRoleWithWebIdentity.
func (p *WebIdentityProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	if p.RoleARN == "" || p.TokenFile == "" {
		return sigv4.Credentials{}, errors.New("credentials: web identity: both a role ARN and a token file are required")
	}
	token, err := readTokenFile(p.TokenFile)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("credentials: web identity %s: token file: %w", p.RoleARN, err)
	}
	form := url.Values{}
	form.Set("RoleArn", p.RoleARN)
	name := p.RoleSessionName
	if name == "" {
		name = defaultSessionName()
	}
	form.Set("RoleSessionName", name)
	form.Set("WebIdentityToken", token)
	if p.Policy != "" {
		form.Set("Policy", p.Policy)
	}
	setDuration(form, p.Duration)
	call := &stsCall{
		op: "AssumeRoleWithWebIdentity", region: p.Region, endpoint: p.Endpoint, client: p.HTTPClient,
		form: form, secrets: []string{token}, roleARN: p.RoleARN,
	}
	return call.do(ctx)
}

// String describes the provider without the token.
func (p *WebIdentityProvider) String() string {
	return "credentials.WebIdentityProvider{RoleARN: " + p.RoleARN + ", TokenFile: " + p.TokenFile + ", Region: " + p.Region + "}"
}

func (p *WebIdentityProvider) describe() string {
	return "web identity " + p.RoleARN + " with " + p.TokenFile
}

// Format prints String for every verb, %#v included.
func (p *AssumeRoleProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }

// Format prints String for every verb, %#v included.
func (p *WebIdentityProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
