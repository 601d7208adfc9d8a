package reliability

// Security: secrets never leave through errors, logs, panics or formatted
// values; redirects never carry credentials to another host; TLS is
// verified by default; SSE-C keys need https; presigned URLs and POST
// policies carry exactly what was signed.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/credentials"
	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
	"github.com/s3kit/s3kit/transfer"
)

// secrets are the strings that must never appear in an output: the secret
// key, the session token, the SSE-C key raw and base64 (as it travels).
func secrets() map[string]string {
	return map[string]string{
		"secret key":         secretKey,
		"session token":      sessionToken,
		"SSE-C key":          string(ssecKey),
		"SSE-C key (base64)": base64.StdEncoding.EncodeToString(ssecKey),
	}
}

// found returns the names of the secrets s holds, as they are or in one
// of the encodings a URL, a query, a signature or JSON would give them,
// with a snippet around the first.
func found(s string) (names []string, snippet string) {
	for name, secret := range secrets() {
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), awsEncode(secret, false),
			strings.ReplaceAll(secret, "/", `\\/`)} {
			if i := strings.Index(s, form); i >= 0 {
				names = append(names, name)
				if snippet == "" {
					snippet = s[max(0, i-60):min(len(s), i+len(form)+10)]
				}
				break
			}
		}
	}
	slices.Sort(names)
	return names, snippet
}

// scan fails the test if s holds a secret.
func scan(t testing.TB, what, s string) {
	t.Helper()
	if names, snippet := found(s); len(names) > 0 {
		t.Errorf("%s holds the %s: ...%s...", what, strings.Join(names, " and the "), snippet)
	}
}

// scanError scans an error and every error it wraps, in every format, and
// reports each leaking type once.
func scanError(t testing.TB, what string, err error, reported map[string]bool) {
	t.Helper()
	seen := map[error]bool{}
	var walk func(err error, depth int)
	walk = func(err error, depth int) {
		if err == nil || depth > 20 || seen[err] {
			return
		}
		seen[err] = true
		var verbs, names []string
		var snippet string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if n, sn := found(fmt.Sprintf(verb, err)); len(n) > 0 {
				verbs, names = append(verbs, verb), append(names, n...)
				if snippet == "" {
					snippet = sn
				}
			}
		}
		if len(verbs) > 0 {
			slices.Sort(names)
			key := fmt.Sprintf("%T %v %v", err, verbs, slices.Compact(names))
			if !reported[key] {
				reported[key] = true
				t.Errorf("%s: %s of %T holds the %s: ...%s...", what, strings.Join(verbs, " "), err,
					strings.Join(slices.Compact(names), " and the "), snippet)
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, depth+1)
			}
		}
	}
	walk(err, 0)
}

