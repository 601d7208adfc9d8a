// Package faultproxy is a fault-injecting reverse proxy for tests: it sits
// on 127.0.0.1 in front of a loopback S3 server (internal/testkit/s3test) and, as a
// schedule decides, breaks requests the way networks and S3 break them —
// connections reset before the answer, request or response bodies cut
// after N bytes, 500 InternalError and 503 SlowDown answers, answers held
// back past the client's timeout, and CompleteMultipartUpload's 200 with an
// <Error> body. Everything else passes through untouched: same method, path
// bytes, query, Host header, headers and body, in order.
//
// The reliability suite (internal/testkit/reliability) and the soak run the client,
// the multipart engine and the transfer manager through it and check that
// every transfer ends byte-identical or fails cleanly. It is imported by
// tests, cmd and bench only, never by a library package.
//
//	p, err := faultproxy.New(faultproxy.Config{
//		Target:   srv.URL,                          // http://127.0.0.1:port
//		Schedule: faultproxy.Random(seed, 0.05),    // 5 % of requests
//	})
//	defer p.Close()
//	// point the client at p.URL; p.Stats() counts what was injected
//	client := &http.Client{Transport: p.Transport(base)} // held answers fail at once
//
// A Delay fault holds an answer back until the client gives up. A client
// whose transport is p.Transport gives up the moment the proxy decides to
// hold its answer, with the timeout error its own response-header timeout
// would have raised, so that a test provokes a timeout without a short
// timeout a loaded machine could also miss on a healthy request.
package faultproxy

// This file holds the Proxy and the client's Transport; schedule.go the
// faults and the schedules that choose them; classify.go the naming of S3
// operations.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultDelay is how long a Delay fault holds an answer back when
// Config.Delay is zero: longer than the response-header timeouts the tests
// give their clients, shorter than a test's patience.
const DefaultDelay = 2 * time.Second

// maxEvents bounds the event log, so that a long soak keeps constant memory.
const maxEvents = 1 << 16

// ErrNotLoopback is returned by New for a Target that is not on this
// machine: the proxy is a test tool and never forwards off the host.
var ErrNotLoopback = errors.New("faultproxy: target is not a loopback address")

// Config configures a Proxy.
type Config struct {
	// Target is the base URL of the server behind the proxy, such as
	// "http://127.0.0.1:34567". Its host must be a loopback address,
	// "localhost" or a name under it.
	Target string
	// Schedule decides each request's fault; nil injects none. SetSchedule
	// replaces it while the proxy runs.
	Schedule Schedule
	// Delay is how long a Delay fault holds the answer back, unless the
	// client hangs up first; 0 means DefaultDelay. A client using the
	// proxy's Transport hangs up at once.
	Delay time.Duration
}

// Stats counts what the proxy saw and did.
type Stats struct {
	// Requests is the number of requests received.
	Requests int64
	// Faults is the number of faults injected, by kind (None excluded).
	Faults map[Fault]int64
	// UpstreamErrors counts requests the proxy forwarded but the server
	// behind it did not answer (a 502 went back); they are not injected
	// faults, and a healthy run has none.
	UpstreamErrors int64
}

// Injected returns the total number of faults injected.
func (s Stats) Injected() int64 {
	var n int64
	for _, v := range s.Faults {
		n += v
	}
	return n
}

// String formats the counts on one line, faults in their declared order.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, %d faults", s.Requests, s.Injected())
	sep := " ("
	for f := Fault(1); f < numFaults; f++ {
		if n := s.Faults[f]; n > 0 {
			fmt.Fprintf(&b, "%s%s %d", sep, f, n)
			sep = ", "
		}
	}
	if sep == ", " {
		b.WriteString(")")
	}
	if s.UpstreamErrors > 0 {
		fmt.Fprintf(&b, ", %d upstream errors", s.UpstreamErrors)
	}
	return b.String()
}

// Event is one request as the proxy handled it.
type Event struct {
	Seq    int64
	Op     string // the S3 operation, see Operation
	Method string
	Path   string // as sent, escaped
	Fault  Fault
	// At is the byte offset of a cut, as applied (after reduction to the
	// body's length).
	At int64
}

