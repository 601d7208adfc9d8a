package sigv4

// SigV4a (AWS4-ECDSA-P256-SHA256): SignerV4a, the ECDSA P-256 key derived
// from the secret and its bounded cache, and the ECDSA signature. Header
// signing and presigning are the core's (core.go); streaming is in
// v4a_chunked.go.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// The SigV4a algorithm name, payload hash values and region set header.
const (
	// AlgorithmV4a is the SigV4a algorithm identifier.
	AlgorithmV4a = "AWS4-ECDSA-P256-SHA256"
	// StreamingPayloadV4a marks an aws-chunked body with a SigV4a signature
	// per chunk.
	StreamingPayloadV4a = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	// StreamingPayloadTrailerV4a is StreamingPayloadV4a with a signed
	// trailer (a checksum).
	StreamingPayloadTrailerV4a = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
	// RegionSetHeader carries the region set of a SigV4a signature (and,
	// as a query parameter, of a SigV4a presigned URL).
	RegionSetHeader = "X-Amz-Region-Set"
)

// ErrInvalidRegionSet: a region set with a byte other than a comma or an
// RFC 9110 token character (letters, digits, '-', '*' ...). An empty
// region set is ErrMissingRegion.
var ErrInvalidRegionSet = errors.New("sigv4: invalid region set")

// errV4aKey is returned when the key derivation finds no private key: no
// counter gives a candidate at most n-2, which happens with probability
// about 2^(-32*254).
var errV4aKey = errors.New("sigv4: SigV4a key derivation found no key")

// SignerV4a signs requests with SigV4a, the asymmetric variant of SigV4 that
// S3 Multi-Region Access Points require: the signature is an ECDSA P-256
// signature made with a key derived from the secret access key, and it is
// valid in every region of a region set (X-Amz-Region-Set, for example "*")
// rather than in one region, so the credential scope has no region.
//
// The zero value is ready to use and signs for the service "s3". A
// SignerV4a is safe for concurrent use; share one so that its cache of
// derived keys is shared too (a derivation, an HMAC and a scalar
// multiplication, costs about as much again as the ECDSA signature).
//
// ECDSA signatures are randomized: signing the same request twice gives
// two different signatures, both valid.
type SignerV4a struct {
	// Service is the signing name of the service; "" means "s3". For "s3",
	// Sign also sets the X-Amz-Content-Sha256 header that S3 requires.
	Service string

	keys  v4aKeyCache
	dates dateCache
}

func (s *SignerV4a) service() string { return serviceName(s.Service) }

func (s *SignerV4a) isV4a() bool { return true }

// signature returns a SigV4a signature at t for the region set, with the
// key derived from the access key pair (cached).
func (s *SignerV4a) signature(creds Credentials, regionSet string, t time.Time) (signature, error) {
	key, err := s.keys.key(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return signature{}, err
	}
	t = t.UTC()
	return signature{v4a: true, t: t, date: s.dates.format(t), region: regionSet, service: s.service(), ec: key}, nil
}

// CredentialScopeV4a returns the scope of a SigV4a signature, which has no
// region, for example 20150830/s3/aws4_request.
func CredentialScopeV4a(t time.Time, service string) string {
	g := signature{v4a: true, t: t.UTC(), service: service}
	return string(g.appendScope(nil))
}

// checkRegionSet accepts a comma-separated list of token characters: "*",
// "us-east-1", "us-east-1,eu-west-1".
func checkRegionSet(regionSet string) error {
	if regionSet == "" {
		return ErrMissingRegion
	}
	for i := 0; i < len(regionSet); i++ {
		if c := regionSet[i]; c != ',' && !tokenChar[c] {
			return fmt.Errorf("%w: byte %#x at %d", ErrInvalidRegionSet, c, i)
		}
	}
	return nil
}

// signV4a returns the hex DER ECDSA signature of SHA-256(stringToSign).
func signV4a(dst []byte, key *ecdsa.PrivateKey, stringToSign []byte) ([]byte, error) {
	digest := sha256.Sum256(stringToSign)
	der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sigv4: SigV4a signature: %w", err)
	}
	return hex.AppendEncode(dst, der), nil
}

