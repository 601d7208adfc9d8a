package sigv4

// An independent SigV4a verifier for the tests, in the spirit of
// reference_test.go: the key derivation with math/big, P-256 point
// arithmetic in affine coordinates with math/big, DER parsing with
// encoding/asn1 and ECDSA verification by its textbook formula. It shares
// no code with v4a.go or with crypto/ecdsa (it only reads the curve's
// constants from crypto/elliptic), so a bug in the signer cannot hide
// behind the same bug in its checker.

import (
	"bytes"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var refCurve = elliptic.P256().Params()

// refPoint is an affine point; a nil x is the point at infinity.
type refPoint struct{ x, y *big.Int }

func refMod(v *big.Int) *big.Int { return v.Mod(v, refCurve.P) }

func refAdd(a, b refPoint) refPoint {
	if a.x == nil {
		return b
	}
	if b.x == nil {
		return a
	}
	p := refCurve.P
	var l *big.Int
	if a.x.Cmp(b.x) == 0 {
		if a.y.Cmp(b.y) != 0 || a.y.Sign() == 0 {
			return refPoint{}
		}
		// Tangent: l = (3x² - 3) / 2y, as a = -3 on P-256.
		num := new(big.Int).Mul(a.x, a.x)
		num.Mul(num, big.NewInt(3)).Sub(num, big.NewInt(3))
		den := new(big.Int).Lsh(a.y, 1)
		l = refMod(num.Mul(num, den.ModInverse(refMod(den), p)))
	} else {
		num := new(big.Int).Sub(b.y, a.y)
		den := refMod(new(big.Int).Sub(b.x, a.x))
		l = refMod(num.Mul(num, den.ModInverse(den, p)))
	}
	x := new(big.Int).Mul(l, l)
	x = refMod(x.Sub(x, a.x).Sub(x, b.x))
	y := new(big.Int).Sub(a.x, x)
	y = refMod(y.Mul(y, l).Sub(y, a.y))
	return refPoint{x, y}
}

// refMul is k·pt by double-and-add.
func refMul(k *big.Int, pt refPoint) refPoint {
	var r refPoint
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = refAdd(r, r)
		if k.Bit(i) == 1 {
			r = refAdd(r, pt)
		}
	}
	return r
}

func refOnCurve(pt refPoint) bool {
	y2 := refMod(new(big.Int).Mul(pt.y, pt.y))
	x3 := new(big.Int).Mul(pt.x, pt.x)
	x3.Mul(x3, pt.x)
	x3.Sub(x3, new(big.Int).Mul(big.NewInt(3), pt.x)).Add(x3, refCurve.B)
	return y2.Cmp(refMod(x3)) == 0
}

var refG = refPoint{refCurve.Gx, refCurve.Gy}

// refV4aPrivate derives the SigV4a private scalar as the specification
// reads: the KDF output for counter 1, 2, ... is a candidate, the first
// candidate at most n-2 plus one is the key. It also returns the counter.
func refV4aPrivate(accessKeyID, secret string) (*big.Int, int) {
	nMinus2 := new(big.Int).Sub(refCurve.N, big.NewInt(2))
	for counter := 1; counter <= 254; counter++ {
		var in []byte
		in = binary.BigEndian.AppendUint32(in, 1)
		in = append(in, "AWS4-ECDSA-P256-SHA256"...)
		in = append(in, 0)
		in = append(in, accessKeyID...)
		in = append(in, byte(counter))
		in = binary.BigEndian.AppendUint32(in, 256)
		m := hmac.New(sha256.New, []byte("AWS4A"+secret))
		m.Write(in)
		c := new(big.Int).SetBytes(m.Sum(nil))
		if c.Cmp(nMinus2) <= 0 {
			return c.Add(c, big.NewInt(1)), counter
		}
	}
	panic("reference: no SigV4a key")
}

// refV4aPublic is the public point of an access key pair, memoized (the
// scalar multiplication is slow, the more so under the race detector).
func refV4aPublic(accessKeyID, secret string) refPoint {
	k := [2]string{accessKeyID, secret}
	if p, ok := refPublicKeys.Load(k); ok {
		return p.(refPoint)
	}
	d, _ := refV4aPrivate(accessKeyID, secret)
	p := refMul(d, refG)
	refPublicKeys.Store(k, p)
	return p
}

