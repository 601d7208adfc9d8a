package main

// This file builds the S3 client from the AWS configuration and the
// connection options, and parses S3 URIs.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

// s3URI is "s3://bucket/key" taken apart. key may be empty (the bucket)
// or end with "/" (a prefix).
type s3URI struct {
	bucket, key string
}

func (u s3URI) String() string { return "s3://" + u.bucket + "/" + u.key }

// parseS3URI parses s as an S3 URI; ok is false when s is not one (a local
// path). "s3://" without a bucket is an error.
func parseS3URI(s string) (u s3URI, ok bool, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return s3URI{}, false, nil
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return s3URI{}, true, usagef("%q names no bucket: write s3://bucket/key", s)
	}
	return s3URI{bucket: bucket, key: key}, true, nil
}

// needS3URI parses an argument that must be an S3 URI.
func needS3URI(s string) (s3URI, error) {
	u, ok, err := parseS3URI(s)
	if err != nil {
		return u, err
	}
	if !ok {
		return u, usagef("%q is not an S3 URI (s3://bucket/key)", s)
	}
	return u, nil
}

// clientConfig returns the client configuration: LoadConfig's, from the
// environment and the AWS shared files, with the command line's
// overrides on top.
func (inv *invocation) clientConfig(ctx context.Context) (s3client.Config, error) {
	o := inv.opts
	if o.endpointURL == "" && !strings.EqualFold(inv.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		// The environment's endpoint is checked as --endpoint-url is, so
		// that the same mistake gets the same message and exit code.
		for _, name := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
			if v := inv.getenv(name); v != "" {
				if err := checkEndpointURL(name, v); err != nil {
					return s3client.Config{}, err
				}
				break
			}
		}
	}
	cfg, err := s3client.LoadConfig(ctx, &s3client.LoadOptions{Profile: o.profile, Getenv: inv.getenv})
	if err != nil {
		return cfg, err
	}
	if o.region != "" {
		cfg.Region = o.region
	}
	if o.endpointURL != "" {
		cfg.Endpoint = o.endpointURL
	}
	if o.addressingStyle != "" {
		// validate has parsed it already.
		cfg.AddressingStyle, _ = s3client.ParseAddressingStyle(o.addressingStyle)
	}
	if o.noSignRequest {
		cfg.Credentials = nil
	}
	tr, err := buildTransport(cfg.HTTPClient, o.caBundle, o.noVerifySSL)
	if err != nil {
		return cfg, err
	}
	client := &http.Client{Transport: tr}
	if cfg.HTTPClient != nil {
		client.Timeout = cfg.HTTPClient.Timeout
	}
	if o.debug {
		logger := slog.New(slog.NewTextHandler(inv.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.Logger = logger
		client.Transport = &debugTransport{next: tr, log: logger}
	}
	cfg.HTTPClient = client
	cfg.UserAgent = "s3kit-cli"
	return cfg, nil
}

// newClient returns the client a command sends its requests with.
func (inv *invocation) newClient(ctx context.Context) (*s3client.Client, error) {
	cfg, err := inv.clientConfig(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s3client.New(cfg)
	if err != nil {
		if errors.Is(err, s3client.ErrInvalidConfig) && inv.opts.endpointURL != "" {
			return nil, usagef("%v", err)
		}
		return nil, err
	}
	return c, nil
}

// localhostAware returns a client whose transport is buildTransport's
// without TLS options.
func localhostAware(base *http.Client) *http.Client {
	tr, _ := buildTransport(base, "", false) // without a CA bundle, it cannot fail
	c := &http.Client{Transport: tr}
	if base != nil {
		c.Timeout = base.Timeout
	}
	return c
}

// buildTransport returns the transport of the client: base's (LoadConfig
// sets one for AWS_CA_BUNDLE) or the default, with the certificates of
// caBundle (--ca-bundle) trusted and noVerify (--no-verify-ssl) applied,
// that connects "localhost" and every
// "*.localhost" name to the loopback address, as RFC 6761 says they are
// and as browsers do, but as the system resolver often does not:
// virtual-hosted requests to a local server ("http://bucket.localhost:9000")
// then work without DNS set-up. Such names never go through a proxy
// either. A transport other than an *http.Transport is used as given.
func buildTransport(base *http.Client, caBundle string, noVerify bool) (http.RoundTripper, error) {
	var tr *http.Transport
	if base != nil {
		if t, ok := base.Transport.(*http.Transport); ok {
			tr = t.Clone()
		} else if base.Transport != nil {
			return base.Transport, nil
		}
	}
	if tr == nil {
		tr = s3client.DefaultTransport()
	}
	if caBundle != "" || noVerify {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		if caBundle != "" {
			pem, err := os.ReadFile(caBundle)
			if err != nil {
				return nil, usagef("--ca-bundle: %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, usagef("--ca-bundle %s holds no PEM certificate", caBundle)
			}
			tr.TLSClientConfig.RootCAs = pool
		}
		// As the AWS CLI's --no-verify-ssl: for test servers only.
		tr.TLSClientConfig.InsecureSkipVerify = noVerify
	}
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && isLocalhostName(host) {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dial(ctx, network, addr)
	}
	proxy := tr.Proxy
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		if isLocalhostName(r.URL.Hostname()) || proxy == nil {
			return nil, nil
		}
		return proxy(r)
	}
	return tr, nil
}

// debugTransport logs, for --debug, each request the client sends: its
// method and URL (a presigned URL's signature and credential redacted,
// never a header), and the answer's status and request IDs, or the
// failure. The client's own records (retries, redirects) go to the same
// logger.
type debugTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (d *debugTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	u := *r.URL
	q := u.Query()
	for _, k := range []string{"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token"} {
		if q.Has(k) {
			q.Set(k, "REDACTED")
			u.RawQuery = q.Encode()
		}
	}
	start := time.Now()
	resp, err := d.next.RoundTrip(r)
	if err != nil {
		d.log.Debug("http", "method", r.Method, "url", printable(u.String()), "error", err.Error())
		return resp, err
	}
	d.log.Debug("http", "method", r.Method, "url", printable(u.String()), "status", resp.StatusCode,
		"request_id", resp.Header.Get("X-Amz-Request-Id"), "host_id", resp.Header.Get("X-Amz-Id-2"),
		"elapsed", time.Since(start).Round(time.Millisecond))
	return resp, err
}

func isLocalhostName(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