// leakyServer fails every request in the ways that tempt a client to
// print what it sent: it echoes the request's headers back as the
// CanonicalRequest of a SignatureDoesNotMatch (as S3 does for the headers
// that were signed), answers 500s, resets, redirects and skew errors.
func leakyServer(t testing.TB) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		var echo strings.Builder
		echo.WriteString(r.Method + "\n" + r.URL.EscapedPath() + "\n" + r.URL.RawQuery + "\n")
		for k, vs := range r.Header {
			echo.WriteString(strings.ToLower(k) + ":" + strings.Join(vs, ",") + "\n")
		}
		body := func(code, extra string) string {
			return "<Error><Code>" + code + "</Code><Message>forced failure</Message>" +
				"<CanonicalRequest>" + xmlEscape(echo.String()) + "</CanonicalRequest>" +
				"<StringToSign>AWS4-HMAC-SHA256\nx\ny\nz</StringToSign>" + extra + "</Error>"
		}
		switch n.Add(1) % 5 {
		case 0:
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, body("SignatureDoesNotMatch", ""))
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, body("InternalError", ""))
		case 2:
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		case 3:
			w.Header().Set("Date", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, body("RequestTimeTooSkewed", ""))
		case 4:
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
			w.WriteHeader(http.StatusMovedPermanently)
			io.WriteString(w, body("PermanentRedirect", "<Region>eu-west-1</Region>"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n':
			b.WriteString("&#xA;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestSecretsNeverLeak forces failures of every kind through every layer
// and scans the errors (in every format, down their chains), the slog
// output and any panic for the secret key, the session token and the SSE-C
// key.
func TestSecretsNeverLeak(t *testing.T) {
	srv := leakyServer(t)
	logs := &logSink{}
	c := newClient(t, s3client.Config{Endpoint: srv.URL, AddressingStyle: s3client.AddressingPath, Logger: slogger(logs),
		AllowSSECOverHTTP: true, MaxAttempts: 3})
	m, err := transfer.New(c, transfer.Config{StateDir: t.TempDir(), MaxConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	ssec := s3client.SSECustomer{SSECustomerKey: ssecKey}
	ctx := context.Background()
	dir := t.TempDir()
	small := data(1000, 61)
	big := data(6*unit, 62)

	calls := map[string]func() error{
		"PutObject": func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(small), SSECustomer: ssec})
			return err
		},
		"GetObject": func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: ssec})
			return err
		},
		"HeadObject": func() error {
			_, err := c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: ssec})
			return err
		},
		"CopyObject": func() error {
			_, err := c.CopyObject(ctx, &s3client.CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: s3client.CopySource{Bucket: "src", Key: "s"},
				SSECustomer: ssec, CopySourceSSECustomer: ssec})
			return err
		},
		"UploadPart": func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: bytes.NewReader(small), SSECustomer: ssec})
			return err
		},
		"ListObjectsV2": func() error {
			_, err := c.ListObjectsV2(ctx, &s3client.ListObjectsV2Input{Bucket: "bkt"})
			return err
		},
		"HeadBucket": func() error { _, err := c.HeadBucket(ctx, &s3client.HeadBucketInput{Bucket: "bkt"}); return err },
		"multipart Upload": func() error {
			u := &multipart.Uploader{Client: c, PartSize: partSize}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(big), SSECustomer: ssec})
			return err
		},
		"transfer Upload": func() error {
			_, err := m.Upload(ctx, bytes.NewReader(big), "bkt", "k", transfer.UploadArgs{SSECustomer: ssec})
			return err
		},
		"transfer DownloadFile": func() error {
			_, err := m.DownloadFile(ctx, "bkt", "k", filepath.Join(dir, "f"), transfer.DownloadArgs{SSECustomer: ssec})
			return err
		},
		"transfer Copy": func() error {
			_, err := m.Copy(ctx, transfer.CopySource{Bucket: "src", Key: "s"}, "bkt", "k", transfer.CopyArgs{SSECustomer: ssec, CopySourceSSECustomerKey: ssecKey})
			return err
		},
	}
	failures := 0
	reported := map[string]bool{}
	for name, call := range calls {
		for range 3 { // the server cycles through its failures
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						scan(t, name+" panic", fmt.Sprint(r))
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return call()
			}()
			if err == nil {
				t.Errorf("%s succeeded against a server that fails everything", name)
				continue
			}
			failures++
			scanError(t, name, err, reported)
		}
	}
	out := logs.String()
	scan(t, "slog output", out)
	if logs.records.Load() == 0 {
		t.Error("no log records: the scan saw nothing")
	}
	t.Logf("%d forced failures scanned, %d log records (%d bytes)", failures, logs.records.Load(), len(out))
}

