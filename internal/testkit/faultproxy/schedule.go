package faultproxy

// The faults and the schedules that choose them. A schedule is a function
// of the request; Random makes it a function of a seed and of the request's
// identity (method, path, operation, part number, and how many times that
// identity has been seen), not of arrival order, so that concurrent parts
// meet the same faults on every run with the same seed.

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Fault is a kind of failure the proxy injects.
type Fault int

const (
	// None passes the request to the server and its answer back.
	None Fault = iota
	// Reset reads the request and resets the connection (TCP RST) without
	// an answer. The server never sees the request.
	Reset
	// CutRequest reads At bytes of the request body and resets the
	// connection. The server never sees the request.
	CutRequest
	// CutResponse forwards the request, relays the status line, headers
	// and At bytes of the body, and resets the connection. For an answer
	// without a body (HEAD, 204, an empty body) it resets before the
	// status line: the server acted, the client heard nothing.
	CutResponse
	// InternalError answers 500 InternalError without forwarding.
	InternalError
	// SlowDown answers 503 SlowDown without forwarding.
	SlowDown
	// Delay forwards the request and holds the answer back for
	// Config.Delay, or until the client hangs up (its timeout): the
	// server acted, the client heard it late or not at all.
	Delay
	// ErrorIn200 answers 200 with whitespace and an <Error> document
	// (InternalError) without forwarding, as S3 does when
	// CompleteMultipartUpload fails after the status line went out. Random
	// chooses it only for CompleteMultipartUpload.
	ErrorIn200

	numFaults
)

// AllFaults lists every fault but None, in declaration order.
var AllFaults = []Fault{Reset, CutRequest, CutResponse, InternalError, SlowDown, Delay, ErrorIn200}

var faultNames = [numFaults]string{"none", "reset", "cut-request", "cut-response", "500-internal-error", "503-slow-down", "delay", "error-in-200"}

// String returns the fault's name, such as "cut-response".
func (f Fault) String() string {
	if f < 0 || f >= numFaults {
		return "fault(?)"
	}
	return faultNames[f]
}

// Request is what a schedule sees of a request: its headers, not its body.
type Request struct {
	Seq           int64  // arrival order, from 1
	Op            string // the S3 operation, see Operation
	Method        string
	Host          string
	Path          string // escaped, as sent
	Query         url.Values
	Header        http.Header
	ContentLength int64 // -1 when unknown
}

// Decision is a schedule's answer for one request.
type Decision struct {
	Fault Fault
	// At is, for CutRequest and CutResponse, how many body bytes pass
	// before the cut, taken modulo the body's length so that at least one
	// byte is lost (a length the proxy does not know counts as 64 KiB).
	At int64
}

// Schedule decides the fault of each request. The proxy calls it from
// many goroutines at once.
type Schedule func(*Request) Decision

// Random returns a schedule that faults each request with probability
// rate, choosing evenly among faults (AllFaults when none are given) those
// that apply to it: CutRequest to requests with a body, ErrorIn200 to
// CompleteMultipartUpload only.
//
// The draw is a function of the seed and of the request's identity —
// method, path, operation, part number — and of how many times that
// identity was seen before, so a retry draws afresh and two parts sent
// concurrently draw the same whatever order they arrive in.
func Random(seed uint64, rate float64, faults ...Fault) Schedule {
	if len(faults) == 0 {
		faults = AllFaults
	}
	faults = append([]Fault(nil), faults...)
	var mu sync.Mutex
	seen := make(map[string]uint64)
	return func(r *Request) Decision {
		id := identity(r)
		mu.Lock()
		n := seen[id]
		seen[id] = n + 1
		mu.Unlock()

		h := fnv.New64a()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], seed)
		h.Write(b[:])
		h.Write([]byte(id))
		binary.LittleEndian.PutUint64(b[:], n)
		h.Write(b[:])
		x := h.Sum64()

		x = splitmix(x)
		if float64(x>>11)/(1<<53) >= rate {
			return Decision{}
		}
		applicable := make([]Fault, 0, len(faults))
		for _, f := range faults {
			if applies(f, r) {
				applicable = append(applicable, f)
			}
		}
		if len(applicable) == 0 {
			return Decision{}
		}
		x = splitmix(x)
		f := applicable[x%uint64(len(applicable))]
		x = splitmix(x)
		return Decision{Fault: f, At: int64(x & math.MaxInt64)}
	}
}

// Sequence returns a schedule that gives the i-th request it is asked
// about decisions[i-1], and None after the last.
func Sequence(decisions ...Decision) Schedule {
	decisions = append([]Decision(nil), decisions...)
	var mu sync.Mutex
	i := 0
	return func(*Request) Decision {
		mu.Lock()
		defer mu.Unlock()
		if i >= len(decisions) {
			return Decision{}
		}
		i++
		return decisions[i-1]
	}
}

// ForOps returns a schedule that asks s about requests of the named
// operations only; the others get None.
func ForOps(s Schedule, ops ...string) Schedule {
	set := make(map[string]bool, len(ops))
	for _, op := range ops {
		set[op] = true
	}
	return func(r *Request) Decision {
		if !set[r.Op] {
			return Decision{}
		}
		return s(r)
	}
}

// applies reports whether Random may give fault f to request r.
func applies(f Fault, r *Request) bool {
	switch f {
	case CutRequest:
		return r.ContentLength != 0
	case ErrorIn200:
		return r.Op == OpCompleteMultipartUpload
	}
	return f > None && f < numFaults
}

// identity names a request for Random: what stays the same when the same
// request is sent again (upload IDs and signatures change between runs).
func identity(r *Request) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte(' ')
	b.WriteString(strings.ToLower(r.Host))
	b.WriteString(r.Path)
	b.WriteByte(' ')
	b.WriteString(r.Op)
	keys := make([]string, 0, len(r.Query))
	for k := range r.Query {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") || k == "uploadId" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteByte(' ')
		b.WriteString(k)
		if k == "partNumber" || k == "range" || k == "prefix" || k == "continuation-token" {
			b.WriteByte('=')
			b.WriteString(r.Query.Get(k))
		}
	}
	if rg := r.Header.Get("Range"); rg != "" {
		b.WriteString(" range=")
		b.WriteString(rg)
	}
	return b.String()
}

// splitmix is SplitMix64's finalizer: a good mix of the bits of x.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
