package group

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
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
	g, ctx := WithContext(context.Background(), 2)
	release := make(chan struct{})
	g.Go(func() error { <-release; return errors.New("failed") })
	g.Go(func() error { <-ctx.Done(); return nil }) // holds its slot until the failure
	started := make(chan bool)
	go func() { started <- g.Go(func() error { t.Error("ran after the failure"); return nil }) }()
	close(release) // the first fails, freeing the slot the third waits for
	if <-started {
		t.Error("Go reported true after the failure")
	}
	g.Wait()
}

// TestGroupLimitOneRunsInline: with a limit of 1, every function runs on
// the caller's goroutine (no goroutine is started), in order, and the
// group's rules hold: the first error stops the rest, a panic reaches Wait.
func TestGroupLimitOneRunsInline(t *testing.T) {
	caller := goroutineID()
	g, ctx := WithContext(context.Background(), 1)
	var ran []int
	for i := range 5 {
		ok := g.Go(func() error {
			if id := goroutineID(); id != caller {
				t.Errorf("function %d ran on goroutine %d, not the caller's %d", i, id, caller)
			}
			ran = append(ran, i)
			if i == 2 {
				return errors.New("third failed")
			}
			return nil
		})
		if ok != (i <= 2) {
			t.Errorf("Go %d reported %v", i, ok)
		}
	}
	if err := g.Wait(); err == nil || err.Error() != "third failed" {
		t.Errorf("Wait = %v", err)
	}
	if len(ran) != 3 || ctx.Err() == nil {
		t.Errorf("ran %v, context %v: want 0..2 and canceled", ran, ctx.Err())
	}

	g, _ = WithContext(context.Background(), 1)
	if !g.Go(func() error { panic("boom") }) {
		t.Fatal("Go refused the first function")
	}
	if g.Go(func() error { t.Error("ran after a panic"); return nil }) {
		t.Error("Go reported true after a panic")
	}
	defer func() {
		if pe, ok := recover().(*PanicError); !ok || pe.Value != "boom" {
			t.Errorf("Wait did not raise the panic")
		}
	}()
	g.Wait()
}

// goroutineID returns the current goroutine's number, from its stack
// header ("goroutine 7 [running]:").
func goroutineID() int {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	id, _ := strconv.Atoi(s[:strings.IndexByte(s, ' ')])
	return id
}
