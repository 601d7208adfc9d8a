package faultproxy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/faultproxy"
)

// upstream is an httptest server that records what reaches it and answers
// every request with body (HEAD: headers only).
type upstream struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []*http.Request
	bodys [][]byte
}

func newUpstream(t *testing.T, body []byte) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, r.Clone(context.Background()))
		u.bodys = append(u.bodys, b)
		u.mu.Unlock()
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Header().Set("X-Upstream", "yes")
		w.Header().Set("ETag", `"abc"`)
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

func (u *upstream) last() (*http.Request, []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.reqs) == 0 {
		return nil, nil
	}
	return u.reqs[len(u.reqs)-1], u.bodys[len(u.bodys)-1]
}

func newProxy(t *testing.T, cfg faultproxy.Config) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// client returns an HTTP client that keeps no connection between requests,
// so that every request meets its own fault.
func client(t *testing.T, headerTimeout time.Duration) *http.Client {
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true, ResponseHeaderTimeout: headerTimeout}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		target string
		want   error
	}{
		{"http://10.0.0.1:9000", faultproxy.ErrNotLoopback},
		{"http://example.com", faultproxy.ErrNotLoopback},
		{"http://s3.amazonaws.com", faultproxy.ErrNotLoopback},
		{"http://192.168.1.1", faultproxy.ErrNotLoopback},
		{"http://localhost.example.com:80", faultproxy.ErrNotLoopback},
		{"https://127.0.0.1:443", nil}, // refused: https targets are not supported
		{"://bad", nil},
		{"", nil},
	}
	for _, tt := range tests {
		p, err := faultproxy.New(faultproxy.Config{Target: tt.target})
		if err == nil {
			p.Close()
			t.Errorf("New(%q) succeeded", tt.target)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("New(%q) = %v, want %v", tt.target, err, tt.want)
		}
		if !strings.HasPrefix(err.Error(), "faultproxy: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
	}
	if _, err := faultproxy.New(faultproxy.Config{Target: "http://127.0.0.1:1", Delay: -time.Second}); err == nil {
		t.Error("a negative Delay was accepted")
	}
	for _, target := range []string{"http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1", "http://b.localhost:1"} {
		p, err := faultproxy.New(faultproxy.Config{Target: target})
		if err != nil {
			t.Errorf("New(%q): %v", target, err)
			continue
		}
		if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
			t.Errorf("proxy listens on %s, want 127.0.0.1", p.URL)
		}
		p.Close()
	}
}

// TestPassThrough: without a fault the server sees the request as the
// client sent it, and the client the answer as the server sent it.
func TestPassThrough(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 100_000)
	up := newUpstream(t, body)
	p := newProxy(t, faultproxy.Config{Target: up.URL})
	c := client(t, 0)

	// Path bytes that a careless proxy would normalise or re-escape.
	const rawPath = "/bucket/a%20b/%2B/..//./%25%3F%23/%C3%BC/"
	payload := []byte("request body \x00\xff")
	req, _ := http.NewRequest(http.MethodPut, p.URL+rawPath+"?partNumber=3&uploadId=a%2Fb&X-Amz-Signature=00", bytes.NewReader(payload))
	req.Host = "bucket.localhost:1234"
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/...")
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	req.Header.Add("X-Amz-Meta-Multi", "one")
	req.Header.Add("X-Amz-Meta-Multi", "two")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, body) || resp.StatusCode != 200 {
		t.Fatalf("answer: status %d, %d bytes, %v; want 200 and %d bytes", resp.StatusCode, len(got), err, len(body))
	}
	if resp.Header.Get("X-Upstream") != "yes" || resp.Header.Get("ETag") != `"abc"` {
		t.Errorf("answer headers lost: %v", resp.Header)
	}
	r, b := up.last()
	if r.RequestURI != rawPath+"?partNumber=3&uploadId=a%2Fb&X-Amz-Signature=00" {
		t.Errorf("server saw %q", r.RequestURI)
	}
	if r.Host != "bucket.localhost:1234" {
		t.Errorf("server saw Host %q", r.Host)
	}
	if r.Header.Get("Authorization") != "AWS4-HMAC-SHA256 Credential=AKID/..." || r.Header.Get("X-Amz-Content-Sha256") != "UNSIGNED-PAYLOAD" {
		t.Errorf("headers changed: %v", r.Header)
	}
	if v := r.Header.Values("X-Amz-Meta-Multi"); len(v) != 2 || v[0] != "one" || v[1] != "two" {
		t.Errorf("repeated header = %q", v)
	}
	if !bytes.Equal(b, payload) || r.ContentLength != int64(len(payload)) {
		t.Errorf("server got body %q (length %d)", b, r.ContentLength)
	}

	// HEAD keeps its Content-Length and sends no body.
	resp, err = c.Head(p.URL + "/bucket/key")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("HEAD Content-Length = %d, want %d", resp.ContentLength, len(body))
	}
	if s := p.Stats(); s.Requests != 2 || s.Injected() != 0 || s.UpstreamErrors != 0 {
		t.Errorf("stats = %v", s)
	}
}

