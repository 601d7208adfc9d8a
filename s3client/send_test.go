package s3client

// How do sends a request: straight to the transport when the http.Client
// adds nothing (no cookie jar, no timeout), with Client.Do's errors, and
// through Client.Do otherwise; a small in-memory body goes out with its
// headers in one write, from a copy of the caller's reader, on every
// attempt.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestSendErrorsAsClientDo(t *testing.T) {
	errDown := errors.New("link down")
	rt := transportFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errDown
	})
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		hc       *http.Client
		clientDo bool
	}{
		{"transport", &http.Client{Transport: rt}, false},
		{"Client.Do for a jar", &http.Client{Transport: rt, Jar: jar}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, "http://127.0.0.1:9000", func(c *Config) { c.HTTPClient, c.MaxAttempts = tc.hc, 1 })
			if (c.transport == nil) != tc.clientDo {
				t.Fatalf("transport %v, want Client.Do %v", c.transport, tc.clientDo)
			}
			_, err := c.PutObject(context.Background(), &PutObjectInput{Bucket: "b", Key: "k", Body: strings.NewReader("data")})
			var ue *url.Error
			if !errors.Is(err, errDown) || !errors.As(err, &ue) || ue.Op != "Put" || ue.URL != "http://127.0.0.1:9000/b/k" {
				t.Errorf("error %v (url.Error %+v), want Client.Do's: Put \"http://127.0.0.1:9000/b/k\": link down", err, ue)
			}
		})
	}
}

// TestSendThroughClientDo: a cookie jar or a timeout set on the
// http.Client keeps working, since requests then go through Client.Do.
func TestSendThroughClientDo(t *testing.T) {
	var mu sync.Mutex
	var cookies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cookies = append(cookies, r.Header.Get("Cookie"))
		mu.Unlock()
		if r.URL.Path == "/b/slow" {
			<-r.Context().Done() // answers only after the client's timeout
			return
		}
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "abc"}})
	c := newClient(t, srv.URL, func(c *Config) { c.HTTPClient, c.MaxAttempts = &http.Client{Jar: jar}, 1 })
	if _, err := c.HeadObject(context.Background(), &GetObjectInput{Bucket: "b", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := strings.Join(cookies, ",")
	mu.Unlock()
	if got != "session=abc" {
		t.Errorf("cookies sent %q, want the jar's session=abc", got)
	}

	c = newClient(t, srv.URL, func(c *Config) { c.HTTPClient, c.MaxAttempts = &http.Client{Timeout: 50e6}, 1 })
	_, err = c.HeadObject(context.Background(), &GetObjectInput{Bucket: "b", Key: "slow"})
	if err == nil || !strings.Contains(err.Error(), "Client.Timeout exceeded") {
		t.Errorf("error %v, want the http.Client's timeout", err)
	}
}

// writeCounter counts the writes on the connections it dials.
type writeCounter struct {
	mu     sync.Mutex
	writes int
}

type countedConn struct {
	net.Conn
	wc *writeCounter
}

func (c countedConn) Write(p []byte) (int, error) {
	c.wc.mu.Lock()
	c.wc.writes++
	c.wc.mu.Unlock()
	return c.Conn.Write(p)
}

func (wc *writeCounter) take() int {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	n := wc.writes
	wc.writes = 0
	return n
}

func TestSmallBodyOneWrite(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	fail := 1 // the first PUT of each body is answered 500, and retried
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		retry := fail > 0
		fail--
		mu.Unlock()
		if retry {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	wc := &writeCounter{}
	tr := DefaultTransport()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countedConn{conn, wc}, nil
	}
	defer tr.CloseIdleConnections()
	c := newClient(t, srv.URL, func(c *Config) { c.HTTPClient, c.ChecksumPolicy = &http.Client{Transport: tr}, ChecksumWhenSupported })
	data := strings.Repeat("0123456789abcdef", 256) // 4 KiB
	for _, tc := range []struct {
		name string
		body func() (io.Reader, func() int)
	}{
		{"bytes.Reader", func() (io.Reader, func() int) {
			r := bytes.NewReader([]byte("head" + data))
			r.Seek(4, io.SeekStart)
			return r, r.Len
		}},
		{"strings.Reader", func() (io.Reader, func() int) {
			r := strings.NewReader("head" + data)
			r.Seek(4, io.SeekStart)
			return r, r.Len
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			bodies, fail = nil, 1
			mu.Unlock()
			wc.take()
			body, left := tc.body()
			if _, err := c.PutObject(context.Background(), &PutObjectInput{Bucket: "b", Key: "k", Body: body}); err != nil {
				t.Fatal(err)
			}
			if n := wc.take(); n != 2 {
				t.Errorf("%d writes for two attempts, want one each (headers and body together)", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(bodies) != 2 || bodies[0] != data || bodies[1] != data {
				t.Errorf("server got %d bodies, want the same %d bytes twice", len(bodies), len(data))
			}
			if left() != len(data) {
				t.Errorf("the caller's reader moved: %d bytes left, want %d", left(), len(data))
			}
		})
	}
}
