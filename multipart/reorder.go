package multipart

// The reorder queue of a download into a plain io.Writer: ranges are
// fetched in parallel, but their bytes must be written in order.
//
// The queue is one ring of bytes, the window of offsets next to
// next+len(ring)-1, where next is the next offset to write: the byte at
// offset o lives at ring[o%len(ring)]. A worker reading a body at off is
// lent ring space for its chunk once the chunk lies within the window, and
// commits what it read; the writer (the caller's goroutine) writes, in one
// call, every committed byte from next on that is contiguous in the ring,
// up to a quarter of the ring.
//
// Memory is the ring and nothing else, and the queue cannot deadlock: every
// offset in the window has its own place, so the chunk at next always fits;
// and workers take ranges in ascending order, so the range holding next is
// always being fetched.
//
// Writes grow with the writer's slowness. Into io.Discard the writer keeps
// up and writes each chunk as it comes; into a pipe, chunks committed while
// a write blocks go out together in the next one. One write per 256 KiB
// chunk cost a pipe writer 0.4 s of CPU a GiB more than 8 MiB writes, in
// system calls and in the runtime's hand-offs around each blocking one.
//
// Wake-ups are targeted: the writer is woken only when the chunk at next is
// committed, and workers waiting for room only when a write ends; a wait
// channel is made only when someone waits.

import (
	"context"
	"hash"
	"io"
	"sync"
)

type reorder struct {
	ring     []byte
	maxWrite int64

	mu     sync.Mutex
	next   int64           // the next offset to write
	filled map[int64]int64 // committed pieces at or beyond next: offset → length
	// ready is closed when the chunk at next is committed; room when next
	// moves on. Each is nil while nobody waits on it.
	ready chan struct{}
	room  chan struct{}
}

// newReorder returns a queue of size bytes (at least 1) whose next offset
// to write is start.
func newReorder(size, start int64) *reorder {
	size = max(size, 1)
	return &reorder{ring: make([]byte, size), maxWrite: max(size/4, 1), next: start,
		filled: make(map[int64]int64)}
}

// waitOn returns the channel *ch, made if nobody waits on it yet. Called with
// mu held.
func waitOn(ch *chan struct{}) chan struct{} {
	if *ch == nil {
		*ch = make(chan struct{})
	}
	return *ch
}

// wake closes *ch if someone waits on it. Called with mu held.
func wake(ch *chan struct{}) {
	if *ch != nil {
		close(*ch)
		*ch = nil
	}
}

// admit lends the ring space of the bytes from off, at most n of them and
// none past the ring's end, once they lie within the window; or returns the
// cause of ctx's end. off must be at or beyond next, and no other worker
// may hold it.
func (q *reorder) admit(ctx context.Context, off, n int64) ([]byte, error) {
	size := int64(len(q.ring))
	at := off % size
	n = min(n, size-at)
	for {
		q.mu.Lock()
		ok := off+n <= q.next+size
		var ch chan struct{}
		if !ok {
			ch = waitOn(&q.room)
		}
		q.mu.Unlock()
		if ok {
			return q.ring[at : at+n], nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// put commits p, a prefix of what admit lent for off, as the bytes at off.
// An empty p commits nothing.
func (q *reorder) put(off int64, p []byte) {
	if len(p) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.filled[off] = int64(len(p))
	if off == q.next {
		wake(&q.ready)
	}
}

// drain writes the queue to w in order until end, feeding h (if not nil)
// as well. It returns w's error, or the cause of ctx's end.
func (q *reorder) drain(ctx context.Context, w io.Writer, end int64, h hash.Hash) error {
	size := int64(len(q.ring))
	for {
		q.mu.Lock()
		if q.next >= end {
			q.mu.Unlock()
			return nil
		}
		// Take the committed pieces from next on while they are
		// contiguous in the ring.
		at, n := q.next%size, int64(0)
		for n < q.maxWrite && at+n < size {
			k, ok := q.filled[q.next+n]
			if !ok {
				break
			}
			delete(q.filled, q.next+n)
			n += k
		}
		var ch chan struct{}
		if n == 0 {
			ch = waitOn(&q.ready)
		}
		q.mu.Unlock()
		if n == 0 {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		p := q.ring[at : at+n]
		if _, err := w.Write(p); err != nil {
			return err
		}
		if h != nil {
			h.Write(p)
		}
		q.mu.Lock()
		q.next += n
		wake(&q.room)
		q.mu.Unlock()
	}
}
