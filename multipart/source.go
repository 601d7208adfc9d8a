package multipart

// What a part's bytes are read from: partReader, a fenced view of a source
// (a caller's io.ReaderAt, or one of the pooled buffers a stream is read
// into), and bufPool, the buffers of a stream and the memory budget that
// bounds them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// errPartClosed is what a part's body returns when read after its upload
// call has returned.
var errPartClosed = errors.New("multipart: part body read after the part was finished")

// partReader is n bytes at base of a source, like an io.SectionReader, with
// two differences that matter to an upload:
//   - a source that ends inside the part is an error wrapping ErrSourceSize,
//     not a short part;
//   - after close, no read reaches the source. net/http may go on reading a
//     request body after RoundTrip has returned (when the server answers
//     before the body is sent), so without this fence a pooled buffer could
//     be refilled while still being read, or a caller's file read after
//     Upload returned.
//
// It implements io.ReaderAt and io.Seeker, so s3client re-reads it from the
// start for each retry (a fresh io.SectionReader per attempt) instead of
// giving up after one attempt. ReadAt may be called concurrently; Read and
// Seek share a position, as with io.SectionReader.
type partReader struct {
	src  io.ReaderAt
	base int64
	n    int64
	pos  int64

	mu     sync.RWMutex
	closed bool
}

func newPartReader(src io.ReaderAt, base, n int64) *partReader {
	return &partReader{src: src, base: base, n: n}
}

// ReadAt reads from the part at off.
func (r *partReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("multipart: negative offset")
	}
	if off >= r.n {
		return 0, io.EOF
	}
	atEnd := false
	if rest := r.n - off; int64(len(p)) >= rest {
		p, atEnd = p[:rest], true
	}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return 0, errPartClosed
	}
	k, err := r.src.ReadAt(p, r.base+off)
	r.mu.RUnlock()
	if k == len(p) {
		// A source may say io.EOF with its last bytes; the part decides.
		if atEnd {
			return k, io.EOF
		}
		return k, nil
	}
	if err == nil || err == io.EOF {
		return k, fmt.Errorf("%w: the source ended at byte %d, inside a part ending at %d", ErrSourceSize, r.base+off+int64(k), r.base+r.n)
	}
	return k, err
}

// Read reads from the current position.
func (r *partReader) Read(p []byte) (int, error) {
	k, err := r.ReadAt(p, r.pos)
	r.pos += int64(k)
	return k, err
}

// Seek moves the position of Read.
func (r *partReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.n
	default:
		return 0, errors.New("multipart: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("multipart: negative position")
	}
	r.pos = offset
	return offset, nil
}

// Size returns the part's length.
func (r *partReader) Size() int64 { return r.n }

// close fences the source off: when it returns, no read is in progress
// and none will start.
func (r *partReader) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
}

// bufPool holds the buffers a stream is read into, and the memory budget
// they draw on. One goroutine (the one reading the stream) gets buffers;
// the part workers put them back. Every buffer has the current part size:
// when the part size grows, smaller buffers are dropped rather than kept.
type bufPool struct {
	mu    sync.Mutex
	limit int64         // the budget
	free  int64         // budget not lent out
	size  int64         // the current buffer size
	bufs  [][]byte      // free buffers of that size
	wake  chan struct{} // a put happened
}

func newBufPool(budget int64) *bufPool {
	return &bufPool{limit: budget, free: budget, wake: make(chan struct{}, 1)}
}

// cost is what a buffer of size bytes draws on the budget: all of it for a
// part larger than the budget, so that one part can always be read.
func (p *bufPool) cost(size int64) int64 { return min(size, p.limit) }

// get returns a buffer of size bytes once the budget allows it, or the
// context's cause.
func (p *bufPool) get(ctx context.Context, size int64) ([]byte, error) {
	if size > math.MaxInt {
		return nil, fmt.Errorf("multipart: a part of %d bytes does not fit in memory on this platform", size)
	}
	c := p.cost(size)
	for {
		p.mu.Lock()
		if p.free >= c {
			p.free -= c
			if size != p.size {
				p.size, p.bufs = size, nil
			}
			var b []byte
			if n := len(p.bufs); n > 0 {
				b = p.bufs[n-1]
				p.bufs[n-1] = nil
				p.bufs = p.bufs[:n-1]
			}
			p.mu.Unlock()
			if b == nil {
				b = make([]byte, size)
			}
			return b, nil
		}
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// put returns a buffer got from get, whole. A buffer of a size the stream
// has grown past is left to the garbage collector.
func (p *bufPool) put(b []byte) {
	p.mu.Lock()
	p.free += p.cost(int64(len(b)))
	if int64(len(b)) == p.size {
		p.bufs = append(p.bufs, b)
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
