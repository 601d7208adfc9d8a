package credentials

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// countingProvider counts its calls; each call may wait on gate and
// returns what next says.
type countingProvider struct {
	calls atomic.Int32
	gate  chan struct{} // when not nil, each call waits for a receive
	next  func(n int) (sigv4.Credentials, error)
}

func (p *countingProvider) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	n := int(p.calls.Add(1))
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return sigv4.Credentials{}, ctx.Err()
		}
	}
	return p.next(n)
}

// expiringAt returns a provider function whose credentials are numbered
// and expire at clock+life.
func expiringAt(clock *fakeClock, life time.Duration) func(int) (sigv4.Credentials, error) {
	return func(n int) (sigv4.Credentials, error) {
		return sigv4.Credentials{AccessKeyID: "AKID" + string(rune('0'+n)), SecretAccessKey: testSecret, Expires: clock.Now().Add(life)}, nil
	}
}

func TestCacheSingleFlight(t *testing.T) {
	clock := newFakeClock()
	p := &countingProvider{gate: make(chan struct{}), next: expiringAt(clock, time.Hour)}
	c := NewCache(p, &CacheOptions{Now: clock.Now})

	const callers = 100
	var started, done sync.WaitGroup
	errs := make(chan error, callers)
	started.Add(callers)
	done.Add(callers)
	for range callers {
		go func() {
			defer done.Done()
			started.Done()
			creds, err := c.Retrieve(context.Background())
			if err == nil && creds.AccessKeyID != "AKID1" {
				err = errors.New("got " + creds.AccessKeyID)
			}
			errs <- err
		}()
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let the callers reach the flight
	close(p.gate)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := p.calls.Load(); n != 1 {
		t.Errorf("%d calls to the provider for %d concurrent Retrieves, want 1", n, callers)
	}
}

func TestCacheRefreshWindow(t *testing.T) {
	clock := newFakeClock()
	p := &countingProvider{next: expiringAt(clock, time.Hour)}
	c := NewCache(p, &CacheOptions{Now: clock.Now, ExpiryWindow: 5 * time.Minute, ExpiryJitter: -1})
	get := func() string {
		t.Helper()
		creds, err := c.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return creds.AccessKeyID
	}
	if got := get(); got != "AKID1" {
		t.Fatalf("first = %s", got)
	}
	clock.Advance(54 * time.Minute)
	if got := get(); got != "AKID1" || p.calls.Load() != 1 {
		t.Errorf("before the window: %s, %d calls", got, p.calls.Load())
	}
	clock.Advance(time.Minute + time.Second) // 4m59s before expiry
	if got := get(); got != "AKID2" || p.calls.Load() != 2 {
		t.Errorf("in the window: %s, %d calls", got, p.calls.Load())
	}
}

func TestCacheJitterAndShortLifetimes(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(&countingProvider{}, &CacheOptions{Now: clock.Now})
	c.randN = func(d time.Duration) time.Duration { return d - 1 }
	now := clock.Now()
	tests := []struct {
		life, wantMargin time.Duration
	}{
		{time.Hour, DefaultExpiryWindow + DefaultExpiryJitter - 1},
		{6 * time.Hour, DefaultExpiryWindow + DefaultExpiryJitter - 1},
		// Short-lived credentials are refreshed at half their life, not on
		// every call.
		{10 * time.Minute, 5 * time.Minute},
		{time.Minute, 30 * time.Second},
	}
	for _, tt := range tests {
		exp := now.Add(tt.life)
		got := c.refreshTime(sigv4.Credentials{Expires: exp}, now)
		if margin := exp.Sub(got); margin != tt.wantMargin {
			t.Errorf("life %v: margin %v, want %v", tt.life, margin, tt.wantMargin)
		}
	}
	if got := c.refreshTime(sigv4.Credentials{}, now); !got.IsZero() {
		t.Errorf("no expiry: refresh at %v", got)
	}
}

func TestCacheRefreshFailure(t *testing.T) {
	clock := newFakeClock()
	fail := errors.New("credentials: fake: source is down")
	p := &countingProvider{next: func(n int) (sigv4.Credentials, error) {
		if n == 1 {
			return expiringAt(clock, time.Hour)(n)
		}
		return sigv4.Credentials{}, fail
	}}
	c := NewCache(p, &CacheOptions{Now: clock.Now, ExpiryJitter: -1})
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(56 * time.Minute) // in the window, not expired
	creds, err := c.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKID1" || p.calls.Load() != 2 {
		t.Fatalf("failed refresh: %v, %v, %d calls; want the old credentials", creds, err, p.calls.Load())
	}
	// Not asked again right away.
	if _, err := c.Retrieve(context.Background()); err != nil || p.calls.Load() != 2 {
		t.Errorf("retry too soon: %v, %d calls", err, p.calls.Load())
	}
	clock.Advance(failedRefreshDelay + time.Second)
	if creds, err := c.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "AKID1" || p.calls.Load() != 3 {
		t.Errorf("after the delay: %v, %v, %d calls", creds, err, p.calls.Load())
	}
	clock.Advance(4 * time.Minute) // expired
	if _, err := c.Retrieve(context.Background()); !errors.Is(err, fail) || p.calls.Load() != 4 {
		t.Errorf("expired: err = %v, %d calls", err, p.calls.Load())
	}
}