// TestSecretsNotInFormattedValues prints every exported value that holds
// a secret, and the client itself, with every verb.
func TestSecretsNotInFormattedValues(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, SessionToken: sessionToken, Expires: time.Now().Add(time.Hour)}
	static := sigv4.NewStaticProvider(accessKey, secretKey, sessionToken)
	ssec := s3client.SSECustomer{SSECustomerKey: ssecKey}
	cfg := s3client.Config{Endpoint: "http://127.0.0.1:1", Credentials: static, AllowSSECOverHTTP: true}
	c := newClient(t, cfg)
	m, err := transfer.New(c, transfer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := c.PresignPost(context.Background(), &presignpost.Policy{Bucket: "bkt", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := c.PresignGetObject(context.Background(), &s3client.GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: ssec}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// A cache and a chain that have fetched credentials hold them.
	cache := credentials.NewCache(static, nil)
	chain := credentials.NewChain(credentials.ChainSource{Name: "static", Provider: static})
	for _, p := range []sigv4.CredentialsProvider{cache, chain} {
		if _, err := p.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	values := map[string]any{
		"sigv4.Credentials":                     creds,
		"*sigv4.Credentials":                    &creds,
		"sigv4.StaticProvider":                  static,
		"s3client.Config":                       cfg,
		"*s3client.Config":                      &cfg,
		"*s3client.Client":                      c,
		"s3client.SSECKey":                      ssecKey,
		"s3client.SSECustomer":                  ssec,
		"s3client.PutObjectInput":               s3client.PutObjectInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"*s3client.PutObjectInput":              &s3client.PutObjectInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"s3client.GetObjectInput":               s3client.GetObjectInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"s3client.CopyObjectInput":              s3client.CopyObjectInput{Bucket: "b", Key: "k", SSECustomer: ssec, CopySourceSSECustomer: ssec},
		"s3client.UploadPartInput":              s3client.UploadPartInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"s3client.UploadPartCopyInput":          s3client.UploadPartCopyInput{Bucket: "b", Key: "k", SSECustomer: ssec, CopySourceSSECustomer: ssec},
		"s3client.CreateMultipartUploadInput":   s3client.CreateMultipartUploadInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"s3client.CompleteMultipartUploadInput": s3client.CompleteMultipartUploadInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"s3client.ListPartsInput":               s3client.ListPartsInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"s3client.PresignedRequest":             pr,
		"multipart.UploadInput":                 multipart.UploadInput{Bucket: "b", Key: "k", SSECustomer: ssec},
		"multipart.CopyInput":                   multipart.CopyInput{Bucket: "b", Key: "k", SSECustomer: ssec, CopySourceSSECustomer: ssec},
		"*multipart.Uploader":                   &multipart.Uploader{Client: c},
		"transfer.UploadArgs":                   transfer.UploadArgs{SSECustomer: ssec},
		"transfer.DownloadArgs":                 transfer.DownloadArgs{SSECustomer: ssec},
		"transfer.CopyArgs":                     transfer.CopyArgs{SSECustomer: ssec, CopySourceSSECustomerKey: ssecKey},
		"*transfer.Manager":                     m,
		"presignpost.Signed":                    *signed,
		"*presignpost.Signed":                   signed,
		"*credentials.Cache":                    cache,
		"*credentials.Chain":                    chain,
		"credentials.EnvProvider":               credentials.EnvProvider{Getenv: func(string) string { return secretKey }},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			scan(t, fmt.Sprintf("%s %s", verb, name), fmt.Sprintf(verb, v))
		}
	}
}

// TestRedirectsNotFollowed: a redirect to another host is not followed, so
// the Authorization header and the session token never reach it — also
// when the caller's own http.Client would follow redirects.
func TestRedirectsNotFollowed(t *testing.T) {
	var other atomic.Int64
	var leaked sync.Map
	otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		for _, h := range []string{"Authorization", "X-Amz-Security-Token", "X-Amz-Server-Side-Encryption-Customer-Key"} {
			if v := r.Header.Get(h); v != "" {
				leaked.Store(h, v)
			}
		}
		if strings.Contains(r.URL.RawQuery, "Signature") || strings.Contains(r.URL.RawQuery, "Security-Token") {
			leaked.Store("query", r.URL.RawQuery)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer otherSrv.Close()

	for _, status := range []int{301, 302, 303, 307, 308} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Location", otherSrv.URL+r.URL.RequestURI())
			w.WriteHeader(status)
		}))
		for _, follow := range []bool{false, true} {
			hc := &http.Client{Transport: loopbackTransport(headerTimeout)}
			if follow {
				hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
			}
			c := newClient(t, s3client.Config{Endpoint: redirector.URL, AddressingStyle: s3client.AddressingPath,
				HTTPClient: hc, AllowSSECOverHTTP: true})
			m, _ := transfer.New(c, transfer.Config{StateDir: t.TempDir()})
			ctx := context.Background()
			checks := map[string]error{}
			_, checks["GetObject"] = c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: s3client.SSECustomer{SSECustomerKey: ssecKey}})
			_, checks["PutObject"] = c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x")})
			_, checks["HeadBucket"] = c.HeadBucket(ctx, &s3client.HeadBucketInput{Bucket: "bkt"})
			_, checks["transfer Download"] = m.Download(ctx, "bkt", "k", io.Discard)
			for op, err := range checks {
				var ce *s3client.Error
				if !errors.As(err, &ce) {
					t.Errorf("%d (client follows %v) %s: err = %v, want an *s3client.Error", status, follow, op, err)
				}
			}
			if hc.CheckRedirect != nil && !follow {
				t.Error("the caller's http.Client was modified")
			}
		}
		redirector.Close()
	}
	if n := other.Load(); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}
	leaked.Range(func(k, v any) bool {
		t.Errorf("%v reached the other host", k)
		return true
	})
}

