package credentials

// Test helpers: a network that refuses every address but the test servers,
// injected environments, a fake clock, a fake STS that checks SigV4, and a
// check that no secret leaks into a string.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// Secrets used in tests; none may ever appear in an error or a %v.
const (
	testAccessKeyID = "AKIDTESTEXAMPLE"
	testSecret      = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testSession     = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
	testWebToken    = "eyJhbGciOiJSUzI1NiJ9.WEBIDENTITYTOKEN.sig"
	testAuthToken   = "CONTAINERAUTHTOKEN0123456789"
)

var allSecrets = []string{testSecret, testSession, testWebToken, testAuthToken, "sts-secret-", "sts-token-", "imds-secret", "imds-token", "ecs-secret", "ecs-token"}

// assertNoSecrets fails if s contains any test secret.
func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks a secret (%q): %s", what, sec, s)
		}
	}
}

// assertFormatsClean checks every formatting verb of v.
func assertFormatsClean(t *testing.T, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assertNoSecrets(t, fmt.Sprintf("%s of %T", verb, v), fmt.Sprintf(verb, v))
	}
}

// env returns a getenv over m; nothing of the real environment is seen.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// isolatedEnv is an environment with a fresh home directory, so that no
// real ~/.aws file is read, with IMDS disabled unless a test enables it.
func isolatedEnv(t *testing.T, kv ...string) map[string]string {
	t.Helper()
	m := map[string]string{"HOME": t.TempDir(), "AWS_EC2_METADATA_DISABLED": "true"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// writeFile writes content into a new file in a temp dir and returns its
// path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testNet is the only network tests use: it dials loopback addresses and
// the routes (a real-looking host:port sent to a test server), and refuses
// everything else — in particular 169.254.169.254 and 169.254.170.2 — so
// that no test can reach a real metadata service or AWS.
type testNet struct {
	t            *testing.T
	allowRefused bool // the test expects refused dials and checks them

	mu      sync.Mutex
	routes  map[string]string
	dialed  []string
	refused []string
}

func newTestNet(t *testing.T) *testNet {
	n := &testNet{t: t, routes: map[string]string{}}
	t.Cleanup(func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if !n.allowRefused && len(n.refused) > 0 {
			t.Errorf("test tried to reach non-test addresses: %v", n.refused)
		}
	})
	return n
}

// route sends connections for hostport to the server srv.
func (n *testNet) route(hostport string, srv *httptest.Server) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.routes[hostport] = srv.Listener.Addr().String()
}

func (n *testNet) client() *http.Client {
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			n.mu.Lock()
			n.dialed = append(n.dialed, addr)
			to, ok := n.routes[addr]
			n.mu.Unlock()
			if ok {
				return d.DialContext(ctx, network, to)
			}
			if host, _, err := net.SplitHostPort(addr); err == nil {
				if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
					return d.DialContext(ctx, network, addr)
				}
			}
			n.mu.Lock()
			n.refused = append(n.refused, addr)
			n.mu.Unlock()
			return nil, fmt.Errorf("test network: refusing to dial %s", addr)
		},
		// The test servers' certificates are for 127.0.0.1 and example.com,
		// not for the AWS names routed to them.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	n.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func (n *testNet) refusedAddrs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.refused...)
}

func (n *testNet) dialedAddrs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dialed...)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// verifySigV4 recomputes the signature of a request received by a test
// server, independently of the signer's own signing path: the canonical
// request comes from sigv4 (over only the headers the client signed), the
// key derivation and HMAC are done here. It returns the credential scope's
// region and service.
func verifySigV4(r *http.Request, body []byte, secretFor func(accessKeyID string) string) (akid, region, service string, err error) {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, sigv4.Algorithm+" ")
	if !ok {
		return "", "", "", fmt.Errorf("authorization %q is not SigV4", auth)
	}
	var cred, signed, sig string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return "", "", "", fmt.Errorf("bad credential scope %q", cred)
	}
	akid, date, region, service := scope[0], scope[1], scope[2], scope[3]
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, date) {
		return "", "", "", fmt.Errorf("X-Amz-Date %q does not match scope date %q", amzDate, date)
	}
	if d := time.Since(t); d > 5*time.Minute || d < -5*time.Minute {
		return "", "", "", fmt.Errorf("X-Amz-Date %q is not now", amzDate)
	}
	names := strings.Split(signed, ";")
	if !contains(names, "host") {
		return "", "", "", fmt.Errorf("host is not signed: %q", signed)
	}
	req := &http.Request{Method: r.Method, URL: &url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}, Host: r.Host, Header: http.Header{}}
	for _, name := range names {
		if name == "host" {
			continue
		}
		vals := r.Header.Values(name)
		if name == "content-length" {
			vals = []string{fmt.Sprint(r.ContentLength)}
		}
		if len(vals) == 0 {
			return "", "", "", fmt.Errorf("signed header %q was not received", name)
		}
		req.Header[textproto.CanonicalMIMEHeaderKey(name)] = vals
	}
	s := &sigv4.Signer{Service: service}
	sum := sha256.Sum256(body)
	cr, err := s.CanonicalRequest(req, hex.EncodeToString(sum[:]))
	if err != nil {
		return "", "", "", err
	}
	if lines := strings.Split(cr, "\n"); lines[len(lines)-2] != signed {
		return "", "", "", fmt.Errorf("canonical request signs %q, Authorization says %q", lines[len(lines)-2], signed)
	}
	sts := s.StringToSign(cr, t, region)
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		io.WriteString(h, msg)
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secretFor(akid)), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, "aws4_request")
	if want := hex.EncodeToString(mac(k, sts)); !hmac.Equal([]byte(want), []byte(sig)) {
		return "", "", "", fmt.Errorf("signature mismatch: got %s, want %s\ncanonical request:\n%s", sig, want, cr)
	}
	return akid, region, service, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// stsRecord is one request the fake STS received.