// Sign signs req in place with SigV4a for the region set (a comma-separated
// list of regions, or "*" for all), the payload hash (the hex SHA-256 of the
// body, or one of UnsignedPayload and the streaming markers) and the time.
// It sets X-Amz-Date, X-Amz-Region-Set, X-Amz-Content-Sha256 (for S3),
// X-Amz-Security-Token when the credentials have a token, and
// Authorization. Everything else is as Signer.Sign: the same headers are
// signed, RawPath and RawQuery are rewritten to the canonical encoding,
// signing again replaces the previous signature, and after an error req
// must not be sent.
func (s *SignerV4a) Sign(req *http.Request, creds Credentials, regionSet, payloadHash string, t time.Time) error {
	_, err := sign(s, req, creds, regionSet, payloadHash, t)
	return err
}

// maxDERSignature is the longest DER encoding of a P-256 ECDSA signature:
// a SEQUENCE of two INTEGERs of up to 33 bytes each.
const maxDERSignature = 72

// CanonicalRequest returns the canonical request that signing req with
// payloadHash covers, as Signer.CanonicalRequest does (the canonical
// request does not depend on the algorithm). req is not modified.
func (s *SignerV4a) CanonicalRequest(req *http.Request, payloadHash string) (string, error) {
	return canonicalRequest(req, payloadHash)
}

// StringToSign returns the SigV4a string to sign for a canonical request,
// at time t, for the signer's service. Its SHA-256 is what the ECDSA
// signature signs.
func (s *SignerV4a) StringToSign(canonicalRequest string, t time.Time) string {
	return stringToSign(true, canonicalRequest, t, "", s.service())
}

// PublicKey returns the public key of the SigV4a key pair derived from
// creds, with which a server (or a test) verifies the signatures. Only the
// access key ID and the secret matter.
func (s *SignerV4a) PublicKey(creds Credentials) (*ecdsa.PublicKey, error) {
	if !creds.HasKeys() {
		return nil, ErrMissingCredentials
	}
	key, err := s.keys.key(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return nil, err
	}
	// A copy: the caller may change it; the signing key must not change.
	b, err := key.PublicKey.Bytes()
	if err != nil {
		return nil, err
	}
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
}

// Presign returns a SigV4a presigned URL for req, as Signer.Presign does,
// with the region set in X-Amz-Region-Set and the region-less credential
// scope. The URL is valid for expires (1 s to 7 days) from t, in every
// region of the set; the headers returned must be sent with it. Auth
// parameters of an earlier presign in req's query (X-Amz-Region-Set
// included) and the headers of an earlier header signing are replaced. req
// is not modified.
func (s *SignerV4a) Presign(req *http.Request, creds Credentials, regionSet, payloadHash string, expires time.Duration, t time.Time) (string, http.Header, error) {
	return presign(s, req, creds, regionSet, payloadHash, expires, t)
}

// v4aKeyCacheSize bounds the cache of derived keys: one entry per access
// key pair in use at once. The key does not depend on the date, region or
// service, so a handful of entries covers a client; beyond that the oldest
// entry is replaced.
const v4aKeyCacheSize = 8

// v4aKeyCache holds derived SigV4a keys. The key is derived from the access
// key ID and the secret together, so an entry matches on both: a rotated
// secret under the same ID never signs with a stale key.
//
// An entry holds the SHA-256 of the secret, not the secret: fmt prints the
// fields of a struct behind any pointer it is given a wrong verb for (%s of
// a *SignerV4a reaches the entries), and the private key is behind one more
// pointer, which fmt prints as an address.
type v4aKeyCache struct {
	mu      sync.Mutex
	entries [v4aKeyCacheSize]*v4aKeyEntry
	next    int
}

type v4aKeyEntry struct {
	accessKeyID string
	secretSum   [sha256.Size]byte
	priv        *ecdsa.PrivateKey
}

