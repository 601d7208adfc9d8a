package group

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestGroupLimit(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		g, _ := WithContext(context.Background(), limit)
		var running, peak atomic.Int32
		for range 20 {
			g.Go(func() error {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
				running.Add(-1)
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			t.Fatalf("limit %d: Wait = %v", limit, err)
		}
		if p := peak.Load(); p != int32(limit) {
			t.Errorf("limit %d: peak concurrency %d", limit, p)
		}
	}
}

func TestGroupFirstErrorCancels(t *testing.T) {
	errFirst, errLater := errors.New("first"), errors.New("later")
	g, ctx := WithContext(context.Background(), 0)
	started := make(chan struct{})
	var sawCause atomic.Value
	g.Go(func() error {
		close(started)
		<-ctx.Done()
		sawCause.Store(context.Cause(ctx))
		return errLater
	})
	<-started
	g.Go(func() error { return errFirst })
	if err := g.Wait(); err != errFirst {
		t.Errorf("Wait = %v, want the first error", err)
	}
	if c := sawCause.Load(); c != errFirst {
		t.Errorf("cause seen by the sibling = %v, want %v", c, errFirst)
	}
}

func TestGroupFail(t *testing.T) {
	g, ctx := WithContext(context.Background(), 2)
	stop := errors.New("reader failed")
	g.Go(func() error { <-ctx.Done(); return ctx.Err() })
	g.Fail(stop)
	if err := g.Wait(); err != stop {
		t.Errorf("Wait = %v, want %v", err, stop)
	}
	if !errors.Is(context.Cause(ctx), stop) {
		t.Errorf("cause = %v", context.Cause(ctx))
	}
}

func TestGroupWaitCancelsAndJoins(t *testing.T) {
	before := runtime.NumGoroutine()
	g, ctx := WithContext(context.Background(), 4)
	var done atomic.Int32
	for range 10 {
		g.Go(func() error { time.Sleep(time.Millisecond); done.Add(1); return nil })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if done.Load() != 10 {
		t.Errorf("Wait returned with %d of 10 functions done", done.Load())
	}
	if ctx.Err() == nil {
		t.Error("context not canceled after Wait")
	}
	for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left over", n-before)
	}
}

func TestGroupPanicReachesWait(t *testing.T) {
	g, ctx := WithContext(context.Background(), 0)
	sibling := make(chan error, 1)
	g.Go(func() error { <-ctx.Done(); sibling <- ctx.Err(); return nil })
	g.Go(func() error { panic("boom") })
	defer func() {
		v := recover()
		pe, ok := v.(*PanicError)
		if !ok || pe.Value != "boom" || len(pe.Stack) == 0 {
			t.Fatalf("recovered %#v, want *PanicError{boom}", v)
		}
		if err := <-sibling; err == nil {
			t.Error("sibling not canceled by the panic")
		}
	}()
	g.Wait()
	t.Fatal("Wait returned instead of panicking")
}

func TestGroupGoAfterFailureDoesNothing(t *testing.T) {
	g, ctx := WithContext(context.Background(), 1)
	release := make(chan struct{})
	g.Go(func() error { <-release; return errors.New("failed") })
	started := make(chan bool)
	go func() { started <- g.Go(func() error { t.Error("ran after the failure"); return nil }) }()
	close(release) // the first fails, freeing the slot the second waits for
	if <-started {
		t.Error("Go reported true after the failure")
	}
	g.Wait()
	_ = ctx
}
