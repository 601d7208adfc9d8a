package credentials

// The default HTTP clients and the small helpers that the HTTP sources
// (sts.go, container.go, imds.go) share.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Limits on what is read from a server or a file: credential documents are
// a few kilobytes.
const (
	maxResponseBody = 1 << 20
	maxTokenFile    = 64 << 10
)

// The default clients are made once, so that their connections are reused
// across refreshes.
var (
	sharedSTSClient      = sync.OnceValue(defaultSTSClient)
	sharedMetadataClient = sync.OnceValue(defaultMetadataClient)
)

// defaultSTSClient is used for STS when Options.HTTPClient is nil. It honours
// the proxy variables, as every AWS SDK does for service calls.
func defaultSTSClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: t, Timeout: time.Minute}
}

// defaultMetadataClient is used for IMDS and the container endpoint when
// the provider's HTTPClient cannot lend them its transport (see
// metadataClient). Each attempt also has its own short deadline (see the
// providers' Timeout).
func defaultMetadataClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = (&net.Dialer{Timeout: 2 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 5 * time.Second
	return &http.Client{Transport: t, CheckRedirect: refuseRedirect, Timeout: 10 * time.Second}
}

// metadataClient returns the client for the requests of one Retrieve of
// IMDS or the container endpoint, and a function that closes its idle
// connections once the Retrieve is done. Whatever c is, the client uses no
// proxy and follows no redirect: the metadata addresses mean this host (or
// the task's agent), so a proxy would be sent the IMDSv2 token and the
// container's authorization token (and could answer with its own
// instance's credentials), and a redirect would carry them to another
// host, past the check of AWS_CONTAINER_CREDENTIALS_FULL_URI's host.
//
// A c whose Transport is an *http.Transport (a custom CA bundle, a test
// dialer) lends it as a clone with Proxy set to nil, and its Timeout. Any
// other c means the default metadata client: a RoundTripper of another
// kind may hide a proxy that cannot be turned off from here.
func metadataClient(c *http.Client) (*http.Client, func()) {
	if c != nil {
		if t, ok := c.Transport.(*http.Transport); ok {
			t = t.Clone()
			t.Proxy = nil
			return &http.Client{Transport: t, CheckRedirect: refuseRedirect, Timeout: c.Timeout}, t.CloseIdleConnections
		}
	}
	return sharedMetadataClient(), func() {}
}

// refuseRedirect makes a client return a redirect as the response, which
// the metadata providers then report as an error status.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func orGetenv(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}

// readBody reads at most maxResponseBody bytes of a response body.
func readBody(resp *http.Response) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxResponseBody {
		return nil, fmt.Errorf("response body larger than %d bytes", maxResponseBody)
	}
	return b, nil
}

// readTokenFile reads a token (web identity, container authorization) from
// a file. Errors name the file, never its content.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxTokenFile)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return tok, nil
}

// transient reports whether a failed attempt is worth another: a network
// error or timeout of this attempt, not the caller's own cancellation.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed)
}

// sleep waits for d with full jitter, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(rand.N(d) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// safeURL returns u without its query and user information, for errors.
func safeURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '@'); j >= 0 && !strings.Contains(u[i+3:i+3+j], "/") {
			u = u[:i+3] + u[i+3+j+1:]
		}
	}
	return u
}
