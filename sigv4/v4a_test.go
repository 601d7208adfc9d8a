package sigv4

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// v4aVector is one case of aws-c-auth's v4a suite.
type v4aVector struct {
	dir   string
	ctx   vectorContext
	creds Credentials
	t     time.Time
	// pub is public-key.json's key; nil for the cases with no outputs.
	pub *ecdsa.PublicKey
}

func loadV4aVector(t *testing.T, name string) v4aVector {
	t.Helper()
	v := v4aVector{dir: filepath.Join(vectorDir, "aws-c-auth/v4a", name)}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(v.dir, "context.json"))), &v.ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	if v.t, err = time.Parse(time.RFC3339, v.ctx.Timestamp); err != nil {
		t.Fatal(err)
	}
	v.creds = Credentials{AccessKeyID: v.ctx.Credentials.AccessKeyID, SecretAccessKey: v.ctx.Credentials.SecretAccessKey, SessionToken: v.ctx.Credentials.Token}
	b, err := os.ReadFile(filepath.Join(v.dir, "public-key.json"))
	if errors.Is(err, os.ErrNotExist) {
		return v
	}
	if err != nil {
		t.Fatal(err)
	}
	var xy struct{ X, Y string }
	if err := json.Unmarshal(b, &xy); err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString("04" + xy.X + xy.Y)
	if err != nil {
		t.Fatal(err)
	}
	if v.pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw); err != nil {
		t.Fatalf("public-key.json: %v", err)
	}
	return v
}

// file reads an expected-output file of the vector.
func (v v4aVector) file(t *testing.T, name string) string {
	t.Helper()
	return readFile(t, filepath.Join(v.dir, name))
}

// bodyHash is the payload hash the vectors sign: the body's, or the empty
// body's.
func (v v4aVector) bodyHash(body []byte) string {
	if v.ctx.SignBody {
		return sha256Hex(body)
	}
	return EmptyPayloadHash
}

// verifyWith checks a hex DER signature of SHA-256(sts) with crypto/ecdsa.
func verifyWith(t *testing.T, pub *ecdsa.PublicKey, what, sts, sigHex string) {
	t.Helper()
	der, err := hex.DecodeString(sigHex)
	if err != nil {
		t.Errorf("%s: signature %q not hex", what, sigHex)
		return
	}
	d := sha256.Sum256([]byte(sts))
	if !ecdsa.VerifyASN1(pub, d[:], der) {
		t.Errorf("%s: signature %s does not verify with the public key", what, sigHex)
	}
}

// TestV4aAWSCAuthSuite runs aws-c-auth's v4a suite. For the 38 cases with
// outputs: the key derived from the credentials is public-key.json's, the
// vector's own signatures (the *-signature.txt files and those in the signed
// requests) verify with it over the vector's strings to sign, and each
// string to sign hashes the vector's canonical request. For the 31 cases an
// S3 signer applies to (index.json: no path normalization, the token
// signed), in header and query form: our canonical request and string to
// sign equal the vector's byte for byte and our signature verifies. The 2
// cases with only a request are signed and checked by the reference
// verifier.
func TestV4aAWSCAuthSuite(t *testing.T) {
	var withOutputs, applicable, requestOnly int
	for _, row := range loadIndex(t) {
		if row.Suite != "aws-c-auth/v4a" {
			continue
		}
		t.Run(row.Case, func(t *testing.T) {
			v := loadV4aVector(t, row.Case)
			raw := []byte(v.file(t, "request.txt"))
			s := &SignerV4a{Service: v.ctx.Service}
			if v.pub == nil {
				requestOnly++
				checkV4aRequestOnly(t, s, v, raw)
				return
			}
			withOutputs++
			pub, err := s.PublicKey(v.creds)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(v.pub) {
				t.Fatal("derived public key differs from public-key.json")
			}
			checkV4aVectorSignatures(t, v)
			if !row.S3Applicable {
				return
			}
			applicable++
			t.Run("header", func(t *testing.T) { checkV4aVectorHeader(t, s, v, raw) })
			t.Run("query", func(t *testing.T) { checkV4aVectorQuery(t, s, v, raw) })
		})
	}
	if withOutputs != 38 || applicable != 31 || requestOnly != 2 {
		t.Errorf("ran %d cases with outputs (want 38), %d S3-applicable (want 31), %d with only a request (want 2)", withOutputs, applicable, requestOnly)
	}
}

