// Package conformance is the suite of s3kit's end-to-end behaviour, run
// against every S3 server the project knows: the in-process gofakes3 server
// on every `go test` (package conformance, capabilities it lacks switched
// off by name), and versitygw, a server that verifies every signature the
// way AWS does, in `make conformance`.
//
// gofakes3 accepts any signature, so a signer bug passes every in-process
// test; this suite against a strict server is what proves the signer.
package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// Capabilities says what a server implements; a case that needs what the
// server lacks is not run, and the reason is logged.
type Capabilities struct {
	VerifiesSignatures bool // rejects bad signatures, expired URLs, wrong keys
	ChecksumHeaders    bool // x-amz-checksum-* on PUT and GET
	AWSChunked         bool // aws-chunked bodies (signed chunks, trailers)
	UploadPartCopy     bool
	ConditionalWrites  bool // If-None-Match: * on PUT
	ClockSkew          bool // RequestTimeTooSkewed with a Date header
	PostPolicy         bool // browser POST uploads checked against the policy
	StoresChecksums    bool // returns the checksums an upload carried (x-amz-checksum-mode)
	StoresCacheControl bool // keeps Cache-Control and Content-Disposition
	ReadConditions     bool // If-Match / If-None-Match on GET
	MultipartETags     bool // HEAD of a multipart object gives the completed upload's "…-N" ETag
	ReplacesMetadata   bool // CopyObject with MetadataDirective REPLACE drops the old metadata
	// FileKeys marks a store that maps keys to files (versitygw's posix
	// backend): "a//b" and "a/./b" are stored under their cleaned names,
	// and a key ending in "/" is a directory that holds no data. The
	// requests are still signed and checked; only what is listed differs.
	FileKeys bool
	// TreeKeys marks a store that keeps keys in a directory tree (the
	// SeaweedFS filer): a key with a "." segment ("a/./b") is refused with
	// InvalidRequest, and a key ending in "/" holds data but cannot be a
	// copy source (NoSuchKey). There the first hard key is not run and the
	// second is not copied; the rest of each case runs as everywhere.
	TreeKeys bool
	// AnyRegion marks a server that accepts a signature scoped to any
	// region (SeaweedFS checks it with the region the request names), so a
	// wrong region is neither refused nor redirected; that case is not run.
	AnyRegion bool
	// Lacks names the configuration operations (config.go) the server
	// does not implement, each with the reason; their cases are not run. A
	// nil map means the operations were never measured on the server, and
	// none of those cases runs.
	Lacks map[string]string
}

// Target is one server in one addressing style and scheme.
type Target struct {
	Name       string
	Endpoint   string // path-style base URL, e.g. http://127.0.0.1:7070
	Region     string
	AccessKey  string
	SecretKey  string
	Style      s3client.AddressingStyle
	HTTPClient *http.Client
	Caps       Capabilities
	// NewBucket, if set, creates a bucket by a side channel; otherwise the
	// suite uses CreateBucket.
	NewBucket func(t testing.TB, name string)
}

// LoopbackClient returns an HTTP client that dials every host name,
// "<bucket>.localhost" included, at 127.0.0.1 (those names do not resolve
// on every machine), trusting the PEM roots in caFile when it is not empty.
func LoopbackClient(caFile string) (*http.Client, error) {
	tr := s3client.DefaultTransport()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return dialer.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("conformance: no certificate in %s", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}, nil
}

var bucketSeq atomic.Int64

// env is what every case works with.
type env struct {
	t      *testing.T
	tg     Target
	ctx    context.Context
	bucket string
}

// client returns a client for the target, modified by mod.
func (e *env) client(mod func(*s3client.Config)) *s3client.Client {
	e.t.Helper()
	cfg := s3client.Config{
		Region:            e.tg.Region,
		Endpoint:          e.tg.Endpoint,
		AddressingStyle:   e.tg.Style,
		Credentials:       sigv4.NewStaticProvider(e.tg.AccessKey, e.tg.SecretKey, ""),
		HTTPClient:        e.tg.HTTPClient,
		AllowSSECOverHTTP: true,
		RetryBaseDelay:    time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := s3client.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) need(ok bool, what string) {
	e.t.Helper()
	if !ok {
		e.t.Skipf("%s: server lacks %s", e.tg.Name, what)
	}
}

// Run runs the whole suite against tg.
func Run(t *testing.T, tg Target) {
	ctx := context.Background()
	e := &env{t: t, tg: tg, ctx: ctx}
	e.bucket = fmt.Sprintf("s3kit-conf-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
	c := e.client(nil)
	if tg.NewBucket != nil {
		tg.NewBucket(t, e.bucket)
	} else if _, err := c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: e.bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub := *e
			sub.t = t
			tc.run(&sub)
		})
	}
}

type testCase struct {
	name string
	run  func(e *env)
}

// cases is filled by the files of this package, one file per area.
var cases []testCase

func register(name string, run func(e *env)) { cases = append(cases, testCase{name, run}) }

// hardKeys are keys that are hard to sign and to route.
func hardKeys() []string {
	// 1024 bytes in components a file system accepts (at most 255 each).
	long := "long" + strings.Repeat("/"+strings.Repeat("k", 199), 5)
	long += "/" + strings.Repeat("k", 1024-len(long)-1)
	return []string{
		"plain.txt",
		"unicode/ሴ-日本語-é.txt",
		"with space/and  two spaces",
		"plus+sign",
		"percent%20literal%2F",
		"equals=and&ampersand",
		"tilde~star*paren()",
		"double//slash",
		"dot/./segment",
		"trailing/",
		"dollar$colon:at@comma,semi;",
		long,
	}
}

// LocalhostEndpoint turns http://127.0.0.1:port into http://localhost:port,
// the base under which virtual-host style names buckets
// (<bucket>.localhost:port).
func LocalhostEndpoint(endpoint string) string {
	return strings.Replace(endpoint, "127.0.0.1", "localhost", 1)
}