// key returns the cached key for the pair, deriving it if needed.
func (c *v4aKeyCache) key(accessKeyID, secret string) (*ecdsa.PrivateKey, error) {
	sum := sha256.Sum256([]byte(secret))
	c.mu.Lock()
	for _, e := range c.entries {
		if e != nil && e.accessKeyID == accessKeyID && e.secretSum == sum {
			c.mu.Unlock()
			return e.priv, nil
		}
	}
	c.mu.Unlock()

	priv, err := deriveV4aKey(accessKeyID, secret)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	for _, old := range c.entries { // another goroutine may have won the race
		if old != nil && old.accessKeyID == accessKeyID && old.secretSum == sum {
			return old.priv, nil
		}
	}
	c.entries[c.next] = &v4aKeyEntry{accessKeyID: accessKeyID, secretSum: sum, priv: priv}
	c.next = (c.next + 1) % v4aKeyCacheSize
	return priv, nil
}

// v4aMaxCounter is the last counter value of the key derivation, as in
// aws-c-auth.
const v4aMaxCounter = 254

// deriveV4aKey derives the SigV4a private key of an access key pair, with
// the KDF in counter mode of NIST SP 800-108 (HMAC-SHA256, one 256-bit
// block) and the candidate testing of FIPS 186-4 B.4.2:
//
//	candidate = HMAC-SHA256("AWS4A" || secret,
//	    0x00000001 || "AWS4-ECDSA-P256-SHA256" || 0x00 || accessKeyID || counter || 0x00000100)
//
// for counter = 1, 2, ... (one byte) until candidate <= n-2, where n is
// the order of P-256; the private key is candidate + 1.
func deriveV4aKey(accessKeyID, secret string) (*ecdsa.PrivateKey, error) {
	mac := hmac.New(sha256.New, []byte("AWS4A"+secret))
	fixed := make([]byte, 0, 4+len(AlgorithmV4a)+1+len(accessKeyID)+1+4)
	fixed = append(fixed, 0, 0, 0, 1) // the KDF's block counter i = 1
	fixed = append(fixed, AlgorithmV4a...)
	fixed = append(fixed, 0)
	fixed = append(fixed, accessKeyID...)
	at := len(fixed)
	fixed = append(fixed, 0)          // the external counter, set below
	fixed = append(fixed, 0, 0, 1, 0) // L = 256 bits
	d, ok := v4aScalar(func(counter byte) (c [32]byte) {
		fixed[at] = counter
		mac.Reset()
		mac.Write(fixed)
		mac.Sum(c[:0])
		return c
	})
	if !ok {
		return nil, errV4aKey
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	clear(d[:])
	if err != nil {
		// Not wrapped: the error is about the key's value.
		return nil, errV4aKey
	}
	return priv, nil
}

// p256NMinus1 is n-1 for P-256, big-endian: a candidate below it is at
// most n-2.
var p256NMinus1 = func() (b [32]byte) {
	new(big.Int).Sub(elliptic.P256().Params().N, big.NewInt(1)).FillBytes(b[:])
	return b
}()

// v4aScalar runs the counter loop of the derivation over candidate (the
// KDF output for a counter) and returns the private scalar, big-endian.
// The comparison and the increment take the same time for every value.
func v4aScalar(candidate func(counter byte) [32]byte) (d [32]byte, ok bool) {
	for counter := 1; counter <= v4aMaxCounter; counter++ {
		c := candidate(byte(counter))
		// c - (n-1) borrows exactly when c <= n-2.
		var borrow uint32
		for i := len(c) - 1; i >= 0; i-- {
			diff := uint32(c[i]) - uint32(p256NMinus1[i]) - borrow
			borrow = diff >> 31
		}
		if borrow == 1 {
			carry := uint32(1)
			for i := len(c) - 1; i >= 0; i-- {
				sum := uint32(c[i]) + carry
				d[i] = byte(sum)
				carry = sum >> 8
			}
			clear(c[:])
			return d, true
		}
	}
	return d, false
}