// checkV4aVectorSignatures verifies the vector's own signatures.
func checkV4aVectorSignatures(t *testing.T, v v4aVector) {
	t.Helper()
	for _, form := range []string{"header", "query"} {
		cr := v.file(t, form+"-canonical-request.txt")
		sts := v.file(t, form+"-string-to-sign.txt")
		if lines := strings.Split(sts, "\n"); len(lines) != 4 || lines[0] != AlgorithmV4a || lines[3] != refSHA256Hex(cr) {
			t.Errorf("%s string to sign does not hash the canonical request:\n%s", form, sts)
		}
		verifyWith(t, v.pub, form+"-signature.txt", sts, v.file(t, form+"-signature.txt"))
		signed := v.file(t, form+"-signed-request.txt")
		var sig string
		if form == "header" {
			_, sig, _ = strings.Cut(signed, ", Signature=")
		} else {
			_, sig, _ = strings.Cut(signed, "X-Amz-Signature=")
		}
		sig, _, _ = strings.Cut(sig, " ")
		sig, _, _ = strings.Cut(sig, "\n")
		verifyWith(t, v.pub, form+"-signed-request.txt", sts, sig)
	}
	// get-vanilla also has the header form under other names.
	if b, err := os.ReadFile(filepath.Join(v.dir, "canonical-request.txt")); err == nil {
		if string(b) != v.file(t, "header-canonical-request.txt") || v.file(t, "string-to-sign.txt") != v.file(t, "header-string-to-sign.txt") {
			t.Error("canonical-request.txt or string-to-sign.txt differ from the header-* files")
		}
	}
}

func checkV4aVectorHeader(t *testing.T, s *SignerV4a, v v4aVector, raw []byte) {
	req := parseRawRequest(t, raw)
	body, _ := io.ReadAll(req.Body)
	hash := v.bodyHash(body)
	if v.ctx.SignBody {
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	if err := s.Sign(req, v.creds, v.ctx.Region, hash, v.t); err != nil {
		t.Fatal(err)
	}
	cr, err := s.CanonicalRequest(req, hash)
	if err != nil {
		t.Fatal(err)
	}
	if want := v.file(t, "header-canonical-request.txt"); cr != want {
		t.Errorf("canonical request:\n%s\nwant:\n%s", cr, want)
	}
	sts := s.StringToSign(cr, v.t)
	if want := v.file(t, "header-string-to-sign.txt"); sts != want {
		t.Errorf("string to sign:\n%s\nwant:\n%s", sts, want)
	}
	auth := req.Header.Get("Authorization")
	prefix, sig, ok := strings.Cut(auth, "Signature=")
	if !ok {
		t.Fatalf("Authorization %q", auth)
	}
	// Everything but the (randomized) signature is the vector's.
	if signed := v.file(t, "header-signed-request.txt"); !strings.Contains(signed, "\nAuthorization:"+prefix+"Signature=") {
		t.Errorf("Authorization %q does not start like the vector's:\n%s", auth, signed)
	}
	verifyWith(t, v.pub, "our header signature", sts, sig)
	if got := req.Header.Get("X-Amz-Region-Set"); got != v.ctx.Region {
		t.Errorf("X-Amz-Region-Set %q", got)
	}
}

func checkV4aVectorQuery(t *testing.T, s *SignerV4a, v v4aVector, raw []byte) {
	req := parseRawRequest(t, raw)
	body, _ := io.ReadAll(req.Body)
	hash := v.bodyHash(body)
	u, hdr, err := s.Presign(req, v.creds, v.ctx.Region, hash, time.Duration(v.ctx.Expiration)*time.Second, v.t)
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	// What a server canonicalizes from the URL and the headers sent.
	sreq := &http.Request{Method: req.Method, URL: pu, Host: req.Host, Header: hdr}
	cr, err := s.CanonicalRequest(sreq, hash)
	if err != nil {
		t.Fatal(err)
	}
	if want := v.file(t, "query-canonical-request.txt"); cr != want {
		t.Errorf("canonical request:\n%s\nwant:\n%s", cr, want)
	}
	sts := s.StringToSign(cr, v.t)
	if want := v.file(t, "query-string-to-sign.txt"); sts != want {
		t.Errorf("string to sign:\n%s\nwant:\n%s", sts, want)
	}
	verifyWith(t, v.pub, "our query signature", sts, pu.Query().Get("X-Amz-Signature"))
}

// checkV4aRequestOnly signs a case that has no expected outputs, in both
// forms, and has the reference verifier check it.
func checkV4aRequestOnly(t *testing.T, s *SignerV4a, v v4aVector, raw []byte) {
	req := parseRawRequest(t, raw)
	req.Header.Set("X-Amz-Content-Sha256", EmptyPayloadHash) // what the reference reads
	if err := s.Sign(req, v.creds, v.ctx.Region, EmptyPayloadHash, v.t); err != nil {
		t.Fatal(err)
	}
	if rs, _ := verifyV4aSigned(t, req, v.creds); rs != v.ctx.Region {
		t.Errorf("region set %q", rs)
	}
	req = parseRawRequest(t, raw)
	u, hdr, err := s.Presign(req, v.creds, v.ctx.Region, UnsignedPayload, time.Hour, v.t)
	if err != nil {
		t.Fatal(err)
	}
	verifyV4aPresigned(t, req.Method, u, hdr, v.creds, v.t)
}

// TestV4aReferenceVerifier checks the checker: it accepts a vector's
// signature, derives the vector's public key, and refuses a signature of
// another message, a damaged signature and another key.
func TestV4aReferenceVerifier(t *testing.T) {
	v := loadV4aVector(t, "get-vanilla")
	pub := refV4aPublic(v.creds.AccessKeyID, v.creds.SecretAccessKey)
	want, _ := v.pub.Bytes()
	got := append([]byte{4}, append(pub.x.FillBytes(make([]byte, 32)), pub.y.FillBytes(make([]byte, 32))...)...)
	if !bytes.Equal(got, want) {
		t.Fatal("reference public key differs from public-key.json")
	}
	sts := v.file(t, "header-string-to-sign.txt")
	sig := v.file(t, "header-signature.txt")
	if err := refVerifySTS(pub, sts, sig); err != nil {
		t.Fatalf("vector signature: %v", err)
	}
	if refVerifySTS(pub, sts+"x", sig) == nil {
		t.Error("a signature of another message verifies")
	}
	damaged := []byte(sig)
	damaged[len(damaged)-1] ^= 1
	if refVerifySTS(pub, sts, string(damaged)) == nil {
		t.Error("a damaged signature verifies")
	}
	if refVerifySTS(refV4aPublic("AKIDOTHER", v.creds.SecretAccessKey), sts, sig) == nil {
		t.Error("another key verifies the signature")
	}
}

// v4aKeyPairs are access key pairs for the derivation tests: the vectors',
// the S3 documentation's, and unusual IDs and secrets.
var v4aKeyPairs = []Credentials{
	{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
	{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{AccessKeyID: "ASIA" + strings.Repeat("Z", 124), SecretAccessKey: "s"},
	{AccessKeyID: "a", SecretAccessKey: strings.Repeat("secret/+=", 40)},
	{AccessKeyID: "AKID\x00\xff", SecretAccessKey: "sécret\x00"},
}

// TestV4aKeyDerivation compares the derived key with the reference
// derivation (math/big) for several key pairs: the private scalar, and the
// public key against the reference scalar multiplication.
func TestV4aKeyDerivation(t *testing.T) {
	for i, c := range v4aKeyPairs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			priv, err := deriveV4aKey(c.AccessKeyID, c.SecretAccessKey)
			if err != nil {
				t.Fatal(err)
			}
			d, counter := refV4aPrivate(c.AccessKeyID, c.SecretAccessKey)
			gotD, err := priv.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotD, d.FillBytes(make([]byte, 32))) {
				t.Errorf("private scalar differs from the reference (counter %d)", counter)
			}
			pub := refMul(d, refG)
			want := append([]byte{4}, append(pub.x.FillBytes(make([]byte, 32)), pub.y.FillBytes(make([]byte, 32))...)...)
			if got, _ := priv.PublicKey.Bytes(); !bytes.Equal(got, want) {
				t.Error("public key differs from the reference scalar multiplication")
			}
		})
	}
}