// TestTLSVerifiedByDefault: a server whose certificate is not trusted is
// refused by the default client, at once (not retried), and nothing
// reaches its handler.
func TestTLSVerifiedByDefault(t *testing.T) {
	var reached atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	c, err := s3client.New(s3client.Config{Endpoint: srv.URL, Region: testRegion,
		Credentials: sigv4.NewStaticProvider(accessKey, secretKey, sessionToken), RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutObject(context.Background(), &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"),
		SSECustomer: s3client.SSECustomer{SSECustomerKey: ssecKey}})
	var ce *s3client.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if ce.Attempts > 1 {
		t.Errorf("an untrusted certificate was retried: %d attempts", ce.Attempts)
	}
	if reached.Load() != 0 {
		t.Error("a request reached the server")
	}
	scanError(t, "TLS failure", err, map[string]bool{})
	if tr := s3client.DefaultTransport(); tr.TLSClientConfig == nil || tr.TLSClientConfig.InsecureSkipVerify {
		t.Error("DefaultTransport does not verify certificates")
	}
	// With the server's certificate trusted, the same request goes through.
	tr := s3client.DefaultTransport()
	tr.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c2 := newClient(t, s3client.Config{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: tr}})
	if _, err := c2.PutObject(context.Background(), &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x")}); err != nil {
		t.Errorf("with the certificate trusted: %v", err)
	}
}