// Proxy is a running fault-injecting proxy. Its methods are safe for
// concurrent use.
type Proxy struct {
	// URL is the proxy's base URL, "http://127.0.0.1:port"; use it as the
	// client's endpoint.
	URL string

	target    *url.URL
	delay     time.Duration
	schedule  atomic.Pointer[Schedule]
	srv       *http.Server
	ln        net.Listener
	transport *http.Transport
	ctx       context.Context // canceled by Close, ends delays and forwards
	cancel    context.CancelFunc
	mu        sync.Mutex // guards closed and handlers.Add against Close's Wait
	closed    bool
	handlers  sync.WaitGroup
	served    chan struct{}
	closeOnce sync.Once

	seq            atomic.Int64
	faults         [numFaults]atomic.Int64
	upstreamErrors atomic.Int64
	evMu           sync.Mutex
	events         []Event

	tags  atomic.Int64
	holds sync.Map // tag → func(), the cancel of a request sent by Transport
}

// New starts a proxy in front of cfg.Target, listening on 127.0.0.1 on a
// port the kernel picks. The caller stops it with Close.
func New(cfg Config) (*Proxy, error) {
	target, err := url.Parse(cfg.Target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", cfg.Target, err)
	}
	if target.Scheme != "http" {
		return nil, fmt.Errorf("faultproxy: target %q: only http targets are supported", cfg.Target)
	}
	if !isLoopbackHost(target.Hostname()) {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, cfg.Target)
	}
	if cfg.Delay < 0 {
		return nil, fmt.Errorf("faultproxy: negative Delay %v", cfg.Delay)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		URL:    "http://" + ln.Addr().String(),
		target: &url.URL{Scheme: target.Scheme, Host: target.Host},
		delay:  cfg.Delay,
		ln:     ln,
		ctx:    ctx,
		cancel: cancel,
		served: make(chan struct{}),
		transport: &http.Transport{
			Proxy: nil, // never the environment's proxy: the target is local
			DialContext: (&net.Dialer{
				Timeout: 5 * time.Second,
			}).DialContext,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     30 * time.Second,
			// The server's bytes pass as they are: no gzip negotiation.
			DisableCompression: true,
		},
	}
	if p.delay == 0 {
		p.delay = DefaultDelay
	}
	p.SetSchedule(cfg.Schedule)
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	go func() {
		defer close(p.served)
		p.srv.Serve(ln)
	}()
	return p, nil
}

// SetSchedule replaces the schedule; nil stops injecting faults. Requests
// already received keep the decision they got.
func (p *Proxy) SetSchedule(s Schedule) {
	if s == nil {
		p.schedule.Store(nil)
		return
	}
	p.schedule.Store(&s)
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	s := Stats{Requests: p.seq.Load(), Faults: make(map[Fault]int64), UpstreamErrors: p.upstreamErrors.Load()}
	for f := Fault(1); f < numFaults; f++ {
		if n := p.faults[f].Load(); n > 0 {
			s.Faults[f] = n
		}
	}
	return s
}

// Events returns the requests handled so far, in the order their faults
// were decided (the most recent 65,536).
func (p *Proxy) Events() []Event {
	p.evMu.Lock()
	defer p.evMu.Unlock()
	return append([]Event(nil), p.events...)
}

// CloseIdleConnections closes the proxy's idle connections to the target,
// so that a leak check sees only connections still in use.
func (p *Proxy) CloseIdleConnections() { p.transport.CloseIdleConnections() }

// Close stops the proxy: it stops accepting, cuts every connection, ends
// delays and waits for every handler to return. It is safe to call more
// than once.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.cancel()
		p.srv.Close()
		<-p.served
		p.handlers.Wait()
		p.transport.CloseIdleConnections()
	})
}

func (p *Proxy) record(ev Event) {
	if ev.Fault != None {
		p.faults[ev.Fault].Add(1)
	}
	p.evMu.Lock()
	if len(p.events) >= maxEvents {
		n := copy(p.events, p.events[len(p.events)/2:])
		p.events = p.events[:n]
	}
	p.events = append(p.events, ev)
	p.evMu.Unlock()
}