func bigBytes32(v *big.Int) (b [32]byte) {
	v.FillBytes(b[:])
	return b
}

// TestV4aScalarCounterLoop drives the counter loop with chosen KDF outputs:
// a candidate is taken when it is at most n-2 (the key is candidate+1, at
// most n-1), refused from n-1 up, and the loop gives up after counter 254.
func TestV4aScalarCounterLoop(t *testing.T) {
	n := refCurve.N
	sub := func(k int64) [32]byte { return bigBytes32(new(big.Int).Sub(n, big.NewInt(k))) }
	var ones [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	small := func(k int64) [32]byte { return bigBytes32(big.NewInt(k)) }
	tests := []struct {
		name       string
		candidates [][32]byte // for counters 1, 2, ...; the last repeats
		wantCalls  int
		wantOK     bool
		wantD      [32]byte
	}{
		{"zero: key 1", [][32]byte{small(0)}, 1, true, small(1)},
		{"0xff run carried", [][32]byte{bigBytes32(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1)))}, 1, true, bigBytes32(new(big.Int).Lsh(big.NewInt(1), 64))},
		{"n-3 taken", [][32]byte{sub(3)}, 1, true, sub(2)},
		{"n-2 taken: key n-1", [][32]byte{sub(2)}, 1, true, sub(1)},
		{"n-1 refused, next counter", [][32]byte{sub(1), small(5)}, 2, true, small(6)},
		{"n refused", [][32]byte{sub(0), sub(2)}, 2, true, sub(1)},
		{"2^256-1 refused twice", [][32]byte{ones, ones, small(41)}, 3, true, small(42)},
		{"every counter refused", [][32]byte{ones}, 254, false, [32]byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var counters []byte
			d, ok := v4aScalar(func(counter byte) [32]byte {
				counters = append(counters, counter)
				i := min(len(counters), len(tc.candidates)) - 1
				return tc.candidates[i]
			})
			if ok != tc.wantOK || d != tc.wantD {
				t.Errorf("got %x, %v; want %x, %v", d, ok, tc.wantD, tc.wantOK)
			}
			if len(counters) != tc.wantCalls {
				t.Errorf("%d KDF calls, want %d", len(counters), tc.wantCalls)
			}
			for i, c := range counters {
				if int(c) != i+1 {
					t.Fatalf("call %d used counter %d", i+1, c)
				}
			}
		})
	}
}

