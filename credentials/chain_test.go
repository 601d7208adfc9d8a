package credentials

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/sigv4"
)

// chainWorld is every source a default chain can use, each backed by a
// fake, with nothing configured until a test says so.
type chainWorld struct {
	t    *testing.T
	env  map[string]string
	sts  *fakeSTS
	ecs  *fakeContainer
	imds *fakeIMDS
	net  *testNet
}

func newChainWorld(t *testing.T) *chainWorld {
	w := &chainWorld{t: t, env: isolatedEnv(t), sts: newFakeSTS(t, false), ecs: newFakeContainer(t), imds: newFakeIMDS(t), net: newTestNet(t)}
	delete(w.env, "AWS_EC2_METADATA_DISABLED")
	return w
}

func (w *chainWorld) options() Options {
	return Options{
		Getenv: env(w.env), HTTPClient: w.net.client(),
		STSEndpoint: w.sts.srv.URL, ContainerEndpoint: w.ecs.srv.URL, IMDSEndpoint: w.imds.srv.URL,
	}
}

func (w *chainWorld) set(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.env[kv[i]] = kv[i+1]
	}
}

// TestDefaultChainOrder configures two neighbouring sources at a time and
// checks that the earlier one wins, and what Source says.
func TestDefaultChainOrder(t *testing.T) {
	profileKeys := func(w *chainWorld) {
		w.set("AWS_SHARED_CREDENTIALS_FILE", writeFile(t, "credentials", "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = s\n"))
	}
	envKeys := func(w *chainWorld) { w.set("AWS_ACCESS_KEY_ID", "ENVKEY", "AWS_SECRET_ACCESS_KEY", testSecret) }
	webIdentity := func(w *chainWorld) {
		w.set("AWS_WEB_IDENTITY_TOKEN_FILE", writeFile(t, "token", testWebToken), "AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa")
	}
	container := func(w *chainWorld) { w.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds") }
	tests := []struct {
		name       string
		static     bool
		profile    string
		setup      []func(*chainWorld)
		wantKey    string
		wantSource string
	}{
		{"static beats environment", true, "", []func(*chainWorld){envKeys}, "STATICKEY", "static"},
		{"environment beats shared config", false, "", []func(*chainWorld){envKeys, profileKeys}, "ENVKEY", "environment"},
		{"a profile in Options skips the environment", false, "default", []func(*chainWorld){envKeys, profileKeys}, "PROFILEKEY", `shared config: profile "default": static keys in `},
		{"shared config beats web identity", false, "", []func(*chainWorld){profileKeys, webIdentity}, "PROFILEKEY", "shared config"},
		{"web identity beats container", false, "", []func(*chainWorld){webIdentity, container}, "ASIASTS1", "web identity: web identity arn:aws:iam::1:role/irsa with "},
		{"container beats imds", false, "", []func(*chainWorld){container}, "ASIAECS", "container: http://127.0.0.1:"},
		{"imds last", false, "", nil, "ASIAIMDS", "imds: http://127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newChainWorld(t)
			for _, f := range tt.setup {
				f(w)
			}
			opts := w.options()
			opts.Profile = tt.profile
			if tt.static {
				opts.Credentials = sigv4.Credentials{AccessKeyID: "STATICKEY", SecretAccessKey: testSecret}
			}
			c := NewDefaultChain(opts)
			if s := c.Source(); s != "" {
				t.Errorf("Source before Retrieve = %q", s)
			}
			creds, err := c.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != tt.wantKey {
				t.Errorf("key = %s, want %s", creds.AccessKeyID, tt.wantKey)
			}
			if s := c.Source(); !strings.HasPrefix(s, tt.wantSource) {
				t.Errorf("Source = %q, want prefix %q", s, tt.wantSource)
			}
			assertFormatsClean(t, c)
			// Sources after the winner were not asked.
			if tt.wantKey != "ASIAIMDS" && len(w.imds.entries()) != 0 {
				t.Errorf("IMDS was asked: %q", w.imds.entries())
			}
		})
	}
}

func TestDefaultChainAllFail(t *testing.T) {
	w := newChainWorld(t)
	w.imds.mu.Lock()
	w.imds.role = "" // on EC2, but no instance profile
	w.imds.mu.Unlock()
	c := NewDefaultChain(w.options())
	_, err := c.Retrieve(context.Background())
	var ce *ChainError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ChainError", err)
	}
	want := []string{"static", "environment", "shared config", "web identity", "container", "imds"}
	if len(ce.Attempts) != len(want) {
		t.Fatalf("attempts = %v", ce.Attempts)
	}
	for i, a := range ce.Attempts {
		if a.Source != want[i] {
			t.Errorf("attempt %d is %q, want %q", i, a.Source, want[i])
		}
		if i < len(want)-1 && !errors.Is(a.Err, ErrNotConfigured) {
			t.Errorf("%s: %v, want not configured", a.Source, a.Err)
		}
	}
	msg := err.Error()
	for _, s := range []string{
		"imds failed",
		"static: not configured: no credentials in Options",
		"environment: not configured: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
		`shared config: not configured: profile "default" is in neither`,
		"web identity: not configured: AWS_WEB_IDENTITY_TOKEN_FILE is not set",
		"container: not configured",
		"imds: GET http://127.0.0.1:",
		"no IAM role is attached",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q:\n%s", s, msg)
		}
	}
	if c.Source() != "" {
		t.Errorf("Source = %q after failure", c.Source())
	}
	t.Log(msg)
}

