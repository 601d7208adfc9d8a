package multipart

// The reorder queue of a download into a plain io.Writer: ranges are
// fetched in parallel, but their bytes must be written in order. Workers
// read each body in chunks into buffers the queue lends them; the writer
// (the caller's goroutine) writes the chunk at the next offset as soon as
// it is there.
//
// Memory is bounded by maxBufs buffers of bufSize bytes, and the queue
// cannot deadlock: a chunk at any other offset than the next one to be
// written may not take the last free buffer, so the chunk the writer waits
// for always gets one; and workers take ranges in ascending order, so the
// range holding the next offset is always being fetched.
//
// Wake-ups are targeted: the writer is woken only when the chunk it waits
// for arrives, and workers waiting for a buffer only when one is given back
// (a chunk written, an empty put); a wait channel is made only when someone
// waits. A broadcast on every change woke every worker for every chunk:
// with 256 KiB chunks, 4,096 herds a GiB, an eighth of the CPU of a
// download into a pipe.

import (
	"context"
	"hash"
	"io"
	"sync"
)

type reorder struct {
	bufSize int64
	maxBufs int
	window  int64 // chunks must end within next+window

	mu     sync.Mutex
	next   int64            // the next offset to write
	chunks map[int64][]byte // filled, waiting for their turn
	inUse  int              // buffers lent or waiting
	free   [][]byte
	// ready is closed when the chunk at next arrives; room when a buffer is
	// given back. Each is nil while nobody waits on it.
	ready chan struct{}
	room  chan struct{}
}

func newReorder(bufSize int64, maxBufs int, start int64) *reorder {
	maxBufs = max(maxBufs, 1)
	return &reorder{bufSize: bufSize, maxBufs: maxBufs, window: int64(maxBufs) * bufSize,
		next: start, chunks: make(map[int64][]byte)}
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

// admit lends a buffer for the n bytes at off once the queue has room for
// them, or returns the cause of ctx's end.
func (q *reorder) admit(ctx context.Context, off, n int64) ([]byte, error) {
	for {
		q.mu.Lock()
		ok := q.inUse < q.maxBufs
		if off != q.next {
			ok = q.inUse < q.maxBufs-1 && off+n <= q.next+q.window
		}
		if ok {
			q.inUse++
			var b []byte
			if k := len(q.free); k > 0 {
				b, q.free = q.free[k-1], q.free[:k-1]
			}
			q.mu.Unlock()
			if b == nil {
				b = make([]byte, q.bufSize)
			}
			return b[:n], nil
		}
		ch := waitOn(&q.room)
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// put queues p, a prefix of a buffer from admit, as the bytes at off. An
// empty p gives the buffer back.
func (q *reorder) put(off int64, p []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(p) == 0 {
		q.inUse--
		q.free = append(q.free, p[:cap(p)])
		wake(&q.room)
		return
	}
	q.chunks[off] = p
	if off == q.next {
		wake(&q.ready)
	}
}

// drain writes the chunks to w in order until end, feeding h (if not nil)
// as well. It returns w's error, or the cause of ctx's end.
func (q *reorder) drain(ctx context.Context, w io.Writer, end int64, h hash.Hash) error {
	for {
		q.mu.Lock()
		if q.next >= end {
			q.mu.Unlock()
			return nil
		}
		p, ok := q.chunks[q.next]
		var ch chan struct{}
		if ok {
			delete(q.chunks, q.next)
		} else {
			ch = waitOn(&q.ready)
		}
		q.mu.Unlock()
		if !ok {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
		if h != nil {
			h.Write(p)
		}
		q.mu.Lock()
		q.next += int64(len(p))
		q.inUse--
		q.free = append(q.free, p[:cap(p)])
		wake(&q.room)
		q.mu.Unlock()
	}
}
