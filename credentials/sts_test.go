package credentials

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

func TestSTSEndpoint(t *testing.T) {
	tests := []struct {
		region, endpoint, signing string
		err                       bool
	}{
		{"", "https://sts.amazonaws.com", "us-east-1", false},
		{"aws-global", "https://sts.amazonaws.com", "us-east-1", false},
		{"us-east-1", "https://sts.us-east-1.amazonaws.com", "us-east-1", false},
		{"eu-west-3", "https://sts.eu-west-3.amazonaws.com", "eu-west-3", false},
		{"cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", false},
		{"cn-northwest-1", "https://sts.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", false},
		{"us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", false},
		{"us-iso-east-1", "https://sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", false},
		{"us-isob-east-1", "https://sts.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", false},
		{"evil.com/x", "", "", true},
		{"us-east-1.attacker.net", "", "", true},
		{"US-EAST-1", "", "", true},
		{"-bad", "", "", true},
	}
	for _, tt := range tests {
		e, s, err := STSEndpoint(tt.region)
		if (err != nil) != tt.err || e != tt.endpoint || s != tt.signing {
			t.Errorf("STSEndpoint(%q) = %q, %q, %v; want %q, %q, err=%v", tt.region, e, s, err, tt.endpoint, tt.signing, tt.err)
		}
	}
}