var refPublicKeys sync.Map // [2]string{accessKeyID, secret} → refPoint

// refVerifyECDSA checks a hex DER signature of digest (a SHA-256) by the
// textbook formula: with w = s⁻¹, the x of (e·w)·G + (r·w)·Q is r mod n.
func refVerifyECDSA(pub refPoint, digest []byte, sigHex string) error {
	if pub.x == nil || !refOnCurve(pub) {
		return errors.New("public key not on the curve")
	}
	der, err := hex.DecodeString(sigHex)
	if err != nil {
		return fmt.Errorf("signature not hex: %v", err)
	}
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 {
		return fmt.Errorf("signature not one DER SEQUENCE: %v", err)
	}
	n := refCurve.N
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || sig.R.Cmp(n) >= 0 || sig.S.Cmp(n) >= 0 {
		return errors.New("r or s out of range")
	}
	e := new(big.Int).SetBytes(digest)
	w := new(big.Int).ModInverse(sig.S, n)
	u1 := new(big.Int).Mul(e, w)
	u2 := new(big.Int).Mul(sig.R, w)
	x := refAdd(refMul(u1.Mod(u1, n), refG), refMul(u2.Mod(u2, n), pub))
	if x.x == nil || new(big.Int).Mod(x.x, n).Cmp(sig.R) != 0 {
		return errors.New("signature does not verify")
	}
	return nil
}

func refVerifySTS(pub refPoint, sts, sigHex string) error {
	d := sha256.Sum256([]byte(sts))
	return refVerifyECDSA(pub, d[:], sigHex)
}

// parsedAuthV4a is a SigV4a Authorization header taken apart.
type parsedAuthV4a struct {
	AccessKeyID, Date, Service string
	SignedHeaders              []string
	Signature                  string
}

// parseAuthorizationV4a accepts the parts separated by "," or ", ".
func parseAuthorizationV4a(t testing.TB, auth string) parsedAuthV4a {
	t.Helper()
	rest, ok := strings.CutPrefix(auth, "AWS4-ECDSA-P256-SHA256 Credential=")
	if !ok {
		t.Fatalf("Authorization %q: wrong prefix", auth)
	}
	rest = strings.ReplaceAll(rest, ", ", ",")
	cred, rest, _ := strings.Cut(rest, ",SignedHeaders=")
	sh, sig, ok := strings.Cut(rest, ",Signature=")
	if !ok {
		t.Fatalf("Authorization %q: no Signature", auth)
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 4 || parts[3] != "aws4_request" {
		t.Fatalf("Authorization %q: bad credential (a SigV4a scope has no region)", auth)
	}
	return parsedAuthV4a{parts[0], parts[1], parts[2], strings.Split(sh, ";"), sig}
}

// refV4aSTS is the SigV4a string to sign of a canonical request.
func refV4aSTS(amzDate, date, service, canonicalRequest string) string {
	return "AWS4-ECDSA-P256-SHA256\n" + amzDate + "\n" + date + "/" + service + "/aws4_request\n" + refSHA256Hex(canonicalRequest)
}

// verifyV4aHeaderSignature checks, as a server would, that a request with
// the given path, query, host and headers carries a valid SigV4a signature
// for the access key pair, signing X-Amz-Region-Set, and returns its
// region set and signature (the seed of a streaming body).
func verifyV4aHeaderSignature(t testing.TB, method, rawPath, rawQuery, host string, h http.Header, accessKeyID, secret string) (regionSet, sig string) {
	t.Helper()
	a := parseAuthorizationV4a(t, h.Get("Authorization"))
	if a.AccessKeyID != accessKeyID {
		t.Fatalf("access key ID %q, want %q", a.AccessKeyID, accessKeyID)
	}
	date := h.Get("X-Amz-Date")
	tm, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", date, err)
	}
	if tm.Format("20060102") != a.Date {
		t.Fatalf("scope date %s, X-Amz-Date %s", a.Date, date)
	}
	regionSet = h.Get("X-Amz-Region-Set")
	signsRegionSet := false
	for _, n := range a.SignedHeaders {
		signsRegionSet = signsRegionSet || n == "x-amz-region-set"
	}
	if regionSet == "" || !signsRegionSet {
		t.Fatalf("region set %q not sent or not signed (%v)", regionSet, a.SignedHeaders)
	}
	hash := h.Get("X-Amz-Content-Sha256")
	if hash == "" {
		t.Fatal("no X-Amz-Content-Sha256")
	}
	cr := refCanonicalRequest(t, method, rawPath, rawQuery, host, h, a.SignedHeaders, hash, "")
	if err := refVerifySTS(refV4aPublic(accessKeyID, secret), refV4aSTS(date, a.Date, a.Service, cr), a.Signature); err != nil {
		t.Fatalf("SigV4a signature: %v; reference canonical request:\n%s", err, cr)
	}
	return regionSet, a.Signature
}

