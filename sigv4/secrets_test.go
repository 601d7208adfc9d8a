package sigv4

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"
)

const (
	secretText = "SECRETwJalrXUtnFEMIK7MDENGbPxRfiCYzz"
	tokenText  = "TOKENFwoGZXIvYXdzEBYaDHNlc3Npb25Ub2tlbg"
)

var secretCreds = Credentials{AccessKeyID: "AKIDVISIBLE", SecretAccessKey: secretText, SessionToken: tokenText, Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}

// assertNoSecret fails if s contains the secret or the token, or any long
// piece of them (a truncated or escaped leak is still a leak).
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{secretText, tokenText} {
		for i := 0; i+8 <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+8]) {
				t.Errorf("%s leaks %q: %s", what, secret[i:i+8], s)
				return
			}
		}
	}
}

func TestCredentialsFormattingRedacts(t *testing.T) {
	p := StaticProvider{Credentials: secretCreds}
	np := NewStaticProvider("AKIDVISIBLE", secretText, tokenText)
	type holder struct { // how a config struct embeds them
		Name  string
		Creds Credentials
		Prov  StaticProvider
		Ptr   *Credentials
	}
	h := holder{"cfg", secretCreds, p, &secretCreds}
	values := map[string]any{
		"Credentials":         secretCreds,
		"*Credentials":        &secretCreds,
		"StaticProvider":      p,
		"*StaticProvider":     &p,
		"NewStaticProvider":   np,
		"CredentialsProvider": CredentialsProvider(p),
		"struct holding them": h,
		"slice of them":       []Credentials{secretCreds},
		"map of them":         map[string]Credentials{"k": secretCreds},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%20v", "%-v", "%d", "%T"}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, name+" "+verb, out)
		}
		assertNoSecret(t, name+" Sprint", fmt.Sprint(v))
		assertNoSecret(t, name+" Sprintln", fmt.Sprintln(v, v))
		assertNoSecret(t, name+" in an error", fmt.Errorf("loading %v: failed", v).Error())
		assertNoSecret(t, name+" wrapped", fmt.Errorf("outer: %w", fmt.Errorf("inner %+v", v)).Error())
	}
	// The redacted form is still useful: it names the key ID and says
	// which parts are present.
	for _, s := range []string{secretCreds.String(), fmt.Sprintf("%#v", secretCreds), p.String()} {
		if !strings.Contains(s, "AKIDVISIBLE") || !strings.Contains(s, "<redacted>") || !strings.Contains(s, "2030-01-02T03:04:05Z") {
			t.Errorf("redacted form %q lacks the key ID, the markers or the expiry", s)
		}
	}
	if got := fmt.Sprintf("%q", secretCreds); got != fmt.Sprintf("%q", secretCreds.String()) {
		t.Errorf("%%q gives %s", got)
	}
	if got := fmt.Sprintf("%q", p); got != fmt.Sprintf("%q", p.String()) {
		t.Errorf("%%q of the provider gives %s", got)
	}
	empty := Credentials{AccessKeyID: "AKID"}
	if s := empty.String(); !strings.Contains(s, `SecretAccessKey: ""`) {
		t.Errorf("missing secret should show as empty: %s", s)
	}
}

func TestStaticProvider(t *testing.T) {
	p := NewStaticProvider("a", "s", "tok")
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "a" || c.SecretAccessKey != "s" || c.SessionToken != "tok" || !c.HasKeys() {
		t.Errorf("Retrieve = %+v, %v", c, err)
	}
	var zero StaticProvider
	if c, _ := zero.Retrieve(context.Background()); c.HasKeys() {
		t.Error("zero provider has keys")
	}
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c = Credentials{Expires: exp}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{{exp.Add(-time.Second), false}, {exp, true}, {exp.Add(time.Second), true}} {
		if got := c.Expired(tc.now); got != tc.want {
			t.Errorf("Expired(%v) = %v", tc.now, got)
		}
	}
	if (Credentials{}).Expired(exp) {
		t.Error("credentials without expiry expired")
	}
}

func TestErrorsNeverContainSecrets(t *testing.T) {
	var s Signer
	bad := secretCreds
	bad.SessionToken = tokenText + "\n" + tokenText // a token that breaks the header
	var errs []error
	add := func(err error) {
		if err == nil {
			t.Fatal("expected an error")
		}
		errs = append(errs, err)
	}
	req := goodRequest()
	add(s.Sign(req, bad, "us-east-1", UnsignedPayload, testTime))
	req = goodRequest()
	req.Header.Set("X-Amz-Meta-A", "x\ny")
	add(s.Sign(req, secretCreds, "us-east-1", UnsignedPayload, testTime))
	req = goodRequest()
	req.URL.RawQuery = "a=%zz"
	add(s.Sign(req, secretCreds, "us-east-1", UnsignedPayload, testTime))
	add(s.Sign(goodRequest(), secretCreds, "", UnsignedPayload, testTime))
	add(s.Sign(goodRequest(), Credentials{SecretAccessKey: secretText, SessionToken: tokenText}, "us-east-1", UnsignedPayload, testTime))
	_, _, err := s.Presign(goodRequest(), secretCreds, "us-east-1", UnsignedPayload, 8*24*time.Hour, testTime)
	add(err)
	// A presigned URL with a damaged token, signed again.
	req = goodRequest()
	req.URL.RawQuery = "X-Amz-Security-Token=" + tokenText + "%zz"
	add(s.Sign(req, secretCreds, "us-east-1", UnsignedPayload, testTime))
	req = goodRequest()
	req.URL.RawQuery = "X-Amz-Security-Token=" + tokenText + "%zz" + "&a=%"
	_, _, err = s.Presign(req, secretCreds, "us-east-1", UnsignedPayload, time.Hour, testTime)
	add(err)
	_, err = s.SignPOSTPolicy("e30=", Credentials{SecretAccessKey: secretText}, "us-east-1", testTime)
	add(err)
	add(s.SignStreaming(goodRequest(), bytes.NewReader(nil), 0, bad, "us-east-1", StreamingOptions{Payload: StreamingPayload}, testTime))
	add(s.SignStreaming(goodRequest(), bytes.NewReader(nil), 0, secretCreds, "us-east-1", StreamingOptions{Payload: StreamingPayloadTrailer, Checksum: crc32.NewIEEE(), ChecksumHeader: "bad header"}, testTime))
	for _, err := range errs {
		assertNoSecret(t, "error", err.Error())
		assertNoSecret(t, "error %+v", fmt.Sprintf("%+v", err))
	}
}

func TestSignedRequestDumpHasNoSecret(t *testing.T) {
	// The signed request carries the token (it must) but never the secret.
	req := goodRequest()
	var s Signer
	if err := s.Sign(req, secretCreds, "us-east-1", UnsignedPayload, testTime); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	req.Header.Write(&b)
	if strings.Contains(b.String(), secretText) {
		t.Errorf("signed headers contain the secret:\n%s", b.String())
	}
	u, hdr, err := s.Presign(req, secretCreds, "us-east-1", UnsignedPayload, time.Hour, testTime)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, secretText) || strings.Contains(fmt.Sprint(hdr), secretText) {
		t.Errorf("presigned URL contains the secret: %s", u)
	}
}