// TestSSECRequiresHTTPS: SSE-C keys are refused over plain http, before
// anything is sent, unless the caller opts in.
func TestSSECRequiresHTTPS(t *testing.T) {
	srv := newCountingServer(t)
	c := newClient(t, s3client.Config{Endpoint: srv.URL, AddressingStyle: s3client.AddressingPath, MaxAttempts: 1})
	m, _ := transfer.New(c, transfer.Config{StateDir: t.TempDir()})
	ssec := s3client.SSECustomer{SSECustomerKey: ssecKey}
	ctx := context.Background()
	b := &badEnv{srv: srv}
	calls := map[string]func() error{
		"PutObject": func() error {
			_, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), SSECustomer: ssec})
			return err
		},
		"GetObject": func() error {
			_, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: ssec})
			return err
		},
		"HeadObject": func() error {
			_, err := c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: ssec})
			return err
		},
		"CopyObject source key": func() error {
			_, err := c.CopyObject(ctx, &s3client.CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: s3client.CopySource{Bucket: "s", Key: "s"}, CopySourceSSECustomer: ssec})
			return err
		},
		"CreateMultipartUpload": func() error {
			_, err := c.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: "bkt", Key: "k", SSECustomer: ssec})
			return err
		},
		"UploadPart": func() error {
			_, err := c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: strings.NewReader("x"), SSECustomer: ssec})
			return err
		},
		"UploadPartCopy": func() error {
			_, err := c.UploadPartCopy(ctx, &s3client.UploadPartCopyInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1,
				CopySource: s3client.CopySource{Bucket: "s", Key: "s"}, SSECustomer: ssec})
			return err
		},
		"CompleteMultipartUpload": func() error {
			_, err := c.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u",
				Parts: []s3client.CompletedPart{{PartNumber: 1, ETag: "e"}}, SSECustomer: ssec})
			return err
		},
		"ListParts": func() error {
			_, err := c.ListParts(ctx, &s3client.ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u", SSECustomer: ssec})
			return err
		},
		"multipart Upload": func() error {
			u := &multipart.Uploader{Client: c}
			_, err := u.Upload(ctx, &multipart.UploadInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), SSECustomer: ssec})
			return err
		},
		"transfer Upload": func() error {
			_, err := m.Upload(ctx, strings.NewReader("x"), "bkt", "k", transfer.UploadArgs{SSECustomer: ssec})
			return err
		},
		"transfer Download": func() error {
			_, err := m.Download(ctx, "bkt", "k", io.Discard, transfer.DownloadArgs{SSECustomer: ssec})
			return err
		},
	}
	for name, call := range calls {
		b.expectRefused(t, name+" with SSE-C over http", call, s3client.ErrInvalidInput)
	}
}

