package wait

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	cause := errors.New("stopped by the test")
	ended, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"elapses", context.Background(), time.Millisecond, nil},
		{"zero", context.Background(), 0, nil},
		{"negative", context.Background(), -time.Second, nil},
		// An hour: only the context can end these.
		{"ended before", ended, time.Hour, cause},
		{"ended, zero", ended, 0, cause},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Sleep(tc.ctx, tc.d); err != tc.want {
				t.Errorf("Sleep = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("ended while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		go cancel(cause)
		if err := Sleep(ctx, time.Hour); err != cause {
			t.Errorf("Sleep = %v, want %v", err, cause)
		}
	})
}

// limiter records what it was asked, and fails the call numbered failAt
// (from 1; 0 never).
type limiter struct {
	asked  []int
	failAt int
}

func (l *limiter) WaitN(_ context.Context, n int) error {
	l.asked = append(l.asked, n)
	if len(l.asked) == l.failAt {
		return errors.New("ended")
	}
	return nil
}

func TestBytes(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name   string
		n      int64
		failAt int
		want   []int
	}{
		{"nothing", 0, 0, nil},
		{"negative", -5, 0, nil},
		{"small", 100, 0, []int{100}},
		{"a MiB", mib, 0, []int{mib}},
		// More than a 32-bit int holds, in MiB installments.
		{"5 GiB and a byte", 5<<30 + 1, 0, append(repeat(mib, 5<<10), 1)},
		{"installments", 2*mib + mib/2, 0, []int{mib, mib, mib / 2}},
		{"a wait ends", 3 * mib, 2, []int{mib, mib}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &limiter{failAt: tc.failAt}
			Bytes(context.Background(), l, tc.n)
			if !slices.Equal(l.asked, tc.want) {
				t.Errorf("asked %d installments (%v...), want %d", len(l.asked), l.asked[:min(len(l.asked), 4)], len(tc.want))
			}
		})
	}
	t.Run("no limiter", func(t *testing.T) {
		Bytes(context.Background(), nil, 5<<30) // returns at once, no panic
	})
}

func repeat(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}