type stsRecord struct {
	Host        string
	Action      string
	Form        url.Values
	AccessKeyID string // "" for an unsigned call
	Region      string
	Token       string // X-Amz-Security-Token
}

// fakeSTS answers AssumeRole (checking its signature against the keys it
// knows) and AssumeRoleWithWebIdentity (checking that it is unsigned and
// carries the expected token). Issued credentials are numbered.
type fakeSTS struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	keys     map[string]string // access key ID → secret
	webToken string
	records  []stsRecord
	// fail, when set, answers request n (from 1) with a status and body.
	fail func(n int) (int, string)
	// lifetime of issued credentials; zero means an hour.
	lifetime time.Duration
}

func newFakeSTS(t *testing.T, tlsServer bool) *fakeSTS {
	f := &fakeSTS{t: t, keys: map[string]string{testAccessKeyID: testSecret}, webToken: testWebToken}
	h := http.HandlerFunc(f.serve)
	if tlsServer {
		f.srv = httptest.NewTLSServer(h)
	} else {
		f.srv = httptest.NewServer(h)
	}
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSTS) addKey(id, secret string) {
	f.mu.Lock()
	f.keys[id] = secret
	f.mu.Unlock()
}

func (f *fakeSTS) calls() []stsRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stsRecord(nil), f.records...)
}

const stsErrorXML = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>req-err-1</RequestId>
</ErrorResponse>`

func (f *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		f.t.Errorf("fake STS: bad request %s %s (%v)", r.Method, r.Header.Get("Content-Type"), err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	rec := stsRecord{Host: r.Host, Action: form.Get("Action"), Form: form, Token: r.Header.Get("X-Amz-Security-Token")}
	if form.Get("Version") != "2011-06-15" {
		f.t.Errorf("fake STS: Version %q", form.Get("Version"))
	}
	f.mu.Lock()
	switch rec.Action {
	case "AssumeRole":
		akid, region, service, err := verifySigV4(r, body, func(id string) string {
			return f.keys[id] // the lock is held
		})
		if err != nil || service != "sts" {
			f.mu.Unlock()
			f.t.Errorf("fake STS: AssumeRole signature: %v (service %q)", err, service)
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, stsErrorXML, "SignatureDoesNotMatch", "bad signature")
			return
		}
		rec.AccessKeyID, rec.Region = akid, region
	case "AssumeRoleWithWebIdentity":
		if r.Header.Get("Authorization") != "" {
			f.t.Errorf("fake STS: AssumeRoleWithWebIdentity is signed")
		}
		if got := form.Get("WebIdentityToken"); got != f.webToken {
			f.mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, stsErrorXML, "InvalidIdentityToken", "token not accepted")
			return
		}
	default:
		f.mu.Unlock()
		f.t.Errorf("fake STS: unknown Action %q", rec.Action)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.records = append(f.records, rec)
	n := len(f.records)
	fail, life := f.fail, f.lifetime
	f.mu.Unlock()
	if fail != nil {
		if status, body := fail(n); status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
	}
	if life == 0 {
		life = time.Hour
	}
	exp := time.Now().Add(life).UTC().Format("2006-01-02T15:04:05.000Z")
	// Credentials this STS issued can call it in turn (role chains).
	f.addKey(fmt.Sprintf("ASIASTS%d", n), fmt.Sprintf("sts-secret-%d", n))
	fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <%[1]sResult>
    <Credentials>
      <AccessKeyId>ASIASTS%[2]d</AccessKeyId>
      <SecretAccessKey>sts-secret-%[2]d</SecretAccessKey>
      <SessionToken>sts-token-%[2]d</SessionToken>
      <Expiration>%[3]s</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
  </%[1]sResult>
  <ResponseMetadata><RequestId>req-%[2]d</RequestId></ResponseMetadata>
</%[1]sResponse>`, rec.Action, n, exp)
}

func writeTo(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

func runtimeGosched() { time.Sleep(time.Millisecond) }