// FuzzV4aScalar checks the candidate test and the increment against
// math/big for any 32-byte candidate: taken exactly when at most n-2, and
// then the key is candidate+1.
func FuzzV4aScalar(f *testing.F) {
	n := refCurve.N
	for _, k := range []int64{-1, 0, 1, 2, 3, 1 << 40} {
		b := bigBytes32(new(big.Int).Sub(n, big.NewInt(k)))
		f.Add(b[:])
	}
	f.Add(make([]byte, 32))
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	nMinus2 := new(big.Int).Sub(n, big.NewInt(2))
	f.Fuzz(func(t *testing.T, in []byte) {
		var c [32]byte
		copy(c[:], in)
		calls := 0
		d, ok := v4aScalar(func(byte) [32]byte {
			calls++
			if calls == 1 {
				return c
			}
			return [32]byte{} // the next counter's candidate: 0, key 1
		})
		cv := new(big.Int).SetBytes(c[:])
		if !ok {
			t.Fatal("loop gave up")
		}
		if cv.Cmp(nMinus2) <= 0 {
			if want := bigBytes32(cv.Add(cv, big.NewInt(1))); calls != 1 || d != want {
				t.Fatalf("candidate %x: key %x after %d calls, want %x after 1", c, d, calls, want)
			}
		} else if calls != 2 || d != bigBytes32(big.NewInt(1)) {
			t.Fatalf("candidate %x above n-2 taken (key %x, %d calls)", c, d, calls)
		}
	})
}

// v4aRequests are the requests of the round-trip tests.
func v4aRequests(t testing.TB) map[string]func() (*http.Request, string) {
	put := func() (*http.Request, string) {
		body := "Welcome to Amazon S3 Multi-Region Access Points."
		req, err := http.NewRequest(http.MethodPut, "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/photos/my cat (1).jpg", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "image/jpeg")
		req.Header.Set("X-Amz-Meta-Owner", "  alice   and bob ")
		req.Header.Set("User-Agent", "s3kit-test")
		return req, sha256Hex([]byte(body))
	}
	get := func() (*http.Request, string) {
		req, err := http.NewRequest(http.MethodGet, "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/?list-type=2&prefix=a%2Fb+c&delimiter=%2F", nil)
		if err != nil {
			t.Fatal(err)
		}
		return req, UnsignedPayload
	}
	return map[string]func() (*http.Request, string){"put": put, "get": get}
}

// TestV4aSignRoundTrip signs requests for several region sets, services and
// credentials and has the reference verifier check them as sent: before
// sending, and as a loopback server receives them.
func TestV4aSignRoundTrip(t *testing.T) {
	var received struct {
		sync.Mutex
		n    int
		err  error
		want Credentials // the credentials of the request in flight
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Lock()
		want := received.want
		received.Unlock()
		rt := &recordingT{}
		func() {
			defer func() { _ = recover() }()
			verifyV4aHeaderSignature(rt, r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Host, r.Header, want.AccessKeyID, want.SecretAccessKey)
		}()
		received.Lock()
		received.n++
		if rt.failed != "" && received.err == nil {
			received.err = errors.New(rt.failed)
		}
		received.Unlock()
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)

	sent := 0
	for name, mk := range v4aRequests(t) {
		for _, regionSet := range []string{"*", "us-east-1", "us-east-1,eu-west-1"} {
			for _, service := range []string{"", "s3-outposts"} {
				for _, creds := range []Credentials{testCreds, secretCreds} {
					t.Run(fmt.Sprintf("%s/%s/%q/token=%v", name, regionSet, service, creds.SessionToken != ""), func(t *testing.T) {
						req, hash := mk()
						req.Header.Set("X-Amz-Content-Sha256", hash) // the reference reads it for every service
						s := &SignerV4a{Service: service}
						if err := s.Sign(req, creds, regionSet, hash, testTime); err != nil {
							t.Fatal(err)
						}
						if rs, _ := verifyV4aSigned(t, req, creds); rs != regionSet {
							t.Errorf("region set %q, want %q", rs, regionSet)
						}
						a := parseAuthorizationV4a(t, req.Header.Get("Authorization"))
						if wantSvc := s.service(); a.Service != wantSvc || a.Date != "20130524" {
							t.Errorf("scope %s/%s", a.Date, a.Service)
						}
						// Through a loopback server: the request as received.
						received.Lock()
						received.want = creds
						received.Unlock()
						req.URL.Scheme, req.URL.Host = base.Scheme, base.Host
						req.Host = base.Host
						if err := s.Sign(req, creds, regionSet, hash, testTime); err != nil {
							t.Fatal(err)
						}
						resp, err := srv.Client().Do(req)
						if err != nil {
							t.Fatal(err)
						}
						resp.Body.Close()
						sent++
						received.Lock()
						defer received.Unlock()
						if received.err != nil {
							t.Fatalf("server: %v", received.err)
						}
					})
				}
			}
		}
	}
	received.Lock()
	defer received.Unlock()
	if received.n != sent || sent != 24 {
		t.Errorf("server verified %d requests of %d sent, want 24", received.n, sent)
	}
}

