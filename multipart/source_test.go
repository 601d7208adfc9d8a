package multipart

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

func TestPartReader(t *testing.T) {
	src := patternBytes(1000)
	r := newPartReader(bytes.NewReader(src), 100, 300)
	// iotest.TestReader checks Read, ReadAt and Seek against the expected
	// content, including reads at and past the end.
	if err := iotest.TestReader(r, src[100:400]); err != nil {
		t.Fatal(err)
	}
	if r.Size() != 300 {
		t.Errorf("Size = %d", r.Size())
	}
	// The last part of a source reads to the source's end.
	last := newPartReader(bytes.NewReader(src), 900, 100)
	if got, err := io.ReadAll(last); err != nil || !bytes.Equal(got, src[900:]) {
		t.Errorf("last part: %d bytes, %v", len(got), err)
	}
}

func TestPartReaderShortSource(t *testing.T) {
	src := patternBytes(1000)
	r := newPartReader(bytes.NewReader(src), 900, 200) // the source ends 100 bytes early
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrSourceSize) {
		t.Fatalf("ReadAll = %d bytes, %v; want ErrSourceSize", len(got), err)
	}
	if !bytes.Equal(got, src[900:]) {
		t.Errorf("read %d bytes before the error, want the 100 there are", len(got))
	}
	// A source error passes through.
	boom := errors.New("disk on fire")
	r = newPartReader(errReaderAt{boom}, 0, 10)
	if _, err := r.ReadAt(make([]byte, 10), 0); err != boom {
		t.Errorf("ReadAt = %v, want the source's error", err)
	}
}

type errReaderAt struct{ err error }

func (e errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, e.err }

func TestPartReaderClose(t *testing.T) {
	r := newPartReader(pattern(1<<20), 0, 1<<20)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for off := int64(0); ; off += 4096 {
				if _, err := r.ReadAt(buf, off%(1<<20)); err != nil && err != io.EOF {
					if err != errPartClosed {
						t.Errorf("ReadAt = %v", err)
					}
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	r.close()
	wg.Wait()
	if _, err := r.Read(make([]byte, 1)); err != errPartClosed {
		t.Errorf("Read after close = %v, want errPartClosed", err)
	}
}

func TestBufPool(t *testing.T) {
	ctx := context.Background()
	p := newBufPool(10)
	a, _ := p.get(ctx, 4)
	b, _ := p.get(ctx, 4)
	if len(a) != 4 || len(b) != 4 {
		t.Fatalf("buffer sizes %d, %d", len(a), len(b))
	}
	// 2 bytes of budget left: a third buffer waits for a put.
	got := make(chan []byte)
	go func() { c, _ := p.get(ctx, 4); got <- c }()
	select {
	case <-got:
		t.Fatal("get did not wait for the budget")
	case <-time.After(20 * time.Millisecond):
	}
	p.put(a)
	if c := <-got; &c[0] != &a[0] {
		t.Error("the returned buffer was not reused")
	}
	// Growth drops buffers of the old size.
	p.put(b)
	d, _ := p.get(ctx, 6)
	if len(d) != 6 {
		t.Fatalf("grown buffer has %d bytes", len(d))
	}
	// A part larger than the whole budget is allowed alone.
	big := newBufPool(10)
	e, err := big.get(ctx, 25)
	if err != nil || len(e) != 25 {
		t.Fatalf("oversize get = %d, %v", len(e), err)
	}
	cctx, cancel := context.WithCancelCause(ctx)
	stop := errors.New("stop")
	cancel(stop)
	if _, err := big.get(cctx, 1); err != stop {
		t.Errorf("get on a canceled context with no budget = %v, want the cause", err)
	}
	big.put(e)
	if _, err := big.get(ctx, 25); err != nil {
		t.Errorf("get after put = %v", err)
	}
}

// readerAtReader has ReadAt and Read but no Seek.
type readerAtReader struct{ *bytes.Reader }

func (r readerAtReader) Seek() {} // not io.Seeker's signature

func TestSourceOf(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	seeked := bytes.NewReader(make([]byte, 100))
	seeked.Seek(30, io.SeekStart)

	tests := []struct {
		name     string
		body     io.Reader
		size     int64
		inPlace  bool
		wantSize int64
		wantBase int64
	}{
		{"nil", nil, 0, true, 0, 0},
		{"bytes.Reader", bytes.NewReader(make([]byte, 10)), 0, true, 10, 0},
		{"bytes.Reader after Seek", seeked, 0, true, 70, 30},
		{"bytes.Reader with Size", bytes.NewReader(make([]byte, 10)), 4, true, 4, 0},
		{"negative Size makes a stream", bytes.NewReader(make([]byte, 10)), -1, false, -1, 0},
		{"pipe: Seek fails", pr, 0, false, -1, 0},
		{"pipe with Size", pr, 7, false, 7, 0},
		{"ReaderAt without Seek, no Size", readerAtReader{bytes.NewReader(make([]byte, 10))}, 0, false, -1, 0},
		{"ReaderAt without Seek, with Size", readerAtReader{bytes.NewReader(make([]byte, 10))}, 10, true, 10, 0},
		{"plain reader", onlyReader{bytes.NewReader(nil)}, 0, false, -1, 0},
		{"plain reader with Size", onlyReader{bytes.NewReader(nil)}, 5, false, 5, 0},
	}
	for _, tt := range tests {
		src, err := sourceOf(tt.body, tt.size)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if (src.ra != nil) != tt.inPlace || src.size != tt.wantSize || src.base != tt.wantBase {
			t.Errorf("%s: in place %v, size %d, base %d; want %v, %d, %d", tt.name, src.ra != nil, src.size, src.base, tt.inPlace, tt.wantSize, tt.wantBase)
		}
	}
	if pos, _ := seeked.Seek(0, io.SeekCurrent); pos != 30 {
		t.Errorf("the body's position moved to %d", pos)
	}
	if _, err := sourceOf(nil, 5); !errors.Is(err, ErrSourceSize) {
		t.Errorf("nil body with a Size: %v", err)
	}
}