// TestAssumeRoleRegionalEndpoint sends AssumeRole to the real-looking
// regional host names (routed to a TLS test server) and checks, in the
// fake, the host, the signature, its scope and the form.
func TestAssumeRoleRegionalEndpoint(t *testing.T) {
	tests := []struct {
		region, host, scope string
	}{
		{"us-west-2", "sts.us-west-2.amazonaws.com", "us-west-2"},
		{"cn-north-1", "sts.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"us-gov-east-1", "sts.us-gov-east-1.amazonaws.com", "us-gov-east-1"},
		{"", "sts.amazonaws.com", "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			fake := newFakeSTS(t, true)
			tn := newTestNet(t)
			tn.route(tt.host+":443", fake.srv)
			p := &AssumeRoleProvider{
				Source:          sigv4.NewStaticProvider(testAccessKeyID, testSecret, testSession),
				RoleARN:         "arn:aws:iam::123456789012:role/deploy",
				RoleSessionName: "ci-run",
				ExternalID:      "ext-42",
				Duration:        15 * time.Minute,
				Region:          tt.region,
				HTTPClient:      tn.client(),
			}
			creds, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != "ASIASTS1" || creds.SecretAccessKey != "sts-secret-1" || creds.SessionToken != "sts-token-1" {
				t.Errorf("credentials = %v", creds)
			}
			if d := time.Until(creds.Expires); d < 59*time.Minute || d > time.Hour {
				t.Errorf("Expires in %v, want about an hour", d)
			}
			calls := fake.calls()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			c := calls[0]
			if c.Host != tt.host || c.Region != tt.scope || c.AccessKeyID != testAccessKeyID || c.Token != testSession {
				t.Errorf("call = host %q region %q key %q token %q", c.Host, c.Region, c.AccessKeyID, c.Token)
			}
			for k, want := range map[string]string{
				"RoleArn": "arn:aws:iam::123456789012:role/deploy", "RoleSessionName": "ci-run",
				"ExternalId": "ext-42", "DurationSeconds": "900",
			} {
				if got := c.Form.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestAssumeRoleDefaultSessionNameAndMFA(t *testing.T) {
	fake := newFakeSTS(t, false)
	tn := newTestNet(t)
	p := &AssumeRoleProvider{
		Source:       sigv4.NewStaticProvider(testAccessKeyID, testSecret, ""),
		RoleARN:      "arn:aws:iam::123456789012:role/admin",
		SerialNumber: "arn:aws:iam::123456789012:mfa/me",
		TokenCode:    func() (string, error) { return "123456", nil },
		Endpoint:     fake.srv.URL,
		HTTPClient:   tn.client(),
	}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := fake.calls()[0]
	if !strings.HasPrefix(c.Form.Get("RoleSessionName"), "s3kit-") || c.Form.Get("SerialNumber") != p.SerialNumber ||
		c.Form.Get("TokenCode") != "123456" || c.Region != "us-east-1" || c.Token != "" {
		t.Errorf("form %v, region %q, token %q", c.Form, c.Region, c.Token)
	}
	if c.Form.Has("ExternalId") || c.Form.Has("DurationSeconds") {
		t.Errorf("unset options were sent: %v", c.Form)
	}

	p.TokenCode = nil
	if _, err := p.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "TokenCode") {
		t.Errorf("MFA without TokenCode: err = %v", err)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantCalls int
		code      string
		msgHas    string
	}{
		{"access denied", 403, stsErrorXMLf("AccessDenied", "User is not authorized to perform sts:AssumeRole"), 1, "AccessDenied", "not authorized"},
		{"message echoing the session token is redacted", 400, stsErrorXMLf("InvalidClientTokenId", "The security token "+testSession+" is invalid"), 1, "InvalidClientTokenId", "<redacted>"},
		{"throttled three times", 400, stsErrorXMLf("Throttling", "Rate exceeded"), 3, "Throttling", "Rate exceeded"},
		{"server error three times", 503, "<html>busy</html>", 3, "ServiceUnavailable", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeSTS(t, false)
			fake.fail = func(int) (int, string) { return tt.status, tt.body }
			p := &AssumeRoleProvider{
				Source:     sigv4.NewStaticProvider(testAccessKeyID, testSecret, testSession),
				RoleARN:    "arn:aws:iam::123456789012:role/r",
				Endpoint:   fake.srv.URL,
				Region:     "eu-central-1",
				HTTPClient: newTestNet(t).client(),
			}
			_, err := p.Retrieve(context.Background())
			var se *STSError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *STSError", err)
			}
			if se.Code != tt.code || se.StatusCode != tt.status || se.Op != "AssumeRole" || !strings.Contains(se.Message, tt.msgHas) {
				t.Errorf("STSError = %+v", se)
			}
			if n := len(fake.calls()); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
			if !strings.Contains(err.Error(), "arn:aws:iam::123456789012:role/r") {
				t.Errorf("error does not name the role: %v", err)
			}
			assertNoSecrets(t, "error", err.Error())
		})
	}
}

func stsErrorXMLf(code, msg string) string {
	return strings.Replace(strings.Replace(stsErrorXML, "%s", code, 1), "%s", msg, 1)
}

func TestAssumeRoleRetryThenSuccess(t *testing.T) {
	fake := newFakeSTS(t, false)
	fake.fail = func(n int) (int, string) {
		if n == 1 {
			return 500, stsErrorXMLf("InternalFailure", "oops")
		}
		return 0, ""
	}
	p := &AssumeRoleProvider{
		Source:   sigv4.NewStaticProvider(testAccessKeyID, testSecret, ""),
		RoleARN:  "arn:aws:iam::123456789012:role/r",
		Endpoint: fake.srv.URL, HTTPClient: newTestNet(t).client(),
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "ASIASTS2" {
		t.Fatalf("Retrieve = %v, %v", creds, err)
	}
}

func TestAssumeRoleSourceError(t *testing.T) {
	p := &AssumeRoleProvider{
		Source:  EnvProvider{Getenv: env(nil)},
		RoleARN: "arn:aws:iam::123456789012:role/r",
	}
	_, err := p.Retrieve(context.Background())
	if err == nil || !errors.Is(err, ErrNotConfigured) || !strings.Contains(err.Error(), "source credentials") {
		t.Errorf("err = %v", err)
	}
	if _, err := (&AssumeRoleProvider{RoleARN: "x"}).Retrieve(context.Background()); err == nil {
		t.Error("no Source: no error")
	}
	if _, err := (&AssumeRoleProvider{Source: sigv4.StaticProvider{}}).Retrieve(context.Background()); err == nil {
		t.Error("no RoleARN: no error")
	}
	bad := &AssumeRoleProvider{Source: sigv4.NewStaticProvider("a", "b", ""), RoleARN: "r", Region: "x/y"}
	if _, err := bad.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid region") {
		t.Errorf("bad region: err = %v", err)
	}
}

func TestWebIdentity(t *testing.T) {
	fake := newFakeSTS(t, true)
	tn := newTestNet(t)
	tn.route("sts.ap-southeast-2.amazonaws.com:443", fake.srv)
	tokenFile := writeFile(t, "token", testWebToken+"\n")
	p := &WebIdentityProvider{
		TokenFile: tokenFile, RoleARN: "arn:aws:iam::123456789012:role/irsa", RoleSessionName: "pod-1",
		Region: "ap-southeast-2", HTTPClient: tn.client(),
	}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIASTS1" || creds.SessionToken != "sts-token-1" || creds.Expires.IsZero() {
		t.Errorf("creds = %v", creds)
	}
	c := fake.calls()[0]
	if c.Host != "sts.ap-southeast-2.amazonaws.com" || c.Form.Get("RoleArn") != p.RoleARN || c.Form.Get("RoleSessionName") != "pod-1" {
		t.Errorf("call = %+v", c)
	}

	// The file is read on every call: a rotated token is used.
	fake.mu.Lock()
	fake.webToken = "rotated-token"
	fake.mu.Unlock()
	_, err = p.Retrieve(context.Background())
	var se *STSError
	if !errors.As(err, &se) || se.Code != "InvalidIdentityToken" || se.Op != "AssumeRoleWithWebIdentity" {
		t.Fatalf("old token accepted? err = %v", err)
	}
	assertNoSecrets(t, "error", err.Error())
	if err := writeTo(tokenFile, "rotated-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Errorf("rotated token: %v", err)
	}
	assertFormatsClean(t, p)
}

func TestWebIdentityTokenFileErrors(t *testing.T) {
	empty := writeFile(t, "empty", "  \n")
	for _, file := range []string{empty, "/nonexistent/token", ""} {
		p := &WebIdentityProvider{TokenFile: file, RoleARN: "arn:aws:iam::1:role/r", Endpoint: "http://127.0.0.1:1"}
		if _, err := p.Retrieve(context.Background()); err == nil {
			t.Errorf("token file %q: no error", file)
		}
	}
}

func TestDecodeSTSResponse(t *testing.T) {
	good := `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>` + testSecret +
		`</SecretAccessKey><SessionToken>` + testSession + `</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`
	tests := []struct {
		name, op, body string
		ok             bool
	}{
		{"good", "AssumeRole", good, true},
		{"wrong action", "AssumeRoleWithWebIdentity", good, false},
		{"truncated", "AssumeRole", good[:len(good)-40], false},
		{"no token", "AssumeRole", strings.Replace(good, testSession, "", 1), false},
		{"bad expiration", "AssumeRole", strings.Replace(good, "2030-01-02T03:04:05Z", "soon", 1), false},
		{"not xml", "AssumeRole", "{" + testSecret, false},
		{"error document", "AssumeRole", stsErrorXMLf("X", "y"), false},
	}
	for _, tt := range tests {
		creds, err := decodeSTSResponse(tt.op, []byte(tt.body))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		if err != nil {
			assertNoSecrets(t, tt.name, err.Error())
			continue
		}
		if creds.SecretAccessKey != testSecret || !creds.Expires.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("%s: creds = %v", tt.name, creds)
		}
	}
}

