package sigv4

// The S3 canonicalization rules of issue 2, one table test each. Every case
// checks the canonical request the signer reports, that the Authorization it
// set verifies under the independent reference (reference_test.go), and, for
// the URL rules, that the request line net/http puts on the wire is the
// canonical one.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testCreds = Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	testTime  = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

// crLine returns line i (0-based) of a canonical request.
func crLine(t *testing.T, cr string, i int) string {
	t.Helper()
	lines := strings.Split(cr, "\n")
	if i >= len(lines) {
		t.Fatalf("canonical request has %d lines:\n%s", len(lines), cr)
	}
	return lines[i]
}

// crHeaders returns the canonical header block and the signed header list.
func crHeaders(t *testing.T, cr string) (block, signed string) {
	t.Helper()
	lines := strings.Split(cr, "\n")
	// method, uri, query, headers..., "", signed, hash
	if len(lines) < 6 {
		t.Fatalf("short canonical request:\n%s", cr)
	}
	return strings.Join(lines[3:len(lines)-3], "\n"), lines[len(lines)-2]
}

func signAndCanon(t *testing.T, req *http.Request) string {
	t.Helper()
	var s Signer
	if err := s.Sign(req, testCreds, "us-east-1", UnsignedPayload, testTime); err != nil {
		t.Fatal(err)
	}
	cr, err := s.CanonicalRequest(req, UnsignedPayload)
	if err != nil {
		t.Fatal(err)
	}
	verifySigned(t, req, testCreds.SecretAccessKey)
	return cr
}

func TestURIEncodeEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		unreservedByte := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
		for _, keep := range []bool{false, true} {
			want := fmt.Sprintf("%%%02X", c)
			if unreservedByte || keep && c == '/' {
				want = s
			}
			if got := URIEncode(s, keep); got != want {
				t.Errorf("URIEncode(%q, %v) = %q, want %q", s, keep, got, want)
			}
			if got := string(AppendURIEncode([]byte("x"), s, keep)); got != "x"+want {
				t.Errorf("AppendURIEncode(%q, %v) = %q, want %q", s, keep, got, "x"+want)
			}
		}
	}
}

func TestURIEncodeStrings(t *testing.T) {
	tests := []struct {
		in        string
		keepSlash bool
		want      string
	}{
		{"", false, ""},
		{"AZaz09-._~", false, "AZaz09-._~"},
		{"a b", false, "a%20b"}, // never '+'
		{"a+b", false, "a%2Bb"},
		{"a/b/", false, "a%2Fb%2F"},
		{"a/b/", true, "a/b/"},
		{"ü", true, "%C3%BC"},
		{"%2F", true, "%252F"}, // a literal escape is encoded again
		{"!*'();:@&=+$,?#[]", false, "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D"},
		{"\x00\x7f\xff", false, "%00%7F%FF"},
	}
	for _, tc := range tests {
		if got := URIEncode(tc.in, tc.keepSlash); got != tc.want {
			t.Errorf("URIEncode(%q, %v) = %q, want %q", tc.in, tc.keepSlash, got, tc.want)
		}
	}
}

