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
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !unreserved(c) && !(c == '/' && keepSlash) {
			return string(AppendURIEncode(make([]byte, 0, len(s)+16), s, keepSlash))
		}
	}
	return s
}

// errBadEscape is returned for a malformed %XX escape in a raw query.
var errBadEscape = errors.New("sigv4: malformed percent-encoding in query")

// queryUnescape decodes a raw query component: %XX escapes, and '+' as a
// space (what net/url and HTML forms produce).
func queryUnescape(s string) (string, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", fmt.Errorf("%w: %q", errBadEscape, s)
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

// canonicalQuery parses a raw query and returns its pairs encoded the SigV4
// way and sorted by name, then value. skip names a parameter to leave out
// (X-Amz-Signature when canonicalizing a presigned URL).
func canonicalQuery(raw string, pairs []queryPair, skip string) ([]queryPair, error) {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := queryUnescape(name)
		if err != nil {
			return nil, err
		}
		if n == skip && skip != "" {
			continue
		}
		v, err := queryUnescape(value)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, queryPair{URIEncode(n, false), URIEncode(v, false)})
	}
	sortPairs(pairs)
	return pairs, nil
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