// verifyV4aSigned checks a request signed by SignerV4a.Sign before it is
// sent.
func verifyV4aSigned(t testing.TB, req *http.Request, creds Credentials) (regionSet, sig string) {
	t.Helper()
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return verifyV4aHeaderSignature(t, req.Method, req.URL.EscapedPath(), req.URL.RawQuery, host, req.Header, creds.AccessKeyID, creds.SecretAccessKey)
}

// verifyV4aPresigned checks a SigV4a presigned URL as a server would, with
// the headers sent along, for an unsigned payload unless the headers carry
// X-Amz-Content-Sha256. It returns the query.
func verifyV4aPresigned(t testing.TB, method, rawURL string, h http.Header, creds Credentials, now time.Time) url.Values {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("X-Amz-Algorithm") != "AWS4-ECDSA-P256-SHA256" {
		t.Fatalf("X-Amz-Algorithm %q", q.Get("X-Amz-Algorithm"))
	}
	if q.Get("X-Amz-Region-Set") == "" {
		t.Fatal("no X-Amz-Region-Set")
	}
	cred := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(cred) != 4 || cred[0] != creds.AccessKeyID || cred[3] != "aws4_request" {
		t.Fatalf("X-Amz-Credential %q", q.Get("X-Amz-Credential"))
	}
	date := q.Get("X-Amz-Date")
	tm, err := time.Parse("20060102T150405Z", date)
	if err != nil || tm.Format("20060102") != cred[1] {
		t.Fatalf("X-Amz-Date %q, scope date %s", date, cred[1])
	}
	exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || exp < 1 || exp > 7*24*3600 || now.After(tm.Add(time.Duration(exp)*time.Second)) {
		t.Fatalf("X-Amz-Expires %q (signed %v, now %v)", q.Get("X-Amz-Expires"), tm, now)
	}
	if tok := q.Get("X-Amz-Security-Token"); tok != creds.SessionToken {
		t.Fatalf("X-Amz-Security-Token %q, want the credentials' token", tok)
	}
	hash := h.Get("X-Amz-Content-Sha256")
	if hash == "" {
		hash = UnsignedPayload
	}
	cr := refCanonicalRequest(t, method, u.EscapedPath(), u.RawQuery, u.Host, h, strings.Split(q.Get("X-Amz-SignedHeaders"), ";"), hash, "X-Amz-Signature")
	if err := refVerifySTS(refV4aPublic(creds.AccessKeyID, creds.SecretAccessKey), refV4aSTS(date, cred[1], cred[2], cr), q.Get("X-Amz-Signature")); err != nil {
		t.Fatalf("presigned SigV4a signature: %v; reference canonical request:\n%s", err, cr)
	}
	return q
}

// v4aChunkedParams is what a server knows when it decodes a SigV4a
// aws-chunked body.
type v4aChunkedParams struct {
	payload   string
	seed      string // the request's header signature
	pub       refPoint
	t         time.Time
	service   string
	chunkSize int // every chunk but the last must have this size
}