// TestFaults sends one request per fault and checks what the client and
// the server each saw.
func TestFaults(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 1000)
	tests := []struct {
		name       string
		d          faultproxy.Decision
		method     string
		query      string
		reqBody    int
		forwarded  bool
		check      func(t *testing.T, resp *http.Response, err error)
		headerWait time.Duration
	}{
		{
			name: "reset", d: faultproxy.Decision{Fault: faultproxy.Reset}, method: "PUT", reqBody: 5000,
			check: wantTransportError,
		},
		{
			name: "cut request", d: faultproxy.Decision{Fault: faultproxy.CutRequest, At: 10}, method: "PUT", reqBody: 1 << 20,
			check: wantTransportError,
		},
		{
			name: "cut response", d: faultproxy.Decision{Fault: faultproxy.CutResponse, At: 1100}, method: "GET", forwarded: true,
			check: func(t *testing.T, resp *http.Response, err error) {
				if err != nil {
					t.Fatalf("headers should arrive: %v", err)
				}
				got, err := io.ReadAll(resp.Body)
				if len(got) != 100 || err == nil {
					t.Errorf("read %d bytes, %v; want 100 (1100 mod 1000) and an error", len(got), err)
				}
			},
		},
		{
			name: "cut response without body", d: faultproxy.Decision{Fault: faultproxy.CutResponse, At: 5}, method: "HEAD", forwarded: true,
			check: wantTransportError,
		},
		{
			name: "500", d: faultproxy.Decision{Fault: faultproxy.InternalError}, method: "PUT", reqBody: 100,
			check: wantS3Error(500, "InternalError"),
		},
		{
			name: "503", d: faultproxy.Decision{Fault: faultproxy.SlowDown}, method: "GET",
			check: wantS3Error(503, "SlowDown"),
		},
		{
			name: "delay past the timeout", d: faultproxy.Decision{Fault: faultproxy.Delay}, method: "GET", forwarded: true,
			headerWait: 150 * time.Millisecond,
			check: func(t *testing.T, resp *http.Response, err error) {
				var ne interface{ Timeout() bool }
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Errorf("err = %v, want a timeout", err)
				}
			},
		},
		{
			name: "error in 200", d: faultproxy.Decision{Fault: faultproxy.ErrorIn200}, method: "POST", query: "?uploadId=u",
			check: func(t *testing.T, resp *http.Response, err error) {
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(resp.Body)
				if err != nil || resp.StatusCode != 200 || !bytes.Contains(b, []byte("<Error><Code>InternalError</Code>")) ||
					!bytes.HasPrefix(b, []byte("<?xml")) {
					t.Errorf("status %d, body %q, %v", resp.StatusCode, b, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, body)
			p := newProxy(t, faultproxy.Config{Target: up.URL, Schedule: faultproxy.Sequence(tt.d), Delay: 10 * time.Second})
			var rb io.Reader
			if tt.reqBody > 0 {
				rb = bytes.NewReader(make([]byte, tt.reqBody))
			}
			req, _ := http.NewRequest(tt.method, p.URL+"/bucket/key"+tt.query, rb)
			start := time.Now()
			resp, err := client(t, tt.headerWait).Do(req)
			tt.check(t, resp, err)
			if resp != nil {
				resp.Body.Close()
			}
			if tt.headerWait > 0 {
				// The proxy's handler ends when the client hangs up; Close
				// must not wait for the full 10 s delay.
				p.Close()
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("took %v: the delay outlived the client", d)
				}
			}
			want := 0
			if tt.forwarded {
				want = 1
			}
			if n := up.count(); n != want {
				t.Errorf("server saw %d requests, want %d", n, want)
			}
			s := p.Stats()
			if s.Requests != 1 || s.Faults[tt.d.Fault] != 1 || s.Injected() != 1 {
				t.Errorf("stats = %v, want one %v", s, tt.d.Fault)
			}
			ev := p.Events()
			if len(ev) != 1 || ev[0].Fault != tt.d.Fault || ev[0].Seq != 1 || ev[0].Method != tt.method {
				t.Errorf("events = %+v", ev)
			}
		})
	}
}