func TestDecodeSTSError(t *testing.T) {
	e := decodeSTSError("AssumeRole", 403, []byte(stsErrorXMLf("AccessDenied", "no "+testSecret)), []string{testSecret})
	if e.Code != "AccessDenied" || e.RequestID != "req-err-1" || strings.Contains(e.Message, testSecret) {
		t.Errorf("%+v", e)
	}
	e = decodeSTSError("AssumeRole", http.StatusBadGateway, []byte("<html>"), nil)
	if e.Code != "BadGateway" || e.Message != "" {
		t.Errorf("%+v", e)
	}
	if got := e.Error(); got != "credentials: sts AssumeRole: BadGateway (502)" {
		t.Errorf("Error() = %q", got)
	}
}

func FuzzDecodeSTSResponse(f *testing.F) {
	f.Add("AssumeRole", `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`)
	f.Add("AssumeRoleWithWebIdentity", `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials/></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`)
	f.Add("AssumeRole", stsErrorXMLf("AccessDenied", "no"))
	f.Fuzz(func(t *testing.T, op, body string) {
		creds, err := decodeSTSResponse(op, []byte(body))
		if err == nil && (!creds.HasKeys() || creds.SessionToken == "" || creds.Expires.IsZero()) {
			t.Errorf("accepted incomplete credentials: %v", creds)
		}
		if err != nil && len(body) > 8 {
			// The error never quotes the document.
			if strings.Contains(err.Error(), body) {
				t.Errorf("error quotes the body: %v", err)
			}
		}
		e := decodeSTSError(op, 400, []byte(body), nil)
		if e.StatusCode != 400 || e.Code == "" {
			t.Errorf("decodeSTSError = %+v", e)
		}
	})
}