func TestDefaultChainNothingConfigured(t *testing.T) {
	c := NewDefaultChain(Options{Getenv: env(isolatedEnv(t)), HTTPClient: newTestNet(t).client()})
	_, err := c.Retrieve(context.Background())
	var ce *ChainError
	if !errors.As(err, &ce) || !errors.Is(err, ErrNotConfigured) || strings.Contains(err.Error(), "failed") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "imds: not configured: AWS_EC2_METADATA_DISABLED is true") {
		t.Errorf("err = %v", err)
	}
}

// TestDefaultChainDefaultEndpoints runs the chain with no endpoint
// overrides: the test network refuses the real metadata addresses, and the
// test checks that those were the only ones tried.
func TestDefaultChainDefaultEndpoints(t *testing.T) {
	tn := newTestNet(t)
	tn.allowRefused = true
	m := isolatedEnv(t)
	delete(m, "AWS_EC2_METADATA_DISABLED")
	c := NewDefaultChain(Options{Getenv: env(m), HTTPClient: tn.client()})
	_, err := c.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "imds failed") || !strings.Contains(err.Error(), "169.254.169.254") {
		t.Fatalf("err = %v", err)
	}
	for _, a := range tn.refusedAddrs() {
		if a != "169.254.169.254:80" {
			t.Errorf("tried %s", a)
		}
	}
}

// TestChainStopsAtConfiguredFailure: a configured source that fails ends
// the walk; the chain does not move on to another identity.
func TestChainStopsAtConfiguredFailure(t *testing.T) {
	w := newChainWorld(t)
	w.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds")
	w.ecs.status.Store(403)
	c := NewDefaultChain(w.options())
	_, err := c.Retrieve(context.Background())
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Attempts[len(ce.Attempts)-1].Source != "container" || !strings.Contains(err.Error(), "container failed") {
		t.Fatalf("err = %v", err)
	}
	if e := w.imds.entries(); len(e) != 0 {
		t.Errorf("IMDS was asked after the container failed: %q", e)
	}

	// A failing STS call: the *STSError is reachable through the chain's
	// error, and no secret is in it.
	w2 := newChainWorld(t)
	w2.set("AWS_WEB_IDENTITY_TOKEN_FILE", writeFile(t, "token", "not-the-token-"+testWebToken), "AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa")
	_, err = NewDefaultChain(w2.options()).Retrieve(context.Background())
	var se *STSError
	if !errors.As(err, &se) || se.Code != "InvalidIdentityToken" {
		t.Fatalf("err = %v", err)
	}
	assertNoSecrets(t, "chain error", err.Error())
	assertNoSecrets(t, "chain error %+v", fmt.Sprintf("%+v", err))
}

func TestChainSticksToItsSource(t *testing.T) {
	first := &countingProvider{next: func(n int) (sigv4.Credentials, error) {
		if n == 1 {
			return sigv4.Credentials{}, notConfigured("first", "not yet")
		}
		return sigv4.Credentials{AccessKeyID: "FIRST", SecretAccessKey: "s"}, nil
	}}
	second := &countingProvider{next: func(n int) (sigv4.Credentials, error) {
		if n > 1 {
			return sigv4.Credentials{}, errors.New("credentials: second: down")
		}
		return sigv4.Credentials{AccessKeyID: "SECOND", SecretAccessKey: "s"}, nil
	}}
	c := NewChain(ChainSource{Name: "first", Provider: first}, ChainSource{Name: "second", Provider: second})
	if creds, err := c.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "SECOND" || c.Source() != "second" {
		t.Fatalf("Retrieve = %v, %v (%s)", creds, err, c.Source())
	}
	// first would answer now, but the chain keeps to second, and reports
	// second's failure instead of switching.
	if _, err := c.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "second: down") {
		t.Errorf("err = %v", err)
	}
	if first.calls.Load() != 1 {
		t.Errorf("first asked %d times", first.calls.Load())
	}
}

func TestChainConcurrentFirstRetrieve(t *testing.T) {
	p := &countingProvider{gate: make(chan struct{}), next: func(int) (sigv4.Credentials, error) {
		return sigv4.Credentials{AccessKeyID: "A", SecretAccessKey: "s"}, nil
	}}
	c := NewChain(ChainSource{Name: "only", Provider: NewCache(p, nil)})
	errs := make(chan error, 50)
	for range 50 {
		go func() {
			_, err := c.Retrieve(context.Background())
			errs <- err
		}()
	}
	close(p.gate)
	for range 50 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := p.calls.Load(); n != 1 {
		t.Errorf("%d fetches", n)
	}
	// A caller whose context ends while another walks the chain.
	blocked := &countingProvider{gate: make(chan struct{}), next: p.next}
	c = NewChain(ChainSource{Name: "slow", Provider: blocked})
	go c.Retrieve(context.Background())
	for blocked.calls.Load() == 0 {
		runtimeGosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Retrieve(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	close(blocked.gate)
}
