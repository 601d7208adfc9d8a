package sigv4

import (
	"errors"
	"fmt"
	"strings"
)

const upperhex = "0123456789ABCDEF"

// unreserved reports whether c is one of the characters SigV4 leaves as is.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// AppendURIEncode appends s encoded as SigV4 requires: every byte except
// A-Za-z0-9-._~ becomes %XX (uppercase hex); a space is %20, never '+'. When
// keepSlash is true, '/' is kept, as in a canonical URI path.
func AppendURIEncode(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || c == '/' && keepSlash {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
	}
	return dst
}

// URIEncode returns s encoded as AppendURIEncode does.
func URIEncode(s string, keepSlash bool) string {
	extra := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && !(c == '/' && keepSlash) {
			extra += 2
		}
	}
	if extra == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + extra)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || c == '/' && keepSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

// canonicalComponent returns a raw query name or value in canonical form:
// decoded (%XX, and '+' as a space) and encoded again. A component that is
// already canonical, as s3client and Presign write them, is returned as is,
// without allocating.
func canonicalComponent(raw string) (string, error) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if unreserved(c) {
			continue
		}
		if c == '%' && i+2 < len(raw) && isUpperHex(raw[i+1]) && isUpperHex(raw[i+2]) &&
			!unreserved(unhex(raw[i+1])<<4|unhex(raw[i+2])) {
			i += 2
			continue
		}
		d, err := queryUnescape(raw)
		if err != nil {
			return "", err
		}
		return URIEncode(d, false), nil
	}
	return raw, nil
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// errBadEscape is returned for a malformed %XX escape in a raw query. The
// query is not quoted: it may carry a session token.
var errBadEscape = errors.New("malformed percent-encoding")

// queryUnescape decodes a raw query component: %XX escapes, and '+' as a
// space (what net/url and HTML forms produce).
func queryUnescape(s string) (string, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", errBadEscape
			}
			n++
			i += 2
		case '+':
			n++
		}
	}
	if n == 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// queryPair is one name=value of a query, already in canonical (encoded) form.
type queryPair struct{ name, value string }

// canonicalQuery parses a raw query, appends its pairs encoded the SigV4 way
// to pairs (which may already hold encoded pairs), and sorts them all by
// name, then value. Parameters whose decoded name skip reports true for are
// left out (the auth parameters when canonicalizing a presigned URL).
func canonicalQuery(raw string, pairs []queryPair, skip func(name string) bool) ([]queryPair, error) {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := canonicalComponent(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %v in a parameter name", ErrInvalidQuery, err)
		}
		// The skipped names are all unreserved characters, so comparing
		// the canonical form is comparing the decoded one.
		if skip != nil && skip(n) {
			continue
		}
		v, err := canonicalComponent(value)
		if err != nil {
			// Name the parameter, not the value: it may be a token.
			return nil, fmt.Errorf("%w: %v in the value of %q", ErrInvalidQuery, err, n)
		}
		pairs = append(pairs, queryPair{n, v})
	}
	sortPairs(pairs)
	return pairs, nil
}

// isSignatureParam reports whether name is X-Amz-Signature, the one query
// parameter a presigned URL's canonical request leaves out.
func isSignatureParam(name string) bool { return name == "X-Amz-Signature" }

// isPresignParam reports whether name is a query parameter that Presign
// (or SignerV4a's Presign) sets, so that presigning a presigned URL
// replaces them.
func isPresignParam(name string) bool {
	switch name {
	case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
		"X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature", "X-Amz-Region-Set":
		return true
	}
	return false
}

// sortPairs sorts by encoded name, then encoded value (insertion sort: S3
// queries have a handful of parameters, and this allocates nothing).
func sortPairs(p []queryPair) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && pairLess(p[j], p[j-1]); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

func pairLess(a, b queryPair) bool {
	if a.name != b.name {
		return a.name < b.name
	}
	return a.value < b.value
}

func appendQuery(dst []byte, pairs []queryPair) []byte {
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.name...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}
