package main

// This file holds the demo's front: the HTTP server on loopback of the
// embedded server's handler (internal/testkit/s3test, which checks signatures, POST
// policies and bodies), recording each request as it arrives so that steps
// can show and check what went over the wire: addressing, ACL headers, the
// number of parts, how many requests ran at once.

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// demoRequest is a request as it arrived at the front.
type demoRequest struct {
	Method, Host, Path, RawQuery string
	Header                       http.Header
}

type demoRequests []demoRequest

// find returns the last request with method whose path ends in "/"+key
// and whose query has each of the parameters named in query.
func (rs demoRequests) find(method, key string, query ...string) *demoRequest {
next:
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Method != method || !strings.HasSuffix(rs[i].Path, "/"+key) {
			continue
		}
		q, _ := url.ParseQuery(rs[i].RawQuery)
		for _, name := range query {
			if !q.Has(name) {
				continue next
			}
		}
		return &rs[i]
	}
	return nil
}

type demoFront struct {
	url     string
	srv     *http.Server
	handler http.Handler
	served  chan struct{}

	mu   sync.Mutex
	reqs demoRequests

	inflight, maxInflight atomic.Int64
}

// newDemoFront serves handler on a port of loopback the kernel picks.
func newDemoFront(handler http.Handler) (*demoFront, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &demoFront{url: "http://" + ln.Addr().String(), handler: handler, served: make(chan struct{})}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() {
		defer close(f.served)
		_ = f.srv.Serve(ln)
	}()
	return f, nil
}

func (f *demoFront) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if f.srv.Shutdown(ctx) != nil {
		f.srv.Close()
	}
	<-f.served
}

func (f *demoFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, demoRequest{Method: r.Method, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
	f.mu.Unlock()
	f.handler.ServeHTTP(w, r)
}

// take returns the requests recorded since the last take or reset, and
// forgets them.
func (f *demoFront) take() demoRequests {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.reqs
	f.reqs = nil
	return rs
}

func (f *demoFront) reset() {
	f.take()
	f.resetPeak()
}

func (f *demoFront) resetPeak() { f.maxInflight.Store(0) }
func (f *demoFront) peak() int  { return int(f.maxInflight.Load()) }