// serve handles one request: decide, then inject or forward.
func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		panic(http.ErrAbortHandler) // drops the connection without a word
	}
	p.handlers.Add(1)
	p.mu.Unlock()
	defer p.handlers.Done()

	req := &Request{
		Seq:           p.seq.Add(1),
		Op:            Operation(r.Method, r.Host, r.URL, r.Header),
		Method:        r.Method,
		Host:          r.Host,
		Path:          r.URL.EscapedPath(),
		Query:         r.URL.Query(),
		Header:        r.Header.Clone(),
		ContentLength: r.ContentLength,
	}
	var d Decision
	if s := p.schedule.Load(); s != nil {
		d = (*s)(req)
	}
	if d.Fault < None || d.Fault >= numFaults {
		d.Fault = None
	}
	ev := Event{Seq: req.Seq, Op: req.Op, Method: r.Method, Path: req.Path, Fault: d.Fault}
	tag := r.Header.Get(tagHeader)
	r.Header.Del(tagHeader)

	switch d.Fault {
	case Reset:
		// The request arrives whole; the answer never does.
		p.record(ev)
		io.Copy(io.Discard, r.Body)
		reset(w, false)
	case CutRequest:
		ev.At = cutPoint(d.At, r.ContentLength)
		p.record(ev)
		io.CopyN(io.Discard, r.Body, ev.At)
		reset(w, false)
	case InternalError:
		p.record(ev)
		io.Copy(io.Discard, r.Body)
		writeError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", req.Seq)
	case SlowDown:
		p.record(ev)
		io.Copy(io.Discard, r.Body)
		writeError(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.", req.Seq)
	case ErrorIn200:
		p.record(ev)
		io.Copy(io.Discard, r.Body)
		writeErrorIn200(w, req.Seq)
	default: // None, CutResponse, Delay: the server acts on the request
		p.forward(w, r, d, ev, tag)
	}
}

// forward sends the request to the target and relays the answer, cut or
// late as decided.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, d Decision, ev Event, tag string) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()

	out, err := http.NewRequestWithContext(ctx, r.Method, p.target.String()+r.RequestURI, nil)
	if err != nil {
		// A request-target net/http accepted but cannot be re-sent: not a
		// fault, the proxy's own failure.
		p.record(Event{Seq: ev.Seq, Op: ev.Op, Method: ev.Method, Path: ev.Path})
		p.upstreamErrors.Add(1)
		http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	out.Host = r.Host
	out.Header = r.Header.Clone()
	removeHopHeaders(out.Header)
	out.Header.Del("Expect") // the 100-continue exchange happened at the proxy
	if r.ContentLength != 0 {
		out.Body = r.Body
		out.ContentLength = r.ContentLength
	}

	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		p.record(Event{Seq: ev.Seq, Op: ev.Op, Method: ev.Method, Path: ev.Path})
		if ctx.Err() != nil {
			// The client hung up (or the proxy is closing) while the
			// request was on its way: nobody is waiting for an answer.
			reset(w, false)
			return
		}
		p.upstreamErrors.Add(1)
		http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()

	hasBody := r.Method != http.MethodHead && resp.StatusCode != http.StatusNoContent &&
		resp.StatusCode != http.StatusNotModified && resp.ContentLength != 0
	switch d.Fault {
	case Delay:
		p.record(ev)
		if hold, ok := p.holds.LoadAndDelete(tag); ok {
			hold.(func())() // the client gives up now, as at its timeout
		}
		t := time.NewTimer(p.delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			// The client gave up (its timeout) or the proxy is closing:
			// either way no answer goes out.
			t.Stop()
			reset(w, false)
			return
		}
	case CutResponse:
		if !hasBody {
			// The server acted; the client hears nothing at all.
			p.record(ev)
			reset(w, false)
			return
		}
		ev.At = cutPoint(d.At, resp.ContentLength)
		p.record(ev)
		copyHeader(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		io.CopyN(w, resp.Body, ev.At)
		reset(w, true)
		return
	default:
		p.record(ev)
	}
	copyHeader(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		io.Copy(w, resp.Body)
	}
}

// tagHeader carries the number Transport gives each request, so that the
// proxy can tell the sender that its answer is held. The proxy removes it
// before forwarding: the server never sees it.
const tagHeader = "X-Faultproxy-Tag"

// ErrHeld is the error a request sent through Transport fails with when
// the proxy holds its answer back (a Delay fault). It is a net.Error whose
// Timeout method reports true, as the error of a transport's
// response-header timeout does, so a client retries it the same way.
var ErrHeld error = heldError{}

type heldError struct{}

func (heldError) Error() string {
	return "faultproxy: answer held back (timeout awaiting response headers)"
}
func (heldError) Timeout() bool   { return true }
func (heldError) Temporary() bool { return true }

// Transport returns a RoundTripper that sends requests through base (nil:
// http.DefaultTransport) and fails one with ErrHeld as soon as the proxy
// decides to hold its answer back, instead of after a timeout: a Delay
// fault then costs no wall-clock time, and the client's own timeouts can
// be generous enough that a loaded machine never trips them on a healthy
// request. The request that reaches the server is unchanged.
func (p *Proxy) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &holdTransport{p: p, base: base}
}