func wantTransportError(t *testing.T, resp *http.Response, err error) {
	t.Helper()
	if err == nil {
		b, rerr := io.ReadAll(resp.Body)
		t.Errorf("got status %d and %d body bytes (%v), want a transport error", resp.StatusCode, len(b), rerr)
	}
}

func wantS3Error(status int, code string) func(*testing.T, *http.Response, error) {
	return func(t *testing.T, resp *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != status || !bytes.Contains(b, []byte("<Code>"+code+"</Code>")) {
			t.Errorf("status %d body %q, want %d %s", resp.StatusCode, b, status, code)
		}
		if resp.Header.Get("X-Amz-Request-Id") == "" {
			t.Error("no request ID")
		}
	}
}

// TestDelayDelivers: a client that waits longer than the delay gets the
// whole answer, late.
func TestDelayDelivers(t *testing.T) {
	body := []byte("late but whole")
	up := newUpstream(t, body)
	p := newProxy(t, faultproxy.Config{Target: up.URL, Delay: 200 * time.Millisecond,
		Schedule: faultproxy.Sequence(faultproxy.Decision{Fault: faultproxy.Delay})})
	start := time.Now()
	resp, err := client(t, 0).Get(p.URL + "/b/k")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("answered after %v, want ≥ 200ms", d)
	}
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("got %q, %v", got, err)
	}
}

