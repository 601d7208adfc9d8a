// Package pattern defines the deterministic bytes every benchmark object
// holds: the byte at offset o of any object is Bytes()[o%Period]. The sink
// serves downloads from it without allocating, the runner writes upload
// sources with it, and verification rounds check both directions against
// it.
//
// The period is a prime just under 1 MiB, so that parts of any power-of-two
// size start at different places in the pattern: a client that sent or
// wrote two parts swapped, or one part twice, fails verification.
package pattern

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Period is the length of the repeating pattern.
const Period = 1<<20 - 3

// doubled holds the pattern twice, so that any window of up to Period bytes
// starting anywhere in the first copy is one contiguous slice.
var doubled = func() []byte {
	b := make([]byte, 2*Period)
	x := uint64(0x9E3779B97F4A7C15)
	for i := 0; i < Period; i++ {
		// xorshift64*: cheap, and incompressible enough that no layer
		// (TLS, a proxy) could shrink the traffic.
		x ^= x >> 12
		x ^= x << 25
		x ^= x >> 27
		b[i] = byte((x * 0x2545F4914F6CDD1D) >> 56)
	}
	copy(b[Period:], b[:Period])
	return b
}()

// Window returns the object's bytes from offset off, at most n of them and
// never more than Period. The slice is shared: callers must not modify it.
func Window(off int64, n int64) []byte {
	if n > Period {
		n = Period
	}
	i := off % Period
	return doubled[i : i+n]
}

// WriteTo writes the object's bytes [off, off+n) to w in windows of up to
// Period bytes, without allocating.
func WriteTo(w io.Writer, off, n int64) (int64, error) {
	var written int64
	for n > 0 {
		p := Window(off, n)
		k, err := w.Write(p)
		written += int64(k)
		if err != nil {
			return written, err
		}
		off += int64(k)
		n -= int64(k)
	}
	return written, nil
}

// Equal reports whether p holds the object's bytes from offset off.
func Equal(p []byte, off int64) bool {
	for len(p) > 0 {
		want := Window(off, int64(len(p)))
		if !bytes.Equal(p[:len(want)], want) {
			return false
		}
		p = p[len(want):]
		off += int64(len(want))
	}
	return true
}

// Checker compares a stream with the object's bytes from offset 0 as it is
// written; its zero value is ready.
type Checker struct {
	Off int64 // bytes checked so far
	Bad bool  // a byte differed
}

// Write checks p at the current offset and never fails, so that a
// mismatch does not disturb the transfer being checked.
func (c *Checker) Write(p []byte) (int, error) {
	if !c.Bad && !Equal(p, c.Off) {
		c.Bad = true
	}
	c.Off += int64(len(p))
	return len(p), nil
}

// CreateFile writes an object's first size bytes to path.
func CreateFile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := WriteTo(f, 0, size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CheckFile verifies that the file at path holds exactly an object of size
// bytes.
func CheckFile(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	var off int64
	for {
		n, err := f.Read(buf)
		if n > 0 && !Equal(buf[:n], off) {
			return fmt.Errorf("pattern: %s differs from the pattern between bytes %d and %d", path, off, off+int64(n))
		}
		off += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if off != size {
		return fmt.Errorf("pattern: %s holds %d bytes, want %d", path, off, size)
	}
	return nil
}