// TestPresignedURLCarriesWhatWasSigned alters each part of a presigned URL
// and of the request its holder sends: the independent verifier accepts the
// URL as issued and refuses every alteration.
func TestPresignedURLCarriesWhatWasSigned(t *testing.T) {
	c := newClient(t, s3client.Config{Endpoint: "https://s3.example.test", AddressingStyle: s3client.AddressingPath})
	now := time.Now()
	pr, err := c.PresignPutObject(context.Background(), &s3client.PutObjectInput{Bucket: "bkt", Key: "dir/ü k+ey",
		ObjectProperties: s3client.ObjectProperties{ContentType: "image/png", Metadata: map[string]string{"owner": "alice"}}}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := presignedWant{method: "PUT", accessKey: accessKey, secretKey: secretKey, sessionToken: sessionToken, region: testRegion, now: now}
	if err := verifyPresigned("PUT", pr.URL, pr.Header, want); err != nil {
		t.Fatalf("the URL as issued does not verify: %v", err)
	}
	u, _ := url.Parse(pr.URL)
	type alteration struct {
		name   string
		method string
		url    string
		header http.Header
		now    time.Time
	}
	var alts []alteration
	add := func(name string, mod func(u *url.URL, h http.Header) string) {
		u2, _ := url.Parse(pr.URL)
		h := pr.Header.Clone()
		method := "PUT"
		if m := mod(u2, h); m != "" {
			method = m
		}
		alts = append(alts, alteration{name: name, method: method, url: u2.String(), header: h, now: now})
	}
	add("method", func(*url.URL, http.Header) string { return "DELETE" })
	add("host", func(u *url.URL, _ http.Header) string { u.Host = "s3.example.evil"; return "" })
	add("bucket", func(u *url.URL, _ http.Header) string {
		u.Path = strings.Replace(u.Path, "/bkt/", "/bku/", 1)
		u.RawPath = ""
		return ""
	})
	add("key", func(u *url.URL, _ http.Header) string { u.Path += "x"; u.RawPath = ""; return "" })
	for name := range u.Query() {
		add("query "+name, func(u *url.URL, _ http.Header) string {
			q := u.Query()
			v := q.Get(name)
			if v == "" {
				v = "x"
			}
			q.Set(name, v[:len(v)-1]+string(rune('a'+(v[len(v)-1]+1)%26)))
			u.RawQuery = q.Encode()
			return ""
		})
		add("query "+name+" dropped", func(u *url.URL, _ http.Header) string {
			q := u.Query()
			q.Del(name)
			u.RawQuery = q.Encode()
			return ""
		})
	}
	add("extra query parameter", func(u *url.URL, _ http.Header) string {
		q := u.Query()
		q.Set("versionId", "1")
		u.RawQuery = q.Encode()
		return ""
	})
	for name := range pr.Header {
		add("header "+name, func(_ *url.URL, h http.Header) string { h.Set(name, h.Get(name)+"x"); return "" })
	}
	alts = append(alts, alteration{name: "after expiry", method: "PUT", url: pr.URL, header: pr.Header, now: now.Add(11 * time.Minute)})
	if len(pr.Header) < 2 {
		t.Errorf("signed headers %v: Content-Type and metadata should be among them", pr.Header)
	}
	for _, a := range alts {
		w := want
		w.now = a.now
		if err := verifyPresigned(a.method, a.url, a.header, w); err == nil {
			t.Errorf("altered %s: the verifier accepted it", a.name)
		}
	}
	t.Logf("%d alterations refused", len(alts))
}

// TestPresignedPostCarriesWhatWasSigned alters each field of a signed POST
// form: Verify (the signature) or Check (the policy) refuses every one.
func TestPresignedPostCarriesWhatWasSigned(t *testing.T) {
	c := newClient(t, s3client.Config{Endpoint: "https://s3.example.test", AddressingStyle: s3client.AddressingPath})
	signed, err := c.PresignPost(context.Background(), &presignpost.Policy{Bucket: "bkt", Key: "uploads/${filename}",
		Fields:     map[string]string{"Content-Type": "image/png", "x-amz-meta-owner": "alice", "acl": "private"},
		Conditions: []presignpost.Condition{presignpost.ContentLengthRange(1, 1000)}})
	if err != nil {
		t.Fatal(err)
	}
	creds := sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, SessionToken: sessionToken}
	accept := func(fields map[string]string, size int64) error {
		if err := presignpost.Verify(fields, creds, testRegion); err != nil {
			return err
		}
		return presignpost.Check(fields["policy"], presignpost.Form{Bucket: "bkt", Fields: fields, Filename: "cat.png", FileSize: size}, time.Now())
	}
	if err := accept(signed.Fields, 10); err != nil {
		t.Fatalf("the form as signed is refused: %v", err)
	}
	for name := range signed.Fields {
		fields := make(map[string]string)
		for k, v := range signed.Fields {
			fields[k] = v
		}
		fields[name] += "x"
		if name == "key" {
			// The key is a starts-with on "uploads/" (it holds
			// ${filename}): anything after the prefix is allowed.
			fields[name] = "elsewhere/cat.png"
		}
		if err := accept(fields, 10); err == nil {
			t.Errorf("altered field %s: accepted", name)
		}
		delete(fields, name)
		if err := accept(fields, 10); err == nil {
			t.Errorf("dropped field %s: accepted", name)
		}
	}
	extra := make(map[string]string)
	for k, v := range signed.Fields {
		extra[k] = v
	}
	extra["x-amz-meta-added"] = "1"
	if err := accept(extra, 10); err == nil {
		t.Error("an added field was accepted")
	}
	for _, size := range []int64{0, 1001} {
		if err := accept(signed.Fields, size); err == nil {
			t.Errorf("a file of %d bytes was accepted", size)
		}
	}
}
