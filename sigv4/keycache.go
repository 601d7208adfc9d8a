package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// keyCacheSize bounds the cache: one entry per (secret, day, region,
// service) in use at once. A client talks to a handful of regions, so eight
// covers it; beyond that the oldest entry is replaced.
const keyCacheSize = 8

// keyCache holds derived signing keys, so that a signature costs two HMACs
// (string to sign, and nothing else) instead of six. Unlike aws-sdk-go-v2's
// cache it is keyed by the secret, not just the access key ID, so a
// rotated secret under the same ID never signs with a stale key. It keeps a
// 128-bit hash of the secret under seeds chosen at random for this process
// (hash/maphash: no allocation), never the secret: a Signer printed with a
// wrong verb (fmt then shows what its pointers lead to) shows no secret.
type keyCache struct {
	mu      sync.Mutex
	entries [keyCacheSize]*keyEntry
	next    int
	// last is the entry found or made last, checked first without the
	// lock: the requests of a client sign with one key for a day.
	last atomic.Pointer[keyEntry]
}

type keyEntry struct {
	secret          secretSum
	region, service string
	year, day       int
	month           time.Month
	// macs holds *keyedMAC: HMAC-SHA256 states keyed with the signing key.
	// Reset returns one to its keyed state, so a signature allocates nothing.
	macs sync.Pool
}

func (e *keyEntry) matches(secret secretSum, y int, m time.Month, d int, region, service string) bool {
	return e.year == y && e.month == m && e.day == d && e.region == region && e.service == service && e.secret == secret
}

// secretSum identifies a secret without holding it.
type secretSum [2]uint64

var secretSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumSecret(secret string) secretSum {
	return secretSum{maphash.String(secretSeeds[0], secret), maphash.String(secretSeeds[1], secret)}
}

// entry returns the cached entry for the inputs, deriving it if needed.
func (c *keyCache) entry(secret string, t time.Time, region, service string) *keyEntry {
	y, m, d := t.Date()
	sum := sumSecret(secret)
	if e := c.last.Load(); e != nil && e.matches(sum, y, m, d, region, service) {
		return e
	}
	c.mu.Lock()
	for _, e := range c.entries {
		if e != nil && e.matches(sum, y, m, d, region, service) {
			c.mu.Unlock()
			c.last.Store(e)
			return e
		}
	}
	c.mu.Unlock()

	key := deriveKey(secret, t, region, service)
	e := &keyEntry{secret: sum, region: region, service: service, year: y, month: m, day: d}
	e.macs.New = func() any { return &keyedMAC{mac: hmac.New(sha256.New, key[:])} }

	c.mu.Lock()
	defer c.mu.Unlock()
	for _, old := range c.entries { // another goroutine may have won the race
		if old != nil && old.matches(sum, y, m, d, region, service) {
			return old
		}
	}
	c.entries[c.next] = e
	c.next = (c.next + 1) % keyCacheSize
	c.last.Store(e)
	return e
}

// sign returns HMAC-SHA256(signing key, msg).
func (c *keyCache) sign(secret string, t time.Time, region, service string, msg []byte) [sha256.Size]byte {
	var out [sha256.Size]byte
	c.entry(secret, t, region, service).sum(&out, msg)
	return out
}

// keyedMAC is a pooled HMAC state with room for its sum: hash.Hash.Sum
// takes a slice through an interface, so a sum into a local array would
// escape to the heap on every signature.
type keyedMAC struct {
	mac hash.Hash
	sum [sha256.Size]byte
}

// sum sets *out to HMAC-SHA256(signing key, msg).
func (e *keyEntry) sum(out *[sha256.Size]byte, msg []byte) {
	m := e.macs.Get().(*keyedMAC)
	m.mac.Reset()
	m.mac.Write(msg)
	m.mac.Sum(m.sum[:0])
	*out = m.sum
	e.macs.Put(m)
}

// deriveKey computes kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret string, t time.Time, region, service string) [sha256.Size]byte {
	k := hmacSum([]byte("AWS4"+secret), appendDate(nil, t.UTC()))
	k = hmacSum(k[:], []byte(region))
	k = hmacSum(k[:], []byte(service))
	return hmacSum(k[:], []byte(terminator))
}

func hmacSum(key, msg []byte) [sha256.Size]byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}