// decodeChunkedV4a decodes a SigV4a aws-chunked body: it checks the
// framing, that every chunk and trailer signature is padded with '*' to
// 144 characters, and that each verifies, chained to the previous one
// without its padding. It returns the data and the trailer lines.
func decodeChunkedV4a(body []byte, p v4aChunkedParams) (data []byte, trailers []string, err error) {
	signed := p.payload != StreamingUnsignedPayloadTrailer
	withTrailer := p.payload != StreamingPayloadV4a
	ts := p.t.UTC().Format("20060102T150405Z")
	scope := p.t.UTC().Format("20060102") + "/" + p.service + "/aws4_request"
	prev := p.seed
	rest := body
	line := func() (string, error) {
		i := bytes.Index(rest, []byte("\r\n"))
		if i < 0 {
			return "", fmt.Errorf("no CRLF in %q", rest)
		}
		l := string(rest[:i])
		rest = rest[i+2:]
		return l, nil
	}
	check := func(what, padded, sts string) error {
		if len(padded) != 144 {
			return fmt.Errorf("%s: signature of %d characters, want 144", what, len(padded))
		}
		sig := strings.TrimRight(padded, "*")
		if strings.Contains(sig, "*") || len(sig) < 16 {
			return fmt.Errorf("%s: bad padding in %q", what, padded)
		}
		if err := refVerifySTS(p.pub, sts, sig); err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		prev = sig
		return nil
	}
	last := false
	for n := 0; ; n++ {
		l, err := line()
		if err != nil {
			return nil, nil, fmt.Errorf("chunk %d header: %v", n, err)
		}
		sizeHex, ext, hasExt := strings.Cut(l, ";")
		size, err := strconv.ParseUint(sizeHex, 16, 31)
		if err != nil || sizeHex != strconv.FormatUint(size, 16) {
			return nil, nil, fmt.Errorf("chunk %d: bad size %q", n, sizeHex)
		}
		if int(size) > len(rest) {
			return nil, nil, fmt.Errorf("chunk %d: size %d, %d bytes left", n, size, len(rest))
		}
		chunk := rest[:size]
		rest = rest[size:]
		if signed {
			sig, ok := strings.CutPrefix(ext, "chunk-signature=")
			if !hasExt || !ok {
				return nil, nil, fmt.Errorf("chunk %d: extension %q", n, ext)
			}
			sts := "AWS4-ECDSA-P256-SHA256-PAYLOAD\n" + ts + "\n" + scope + "\n" + prev + "\n" + refSHA256Hex("") + "\n" + refSHA256Hex(string(chunk))
			if err := check(fmt.Sprintf("chunk %d", n), sig, sts); err != nil {
				return nil, nil, err
			}
		} else if hasExt {
			return nil, nil, fmt.Errorf("chunk %d: unexpected extension %q", n, ext)
		}
		if size == 0 {
			break
		}
		if last {
			return nil, nil, fmt.Errorf("chunk %d follows a short chunk", n)
		}
		if int(size) > p.chunkSize {
			return nil, nil, fmt.Errorf("chunk %d: %d bytes, chunk size %d", n, size, p.chunkSize)
		}
		last = int(size) < p.chunkSize
		data = append(data, chunk...)
		if !bytes.HasPrefix(rest, []byte("\r\n")) {
			return nil, nil, fmt.Errorf("chunk %d: no CRLF after the data", n)
		}
		rest = rest[2:]
	}
	if withTrailer {
		var canon strings.Builder
		for {
			l, err := line()
			if err != nil {
				return nil, nil, fmt.Errorf("trailer: %v", err)
			}
			if l == "" {
				return nil, nil, errors.New("trailer: missing")
			}
			name, value, ok := strings.Cut(l, ":")
			if !ok {
				return nil, nil, fmt.Errorf("trailer line %q", l)
			}
			if name == "x-amz-trailer-signature" {
				if !signed {
					return nil, nil, errors.New("unsigned payload with a trailer signature")
				}
				sts := "AWS4-ECDSA-P256-SHA256-TRAILER\n" + ts + "\n" + scope + "\n" + prev + "\n" + refSHA256Hex(canon.String())
				if err := check("trailer", value, sts); err != nil {
					return nil, nil, err
				}
				break
			}
			trailers = append(trailers, l)
			canon.WriteString(name + ":" + value + "\n")
			if !signed {
				break
			}
		}
	}
	if string(rest) != "\r\n" {
		return nil, nil, fmt.Errorf("body ends with %q, want the closing CRLF", rest)
	}
	return data, trailers, nil
}
