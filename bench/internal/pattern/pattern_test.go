package pattern

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWindowsAgreeAcrossThePeriod(t *testing.T) {
	// Two ways to the same bytes: one WriteTo from 0, and windows taken
	// at odd offsets across the period boundary.
	const n = 3*Period + 1234
	var all bytes.Buffer
	if k, err := WriteTo(&all, 0, n); err != nil || k != n {
		t.Fatalf("WriteTo: %d, %v", k, err)
	}
	b := all.Bytes()
	for _, off := range []int64{0, 1, Period - 1, Period, Period + 7, 2*Period - 3, 3 * Period} {
		w := Window(off, 1000)
		if !bytes.Equal(w, b[off:off+int64(len(w))]) {
			t.Errorf("Window(%d) differs from the stream", off)
		}
		if !Equal(b[off:], off) {
			t.Errorf("Equal(stream[%d:], %d) = false", off, off)
		}
	}
	if Equal(b[:100], 1) {
		t.Error("Equal at the wrong offset = true")
	}
	if int64(len(Window(5, 10*Period))) != Period {
		t.Error("Window longer than the period")
	}
}

func TestPartsOfPowerOfTwoSizesDiffer(t *testing.T) {
	// The reason for a prime period: swapped parts must not verify.
	for _, part := range []int64{5 << 20, 8 << 20, 16 << 20} {
		if bytes.Equal(Window(0, 4096), Window(part, 4096)) {
			t.Errorf("parts of %d bytes start with the same bytes", part)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	const size = 2*Period + 99
	if err := CreateFile(path, size); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(path, size); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(path, size+1); err == nil {
		t.Error("wrong size accepted")
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{^Window(Period+5, 1)[0]}, Period+5)
	f.Close()
	if err := CheckFile(path, size); err == nil {
		t.Error("changed byte accepted")
	}
}

func TestChecker(t *testing.T) {
	var c Checker
	c.Write(Window(0, 10))
	c.Write(Window(10, 20))
	if c.Bad || c.Off != 30 {
		t.Fatalf("good stream: bad %v off %d", c.Bad, c.Off)
	}
	c.Write(Window(0, 5))
	if !c.Bad {
		t.Fatal("bytes from the wrong offset accepted")
	}
}
