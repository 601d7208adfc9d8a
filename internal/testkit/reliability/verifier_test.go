package reliability

// An independent verifier of presigned S3 URLs, written from the AWS
// documentation ("Authenticating Requests: Using Query Parameters") and
// sharing no code with sigv4: it derives the canonical URI from the key as
// S3 sees it (the decoded path, each byte but A-Za-z0-9-._~/ percent-encoded
// once, nothing normalised), so it checks what sigv4 and s3client put on
// the wire rather than repeating their computation.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// presignedWant is what the verifier holds the URL to.
type presignedWant struct {
	method       string
	accessKey    string
	secretKey    string
	sessionToken string
	region       string
	now          time.Time
}

// verifyPresigned checks a presigned URL and the headers its holder sends
// against want, as S3 would: algorithm, credential scope, date and expiry,
// token, signed headers, and the signature over the canonical request.
func verifyPresigned(method, rawURL string, header http.Header, want presignedWant) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if method != want.method {
		return fmt.Errorf("method %s, signed for %s", method, want.method)
	}
	q := u.Query()
	one := func(name string) (string, error) {
		if len(q[name]) != 1 {
			return "", fmt.Errorf("%d %s parameters", len(q[name]), name)
		}
		return q[name][0], nil
	}
	alg, err := one("X-Amz-Algorithm")
	if err != nil {
		return err
	}
	if alg != "AWS4-HMAC-SHA256" {
		return fmt.Errorf("algorithm %q", alg)
	}
	cred, err := one("X-Amz-Credential")
	if err != nil {
		return err
	}
	amzDate, err := one("X-Amz-Date")
	if err != nil {
		return err
	}
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return fmt.Errorf("X-Amz-Date %q: %v", amzDate, err)
	}
	scope := t.Format("20060102") + "/" + want.region + "/s3/aws4_request"
	if cred != want.accessKey+"/"+scope {
		return fmt.Errorf("credential %q, want %q", cred, want.accessKey+"/"+scope)
	}
	exp, err := one("X-Amz-Expires")
	if err != nil {
		return err
	}
	secs, err := strconv.Atoi(exp)
	if err != nil || secs < 1 || secs > 604800 {
		return fmt.Errorf("X-Amz-Expires %q", exp)
	}
	if want.now.Before(t.Add(-15*time.Minute)) || want.now.After(t.Add(time.Duration(secs)*time.Second)) {
		return fmt.Errorf("not valid at %v (signed %v for %ds)", want.now, t, secs)
	}
	if want.sessionToken != "" {
		tok, err := one("X-Amz-Security-Token")
		if err != nil {
			return err
		}
		if tok != want.sessionToken {
			return fmt.Errorf("wrong session token")
		}
	}
	sh, err := one("X-Amz-SignedHeaders")
	if err != nil {
		return err
	}
	signed := strings.Split(sh, ";")
	if !sort.StringsAreSorted(signed) || !contains(signed, "host") {
		return fmt.Errorf("signed headers %q", sh)
	}
	sig, err := one("X-Amz-Signature")
	if err != nil {
		return err
	}

	// Canonical request.
	var params []string
	for name, vs := range q {
		if name == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			params = append(params, awsEncode(name, false)+"="+awsEncode(v, false))
		}
	}
	sort.Strings(params)
	var ch strings.Builder
	for _, name := range signed {
		var v string
		if name == "host" {
			v = u.Host
		} else {
			vs := header.Values(name)
			if len(vs) == 0 {
				return fmt.Errorf("signed header %s not sent", name)
			}
			for i := range vs {
				vs[i] = strings.Join(strings.Fields(vs[i]), " ")
			}
			v = strings.Join(vs, ",")
		}
		ch.WriteString(name + ":" + v + "\n")
	}
	payload := "UNSIGNED-PAYLOAD"
	if contains(signed, "x-amz-content-sha256") {
		payload = header.Get("X-Amz-Content-Sha256")
	}
	canonical := strings.Join([]string{method, awsEncode(u.Path, true), strings.Join(params, "&"), ch.String(), sh, payload}, "\n")
	h := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(h[:])
	mac := func(key []byte, s string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	k := mac([]byte("AWS4"+want.secretKey), t.Format("20060102"))
	k = mac(k, want.region)
	k = mac(k, "s3")
	k = mac(k, "aws4_request")
	if got := hex.EncodeToString(mac(k, sts)); !hmac.Equal([]byte(got), []byte(sig)) {
		return fmt.Errorf("signature mismatch; canonical request:\n%s", canonical)
	}
	return nil
}

// awsEncode percent-encodes s as SigV4 wants: every byte but A-Z a-z 0-9
// - . _ ~ (and '/' when keepSlash), as %XX with uppercase hex.
func awsEncode(s string, keepSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && keepSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