func TestCacheOthersDoNotWaitForRefresh(t *testing.T) {
	clock := newFakeClock()
	p := &countingProvider{next: expiringAt(clock, time.Hour)}
	c := NewCache(p, &CacheOptions{Now: clock.Now, ExpiryJitter: -1})
	if _, err := c.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(58 * time.Minute)
	p.gate = make(chan struct{})
	leader := make(chan sigv4.Credentials)
	go func() {
		creds, _ := c.Retrieve(context.Background())
		leader <- creds
	}()
	for p.calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	// The refresh is blocked; another caller gets the valid credentials.
	got := make(chan string, 1)
	go func() {
		creds, _ := c.Retrieve(context.Background())
		got <- creds.AccessKeyID
	}()
	select {
	case id := <-got:
		if id != "AKID1" {
			t.Errorf("got %s", id)
		}
	case <-time.After(time.Minute): // patience for a hang, not a speed check
		t.Fatal("a caller with valid cached credentials waited for the refresh")
	}
	close(p.gate)
	if creds := <-leader; creds.AccessKeyID != "AKID2" {
		t.Errorf("leader got %s", creds.AccessKeyID)
	}
}

func TestCacheWaiterContext(t *testing.T) {
	p := &countingProvider{gate: make(chan struct{}), next: func(int) (sigv4.Credentials, error) {
		return sigv4.Credentials{AccessKeyID: "A", SecretAccessKey: testSecret}, nil
	}}
	c := NewCache(p, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := c.Retrieve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// The fetch carried on without the first caller; the next one gets
	// its result.
	close(p.gate)
	creds, err := c.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "A" || p.calls.Load() != 1 {
		t.Errorf("Retrieve = %v, %v, %d calls", creds, err, p.calls.Load())
	}
	// No expiry: kept for good.
	for range 3 {
		c.Retrieve(context.Background())
	}
	if p.calls.Load() != 1 {
		t.Errorf("%d calls for credentials without expiry", p.calls.Load())
	}
	c.Invalidate()
	if _, err := c.Retrieve(context.Background()); err != nil || p.calls.Load() != 2 {
		t.Errorf("after Invalidate: %v, %d calls", err, p.calls.Load())
	}
	assertFormatsClean(t, c)
}

func TestCacheRejectsBadCredentials(t *testing.T) {
	clock := newFakeClock()
	tests := []struct {
		name  string
		creds sigv4.Credentials
	}{
		{"empty", sigv4.Credentials{}},
		{"expired", sigv4.Credentials{AccessKeyID: "A", SecretAccessKey: testSecret, Expires: clock.Now().Add(-time.Second)}},
	}
	for _, tt := range tests {
		c := NewCache(sigv4.StaticProvider{Credentials: tt.creds}, &CacheOptions{Now: clock.Now})
		_, err := c.Retrieve(context.Background())
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		assertNoSecrets(t, tt.name, err.Error())
	}
}
