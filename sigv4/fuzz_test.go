package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// decodeStrict decodes %XX escapes (uppercase hex only) and fails on
// anything else that is not allowed in SigV4 canonical form.
func decodeStrict(s string, keepSlash bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreservedRef(c), keepSlash && c == '/':
			b.WriteByte(c)
		case c == '%':
			if i+2 >= len(s) || !isUpperHexRef(s[i+1]) || !isUpperHexRef(s[i+2]) {
				return "", fmt.Errorf("bad escape at %d in %q", i, s)
			}
			d := hexVal(s[i+1])<<4 | hexVal(s[i+2])
			if unreservedRef(d) || keepSlash && d == '/' {
				return "", fmt.Errorf("needless escape of %q at %d in %q", d, i, s)
			}
			b.WriteByte(d)
			i += 2
		default:
			return "", fmt.Errorf("byte %q not allowed at %d in %q", c, i, s)
		}
	}
	return b.String(), nil
}

func unreservedRef(c byte) bool {
	return strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", c) >= 0
}

func isUpperHexRef(c byte) bool { return strings.IndexByte("0123456789ABCDEF", c) >= 0 }

func hexVal(c byte) byte { return byte(strings.IndexByte("0123456789ABCDEF", c)) }

func FuzzURIEncode(f *testing.F) {
	for _, s := range []string{"", "a b", "/bucket/key", "//a/./b/../", "%2F", "ü€𝄞", "\x00\xff", "a+b=c&d", "~-._", "%", "%zz"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, keepSlash bool) {
		out := URIEncode(s, keepSlash)
		if app := string(AppendURIEncode([]byte("pre"), s, keepSlash)); app != "pre"+out {
			t.Fatalf("AppendURIEncode %q, URIEncode %q", app, out)
		}
		dec, err := decodeStrict(out, keepSlash)
		if err != nil {
			t.Fatalf("URIEncode(%q, %v) = %q: %v", s, keepSlash, out, err)
		}
		if dec != s {
			t.Fatalf("URIEncode(%q, %v) = %q decodes to %q", s, keepSlash, out, dec)
		}
		if !keepSlash && strings.Contains(out, "/") {
			t.Fatalf("'/' kept: %q", out)
		}
	})
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{
		"", "a=1", "b=2&a=1", "acl", "a=&b", "prefix=a+b%20c", "x=%2f%2F", "a=%zz", "a=%", "=v", "&&",
		"list-type=2&prefix=photos%2F2024%2F&continuation-token=1%2Fabc%3D%3D", "a=1;b=2", "a%C3%A9=1&a~=2", "a=b=c",
		"X-Amz-Signature=abc&X-Amz-Date=20130524T000000Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		pairs, err := canonicalQuery(raw, nil, nil)
		want, perr := url.ParseQuery(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("error %v is not ErrInvalidQuery", err)
			}
			if perr == nil {
				t.Fatalf("canonicalQuery(%q) failed (%v) where url.ParseQuery succeeds", raw, err)
			}
			return
		}
		got := map[string][]string{}
		for i, p := range pairs {
			if i > 0 && pairLess(p, pairs[i-1]) {
				t.Fatalf("not sorted at %d: %v", i, pairs)
			}
			n, err := decodeStrict(p.name, false)
			if err != nil {
				t.Fatalf("name: %v", err)
			}
			v, err := decodeStrict(p.value, false)
			if err != nil {
				t.Fatalf("value: %v", err)
			}
			got[n] = append(got[n], v)
		}
		canon := string(appendQuery(nil, pairs))
		// Canonical form is a fixed point.
		again, err := canonicalQuery(canon, nil, nil)
		if err != nil || string(appendQuery(nil, again)) != canon {
			t.Fatalf("canonical %q canonicalizes to %q (%v)", canon, appendQuery(nil, again), err)
		}
		if perr != nil {
			return // ';' separators, which ParseQuery refuses
		}
		for k := range want {
			slices.Sort(want[k])
		}
		for k := range got {
			slices.Sort(got[k])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
			t.Fatalf("canonicalQuery(%q) = %q decodes to %v, url.ParseQuery gives %v", raw, canon, got, want)
		}
	})
}

func FuzzChunked(f *testing.F) {
	f.Add([]byte("hello"), uint16(0), uint32(0), uint8(0))
	f.Add([]byte("hello"), uint16(0), uint32(1), uint8(1))
	f.Add([]byte{0, 1, 2, 3}, uint16(0), uint32(MinChunkSize), uint8(2))
	f.Add([]byte("x"), uint16(1), uint32(MinChunkSize+1), uint8(3))
	f.Add([]byte("abcdefgh"), uint16(999), uint32(3*MinChunkSize+5), uint8(1))
	f.Add([]byte("\r\n0;chunk-signature="), uint16(12345), uint32(40000), uint8(0))
	f.Fuzz(func(t *testing.T, seed []byte, chunkSel uint16, size uint32, modeSel uint8) {
		cs := MinChunkSize + int(chunkSel)%(3*MinChunkSize)
		n := int(size % uint32(4*cs))
		data := make([]byte, n)
		if len(seed) > 0 {
			for i := range data {
				data[i] = seed[i%len(seed)] + byte(i/len(seed))
			}
		}
		mode := streamModes[int(modeSel)%len(streamModes)]
		opts := mode.opts()
		opts.ChunkSize = cs
		req := newStreamRequest(t)
		var s Signer
		if err := s.SignStreaming(req, bytes.NewReader(data), int64(n), testCreds, "us-east-1", opts, testTime); err != nil {
			t.Fatal(err)
		}
		enc, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := StreamingLength(int64(n), opts); int64(len(enc)) != want || req.ContentLength != want {
			t.Fatalf("encoded %d bytes, StreamingLength %d, ContentLength %d", len(enc), want, req.ContentLength)
		}
		seedSig := parseAuthorization(t, req.Header.Get("Authorization")).Signature
		got, trailers, err := decodeChunked(enc, chunkedParams{opts.Payload, seedSig, testCreds.SecretAccessKey, testTime, "us-east-1", cs})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("decoded %d bytes differ from %d", len(got), len(data))
		}
		if mode.trailer != nil && (len(trailers) != 1 || trailers[0] != mode.trailer(data)) {
			t.Fatalf("trailers %q", trailers)
		}
	})
}
