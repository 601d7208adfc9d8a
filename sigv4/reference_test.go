package sigv4

// An independent SigV4 verifier for the tests: it recomputes canonical
// requests and signatures the slow, obvious way (net/url decoding, sort.Strings,
// fresh crypto/hmac states), sharing no code with the package, so that a bug
// in the optimized signer cannot hide behind the same bug in its checker.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func refHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// refSigningKey derives the SigV4 signing key.
func refSigningKey(secret string, t time.Time, region, service string) []byte {
	k := refHMAC([]byte("AWS4"+secret), t.UTC().Format("20060102"))
	k = refHMAC(k, region)
	k = refHMAC(k, service)
	return refHMAC(k, "aws4_request")
}

func refSign(secret string, t time.Time, region, service, stringToSign string) string {
	return hex.EncodeToString(refHMAC(refSigningKey(secret, t, region, service), stringToSign))
}

func refSHA256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// refEncode percent-encodes every byte but the unreserved ones (and '/'
// when keepSlash), one byte at a time.
func refEncode(s string, keepSlash bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '~', keepSlash && c == '/':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// refCanonicalQuery decodes a raw query as a server does and encodes it
// again, sorted by encoded name then value. skip names a parameter to drop.
func refCanonicalQuery(t testing.TB, raw, skip string) string {
	t.Helper()
	var pairs [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := url.QueryUnescape(name)
		if err != nil {
			t.Fatalf("reference: query name %q: %v", name, err)
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			t.Fatalf("reference: query value %q: %v", value, err)
		}
		if skip != "" && n == skip {
			continue
		}
		pairs = append(pairs, [2]string{refEncode(n, false), refEncode(v, false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

// refCanonicalRequest builds the canonical request a server computes from
// what it received: the raw (escaped) path, the raw query, the Host, and the
// headers named in signedHeaders, whose values it trims and joins.
func refCanonicalRequest(t testing.TB, method, rawPath, rawQuery, host string, h http.Header, signedHeaders []string, payloadHash, skipQuery string) string {
	t.Helper()
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		t.Fatalf("reference: path %q: %v", rawPath, err)
	}
	if p == "" {
		p = "/"
	}
	var b strings.Builder
	b.WriteString(method + "\n" + refEncode(p, true) + "\n" + refCanonicalQuery(t, rawQuery, skipQuery) + "\n")
	for _, name := range signedHeaders {
		var vals []string
		if name == "host" {
			vals = []string{host}
		} else {
			var keys []string
			for k := range h {
				if strings.EqualFold(k, name) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				vals = append(vals, h[k]...)
			}
		}
		for i, v := range vals {
			vals[i] = refTrimAll(v)
		}
		b.WriteString(name + ":" + strings.Join(vals, ",") + "\n")
	}
	b.WriteString("\n" + strings.Join(signedHeaders, ";") + "\n" + payloadHash)
	return b.String()
}

// refTrimAll trims spaces and tabs and collapses inner runs of them to one
// space (strings.Fields would also split on Unicode spaces).
func refTrimAll(v string) string {
	f := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' })
	return strings.Join(f, " ")
}

// parsedAuth is an Authorization header taken apart.
type parsedAuth struct {
	AccessKeyID, Date, Region, Service string
	SignedHeaders                      []string
	Signature                          string
}

func parseAuthorization(t testing.TB, auth string) parsedAuth {
	t.Helper()
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 Credential=")
	if !ok {
		t.Fatalf("Authorization %q: wrong prefix", auth)
	}
	cred, rest, _ := strings.Cut(rest, ",SignedHeaders=")
	sh, sig, ok := strings.Cut(rest, ",Signature=")
	if !ok {
		t.Fatalf("Authorization %q: no Signature", auth)
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		t.Fatalf("Authorization %q: bad credential", auth)
	}
	return parsedAuth{parts[0], parts[1], parts[2], parts[3], strings.Split(sh, ";"), sig}
}

// verifyHeaderSignature checks, as a server would, that a request carrying
// the given path, query, host and headers verifies under secret. It returns
// the signature (the seed of a streaming body).
func verifyHeaderSignature(t testing.TB, method, rawPath, rawQuery, host string, h http.Header, secret string) string {
	t.Helper()
	a := parseAuthorization(t, h.Get("Authorization"))
	date := h.Get("X-Amz-Date")
	tm, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", date, err)
	}
	if tm.Format("20060102") != a.Date {
		t.Fatalf("scope date %s, X-Amz-Date %s", a.Date, date)
	}
	hash := h.Get("X-Amz-Content-Sha256")
	if hash == "" {
		t.Fatal("no X-Amz-Content-Sha256")
	}
	cr := refCanonicalRequest(t, method, rawPath, rawQuery, host, h, a.SignedHeaders, hash, "")
	sts := "AWS4-HMAC-SHA256\n" + date + "\n" + a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request\n" + refSHA256Hex(cr)
	if want := refSign(secret, tm, a.Region, a.Service, sts); a.Signature != want {
		t.Fatalf("signature %s does not verify (want %s); reference canonical request:\n%s", a.Signature, want, cr)
	}
	return a.Signature
}

// verifySigned checks a request signed by Sign, before it is sent.
func verifySigned(t testing.TB, req *http.Request, secret string) string {
	t.Helper()
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return verifyHeaderSignature(t, req.Method, req.URL.EscapedPath(), req.URL.RawQuery, host, req.Header, secret)
}
