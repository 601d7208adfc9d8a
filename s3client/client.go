// Package s3client is a small Amazon S3 REST client built on sigv4: the
// object, bucket, listing and multipart operations, with typed errors,
// retries, region redirects, clock-skew correction and checksums.
//
// Every operation goes through one pipeline (do.go): build the request,
// resolve the endpoint, prepare the body, sign, send, classify the answer,
// retry, decode. Operations are thin and grouped by resource: object.go,
// bucket.go, list.go, multipart.go. The multipart engine and the transfer
// manager (packages multipart and transfer) are built on these operations and
// never send HTTP themselves.
package s3client

// This file holds the Client and its policies (redirects, skew); retry.go
// which failures are retried and the wait between attempts; config.go its
// configuration; endpoint.go addressing.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// Version is s3kit's version, sent in the User-Agent.
const Version = "0.1.0"

// Client is an S3 client. It is safe for concurrent use by many goroutines;
// create one per configuration and share it, so that connections, signing
// keys, learned bucket regions and the clock-skew correction are shared too.
type Client struct {
	cfg        Config
	endpoint   *endpointResolver
	httpClient *http.Client
	// transport is httpClient's, when requests can skip Client.Do (see
	// roundTrip); nil otherwise.
	transport http.RoundTripper
	signers   signers
	userAgent string
	// userAgentValue is the User-Agent header's value, shared by every
	// request (capped, so that an append copies).
	userAgentValue []string
	endpoints      endpointCache
	https          bool
	custom         bool // a custom endpoint (an S3-compatible store)

	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	jitter      func() float64 // in [0,1); tests make it deterministic

	skew    atomic.Int64 // server time minus local time, in nanoseconds
	regions sync.Map     // bucket name → region learned from redirects
	learned atomic.Bool  // set when regions is first stored to; until then bucketRegion skips it
	express expressSessions
	// compat is set once the custom endpoint rejected an aws-chunked or
	// checksum request: from then on bodies go as plain signed payloads
	// with Content-MD5 (see compatFailure in do.go).
	compat     atomic.Bool
	compatOnce sync.Once
}

// New returns a client for cfg. It fails on an invalid configuration
// (an unparsable endpoint, accelerate with a custom endpoint, a path-style
// AWS endpoint without a region...).
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ep, err := newEndpointResolver(&cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:         cfg,
		endpoint:    ep,
		maxAttempts: cfg.MaxAttempts,
		baseDelay:   cfg.RetryBaseDelay,
		maxDelay:    cfg.RetryMaxDelay,
		jitter:      rand.Float64,
		custom:      cfg.Endpoint != "",
		signers:     newSigners(),
		https:       ep.scheme == "https",
	}
	if l, ok := cfg.Logger.(*slog.Logger); ok && l == nil {
		c.cfg.Logger = nil // a nil *slog.Logger disables logging, as nil does
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	if c.baseDelay <= 0 {
		c.baseDelay = DefaultRetryBaseDelay
	}
	if c.maxDelay <= 0 {
		c.maxDelay = DefaultRetryMaxDelay
	}
	// Redirects are S3's way of naming a bucket's region: they are handled
	// by do (re-signed for the right region), never followed blindly, which
	// would also carry the Authorization header to another host.
	hc := http.Client{Transport: DefaultTransport()}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.httpClient = &hc
	if hc.Jar == nil && hc.Timeout == 0 {
		c.transport = hc.Transport
		if c.transport == nil {
			c.transport = http.DefaultTransport
		}
	}

	c.userAgent = "s3kit/" + Version
	if cfg.UserAgent != "" {
		c.userAgent += " " + cfg.UserAgent
	}
	c.userAgentValue = []string{c.userAgent}[:1:1]
	return c, nil
}

// Region returns the client's configured region.
func (c *Client) Region() string { return c.cfg.Region }

// now returns the signing time: the clock corrected by the skew learned
// from the server.
func (c *Client) now() time.Time {
	t := time.Now()
	if c.cfg.Now != nil {
		t = c.cfg.Now()
	}
	return t.Add(time.Duration(c.skew.Load()))
}

// MaxClockSkew bounds the correction of the local clock the client adopts
// from a RequestTimeTooSkewed answer, either way. A clock off by a time zone
// (up to 14 hours) is corrected; a server whose Date is further off than a
// day is not believed, since every later request and presigned URL would
// carry its date: its error is returned instead.
const MaxClockSkew = 24 * time.Hour

// ClockSkew returns the correction applied to the local clock, learned from
// a RequestTimeTooSkewed answer (zero until then), at most MaxClockSkew
// either way.
func (c *Client) ClockSkew() time.Duration { return time.Duration(c.skew.Load()) }

// bucketRegion returns the region to sign a bucket's requests for.
func (c *Client) bucketRegion(bucket string) string {
	if bucket != "" && c.learned.Load() {
		if r, ok := c.regions.Load(bucket); ok {
			return r.(string)
		}
	}
	return c.cfg.Region
}

// BucketRegion returns the region the client has learned for a bucket from
// a redirect, and whether it has learned one.
func (c *Client) BucketRegion(bucket string) (string, bool) {
	r, ok := c.regions.Load(bucket)
	if !ok {
		return "", false
	}
	return r.(string), true
}

func (c *Client) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if c.cfg.Logger != nil {
		c.cfg.Logger.LogAttrs(ctx, level, msg, attrs...)
	}
}

// credentials returns the credentials for one attempt; ok is false for an
// anonymous client.
func (c *Client) credentials(ctx context.Context) (sigv4.Credentials, bool, error) {
	if c.cfg.Credentials == nil {
		return sigv4.Credentials{}, false, nil
	}
	cr, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return cr, false, fmt.Errorf("s3client: retrieving credentials: %w", err)
	}
	if !cr.HasKeys() {
		return cr, false, errors.New("s3client: credentials provider returned no access key")
	}
	return cr, true, nil
}

// encodeQuery returns q in canonical SigV4 form (sorted, %20 for spaces),
// which is also a valid query to send, so the signer has nothing to rewrite.
func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	// Canonical order is by encoded name; sorting names then encoding
	// differs only for bytes above 0x7e, which S3 parameter names never hold.
	slices.Sort(keys)
	var b []byte
	for _, k := range keys {
		vs := q[k]
		if len(vs) == 0 {
			vs = []string{""}
		}
		for _, v := range vs {
			if len(b) > 0 {
				b = append(b, '&')
			}
			b = sigv4.AppendURIEncode(b, k, false)
			b = append(b, '=')
			b = sigv4.AppendURIEncode(b, v, false)
		}
	}
	return string(b)
}

// String describes the client: region, endpoint and addressing style,
// never its credentials.
func (c *Client) String() string {
	ep := c.cfg.Endpoint
	if ep == "" {
		ep = "AWS"
	}
	return "s3client.Client{Region: " + c.cfg.Region + ", Endpoint: " + ep + ", AddressingStyle: " + c.cfg.AddressingStyle.String() + "}"
}

// GoString is used by %#v; it says what String says.
func (c *Client) GoString() string { return c.String() }

// Format makes every verb print String, so that a Client inside a logged
// struct cannot print the credentials it holds.
func (c *Client) Format(f fmt.State, verb rune) { f.Write([]byte(c.String())) }
