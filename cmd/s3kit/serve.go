package main

// This file holds "s3kit serve": the test server of the library's own
// tests (internal/s3test: gofakes3 with strict aws-chunked decoding,
// checksum checks and virtual-host routing), on an address of the user's
// choosing, for local development.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/s3kit/s3kit/internal/s3test"
)

func runServe(ctx context.Context, inv *invocation) error {
	var sopts []s3test.Option
	where := "in memory (gone when the server stops)"
	if inv.opts.dir != "" {
		sopts = append(sopts, s3test.WithDir(inv.opts.dir))
		where = "on disk under " + inv.opts.dir
	}
	ln, err := net.Listen("tcp", inv.opts.addr)
	if err != nil {
		return err // "listen tcp ADDR: bind: address already in use"
	}
	defer ln.Close()
	backend, err := s3test.NewServer(sopts...)
	if err != nil {
		return during("serve", err)
	}
	defer backend.Close()

	// s3test listens on a port of its own choosing, so the server listens
	// on the address asked for and hands each request to it, Host header
	// unchanged: the virtual-host routing and anything else that reads
	// the Host see what the client sent.
	target, err := url.Parse(backend.URL)
	if err != nil {
		return during("serve", err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{
			Proxy:               nil,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
		},
		FlushInterval: -1, // stream bodies as they come
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	endpoint, vhost := displayEndpoints(ln.Addr())
	if !inv.opts.quiet {
		printServeBanner(inv.stdout, endpoint, vhost, where)
	} else {
		fmt.Fprintf(inv.stdout, "%s\n", endpoint)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		return during("serve", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return during("serve", err)
	}
	if !inv.opts.quiet {
		fmt.Fprintln(inv.stdout, "s3kit serve: stopped")
	}
	return nil
}

// displayEndpoints returns the URL clients use for addr, with the loopback
// address for a wildcard listener, and the virtual-host form.
func displayEndpoints(addr net.Addr) (endpoint, vhost string) {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), "http://BUCKET.localhost:" + port
}

func printServeBanner(w io.Writer, endpoint, vhost, where string) {
	fmt.Fprintf(w, `s3kit serve: an S3-compatible server (gofakes3) at %s
  data:          %s
  path style:    %s/BUCKET/KEY
  virtual hosts: %s/KEY
  Signatures are not checked: any access key and secret key work.

Try it from another shell:
  export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  s3kit mb s3://demo
  s3kit cp README.md s3://demo/README.md
  s3kit ls s3://demo
  s3kit presign s3://demo/README.md
  s3kit cp s3://demo/README.md -

Ctrl-C stops the server.
`, endpoint, where, endpoint, vhost, endpoint)
}