func TestCanonicalPathNeverNormalized(t *testing.T) {
	tests := []struct {
		name string
		url  *url.URL // Path is the decoded path, as S3 keys are
		want string   // canonical URI, and the path on the wire
	}{
		{"root", &url.URL{Path: "/"}, "/"},
		{"empty path is /", &url.URL{Path: ""}, "/"},
		{"space is %20", &url.URL{Path: "/bucket/my photo.jpg"}, "/bucket/my%20photo.jpg"},
		{"plus is %2B", &url.URL{Path: "/bucket/a+b"}, "/bucket/a%2Bb"},
		{"double slash kept", &url.URL{Path: "/bucket//key"}, "/bucket//key"},
		{"leading double slash kept", &url.URL{Path: "//bucket/key"}, "//bucket/key"},
		{"dot kept", &url.URL{Path: "/bucket/./key"}, "/bucket/./key"},
		{"dot dot kept", &url.URL{Path: "/bucket/a/../key"}, "/bucket/a/../key"},
		{"trailing dot dot kept", &url.URL{Path: "/bucket/.."}, "/bucket/.."},
		{"trailing slash kept once", &url.URL{Path: "/bucket/dir/"}, "/bucket/dir/"},
		{"literal %2F encoded once more", &url.URL{Path: "/bucket/a%2Fb"}, "/bucket/a%252Fb"},
		{"literal %20", &url.URL{Path: "/bucket/100%20"}, "/bucket/100%2520"},
		{"utf-8", &url.URL{Path: "/bucket/ሴ/ü"}, "/bucket/%E1%88%B4/%C3%BC"},
		{"reserved characters", &url.URL{Path: "/bucket/a=b&c?d#e;f:g@h$i!j*k'l(m)n,o[p]"}, "/bucket/a%3Db%26c%3Fd%23e%3Bf%3Ag%40h%24i%21j%2Ak%27l%28m%29n%2Co%5Bp%5D"},
		{"unreserved untouched", &url.URL{Path: "/bucket/~user/file_name-1.v2.txt"}, "/bucket/~user/file_name-1.v2.txt"},
		{"control bytes", &url.URL{Path: "/bucket/a\tb\x7f"}, "/bucket/a%09b%7F"},
		// A caller who escaped a '/' himself sent the key "a/b": S3 decodes
		// the path before it finds the key.
		{"caller RawPath with %2F", &url.URL{Path: "/bucket/a/b", RawPath: "/bucket/a%2Fb"}, "/bucket/a/b"},
		{"caller RawPath with lowercase escapes", &url.URL{Path: "/bucket/a b", RawPath: "/bucket/a%20b"}, "/bucket/a%20b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := *tc.url
			u.Scheme, u.Host = "https", "examplebucket.s3.amazonaws.com"
			req := &http.Request{Method: http.MethodGet, URL: &u, Header: http.Header{}}
			cr := signAndCanon(t, req)
			if got := crLine(t, cr, 1); got != tc.want {
				t.Errorf("canonical URI %q, want %q", got, tc.want)
			}
			if got := req.URL.RequestURI(); got != tc.want {
				t.Errorf("request URI on the wire %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCanonicalQuerySortedAndEncoded(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"empty", "", ""},
		{"sorted by name", "b=2&a=1&c=3", "a=1&b=2&c=3"},
		{"same name sorted by value", "a=2&a=10&a=1", "a=1&a=10&a=2"},
		{"upper case sorts first", "b=1&B=2&a=3", "B=2&a=3&b=1"},
		{"empty value", "acl", "acl="},
		{"empty value with =", "acl=", "acl="},
		{"empty values sort", "versions&prefix=&delimiter=%2F", "delimiter=%2F&prefix=&versions="},
		{"empty name", "=v&a=1", "=v&a=1"},
		{"empty parts dropped", "&a=1&&b=2&", "a=1&b=2"},
		{"space as + decodes to %20", "prefix=a+b", "prefix=a%20b"},
		{"space as %20", "prefix=a%20b", "prefix=a%20b"},
		{"literal plus", "prefix=a%2Bb", "prefix=a%2Bb"},
		{"lowercase escapes made uppercase", "prefix=a%2fb%c3%bc", "prefix=a%2Fb%C3%BC"},
		{"escaped unreserved decoded", "prefix=%7Euser%2D1", "prefix=~user-1"},
		{"slash encoded in values", "prefix=photos/2024/", "prefix=photos%2F2024%2F"},
		{"reserved encoded", "a=!*'()", "a=%21%2A%27%28%29"},
		{"raw utf-8 encoded", "prefix=ü", "prefix=%C3%BC"},
		{"equals in value kept", "a=b=c", "a=b%3Dc"},
		// Sorted by the encoded name: 'é' is %C3%A9, and '%' < '~' although
		// 0xC3 > '~'.
		{"sorted by encoded name", "a~=1&a%C3%A9=2", "a%C3%A9=2&a~=1"},
		{"semicolon is data", "a=1;b=2", "a=1%3Bb%3D2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Path: "/", RawQuery: tc.raw}, Header: http.Header{}}
			cr := signAndCanon(t, req)
			if got := crLine(t, cr, 2); got != tc.want {
				t.Errorf("canonical query %q, want %q", got, tc.want)
			}
			if req.URL.RawQuery != tc.want {
				t.Errorf("RawQuery on the wire %q, want %q", req.URL.RawQuery, tc.want)
			}
		})
	}
}

func TestCanonicalHeaders(t *testing.T) {
	tests := []struct {
		name       string
		set        func(h http.Header)
		wantBlock  string // canonical headers, without x-amz-content-sha256 and x-amz-date
		wantSigned string
	}{
		{"names lowercased", func(h http.Header) { h.Set("X-Amz-Meta-Color", "red") },
			"host:h.example\nx-amz-meta-color:red", "host;x-amz-meta-color"},
		{"non-canonical key lowercased", func(h http.Header) { h["x-AMZ-meta-COLOR"] = []string{"red"} },
			"host:h.example\nx-amz-meta-color:red", "host;x-amz-meta-color"},
		{"value trimmed", func(h http.Header) { h.Set("X-Amz-Meta-A", " \t red \t ") },
			"host:h.example\nx-amz-meta-a:red", "host;x-amz-meta-a"},
		{"inner runs collapsed", func(h http.Header) { h.Set("X-Amz-Meta-A", "a   b \t\t c d") },
			"host:h.example\nx-amz-meta-a:a b c d", "host;x-amz-meta-a"},
		{"case of values kept", func(h http.Header) { h.Set("Content-Type", "Text/Plain; Charset=UTF-8") },
			"content-type:Text/Plain; Charset=UTF-8\nhost:h.example", "content-type;host"},
		{"repeated header joined with comma", func(h http.Header) { h.Add("X-Amz-Meta-A", "1"); h.Add("X-Amz-Meta-A", " 2 ") },
			"host:h.example\nx-amz-meta-a:1,2", "host;x-amz-meta-a"},
		{"repeated header keeps its order", func(h http.Header) { h.Add("X-Amz-Meta-A", "z"); h.Add("X-Amz-Meta-A", "a") },
			"host:h.example\nx-amz-meta-a:z,a", "host;x-amz-meta-a"},
		{"keys differing in case are one header", func(h http.Header) { h["x-amz-meta-a"] = []string{"2"}; h["X-Amz-Meta-A"] = []string{"1"} },
			"host:h.example\nx-amz-meta-a:1,2", "host;x-amz-meta-a"},
		{"empty value", func(h http.Header) { h.Set("X-Amz-Meta-Empty", "") },
			"host:h.example\nx-amz-meta-empty:", "host;x-amz-meta-empty"},
		{"sorted by lowercase name", func(h http.Header) {
			h.Set("X-Amz-Storage-Class", "STANDARD")
			h.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
			h.Set("X-Amz-Acl", "private")
			h.Set("Cache-Control", "no-cache")
		},
			"cache-control:no-cache\ncontent-md5:1B2M2Y8AsgTpgAmY7PhCfg==\nhost:h.example\nx-amz-acl:private\nx-amz-storage-class:STANDARD",
			"cache-control;content-md5;host;x-amz-acl;x-amz-storage-class"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &http.Request{Method: http.MethodPut, Host: "h.example", URL: &url.URL{Scheme: "https", Host: "h.example", Path: "/k"}, Header: http.Header{}}
			tc.set(req.Header)
			cr := signAndCanon(t, req)
			block, signed := crHeaders(t, cr)
			var kept []string
			for _, l := range strings.Split(block, "\n") {
				if !strings.HasPrefix(l, "x-amz-date:") && !strings.HasPrefix(l, "x-amz-content-sha256:") {
					kept = append(kept, l)
				}
			}
			if got := strings.Join(kept, "\n"); got != tc.wantBlock {
				t.Errorf("canonical headers:\n%s\nwant:\n%s", got, tc.wantBlock)
			}
			signed = strings.ReplaceAll(strings.ReplaceAll(signed, ";x-amz-date", ""), ";x-amz-content-sha256", "")
			if signed != tc.wantSigned {
				t.Errorf("signed headers %q, want %q", signed, tc.wantSigned)
			}
		})
	}
}

func TestHostHeader(t *testing.T) {
	tests := []struct {
		name      string
		urlHost   string
		reqHost   string
		wantHost  string
		wantInURL string // host part of a presigned URL
	}{
		{"virtual host", "examplebucket.s3.amazonaws.com", "", "examplebucket.s3.amazonaws.com", "examplebucket.s3.amazonaws.com"},
		{"non-default port kept", "127.0.0.1:9000", "", "127.0.0.1:9000", "127.0.0.1:9000"},
		{"ipv6 with port", "[::1]:9000", "", "[::1]:9000", "[::1]:9000"},
		// net/http sends req.Host, not the URL's host, when it is set; the
		// signature must cover what is sent.
		{"req.Host wins", "127.0.0.1:9000", "bucket.localhost:9000", "bucket.localhost:9000", "bucket.localhost:9000"},
		// net/http sends a default port when given one, so it is signed.
		{"explicit default port as given", "s3.amazonaws.com:443", "", "s3.amazonaws.com:443", "s3.amazonaws.com:443"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &http.Request{Method: http.MethodGet, Host: tc.reqHost, URL: &url.URL{Scheme: "https", Host: tc.urlHost, Path: "/k"}, Header: http.Header{}}
			cr := signAndCanon(t, req)
			block, _ := crHeaders(t, cr)
			if !strings.Contains(block, "\nhost:"+tc.wantHost+"\n") && !strings.HasPrefix(block, "host:"+tc.wantHost+"\n") {
				t.Errorf("canonical headers:\n%s\nwant host:%s", block, tc.wantHost)
			}
			var s Signer
			u, _, err := s.Presign(req, testCreds, "us-east-1", UnsignedPayload, time.Hour, testTime)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u, "https://"+tc.wantInURL+"/k?") {
				t.Errorf("presigned URL %s, want host %s", u, tc.wantInURL)
			}
		})
	}
}