// recordingT is the testing.TB a server handler gives the verifier: it
// records the first failure and stops the handler.
type recordingT struct {
	testing.TB
	failed string
}

func (r *recordingT) Helper() {}
func (r *recordingT) Fatalf(format string, args ...any) {
	if r.failed == "" {
		r.failed = fmt.Sprintf(format, args...)
	}
	panic(r)
}
func (r *recordingT) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// TestV4aSignAgain: a retry signs the same request again and replaces the
// signature, the date, the region set and the token.
func TestV4aSignAgain(t *testing.T) {
	var s SignerV4a
	req, hash := v4aRequests(t)["put"]()
	if err := s.Sign(req, secretCreds, "us-east-1", hash, testTime); err != nil {
		t.Fatal(err)
	}
	later := testTime.Add(26 * time.Hour)
	if err := s.Sign(req, testCreds, "*", hash, later); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Authorization", "X-Amz-Date", "X-Amz-Region-Set", "X-Amz-Content-Sha256"} {
		if len(req.Header[name]) != 1 {
			t.Errorf("%s: %q", name, req.Header[name])
		}
	}
	if _, ok := req.Header["X-Amz-Security-Token"]; ok {
		t.Error("the first credentials' token is still sent")
	}
	if rs, _ := verifyV4aSigned(t, req, testCreds); rs != "*" {
		t.Errorf("region set %q", rs)
	}
	// An ECDSA signature is randomized; both are valid.
	a := req.Header.Get("Authorization")
	if err := s.Sign(req, testCreds, "*", hash, later); err != nil {
		t.Fatal(err)
	}
	if b := req.Header.Get("Authorization"); a == b {
		t.Error("two signatures are equal: the nonce is not random")
	}
	verifyV4aSigned(t, req, testCreds)
}