type holdTransport struct {
	p    *Proxy
	base http.RoundTripper
}

func (h *holdTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tag := strconv.FormatInt(h.p.tags.Add(1), 10)
	ctx, cancel := context.WithCancelCause(req.Context())
	h.p.holds.Store(tag, func() { cancel(ErrHeld) })
	out := req.Clone(ctx)
	out.Header.Set(tagHeader, tag)
	resp, err := h.base.RoundTrip(out)
	h.p.holds.Delete(tag)
	if err != nil {
		held := context.Cause(ctx) == ErrHeld
		cancel(nil)
		if held {
			return nil, ErrHeld
		}
		return nil, err
	}
	// The answer's headers are in: no hold can come now, and the context
	// must live until the body is read.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose releases a request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel(nil)
	return err
}

// cutPoint reduces a schedule's offset to a point strictly inside a body of
// length n (n < 0: unknown, taken as 64 KiB), so that a cut always loses
// at least one byte.
func cutPoint(at, n int64) int64 {
	if at < 0 {
		at = -at
	}
	if n < 0 {
		n = 64 << 10
	}
	if n == 0 {
		return 0
	}
	return at % n
}

// reset closes the client's connection with an RST (SO_LINGER 0), the way a
// crashed peer or a middlebox drops it, after flushing what was written when
// flush is set (without it, nothing at all goes out: a flush would send an
// implicit 200).
func reset(w http.ResponseWriter, flush bool) {
	rc := http.NewResponseController(w)
	if flush {
		rc.Flush()
	}
	conn, buf, err := rc.Hijack()
	if err != nil {
		// Hijacking is refused only for HTTP/2, which the proxy does not
		// serve; abort the handler, which also drops the connection.
		panic(http.ErrAbortHandler)
	}
	if buf != nil {
		buf.Flush()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// writeError answers with an S3 error document.
func writeError(w http.ResponseWriter, status int, code, msg string, seq int64) {
	body := errorDocument(code, msg, seq)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amz-Request-Id", requestID(seq))
	if status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "0")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// writeErrorIn200 answers as S3 does when CompleteMultipartUpload fails
// after its status line went out: 200, whitespace while it "works", then
// an <Error> document.
func writeErrorIn200(w http.ResponseWriter, seq int64) {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("X-Amz-Request-Id", requestID(seq))
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.Flush()
	http.NewResponseController(w).Flush()
	bw.WriteString("  \n  \n")
	bw.WriteString(strings.TrimPrefix(errorDocument("InternalError", "We encountered an internal error. Please try again.", seq), xmlHeader))
	bw.Flush()
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func errorDocument(code, msg string, seq int64) string {
	return xmlHeader + "<Error><Code>" + code + "</Code><Message>" + msg +
		"</Message><RequestId>" + requestID(seq) + "</RequestId></Error>"
}

func requestID(seq int64) string { return "faultproxy-" + strconv.FormatInt(seq, 10) }

// hopHeaders are the connection-level headers a proxy does not pass on
// (RFC 9110 section 7.6.1).
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func removeHopHeaders(h http.Header) {
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
	removeHopHeaders(dst)
}

// isLoopbackHost reports whether host names this machine.
func isLoopbackHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