func TestIgnoredHeadersNotSigned(t *testing.T) {
	tests := []struct{ name, value string }{
		{"User-Agent", "s3kit/1.0"},
		{"user-agent", "lowercase key"},
		{"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"},
		{"Expect", "100-continue"},
		{"Authorization", "AWS4-HMAC-SHA256 Credential=stale"},
		{"AUTHORIZATION", "upper-case key"},
		{"Connection", "keep-alive"},
		{"Transfer-Encoding", "chunked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &http.Request{Method: http.MethodPut, URL: &url.URL{Scheme: "https", Host: "h.example", Path: "/k"}, Header: http.Header{}}
			req.Header[tc.name] = []string{tc.value}
			cr := signAndCanon(t, req)
			if strings.Contains(strings.ToLower(cr), strings.ToLower(tc.name)+":") {
				t.Errorf("%s is in the canonical request:\n%s", tc.name, cr)
			}
			first := req.Header.Get("Authorization")
			// A proxy rewriting it does not invalidate the signature.
			req.Header[tc.name] = []string{"rewritten by a proxy"}
			var s Signer
			if err := s.Sign(req, testCreds, "us-east-1", UnsignedPayload, testTime); err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("Authorization"); got != first {
				t.Errorf("signature changed with %s:\n%s\n%s", tc.name, first, got)
			}
		})
	}
}

