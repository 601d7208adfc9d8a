// Package wait holds the module's waits: Sleep, the one context-aware
// sleep (the client's retry backoff in s3client, the engine's pauses
// between abort rounds in multipart, the manager's token bucket in
// transfer), and Bytes, the one wait on a bandwidth limiter (the engine's
// parts and ranges, the manager's single PutObject).
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or returns the cause of ctx's end (context.Cause) if it
// ends first. A d of zero or less does not wait; it returns the cause if
// ctx has already ended, nil otherwise.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// Limiter is a bandwidth limiter: multipart.Limiter, and the transfer
// manager's token bucket.
type Limiter interface {
	WaitN(ctx context.Context, n int) error
}

// Bytes waits until lim lets n more bytes pass, in installments of at most
// a MiB (WaitN takes an int, which holds less on 32-bit platforms); a nil
// lim lets everything pass. A wait the context ends returns early: the
// request it paces then fails on its own.
func Bytes(ctx context.Context, lim Limiter, n int64) {
	for lim != nil && n > 0 {
		c := min(n, 1<<20)
		if lim.WaitN(ctx, int(c)) != nil {
			return
		}
		n -= c
	}
}