// TestCloseEndsDelays: Close does not wait out a delay whose client waits.
func TestCloseEndsDelays(t *testing.T) {
	up := newUpstream(t, []byte("x"))
	p := newProxy(t, faultproxy.Config{Target: up.URL, Delay: time.Hour,
		Schedule: faultproxy.Sequence(faultproxy.Decision{Fault: faultproxy.Delay})})
	errc := make(chan error, 1)
	go func() {
		resp, err := client(t, 0).Get(p.URL + "/b/k")
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for p.Stats().Faults[faultproxy.Delay] == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	p.Close() // with a delay of an hour, returning at all is the proof
	if err := <-errc; err == nil {
		t.Error("the delayed request succeeded after Close")
	}
	// After Close, nothing is accepted.
	if _, err := client(t, 0).Get(p.URL + "/b/k"); err == nil {
		t.Error("a request succeeded after Close")
	}
}

// TestUpstreamDown: a server that does not answer is a 502 and counted, not
// a fault.
func TestUpstreamDown(t *testing.T) {
	up := newUpstream(t, nil)
	target := up.URL
	up.Close()
	p := newProxy(t, faultproxy.Config{Target: target})
	resp, err := client(t, 0).Get(p.URL + "/b/k")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
	if s := p.Stats(); s.UpstreamErrors != 1 || s.Injected() != 0 {
		t.Errorf("stats = %v", s)
	}
}

// TestConcurrentCounts: under concurrent load every request is counted once
// and every fault is either injected or not, never lost.
func TestConcurrentCounts(t *testing.T) {
	up := newUpstream(t, bytes.Repeat([]byte("y"), 4096))
	p := newProxy(t, faultproxy.Config{Target: up.URL, Delay: 50 * time.Millisecond,
		Schedule: faultproxy.Random(7, 0.3)})
	c := client(t, 0)
	var wg sync.WaitGroup
	var failed atomic.Int64
	const n = 200
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/b/k%d?partNumber=%d&uploadId=x", p.URL, i%20, i), strings.NewReader("some body bytes"))
			resp, err := c.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	s := p.Stats()
	if s.Requests != n {
		t.Errorf("%d requests counted, want %d", s.Requests, n)
	}
	if s.Faults[faultproxy.ErrorIn200] != 0 {
		t.Errorf("ErrorIn200 injected into UploadPart: %v", s)
	}
	// Every fault but a delay the client waited out fails the request.
	if got, want := failed.Load(), s.Injected()-s.Faults[faultproxy.Delay]; got != want {
		t.Errorf("%d requests failed, %d non-delay faults injected (%v)", got, want, s)
	}
	if s.Injected() < n/10 || s.Injected() > n/2 {
		t.Errorf("%d faults at rate 0.3 of %d requests", s.Injected(), n)
	}
	if len(p.Events()) != n {
		t.Errorf("%d events", len(p.Events()))
	}
	t.Logf("%v", s)
}

func TestRandom(t *testing.T) {
	req := func(method, path, op string, q url.Values, length int64) *faultproxy.Request {
		return &faultproxy.Request{Method: method, Path: path, Op: op, Query: q, Header: http.Header{}, ContentLength: length}
	}
	t.Run("rate", func(t *testing.T) {
		for _, rate := range []float64{0, 0.05, 0.2, 1} {
			s := faultproxy.Random(1, rate)
			faults := 0
			const n = 20000
			for i := range n {
				if s(req("GET", fmt.Sprintf("/b/k%d", i), faultproxy.OpGetObject, nil, 0)).Fault != faultproxy.None {
					faults++
				}
			}
			got := float64(faults) / n
			if got < rate-0.01 || got > rate+0.01 {
				t.Errorf("rate %v: %v of requests faulted", rate, got)
			}
		}
	})
	t.Run("deterministic by identity", func(t *testing.T) {
		ids := make([]*faultproxy.Request, 500)
		for i := range ids {
			ids[i] = req("PUT", "/b/big", faultproxy.OpUploadPart,
				url.Values{"partNumber": {fmt.Sprint(i + 1)}, "uploadId": {fmt.Sprint("run-specific-", i)}}, 100)
		}
		a, b := faultproxy.Random(42, 0.5), faultproxy.Random(42, 0.5)
		first := make([]faultproxy.Decision, len(ids))
		for i, r := range ids {
			first[i] = a(r)
		}
		// Another run meets the parts in the reverse order, with other
		// upload IDs: each part draws the same.
		for i := len(ids) - 1; i >= 0; i-- {
			r := *ids[i]
			r.Query = url.Values{"partNumber": {fmt.Sprint(i + 1)}, "uploadId": {"other"}}
			if d := b(&r); d != first[i] {
				t.Fatalf("part %d: %+v then %+v", i+1, first[i], d)
			}
		}
		// A retry of the same part draws afresh.
		same := 0
		for i, r := range ids {
			if a(r) == first[i] {
				same++
			}
		}
		if same == len(ids) {
			t.Error("retries drew exactly what the first attempts did")
		}
		// Another seed draws differently.
		c := faultproxy.Random(43, 0.5)
		diff := 0
		for i, r := range ids {
			if c(r).Fault != first[i].Fault {
				diff++
			}
		}
		if diff == 0 {
			t.Error("seed 43 drew what seed 42 did")
		}
	})
	t.Run("applicable faults only", func(t *testing.T) {
		s := faultproxy.Random(3, 1)
		seen := map[faultproxy.Fault]int{}
		for i := range 5000 {
			d := s(req("GET", fmt.Sprintf("/b/k%d", i), faultproxy.OpGetObject, nil, 0))
			seen[d.Fault]++
			if d.Fault == faultproxy.CutRequest || d.Fault == faultproxy.ErrorIn200 || d.Fault == faultproxy.None {
				t.Fatalf("GET without body got %v", d.Fault)
			}
			if d.At < 0 {
				t.Fatalf("negative cut %d", d.At)
			}
		}
		for _, f := range []faultproxy.Fault{faultproxy.Reset, faultproxy.CutResponse, faultproxy.InternalError, faultproxy.SlowDown, faultproxy.Delay} {
			if seen[f] < 700 {
				t.Errorf("%v chosen %d times of 5000", f, seen[f])
			}
		}
		only := faultproxy.Random(3, 1, faultproxy.ErrorIn200)
		if d := only(req("POST", "/b/k", faultproxy.OpCompleteMultipartUpload, url.Values{"uploadId": {"u"}}, 100)); d.Fault != faultproxy.ErrorIn200 {
			t.Errorf("Complete got %v", d.Fault)
		}
		if d := only(req("PUT", "/b/k", faultproxy.OpPutObject, nil, 100)); d.Fault != faultproxy.None {
			t.Errorf("PutObject got %v from an ErrorIn200-only schedule", d.Fault)
		}
		cut := faultproxy.Random(3, 1, faultproxy.CutRequest)
		if d := cut(req("PUT", "/b/k", faultproxy.OpPutObject, nil, 100)); d.Fault != faultproxy.CutRequest {
			t.Errorf("PUT with a body got %v", d.Fault)
		}
		if d := cut(req("PUT", "/b/k", faultproxy.OpPutObject, nil, 0)); d.Fault != faultproxy.None {
			t.Errorf("PUT without a body got %v", d.Fault)
		}
	})
}

func TestSequenceAndForOps(t *testing.T) {
	s := faultproxy.ForOps(faultproxy.Sequence(
		faultproxy.Decision{Fault: faultproxy.Reset},
		faultproxy.Decision{Fault: faultproxy.SlowDown}), faultproxy.OpUploadPart)
	part := &faultproxy.Request{Op: faultproxy.OpUploadPart}
	other := &faultproxy.Request{Op: faultproxy.OpPutObject}
	got := []faultproxy.Fault{s(other).Fault, s(part).Fault, s(other).Fault, s(part).Fault, s(part).Fault}
	want := []faultproxy.Fault{faultproxy.None, faultproxy.Reset, faultproxy.None, faultproxy.SlowDown, faultproxy.None}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("decisions %v, want %v", got, want)
		}
	}
}