// receivedRequest is what the test server saw.
type receivedRequest struct {
	method, requestURI, host string
	header                   http.Header
}

// newRecordingServer starts a loopback server that records each request
// (with the raw request line, as net/http received it) and answers 200.
func newRecordingServer(t *testing.T) (*httptest.Server, func() receivedRequest) {
	t.Helper()
	var mu sync.Mutex
	var last receivedRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = receivedRequest{r.Method, r.RequestURI, r.Host, r.Header.Clone()}
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() receivedRequest { mu.Lock(); defer mu.Unlock(); return last }
}

func TestWireEqualsCanonical(t *testing.T) {
	srv, last := newRecordingServer(t)
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		rawQuery string
		header   http.Header
	}{
		{"plain", "/bucket/key", "", nil},
		{"space and plus", "/bucket/my photo+1.jpg", "prefix=a+b&x=a%2Bb", nil},
		{"literal %2F", "/bucket/a%2Fb", "", nil},
		{"not normalized", "/bucket//a/./b/../c/", "", nil},
		{"utf-8", "/bucket/ሴ ü", "prefix=ü&list-type=2", nil},
		{"reserved", "/bucket/a=b&c?d#e;f:g@h!*'()", "q=%3F%23&z&a=", nil},
		{"unsorted query", "/bucket", "versions&prefix=x&delimiter=/&max-keys=2", nil},
		{"headers", "/bucket/k", "", http.Header{"X-Amz-Meta-A": {"  a   b  ", "c"}, "Content-Type": {"text/plain"}, "User-Agent": {"test"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := *base
			u.Path, u.RawQuery = tc.path, tc.rawQuery
			req, err := http.NewRequest(http.MethodGet, u.String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.Path, req.URL.RawPath, req.URL.RawQuery = tc.path, "", tc.rawQuery
			for k, v := range tc.header {
				req.Header[k] = v
			}
			creds := testCreds
			creds.SessionToken = "token/with+special=chars"
			var s Signer
			if err := s.Sign(req, creds, "us-east-1", UnsignedPayload, testTime); err != nil {
				t.Fatal(err)
			}
			cr, err := s.CanonicalRequest(req, UnsignedPayload)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := last()
			want := crLine(t, cr, 1)
			if q := crLine(t, cr, 2); q != "" {
				want += "?" + q
			}
			if got.requestURI != want {
				t.Errorf("request line URI %q, canonical %q", got.requestURI, want)
			}
			// The server-side check: what arrived verifies.
			rp, rq, _ := strings.Cut(got.requestURI, "?")
			verifyHeaderSignature(t, got.method, rp, rq, got.host, got.header, creds.SecretAccessKey)
		})
	}
}

func TestResignReplacesSignature(t *testing.T) {
	req := &http.Request{Method: http.MethodPut, URL: &url.URL{Scheme: "https", Host: "h.example", Path: "/k"}, Header: http.Header{}}
	var s Signer
	withToken := testCreds
	withToken.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN"
	steps := []struct {
		creds Credentials
		t     time.Time
		token bool
	}{
		{withToken, testTime, true},
		{testCreds, testTime.Add(time.Minute), false},    // token removed
		{withToken, testTime.Add(2 * time.Minute), true}, // and set again
		{withToken, testTime.Add(24 * time.Hour), true},  // next day, new scope
	}
	var prev string
	for i, st := range steps {
		if err := s.Sign(req, st.creds, "us-east-1", UnsignedPayload, st.t); err != nil {
			t.Fatal(err)
		}
		if n := len(req.Header.Values("Authorization")); n != 1 {
			t.Fatalf("step %d: %d Authorization values", i, n)
		}
		auth := req.Header.Get("Authorization")
		if auth == prev {
			t.Errorf("step %d: signature not replaced", i)
		}
		prev = auth
		if got, want := req.Header.Get("X-Amz-Date"), FormatTime(st.t); got != want {
			t.Errorf("step %d: X-Amz-Date %s, want %s", i, got, want)
		}
		if got, want := req.Header.Values("X-Amz-Date"), 1; len(got) != want {
			t.Errorf("step %d: X-Amz-Date values %q", i, got)
		}
		tok, has := req.Header["X-Amz-Security-Token"]
		if has != st.token || st.token && (len(tok) != 1 || tok[0] != st.creds.SessionToken) {
			t.Errorf("step %d: X-Amz-Security-Token = %q (present %v), want present %v", i, tok, has, st.token)
		}
		a := parseAuthorization(t, auth)
		if signsToken := strings.Contains(strings.Join(a.SignedHeaders, ";"), "x-amz-security-token"); signsToken != st.token {
			t.Errorf("step %d: token signed = %v, want %v", i, signsToken, st.token)
		}
		verifySigned(t, req, st.creds.SecretAccessKey)
	}
}

func TestSignSetsHeaders(t *testing.T) {
	tests := []struct {
		service, hash string
		wantSHA       bool
	}{
		{"", UnsignedPayload, true},
		{"s3", EmptyPayloadHash, true},
		{"s3", StreamingPayload, true},
		{"execute-api", EmptyPayloadHash, false}, // only S3 wants the header
	}
	for _, tc := range tests {
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "h.example", Path: "/"}}
		s := Signer{Service: tc.service}
		if err := s.Sign(req, testCreds, "eu-west-1", tc.hash, testTime); err != nil {
			t.Fatal(err)
		}
		got, ok := req.Header["X-Amz-Content-Sha256"]
		if ok != tc.wantSHA || ok && got[0] != tc.hash {
			t.Errorf("service %q: X-Amz-Content-Sha256 = %q, want present %v", tc.service, got, tc.wantSHA)
		}
		a := parseAuthorization(t, req.Header.Get("Authorization"))
		wantService := tc.service
		if wantService == "" {
			wantService = "s3"
		}
		if a.Service != wantService || a.Region != "eu-west-1" || a.Date != "20130524" || a.AccessKeyID != testCreds.AccessKeyID {
			t.Errorf("service %q: credential %+v", tc.service, a)
		}
	}
}

