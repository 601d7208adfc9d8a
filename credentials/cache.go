package credentials

// Cache: refresh before expiry, one fetch for many callers, and serving
// still valid credentials while the source is down.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// Cache defaults.
const (
	// DefaultExpiryWindow is how long before expiry a Cache refreshes.
	DefaultExpiryWindow = 5 * time.Minute
	// DefaultExpiryJitter is the most that is added at random to the
	// window, so that many processes started together (a fleet, a job
	// array) do not all refresh at the same moment.
	DefaultExpiryJitter = time.Minute
	// DefaultFetchTimeout bounds one fetch of the wrapped provider.
	DefaultFetchTimeout = time.Minute
	// failedRefreshDelay is how long a Cache that still has valid
	// credentials waits after a failed refresh before it tries again, so
	// that a source that is down is not asked on every request.
	failedRefreshDelay = 15 * time.Second
)

// CacheOptions tunes a Cache. The zero value means the defaults.
type CacheOptions struct {
	// ExpiryWindow is how long before expiry credentials are refreshed;
	// zero means DefaultExpiryWindow. It is capped at half the lifetime of
	// the credentials, so that short-lived ones are not fetched on every
	// call.
	ExpiryWindow time.Duration
	// ExpiryJitter is the most added at random to the window; zero means
	// DefaultExpiryJitter, negative means none.
	ExpiryJitter time.Duration
	// FetchTimeout bounds one fetch; zero means DefaultFetchTimeout.
	FetchTimeout time.Duration
	// Now returns the current time; nil means time.Now. For tests.
	Now func() time.Time
}

// Cache wraps a provider of temporary credentials:
//
//   - credentials are kept until ExpiryWindow (plus jitter) before they
//     expire; credentials without an expiry are kept for good;
//   - one fetch serves every caller: a hundred concurrent Retrieve calls
//     on an empty cache cause one call to the provider, and while one
//     caller refreshes credentials that are still valid the others get
//     those at once;
//   - when a refresh fails, credentials that have not expired yet are
//     still returned (without an error), and the refresh is tried again a
//     little later; only once they have expired does Retrieve fail.
//
// The fetch runs on its own goroutine with the values of the first
// caller's context but not its cancellation, bounded by FetchTimeout, so
// that one caller giving up does not fail the others; each caller stops
// waiting when its own context ends. A Cache is safe for concurrent use.
type Cache struct {
	provider sigv4.CredentialsProvider
	window   time.Duration
	jitter   time.Duration
	timeout  time.Duration
	now      func() time.Time
	randN    func(time.Duration) time.Duration

	mu        sync.Mutex
	creds     sigv4.Credentials
	have      bool
	refreshAt time.Time // when to fetch again; zero with no expiry
	retryAt   time.Time // after a failed refresh, not before this
	flight    *flight
}

// flight is one fetch in progress; done is closed when it ends.
type flight struct {
	done  chan struct{}
	creds sigv4.Credentials
	err   error
}

// NewCache returns a Cache around provider. opts nil means the defaults.
func NewCache(provider sigv4.CredentialsProvider, opts *CacheOptions) *Cache {
	var o CacheOptions
	if opts != nil {
		o = *opts
	}
	c := &Cache{provider: provider, window: o.ExpiryWindow, jitter: o.ExpiryJitter, timeout: o.FetchTimeout, now: o.Now,
		randN: func(d time.Duration) time.Duration { return rand.N(d) }}
	if c.window <= 0 {
		c.window = DefaultExpiryWindow
	}
	if c.jitter == 0 {
		c.jitter = DefaultExpiryJitter
	}
	if c.timeout <= 0 {
		c.timeout = DefaultFetchTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Retrieve returns cached credentials, fetching them when there are none,
// when they are about to expire, or when they have expired.
func (c *Cache) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	c.mu.Lock()
	now := c.now()
	if c.have && (c.refreshAt.IsZero() || now.Before(c.refreshAt)) {
		creds := c.creds
		c.mu.Unlock()
		return creds, nil
	}
	valid := c.have && !c.creds.Expired(now)
	cached := c.creds
	f := c.flight
	leader := false
	if f == nil {
		if valid && now.Before(c.retryAt) {
			c.mu.Unlock()
			return cached, nil
		}
		f = &flight{done: make(chan struct{})}
		c.flight = f
		leader = true
		go c.fetch(context.WithoutCancel(ctx), f)
	}
	c.mu.Unlock()

	if valid && !leader {
		// Someone else is refreshing; what we have is still good.
		return cached, nil
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		if valid {
			return cached, nil
		}
		return sigv4.Credentials{}, fmt.Errorf("credentials: waiting for %s: %w", describe(c.provider), ctx.Err())
	}
	if f.err != nil {
		if valid && !cached.Expired(c.now()) {
			return cached, nil
		}
		return sigv4.Credentials{}, f.err
	}
	return f.creds, nil
}

// fetch runs one flight.
func (c *Cache) fetch(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	creds, err := c.provider.Retrieve(ctx)
	cancel()
	now := c.now()
	if err == nil {
		switch {
		case !creds.HasKeys():
			err = fmt.Errorf("credentials: %s returned empty credentials", describe(c.provider))
		case creds.Expired(now):
			err = fmt.Errorf("credentials: %s returned credentials that expired at %s", describe(c.provider), creds.Expires.UTC().Format(time.RFC3339))
		}
	}
	c.mu.Lock()
	if err == nil {
		c.creds, c.have = creds, true
		c.refreshAt = c.refreshTime(creds, now)
		c.retryAt = time.Time{}
	} else {
		c.retryAt = now.Add(failedRefreshDelay)
	}
	c.flight = nil
	f.creds, f.err = creds, err
	if err != nil {
		f.creds = sigv4.Credentials{}
	}
	c.mu.Unlock()
	close(f.done)
}

// refreshTime is when credentials fetched at now should be fetched again.
func (c *Cache) refreshTime(creds sigv4.Credentials, now time.Time) time.Time {
	if creds.Expires.IsZero() {
		return time.Time{}
	}
	margin := c.window
	if c.jitter > 0 {
		margin += c.randN(c.jitter)
	}
	if life := creds.Expires.Sub(now); margin > life/2 {
		margin = life / 2
	}
	return creds.Expires.Add(-margin)
}

// Invalidate drops the cached credentials, so that the next Retrieve
// fetches new ones: for example after a request was refused with
// ExpiredToken although the credentials had not reached their expiry.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.have = false
	c.creds = sigv4.Credentials{}
	c.retryAt = time.Time{}
	c.mu.Unlock()
}

// String describes the cache and its provider, without secrets.
func (c *Cache) String() string { return "credentials.Cache{" + describe(c.provider) + "}" }

func (c *Cache) describe() string { return describe(c.provider) }

// describer is implemented by the providers of this package: a short
// description for Chain.Source, without secrets.
type describer interface{ describe() string }

// describe describes p without printing anything it does not control: a
// provider of another package is named by its type only, since its %v
// might print a secret.
func describe(p sigv4.CredentialsProvider) string {
	switch d := p.(type) {
	case describer:
		if s := d.describe(); s != "" {
			return s
		}
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("%T", p)
}

// Format prints String for every verb, %#v included.
func (c *Cache) Format(f fmt.State, verb rune) { formatAs(f, verb, c.String()) }
