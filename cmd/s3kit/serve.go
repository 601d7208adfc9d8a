package main

// This file holds "s3kit serve": the test server of the library's own
// tests (internal/testkit/s3test: gofakes3 with strict aws-chunked decoding,
// checksum checks, virtual-host routing, UploadPartCopy and POST policy
// checks), on an address of the user's choosing, for local development.
// With --verify-signatures it checks every request's signature against
// the credentials it prints. It listens on that one address only, and
// exits when the process that started it does (serve_*.go).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/sigv4"
)

// The credentials serve prints, and checks with --verify-signatures: the
// documentation's example key pair.
const (
	serveAccessKey = "AKIAIOSFODNN7EXAMPLE"
	serveSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func runServe(ctx context.Context, inv *invocation) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopWatching := exitWithParent(cancel)
	defer stopWatching()

	sopts := []s3test.Option{s3test.WithPOSTPolicies()}
	where := "in memory (gone when the server stops)"
	if inv.opts.dir != "" {
		sopts = append(sopts, s3test.WithDir(inv.opts.dir))
		where = "on disk under " + inv.opts.dir
	}
	if inv.opts.verifySignatures {
		sopts = append(sopts, s3test.WithCredentials(sigv4.Credentials{AccessKeyID: serveAccessKey, SecretAccessKey: serveSecretKey}))
	}
	ln, err := net.Listen("tcp", inv.opts.addr)
	if err != nil {
		return err // "listen tcp ADDR: bind: address already in use"
	}
	defer ln.Close()
	handler, _, err := s3test.NewHandler(sopts...)
	if err != nil {
		return during("serve", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	endpoint, vhost := displayEndpoints(ln.Addr())
	if !inv.opts.quiet {
		printServeBanner(inv.stdout, endpoint, vhost, where, inv.opts.verifySignatures)
	} else {
		fmt.Fprintf(inv.stdout, "%s\n", endpoint)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		return during("serve", err)
	}
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
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

func printServeBanner(w io.Writer, endpoint, vhost, where string, verify bool) {
	auth := `  signatures:    NOT checked: any key pair works, and unsigned requests too
                 (--verify-signatures checks them against the pair below)`
	if verify {
		auth = `  signatures:    checked (SigV4: headers, presigned URLs, aws-chunked
                 chunks and trailers, POST forms) against the pair below`
	}
	fmt.Fprintf(w, `s3kit serve: an S3-compatible server (gofakes3) at %s
  data:          %s
  path style:    %s/BUCKET/KEY
  virtual hosts: %s/KEY
%s
  checked:       POST policies, checksums, x-amz-content-sha256, aws-chunked framing
  not done:      ACLs and bucket policies (accepted, never enforced), versioning on
                 --dir, object lock, tagging, lifecycle, CORS, SSE (headers stored,
                 nothing encrypted), x-amz-metadata-directive REPLACE (metadata merged)
  listening on:  this address only; the server exits when its parent process does

Try it from another shell:
  export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=us-east-1
  s3kit mb s3://demo
  s3kit cp README.md s3://demo/README.md
  s3kit ls s3://demo
  s3kit presign s3://demo/README.md
  s3kit cp s3://demo/README.md -

Ctrl-C stops the server.
`, endpoint, where, endpoint, vhost, auth, endpoint, serveAccessKey, serveSecretKey)
}