func TestOperation(t *testing.T) {
	tests := []struct {
		method, host, target string
		header               http.Header
		want                 string
	}{
		{"GET", "127.0.0.1:9", "/", nil, faultproxy.OpListBuckets},
		{"PUT", "127.0.0.1:9", "/b", nil, faultproxy.OpCreateBucket},
		{"DELETE", "127.0.0.1:9", "/b", nil, faultproxy.OpDeleteBucket},
		{"HEAD", "127.0.0.1:9", "/b", nil, faultproxy.OpHeadBucket},
		{"HEAD", "b.localhost:9", "/", nil, faultproxy.OpHeadBucket},
		{"GET", "127.0.0.1:9", "/b?location", nil, faultproxy.OpGetBucketLocation},
		{"GET", "127.0.0.1:9", "/b?list-type=2&prefix=a", nil, faultproxy.OpListObjects},
		{"GET", "b.localhost:9", "/?list-type=2", nil, faultproxy.OpListObjects},
		{"GET", "127.0.0.1:9", "/b/?versions", nil, faultproxy.OpListObjectVersions},
		{"GET", "127.0.0.1:9", "/b?uploads", nil, faultproxy.OpListMultipartUploads},
		{"POST", "127.0.0.1:9", "/b?delete", nil, faultproxy.OpDeleteObjects},
		{"POST", "127.0.0.1:9", "/b", nil, faultproxy.OpPostObject},
		{"PUT", "127.0.0.1:9", "/b/k", nil, faultproxy.OpPutObject},
		{"PUT", "b.localhost:9", "/k/x", nil, faultproxy.OpPutObject},
		{"PUT", "127.0.0.1:9", "/b/k", http.Header{"X-Amz-Copy-Source": {"/s/k"}}, faultproxy.OpCopyObject},
		{"GET", "127.0.0.1:9", "/b/k/", nil, faultproxy.OpGetObject},
		{"GET", "127.0.0.1:9", "/b//", nil, faultproxy.OpGetObject},
		{"HEAD", "127.0.0.1:9", "/b/k", nil, faultproxy.OpHeadObject},
		{"DELETE", "127.0.0.1:9", "/b/k", nil, faultproxy.OpDeleteObject},
		{"GET", "127.0.0.1:9", "/b/k?tagging", nil, faultproxy.OpGetObjectTagging},
		{"PUT", "127.0.0.1:9", "/b/k?tagging", nil, faultproxy.OpPutObjectTagging},
		{"POST", "127.0.0.1:9", "/b/k?uploads", nil, faultproxy.OpCreateMultipartUpload},
		{"PUT", "127.0.0.1:9", "/b/k?partNumber=1&uploadId=u", nil, faultproxy.OpUploadPart},
		{"PUT", "127.0.0.1:9", "/b/k?partNumber=1&uploadId=u", http.Header{"X-Amz-Copy-Source": {"/s/k"}}, faultproxy.OpUploadPartCopy},
		{"POST", "127.0.0.1:9", "/b/k?uploadId=u", nil, faultproxy.OpCompleteMultipartUpload},
		{"POST", "b.localhost:9", "/k?uploadId=u", nil, faultproxy.OpCompleteMultipartUpload},
		{"DELETE", "127.0.0.1:9", "/b/k?uploadId=u", nil, faultproxy.OpAbortMultipartUpload},
		{"GET", "127.0.0.1:9", "/b/k?uploadId=u", nil, faultproxy.OpListParts},
		{"PATCH", "127.0.0.1:9", "/b/k", nil, faultproxy.OpUnknown},
		{"PUT", "127.0.0.1:9", "/", nil, faultproxy.OpUnknown},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		h := tt.header
		if h == nil {
			h = http.Header{}
		}
		if got := faultproxy.Operation(tt.method, tt.host, u, h); got != tt.want {
			t.Errorf("%s %s %s = %s, want %s", tt.method, tt.host, tt.target, got, tt.want)
		}
	}
}