func TestPresignQueryAndHeaders(t *testing.T) {
	creds := testCreds
	creds.SessionToken = "tok/en+=="
	// A request that was header-signed before: its auth headers must not
	// leak into the presigned URL's signed headers.
	req, err := http.NewRequest(http.MethodPut, "https://examplebucket.s3.amazonaws.com/my key?X-Amz-Signature=old&uploads&X-Amz-Date=old", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("User-Agent", "ignored")
	var s Signer
	if err := s.Sign(req, creds, "us-east-1", EmptyPayloadHash, testTime); err != nil {
		t.Fatal(err)
	}
	u, hdr, err := s.Presign(req, creds, "us-east-1", UnsignedPayload, 10*time.Minute, testTime)
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	for name, want := range map[string]string{
		"X-Amz-Algorithm":      "AWS4-HMAC-SHA256",
		"X-Amz-Credential":     "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request",
		"X-Amz-Date":           "20130524T000000Z",
		"X-Amz-Expires":        "600",
		"X-Amz-SignedHeaders":  "content-type;host",
		"X-Amz-Security-Token": creds.SessionToken,
		"uploads":              "",
	} {
		if got := q[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if len(hdr) != 1 || hdr.Get("Content-Type") != "text/plain" {
		t.Errorf("headers to send %v, want only Content-Type", hdr)
	}
	if pu.EscapedPath() != "/my%20key" {
		t.Errorf("path %q", pu.EscapedPath())
	}
	// The server's view: canonical request of the URL without the
	// signature, the headers sent and the Host.
	sig := q.Get("X-Amz-Signature")
	rawQ := pu.RawQuery
	cr := refCanonicalRequest(t, http.MethodPut, pu.EscapedPath(), rawQ, pu.Host, hdr, []string{"content-type", "host"}, UnsignedPayload, "X-Amz-Signature")
	sts := "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" + refSHA256Hex(cr)
	if want := refSign(creds.SecretAccessKey, testTime, "us-east-1", "s3", sts); sig != want {
		t.Errorf("X-Amz-Signature %s, want %s; reference canonical request:\n%s", sig, want, cr)
	}
	if !strings.HasSuffix(u, "&X-Amz-Signature="+sig) {
		t.Errorf("signature is not last: %s", u)
	}
	// req is not modified by Presign.
	if req.Header.Get("Authorization") == "" || strings.Contains(req.URL.RawQuery, "X-Amz-Credential") {
		t.Errorf("Presign modified req: %v %s", req.Header, req.URL.RawQuery)
	}
}

func TestPresignPayloadHashHeader(t *testing.T) {
	// With a real payload hash S3 takes it from X-Amz-Content-Sha256, so
	// the header must be signed and sent.
	req, _ := http.NewRequest(http.MethodPut, "https://b.s3.amazonaws.com/k", nil)
	var s Signer
	u, hdr, err := s.Presign(req, testCreds, "us-east-1", EmptyPayloadHash, time.Hour, testTime)
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Get("X-Amz-Content-Sha256") != EmptyPayloadHash {
		t.Errorf("headers %v, want X-Amz-Content-Sha256", hdr)
	}
	if !strings.Contains(u, "X-Amz-SignedHeaders=host%3Bx-amz-content-sha256&") {
		t.Errorf("URL %s does not sign x-amz-content-sha256", u)
	}
}

func TestPresignOnlyWhatIsSentIsSigned(t *testing.T) {
	// Signing a presigned URL that is presigned again gives the same URL:
	// the old auth parameters are dropped, not signed.
	req, _ := http.NewRequest(http.MethodGet, "https://b.s3.amazonaws.com/k?versionId=1", nil)
	var s Signer
	u1, _, err := s.Presign(req, testCreds, "us-east-1", UnsignedPayload, time.Hour, testTime)
	if err != nil {
		t.Fatal(err)
	}
	req2, _ := http.NewRequest(http.MethodGet, u1, nil)
	u2, _, err := s.Presign(req2, testCreds, "us-east-1", UnsignedPayload, time.Hour, testTime)
	if err != nil {
		t.Fatal(err)
	}
	if u1 != u2 {
		t.Errorf("presigning a presigned URL:\n%s\n%s", u1, u2)
	}
	// CanonicalRequest of the presigned URL, as a debugging user would
	// call it, gives what was signed.
	cr, err := s.CanonicalRequest(req2, UnsignedPayload)
	if err != nil {
		t.Fatal(err)
	}
	sig := req2.URL.Query().Get("X-Amz-Signature")
	if got := refSign(testCreds.SecretAccessKey, testTime, "us-east-1", "s3", s.StringToSign(cr, testTime, "us-east-1")); got != sig {
		t.Errorf("CanonicalRequest of the presigned URL does not give its signature:\n%s", cr)
	}
}
