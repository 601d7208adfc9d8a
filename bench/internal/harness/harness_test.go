package harness

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// memClient is a Client over a map, to exercise small's bookkeeping.
type memClient struct {
	mu      sync.Mutex
	objects map[string][]byte
	puts    int
	corrupt bool
}

func (m *memClient) Upload(context.Context, string, string, string, int64) error {
	return errors.ErrUnsupported
}
func (m *memClient) Download(context.Context, string, string, string, int64) error {
	return errors.ErrUnsupported
}
func (m *memClient) DownloadTo(context.Context, string, string, io.Writer, int64) error {
	return errors.ErrUnsupported
}
func (m *memClient) UploadStream(context.Context, string, string, io.Reader) error {
	return errors.ErrUnsupported
}

func (m *memClient) Put(_ context.Context, bucket, key string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[bucket+"/"+key] = bytes.Clone(body)
	m.puts++
	return nil
}

func (m *memClient) Get(_ context.Context, bucket, key string, buf []byte) (int, error) {
	m.mu.Lock()
	b, ok := m.objects[bucket+"/"+key]
	m.mu.Unlock()
	if !ok {
		return 0, errors.New("no such key")
	}
	if m.corrupt {
		b = bytes.Clone(b)
		b[0] ^= 1
	}
	return ReadFull(bytes.NewReader(b), buf)
}

func TestSmall(t *testing.T) {
	for _, workers := range []int{1, 3} {
		m := &memClient{objects: map[string][]byte{}}
		var res Result
		if err := small(context.Background(), m, &res, "b", "p", workers, 20, 4096, true); err != nil {
			t.Fatal(err)
		}
		// One warm-up PUT per worker, then the measured ones.
		if m.puts != 20+workers || res.Count != 20 || !res.Verified {
			t.Errorf("workers %d: %d puts, count %d, verified %v", workers, m.puts, res.Count, res.Verified)
		}
		if res.PutSecs <= 0 || res.GetSecs <= 0 || res.PutAllocs <= 0 {
			t.Errorf("workers %d: phases not measured: %+v", workers, res)
		}
	}
	m := &memClient{objects: map[string][]byte{}, corrupt: true}
	var res Result
	err := small(context.Background(), m, &res, "b", "p", 2, 10, 100, true)
	if err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("corrupt GETs: %v", err)
	}
	if err := small(context.Background(), m, &res, "b", "p", 5, 2, 100, false); err == nil {
		t.Error("more workers than requests accepted")
	}
}

func TestReadFull(t *testing.T) {
	buf := make([]byte, 8)
	if n, err := ReadFull(strings.NewReader("abc"), buf); n != 3 || err != nil {
		t.Errorf("short body: %d, %v", n, err)
	}
	if _, err := ReadFull(strings.NewReader("0123456789"), buf); err == nil {
		t.Error("a body longer than the buffer is not an error")
	}
}

func TestPeakRSS(t *testing.T) {
	if rss := peakRSS(); rss < 1024 {
		t.Errorf("peak RSS %d KiB: not read from /proc/self/status", rss)
	}
}
