package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

func cacheRequest() *http.Request {
	return &http.Request{Method: http.MethodPut, URL: &url.URL{Scheme: "https", Host: "b.s3.amazonaws.com", Path: "/photos/cat.jpg"},
		Header: http.Header{"Content-Type": {"image/jpeg"}}}
}

func signWith(t testing.TB, s *Signer, creds Credentials, region string, tm time.Time) string {
	t.Helper()
	req := cacheRequest()
	if err := s.Sign(req, creds, region, UnsignedPayload, tm); err != nil {
		t.Fatal(err)
	}
	return req.Header.Get("Authorization")
}

func cachedEntries(s *Signer) int {
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

func TestKeyCacheConcurrent(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	secrets := []Credentials{
		{AccessKeyID: "AKIDONE", SecretAccessKey: "secret-one"},
		{AccessKeyID: "AKIDTWO", SecretAccessKey: "secret-two", SessionToken: "tok"},
	}
	days := []time.Time{testTime, testTime.Add(25 * time.Hour)}
	type combo struct {
		creds  Credentials
		region string
		t      time.Time
	}
	var combos []combo
	want := map[int]string{}
	for _, c := range secrets {
		for _, r := range regions {
			for _, d := range days {
				combos = append(combos, combo{c, r, d})
				// A fresh Signer for every expected value: no cache shared.
				want[len(combos)-1] = signWith(t, &Signer{}, c, r, d)
			}
		}
	}
	var s Signer // shared by all goroutines
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g*7 + i) % len(combos)
				c := combos[k]
				req := cacheRequest()
				if err := s.Sign(req, c.creds, c.region, UnsignedPayload, c.t); err != nil {
					errs <- err.Error()
					return
				}
				if got := req.Header.Get("Authorization"); got != want[k] {
					errs <- fmt.Sprintf("goroutine %d, combo %d: %s, want %s", g, k, got, want[k])
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
	if n := cachedEntries(&s); n > keyCacheSize {
		t.Errorf("%d cache entries, bound %d", n, keyCacheSize)
	}
}

func TestKeyCacheBounded(t *testing.T) {
	var s Signer
	for i := 0; i < 100; i++ {
		region := fmt.Sprintf("region-%d", i)
		got := signWith(t, &s, testCreds, region, testTime)
		if want := signWith(t, &Signer{}, testCreds, region, testTime); got != want {
			t.Fatalf("region %s: %s, want %s", region, got, want)
		}
		if n := cachedEntries(&s); n > 8 {
			t.Fatalf("after %d regions the cache holds %d entries", i+1, n)
		}
	}
	if n := cachedEntries(&s); n != keyCacheSize {
		t.Errorf("cache holds %d entries, want it full (%d)", n, keyCacheSize)
	}
	// An evicted key is derived again, correctly.
	if got, want := signWith(t, &s, testCreds, "region-0", testTime), signWith(t, &Signer{}, testCreds, "region-0", testTime); got != want {
		t.Errorf("evicted region signs %s, want %s", got, want)
	}
	// Repeated signing with the cached set does not grow it.
	for i := 0; i < 3; i++ {
		signWith(t, &s, testCreds, "region-99", testTime)
	}
	if n := cachedEntries(&s); n != keyCacheSize {
		t.Errorf("cache holds %d entries", n)
	}
}

func TestKeyCacheRotatedSecret(t *testing.T) {
	// aws-sdk-go-v2 keys its cache by access key ID; a rotated secret under
	// the same ID must not reuse the old key.
	old := Credentials{AccessKeyID: "AKIDSAME", SecretAccessKey: "old-secret"}
	rotated := Credentials{AccessKeyID: "AKIDSAME", SecretAccessKey: "new-secret"}
	var s Signer
	a := signWith(t, &s, old, "us-east-1", testTime)
	b := signWith(t, &s, rotated, "us-east-1", testTime)
	if a == b {
		t.Fatal("rotated secret gives the same signature")
	}
	if want := signWith(t, &Signer{}, rotated, "us-east-1", testTime); b != want {
		t.Errorf("rotated secret signs %s, want %s", b, want)
	}
	req := cacheRequest()
	if err := s.Sign(req, rotated, "us-east-1", UnsignedPayload, testTime); err != nil {
		t.Fatal(err)
	}
	verifySigned(t, req, "new-secret")
	// Back to the old one (two credentials in use at once).
	if got := signWith(t, &s, old, "us-east-1", testTime); got != a {
		t.Errorf("old secret signs %s, want %s", got, a)
	}
	// The same day in another time zone is the same UTC day only if the
	// UTC date matches: the key follows the UTC date.
	east := time.FixedZone("UTC+10", 10*3600)
	tm := time.Date(2013, 5, 24, 9, 0, 0, 0, east) // 2013-05-23 23:00 UTC
	req = cacheRequest()
	if err := s.Sign(req, old, "us-east-1", UnsignedPayload, tm); err != nil {
		t.Fatal(err)
	}
	if a := parseAuthorization(t, req.Header.Get("Authorization")); a.Date != "20130523" {
		t.Errorf("scope date %s, want the UTC date 20130523", a.Date)
	}
	verifySigned(t, req, "old-secret")
}
