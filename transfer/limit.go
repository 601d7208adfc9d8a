package transfer

// The Manager's two shared limits: tokenBucket, the bandwidth cap every
// worker of every transfer draws on (it implements multipart.Limiter), and
// budget, the memory that streams and ordered downloads hold.

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/s3kit/s3kit/internal/wait"
	"github.com/s3kit/s3kit/multipart"
)

var _ multipart.Limiter = (*tokenBucket)(nil)

// tokenBucket paces bytes to rate per second. A caller takes its bytes at
// once and goes into debt when the bucket holds fewer, then sleeps until
// the debt is paid: callers are served in the order they came, a read
// larger than the burst is simply a longer wait, and over any window of
// W seconds at most rate×W + burst bytes pass.
type tokenBucket struct {
	rate  float64 // bytes per second
	burst float64

	mu     sync.Mutex
	tokens float64 // negative: debt
	last   time.Time
	now    func() time.Time
	// sleep waits d or until ctx ends (tests replace it and now with a
	// clock of their own).
	sleep func(ctx context.Context, d time.Duration) error
}

// burstTime is how much of the rate may pass at once after a pause: a
// tenth of a second, so that any 5-second window stays within 2 % of the
// rate.
const burstTime = 100 * time.Millisecond

func newTokenBucket(rate int64) *tokenBucket {
	b := &tokenBucket{rate: float64(rate), now: time.Now, sleep: wait.Sleep}
	// A burst of at least 16 KiB keeps tiny rates from sleeping on every
	// small read.
	b.burst = max(float64(rate)*burstTime.Seconds(), 16<<10)
	b.tokens, b.last = b.burst, b.now()
	return b
}

// WaitN blocks until n more bytes may pass, or returns the cause of ctx's
// end; bytes not waited for are given back.
func (b *tokenBucket) WaitN(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	b.mu.Lock()
	now := b.now()
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
	b.tokens -= float64(n)
	debt := -b.tokens
	b.mu.Unlock()
	if debt <= 0 {
		return nil
	}
	if err := b.sleep(ctx, time.Duration(debt/b.rate*float64(time.Second))); err != nil {
		b.mu.Lock()
		b.tokens = min(b.burst, b.tokens+float64(n))
		b.mu.Unlock()
		return err
	}
	return nil
}

// budget is a weighted semaphore of bytes, first come first served, whose
// Acquire returns when the context ends (the shape of
// golang.org/x/sync/semaphore). A request larger than the whole budget is
// cut to the budget, so that it waits for everything rather than forever.
type budget struct {
	size int64

	mu      sync.Mutex
	used    int64
	peak    int64     // the most ever used, for tests and curiosity
	waits   int       // acquisitions that had to wait
	waiters list.List // of *waiter, in arrival order
}

type waiter struct {
	n     int64
	ready chan struct{}
}

func newBudget(size int64) *budget { return &budget{size: size} }

// clamp returns what a request for n bytes takes.
func (b *budget) clamp(n int64) int64 { return min(n, b.size) }

// Acquire takes n bytes (clamped to the budget) and returns how many it
// took, to be given back with Release.
func (b *budget) Acquire(ctx context.Context, n int64) (int64, error) {
	n = b.clamp(n)
	b.mu.Lock()
	if b.size-b.used >= n && b.waiters.Len() == 0 {
		b.used += n
		b.peak = max(b.peak, b.used)
		b.mu.Unlock()
		return n, nil
	}
	b.waits++
	w := &waiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready:
			// Granted while we were giving up: hand it back.
			b.used -= n
			b.notify()
		default:
			isFront := b.waiters.Front() == elem
			b.waiters.Remove(elem)
			if isFront {
				// The head left; the next ones may fit now.
				b.notify()
			}
		}
		b.mu.Unlock()
		return 0, context.Cause(ctx)
	}
}

// Release gives back n bytes taken by Acquire.
func (b *budget) Release(n int64) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.notify()
	b.mu.Unlock()
}

// notify grants waiters in order while they fit. Called with mu held.
func (b *budget) notify() {
	for {
		front := b.waiters.Front()
		if front == nil {
			return
		}
		w := front.Value.(*waiter)
		if b.size-b.used < w.n {
			return
		}
		b.used += w.n
		b.peak = max(b.peak, b.used)
		b.waiters.Remove(front)
		close(w.ready)
	}
}
