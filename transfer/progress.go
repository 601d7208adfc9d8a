package transfer

// Progress reporting: one reporter per transfer, turning byte counts and
// finished parts into Callback calls and Listener events, serialized.

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/s3kit/s3kit/internal/wait"
)

// reporter tells a transfer's Callback and Listener what happens. Its
// methods may be called from any goroutine; the calls they make are
// serialized by mu, which the transfers of one directory share.
type reporter struct {
	mu       *sync.Mutex
	callback Callback
	listener Listener
	op       string
	bucket   string
	key      string
	path     string

	total atomic.Int64
	done  int64 // under mu
}

func newReporter(o *callOptions, mu *sync.Mutex, op, bucket, key, path string) *reporter {
	if mu == nil {
		mu = new(sync.Mutex)
	}
	r := &reporter{mu: mu, callback: o.callback, listener: o.listener, op: op, bucket: bucket, key: key, path: path}
	r.total.Store(-1)
	return r
}

// active reports whether anyone listens.
func (r *reporter) active() bool { return r.callback != nil || r.listener != nil }

func (r *reporter) event(t EventType) Event {
	return Event{Type: t, Op: r.op, Bucket: r.bucket, Key: r.key, Path: r.path, Total: r.total.Load(), Done: r.done}
}

// start reports the transfer's size (-1: unknown).
func (r *reporter) start(total int64) {
	r.total.Store(total)
	if r.listener == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listener(r.event(TransferStarted))
}

// add reports n more bytes (fewer, when negative).
func (r *reporter) add(n int64) {
	if n == 0 || !r.active() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	if r.callback != nil {
		r.callback(n)
	}
	if r.listener != nil {
		e := r.event(BytesTransferred)
		e.Bytes = n
		r.listener(e)
	}
}

// part reports a finished part or range.
func (r *reporter) part(num int, size int64) {
	if r.listener == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.event(PartCompleted)
	e.Part, e.PartSize = num, size
	r.listener(e)
}

// finish reports the end of the transfer.
func (r *reporter) finish(err error) {
	if r.listener == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.event(TransferCompleted)
	if err != nil {
		e.Type, e.Err = TransferFailed, err
	}
	r.listener(e)
}

// meter returns the function a request calls for each read of a body:
// the Manager's bandwidth cap is waited on, then the reporter told. It is
// nil when there is neither a cap nor a listener, so that the client
// counts nothing.
func (m *Manager) meter(ctx context.Context, r *reporter) func(int64) {
	if m.limiter == nil && !r.active() {
		return nil
	}
	return func(n int64) {
		wait.Bytes(ctx, m.limiter, n)
		r.add(n)
	}
}
