// Package group runs a bounded set of goroutines that share one fate: the
// first error cancels the others' context with that error as the cause, and
// Wait joins every goroutine before it returns. It is the contract of
// golang.org/x/sync/errgroup, written here because s3kit's library packages
// import only the standard library, plus Fail, which lets the goroutine that
// feeds or drains the group (the one reading a stream, the one writing a
// download in order) stop it with its own error.
//
// With a limit of one, Go runs each function on the caller's goroutine and
// returns when it has: one worker at a time needs no goroutine, so a
// transfer without threads (boto3's use_threads=False) starts none, under
// the same rules.
//
// It is shared by the multipart engine (part workers) and the transfer
// manager (download ranges), so that both follow one set of rules.
package group

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// Group is a collection of goroutines working on subtasks of one task. A
// Group must be made with WithContext and not copied. Go and Fail may be
// called from any goroutine; Wait from the one that owns the task.
type Group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	sem    chan struct{} // nil: no limit
	inline bool          // limit 1: Go runs f itself

	mu       sync.Mutex
	err      error
	panicked *PanicError
}

// WithContext returns a Group and a context derived from ctx. The context is
// canceled, with the first error as its cause, when a function passed to Go
// returns an error or panics, when Fail is called, or when Wait returns. At
// most limit functions run at once; limit ≤ 0 means no limit, and a limit
// of 1 runs them on the caller's goroutine, one after the other.
func WithContext(ctx context.Context, limit int) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	g := &Group{ctx: ctx, cancel: cancel, inline: limit == 1}
	if limit > 1 {
		g.sem = make(chan struct{}, limit)
	}
	return g, ctx
}

// Go runs f in a new goroutine and reports true, or, if the group's context
// is already canceled, does nothing and reports false. When the group is at
// its limit, Go first blocks until a running function returns; unlike
// errgroup, it looks at the context again after that wait, so that nothing
// new starts once a failure has been seen. With a limit of 1, Go runs f
// itself and returns when f has.
func (g *Group) Go(f func() error) bool {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	if g.ctx.Err() != nil {
		if g.sem != nil {
			<-g.sem
		}
		return false
	}
	if g.inline {
		g.run(f)
		return true
	}
	g.wg.Add(1)
	go func() {
		defer g.done()
		g.run(f)
	}()
	return true
}

// run calls f and records its error or its panic. A panic is not an
// error: it is carried to Wait and raised again there, in the caller's
// goroutine, after the others have stopped, so that it crashes the program
// as it would have, but without leaving the siblings running (errgroup
// does the same since v0.12).
func (g *Group) run(f func() error) {
	defer func() {
		if v := recover(); v != nil {
			g.mu.Lock()
			if g.panicked == nil {
				g.panicked = &PanicError{Value: v, Stack: debug.Stack()}
			}
			g.mu.Unlock()
			g.cancel(errPanicked)
		}
	}()
	if err := f(); err != nil {
		g.Fail(err)
	}
}

func (g *Group) done() {
	if g.sem != nil {
		<-g.sem
	}
	g.wg.Done()
}

// Fail records err as the group's error, unless an error was recorded
// first, and cancels the group's context with it as the cause.
func (g *Group) Fail(err error) {
	g.mu.Lock()
	if g.err == nil {
		g.err = err
	}
	g.mu.Unlock()
	g.cancel(err)
}

// Wait waits for every function started with Go, cancels the context, and
// returns the first error. If a function panicked, Wait panics with a
// *PanicError holding the value and the goroutine's stack.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel(context.Canceled)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.panicked != nil {
		panic(g.panicked)
	}
	return g.err
}

// errPanicked is the cause of a group's cancellation by a panic.
var errPanicked = fmt.Errorf("group: a goroutine panicked")

// PanicError is what Wait panics with when a function panicked.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack of the goroutine that panicked
}

// Error describes the panic and includes the stack.
func (p *PanicError) Error() string {
	return fmt.Sprintf("group: recovered panic: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns the panic value when it is an error.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