func TestStatsString(t *testing.T) {
	s := faultproxy.Stats{Requests: 10, Faults: map[faultproxy.Fault]int64{faultproxy.Reset: 2, faultproxy.ErrorIn200: 1}}
	if got, want := s.String(), "10 requests, 3 faults (reset 2, error-in-200 1)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (faultproxy.Stats{Requests: 1}).String(); got != "1 requests, 0 faults" {
		t.Errorf("String() = %q", got)
	}
	for f := faultproxy.None; f <= faultproxy.ErrorIn200; f++ {
		if strings.Contains(f.String(), "?") {
			t.Errorf("fault %d has no name", f)
		}
	}
	if faultproxy.Fault(99).String() != "fault(?)" {
		t.Error("unknown fault named")
	}
}

// TestTransportHeld: a request sent through the proxy's Transport fails
// with ErrHeld, a timeout, as soon as the proxy holds its answer — with a
// delay of an hour and no client timeout, so no clock decides — after the
// server acted on it; the next request passes, and the tag that links the
// request to the hold never reaches the server.
func TestTransportHeld(t *testing.T) {
	up := newUpstream(t, []byte("answer"))
	p := newProxy(t, faultproxy.Config{Target: up.URL, Delay: time.Hour,
		Schedule: faultproxy.Sequence(faultproxy.Decision{Fault: faultproxy.Delay})})
	base := &http.Transport{Proxy: nil}
	t.Cleanup(base.CloseIdleConnections)
	c := &http.Client{Transport: p.Transport(base)}

	_, err := c.Get(p.URL + "/b/k")
	var ne interface{ Timeout() bool }
	if !errors.Is(err, faultproxy.ErrHeld) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("held request: err = %v, want ErrHeld, a timeout", err)
	}
	if up.count() != 1 {
		t.Errorf("the server saw %d requests, want 1 (a held answer is one the server gave)", up.count())
	}

	resp, err := c.Get(p.URL + "/b/k")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(got) != "answer" {
		t.Errorf("second request: %q, %v", got, err)
	}
	for i := 0; i < up.count(); i++ {
		up.mu.Lock()
		r := up.reqs[i]
		up.mu.Unlock()
		if v := r.Header.Get("X-Faultproxy-Tag"); v != "" {
			t.Errorf("request %d reached the server with the tag %q", i, v)
		}
	}
	if n := p.Stats().Faults[faultproxy.Delay]; n != 1 {
		t.Errorf("%d delays injected, want 1", n)
	}
}