// TestV4aPresign presigns requests and has the reference verifier check the
// URL with the headers returned; presigning a presigned URL again replaces
// its auth parameters.
func TestV4aPresign(t *testing.T) {
	var s SignerV4a
	for _, tc := range []struct {
		name, regionSet, hash string
		creds                 Credentials
		header                [2]string
		wantHeaders           []string
	}{
		{"unsigned payload, all regions", "*", UnsignedPayload, testCreds, [2]string{}, nil},
		{"token, two regions", "us-east-1,us-west-2", UnsignedPayload, secretCreds, [2]string{}, nil},
		{"signed header", "*", UnsignedPayload, testCreds, [2]string{"X-Amz-Server-Side-Encryption", "AES256"}, []string{"X-Amz-Server-Side-Encryption"}},
		{"payload hash", "*", EmptyPayloadHash, testCreds, [2]string{}, []string{"X-Amz-Content-Sha256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := v4aRequests(t)["get"]()
			if tc.header[0] != "" {
				req.Header.Set(tc.header[0], tc.header[1])
			}
			// Headers of an earlier header signing are not sent.
			if err := s.Sign(req, tc.creds, "eu-west-1", tc.hash, testTime.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			before := req.URL.String()
			u, hdr, err := s.Presign(req, tc.creds, tc.regionSet, tc.hash, time.Hour, testTime)
			if err != nil {
				t.Fatal(err)
			}
			if req.URL.String() != before {
				t.Error("Presign changed the request")
			}
			var names []string
			for n := range hdr {
				names = append(names, n)
			}
			sort.Strings(names)
			if fmt.Sprint(names) != fmt.Sprint(tc.wantHeaders) {
				t.Errorf("headers to send %v, want %v", names, tc.wantHeaders)
			}
			q := verifyV4aPresigned(t, http.MethodGet, u, hdr, tc.creds, testTime.Add(59*time.Minute))
			if q.Get("X-Amz-Region-Set") != tc.regionSet || q.Get("list-type") != "2" || q.Get("prefix") != "a/b c" {
				t.Errorf("query %v", q)
			}
			// Presigning the presigned URL again replaces its parameters.
			r2, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			r2.Header = hdr.Clone()
			later := testTime.Add(2 * time.Hour)
			u2, hdr2, err := s.Presign(r2, testCreds, "ap-south-1", tc.hash, 2*time.Hour, later)
			if err != nil {
				t.Fatal(err)
			}
			q2 := verifyV4aPresigned(t, http.MethodGet, u2, hdr2, testCreds, later)
			for name, v := range q2 {
				if len(v) != 1 {
					t.Errorf("%s appears %d times in %s", name, len(v), u2)
				}
			}
			if q2.Get("X-Amz-Region-Set") != "ap-south-1" {
				t.Errorf("region set %q", q2.Get("X-Amz-Region-Set"))
			}
		})
	}
}

// TestV4aPresignThroughServer fetches a presigned URL from a loopback
// server that verifies it as received.
func TestV4aPresignThroughServer(t *testing.T) {
	var verified int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := &recordingT{}
		func() {
			defer func() { _ = recover() }()
			u := "http://" + r.Host + r.URL.RequestURI()
			verifyV4aPresigned(rt, r.Method, u, r.Header, secretCreds, testTime)
		}()
		mu.Lock()
		defer mu.Unlock()
		if rt.failed != "" {
			http.Error(w, rt.failed, http.StatusForbidden)
			return
		}
		verified++
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/mrap key/with space?versionId=a%2Bb", nil)
	if err != nil {
		t.Fatal(err)
	}
	var s SignerV4a
	u, hdr, err := s.Presign(req, secretCreds, "*", UnsignedPayload, time.Minute, testTime)
	if err != nil {
		t.Fatal(err)
	}
	get, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	get.Header = hdr
	resp, err := srv.Client().Do(get)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if resp.StatusCode != http.StatusOK || verified != 1 {
		t.Fatalf("server: %s %s (verified %d)", resp.Status, msg, verified)
	}
}

// TestV4aBadInput: bad input is refused with the package's errors, with no
// panic; a refused streaming request is left as it was.
func TestV4aBadInput(t *testing.T) {
	var s SignerV4a
	good := testCreds
	sign := func(mut func(*http.Request), creds Credentials, regionSet, hash string) func() error {
		return func() error {
			req := goodRequest()
			if mut != nil {
				mut(req)
			}
			return s.Sign(req, creds, regionSet, hash, testTime)
		}
	}
	presign := func(creds Credentials, regionSet string, exp time.Duration) func() error {
		return func() error {
			_, _, err := s.Presign(goodRequest(), creds, regionSet, UnsignedPayload, exp, testTime)
			return err
		}
	}
	tests := []struct {
		name string
		call func() error
		want error // nil: must succeed
	}{
		{"sign: no key ID", sign(nil, Credentials{SecretAccessKey: "s"}, "*", UnsignedPayload), ErrMissingCredentials},
		{"sign: no secret", sign(nil, Credentials{AccessKeyID: "a"}, "*", UnsignedPayload), ErrMissingCredentials},
		{"sign: empty region set", sign(nil, good, "", UnsignedPayload), ErrMissingRegion},
		{"sign: region set with a space", sign(nil, good, "us-east-1, us-west-2", UnsignedPayload), ErrInvalidRegionSet},
		{"sign: region set with LF", sign(nil, good, "*\nx-amz-acl:public-read", UnsignedPayload), ErrInvalidRegionSet},
		{"sign: region set with a quote", sign(nil, good, `"*"`, UnsignedPayload), ErrInvalidRegionSet},
		{"sign: empty payload hash", sign(nil, good, "*", ""), ErrMissingPayloadHash},
		{"sign: header with LF", sign(func(r *http.Request) { r.Header["X-Amz-Meta-A"] = []string{"a\nb"} }, good, "*", UnsignedPayload), ErrInvalidHeaderValue},
		{"sign: bad header name", sign(func(r *http.Request) { r.Header["Bad Name"] = []string{"a"} }, good, "*", UnsignedPayload), ErrInvalidHeaderName},
		{"sign: bad query", sign(func(r *http.Request) { r.URL.RawQuery = "a=%zz" }, good, "*", UnsignedPayload), ErrInvalidQuery},
		{"sign: nil request", func() error { return s.Sign(nil, good, "*", UnsignedPayload, testTime) }, ErrInvalidPath},
		{"sign: nil header map is fine", sign(func(r *http.Request) { r.Header = nil }, good, "*", UnsignedPayload), nil},
		{"sign: a region set of commas and stars is sent as is", sign(nil, good, "*,us-east-1", UnsignedPayload), nil},
		{"presign: 0 s", presign(good, "*", 0), ErrExpiry},
		{"presign: 7 days + 1 s", presign(good, "*", MaxPresignExpiry+time.Second), ErrExpiry},
		{"presign: 7 days", presign(good, "*", MaxPresignExpiry), nil},
		{"presign: empty region set", presign(good, "", time.Hour), ErrMissingRegion},
		{"presign: bad region set", presign(good, "us east", time.Hour), ErrInvalidRegionSet},
		{"presign: no credentials", presign(Credentials{}, "*", time.Hour), ErrMissingCredentials},
		{"presign: nil request", func() error {
			_, _, err := s.Presign(nil, good, "*", UnsignedPayload, time.Hour, testTime)
			return err
		}, ErrInvalidPath},
		{"public key: no credentials", func() error { _, err := s.PublicKey(Credentials{AccessKeyID: "a"}); return err }, ErrMissingCredentials},
		{"canonical request: nil request", func() error { _, err := s.CanonicalRequest(nil, UnsignedPayload); return err }, ErrInvalidPath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := noPanic(t, tc.call)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestV4aKeyCache: a shared SignerV4a signs for several key pairs from many
// goroutines, each signature verifying with its own pair's key; the cache
// stays bounded; a rotated secret under the same ID, and another ID with
// the same secret, get keys of their own.
func TestV4aKeyCache(t *testing.T) {
	var s SignerV4a
	pubs := make([]*ecdsa.PublicKey, len(v4aKeyPairs))
	for i, c := range v4aKeyPairs {
		p, err := (&SignerV4a{}).PublicKey(c)
		if err != nil {
			t.Fatal(err)
		}
		pubs[i] = p
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				k := (g*3 + i) % len(v4aKeyPairs)
				req := cacheRequest()
				if err := s.Sign(req, v4aKeyPairs[k], "*", UnsignedPayload, testTime); err != nil {
					errs <- err.Error()
					return
				}
				cr, _ := s.CanonicalRequest(req, UnsignedPayload)
				_, sig, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
				der, _ := hex.DecodeString(sig)
				d := sha256.Sum256([]byte(s.StringToSign(cr, testTime)))
				if !ecdsa.VerifyASN1(pubs[k], d[:], der) {
					errs <- fmt.Sprintf("goroutine %d: key pair %d: signature does not verify", g, k)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	entries := func() int {
		s.keys.mu.Lock()
		defer s.keys.mu.Unlock()
		n := 0
		for _, e := range s.keys.entries {
			if e != nil {
				n++
			}
		}
		return n
	}
	if n := entries(); n != len(v4aKeyPairs) {
		t.Errorf("%d entries for %d key pairs", n, len(v4aKeyPairs))
	}
	for i := 0; i < 3*v4aKeyCacheSize; i++ {
		c := Credentials{AccessKeyID: fmt.Sprintf("AKID%d", i), SecretAccessKey: "secret"}
		p, err := s.PublicKey(c)
		if err != nil {
			t.Fatal(err)
		}
		if want := refV4aPublic(c.AccessKeyID, c.SecretAccessKey); !bytes.Equal(want.x.FillBytes(make([]byte, 32)), mustXY(t, p)[1:33]) {
			t.Fatalf("key pair %d: wrong public key", i)
		}
		if n := entries(); n > v4aKeyCacheSize {
			t.Fatalf("cache holds %d entries, bound %d", n, v4aKeyCacheSize)
		}
	}
	// Evicted pairs derive again, to the same key.
	for i, c := range v4aKeyPairs {
		if p, err := s.PublicKey(c); err != nil || !p.Equal(pubs[i]) {
			t.Errorf("key pair %d after eviction: %v", i, err)
		}
	}
	base := Credentials{AccessKeyID: "AKIDSAME", SecretAccessKey: "old-secret"}
	rotated := Credentials{AccessKeyID: "AKIDSAME", SecretAccessKey: "new-secret"}
	otherID := Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: "old-secret"}
	a, _ := s.PublicKey(base)
	b, _ := s.PublicKey(rotated)
	c, _ := s.PublicKey(otherID)
	if a.Equal(b) || a.Equal(c) || b.Equal(c) {
		t.Error("the key does not follow both the access key ID and the secret")
	}
	if again, _ := s.PublicKey(base); !again.Equal(a) {
		t.Error("the same pair gives another key")
	}
}

func mustXY(t *testing.T, p *ecdsa.PublicKey) []byte {
	t.Helper()
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestV4aNoSecretsPrinted: the secret and the derived private key never
// appear in the fmt output of a SignerV4a that holds cached keys (or of a
// struct holding one), nor in the errors of bad input, nor in what a
// signed request carries.
func TestV4aNoSecretsPrinted(t *testing.T) {
	var s SignerV4a
	req := goodRequest()
	if err := s.Sign(req, secretCreds, "*", UnsignedPayload, testTime); err != nil {
		t.Fatal(err)
	}
	d, _ := refV4aPrivate(secretCreds.AccessKeyID, secretCreds.SecretAccessKey)
	dHex := hex.EncodeToString(d.FillBytes(make([]byte, 32)))
	forms := []string{dHex, strings.ToUpper(dHex), d.String(), dHex[:16], d.String()[:16]}
	leak := func(what, out string) {
		t.Helper()
		assertNoSecret(t, what, out)
		for _, f := range forms {
			if strings.Contains(out, f) {
				t.Errorf("%s prints the private key: %s", what, out)
			}
		}
	}
	type holder struct {
		Name   string
		Signer *SignerV4a
	}
	type unexported struct{ signer *SignerV4a }
	values := map[string]any{"*SignerV4a": &s, "holder": holder{"cfg", &s}, "&holder": &holder{"cfg", &s}, "unexported field": unexported{&s}}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			leak(name+" "+verb, fmt.Sprintf(verb, v))
		}
	}
	leak("entries", fmt.Sprintf("%+v %#v", s.keys.entries, s.keys.entries))
	var b bytes.Buffer
	req.Header.Write(&b)
	leak("signed headers", strings.ReplaceAll(b.String(), tokenText, "")) // the token is sent, as it must be
	u, hdr, err := s.Presign(goodRequest(), secretCreds, "*", UnsignedPayload, time.Hour, testTime)
	if err != nil {
		t.Fatal(err)
	}
	leak("presigned URL", strings.ReplaceAll(u, tokenText, "")+fmt.Sprint(hdr))
	pub, _ := s.PublicKey(secretCreds)
	leak("public key", fmt.Sprintf("%v %+v %#v", pub, pub, *pub))

	bad := secretCreds
	bad.SessionToken = tokenText + "\n" + tokenText
	var errs []error
	errs = append(errs, s.Sign(goodRequest(), bad, "*", UnsignedPayload, testTime))
	errs = append(errs, s.Sign(goodRequest(), secretCreds, secretText+"\n", UnsignedPayload, testTime))
	_, _, err = s.Presign(goodRequest(), secretCreds, "*", UnsignedPayload, -time.Hour, testTime)
	errs = append(errs, err)
	errs = append(errs, s.SignStreaming(goodRequest(), bytes.NewReader(nil), 0, bad, "*", StreamingOptions{Payload: StreamingPayloadV4a}, testTime))
	for _, err := range errs {
		if err == nil {
			continue
		}
		leak("error", err.Error())
		leak("error %+v", fmt.Sprintf("%+v", err))
	}
}

// TestV4aCanonicalRequestIsSigV4s: Signer and SignerV4a share the canonicalizer;
// a request signed with both is canonicalized the same way (but for the
// region set header), and neither algorithm's Authorization is the other's.
func TestV4aCanonicalRequestIsSigV4s(t *testing.T) {
	var s4 Signer
	var sa SignerV4a
	req, hash := v4aRequests(t)["put"]()
	if err := sa.Sign(req, testCreds, "*", hash, testTime); err != nil {
		t.Fatal(err)
	}
	ca, _ := sa.CanonicalRequest(req, hash)
	req.Header.Del("X-Amz-Region-Set")
	if err := s4.Sign(req, testCreds, "us-east-1", hash, testTime); err != nil {
		t.Fatal(err)
	}
	c4, _ := s4.CanonicalRequest(req, hash)
	strip := func(cr string) string {
		var out []string
		for _, l := range strings.Split(cr, "\n") {
			if !strings.HasPrefix(l, "x-amz-region-set:") {
				out = append(out, strings.ReplaceAll(l, ";x-amz-region-set", ""))
			}
		}
		return strings.Join(out, "\n")
	}
	if strip(ca) != c4 {
		t.Errorf("SigV4a canonical request:\n%s\nSigV4:\n%s", ca, c4)
	}
	if !strings.HasPrefix(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		t.Error(req.Header.Get("Authorization"))
	}
	verifySigned(t, req, testCreds.SecretAccessKey)
	if got := CredentialScopeV4a(testTime, "s3"); got != "20130524/s3/aws4_request" {
		t.Errorf("CredentialScopeV4a = %s", got)
	}
}

func BenchmarkSignV4a(b *testing.B) {
	var s SignerV4a
	req := newPutObject(b)
	if err := s.Sign(req, benchCreds, "*", UnsignedPayload, benchTime); err != nil { // the key is derived once
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Sign(req, benchCreds, "*", UnsignedPayload, benchTime); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPresignV4a(b *testing.B) {
	var s SignerV4a
	req, err := http.NewRequest(http.MethodGet, "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/photos/cat.jpg?versionId=3HL4kqtJlcpXroDTDmJ%2Bi2T0rHYi4v", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Presign(req, benchCreds, "*", UnsignedPayload, time.Hour, benchTime); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkV4aKeyDerivation is what the cache saves on every signature.
func BenchmarkV4aKeyDerivation(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := deriveV4aKey(benchCreds.AccessKeyID, benchCreds.SecretAccessKey); err != nil {
			b.Fatal(err)
		}
	}
}
