package transfer

// group runs the manager's own workers (download ranges, directory files)
// by errgroup's rules: bounded, the first error cancels the others with it
// as the cause, and Wait joins every goroutine before it returns.
// multipart keeps the same helper internal; the two are small enough that
// sharing one would cost more than it saves.

import (
	"context"
	"sync"
)

type group struct {
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	sem    chan struct{}

	once sync.Once
	err  error
}

// newGroup returns a group of at most limit goroutines and the context
// they share.
func newGroup(ctx context.Context, limit int) (*group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &group{cancel: cancel, sem: make(chan struct{}, max(limit, 1))}, ctx
}

// Go runs f on a new goroutine once fewer than limit run.
func (g *group) Go(f func() error) {
	g.sem <- struct{}{}
	g.wg.Add(1)
	go func() {
		defer func() {
			<-g.sem
			g.wg.Done()
		}()
		if err := f(); err != nil {
			g.fail(err)
		}
	}()
}

// fail records the first error and cancels the others.
func (g *group) fail(err error) {
	g.once.Do(func() {
		g.err = err
		g.cancel(err)
	})
}

// Wait joins every goroutine and returns the first error.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel(context.Canceled)
	return g.err
}
