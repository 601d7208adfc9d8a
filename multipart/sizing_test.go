package multipart

// The part-size arithmetic, at the edges. These tests also run with
// GOARCH=386, where int is 32 bits: every size here overflows an int32.

import (
	"errors"
	"testing"
)

const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
	tib = int64(1) << 40
)

func TestLayout(t *testing.T) {
	tests := []struct {
		name           string
		size, partSize int64
		wantSize       int64
		wantN          int
	}{
		{"empty", 0, 8 * mib, 8 * mib, 1},
		{"one byte", 1, 8 * mib, 8 * mib, 1},
		{"part size - 1", 8*mib - 1, 8 * mib, 8 * mib, 1},
		{"part size", 8 * mib, 8 * mib, 8 * mib, 1},
		{"part size + 1", 8*mib + 1, 8 * mib, 8 * mib, 2},
		{"exactly 10000 parts", 10000 * 5 * mib, 5 * mib, 5 * mib, 10000},
		{"10000 parts + 1 byte grows to 6 MiB", 10000*5*mib + 1, 5 * mib, 6 * mib, 8334},
		{"78 GiB at 8 MiB", 78 * gib, 8 * mib, 8 * mib, 9984},
		{"100 GiB grows", 100 * gib, 8 * mib, 11 * mib, 9310},
		{"5 TiB", 5 * tib, 8 * mib, 525 * mib, 9987},
		{"5 TiB, part size already large", 5 * tib, 1 * gib, 1 * gib, 5120},
		{"largest object", MaxObjectSize, 8 * mib, MaxPartSize, MaxParts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, n, err := layout(tt.size, tt.partSize)
			if err != nil {
				t.Fatal(err)
			}
			if ps != tt.wantSize || n != tt.wantN {
				t.Errorf("layout(%d, %d) = %d, %d; want %d, %d", tt.size, tt.partSize, ps, n, tt.wantSize, tt.wantN)
			}
			// The invariants, whatever the numbers.
			if n > MaxParts || ps > MaxPartSize || ps < tt.partSize {
				t.Errorf("out of bounds: %d parts of %d", n, ps)
			}
			if tt.size > 0 && (int64(n-1)*ps >= tt.size || int64(n)*ps < tt.size) {
				t.Errorf("%d parts of %d do not hold %d bytes exactly", n, ps, tt.size)
			}
			if ps > tt.partSize && (ps-sizeAlign)*MaxParts >= tt.size {
				t.Errorf("grown part size %d is not the smallest that fits", ps)
			}
		})
	}
}

func TestLayoutErrors(t *testing.T) {
	if _, _, err := layout(MaxObjectSize+1, 8*mib); !errors.Is(err, ErrTooManyParts) {
		t.Errorf("layout(MaxObjectSize+1) error = %v, want ErrTooManyParts", err)
	}
	if _, _, err := layout(-1, 8*mib); err == nil {
		t.Error("layout(-1) succeeded")
	}
}

func TestCheckPartSize(t *testing.T) {
	realMinPartSize(t)
	for _, tt := range []struct {
		size int64
		ok   bool
	}{
		{MinPartSize - 1, false}, {MinPartSize, true}, {8 * mib, true}, {MaxPartSize, true},
		{MaxPartSize + 1, false}, {0, false}, {-1, false}, {6 * tib, false},
	} {
		err := checkPartSize(tt.size)
		var pse *PartSizeError
		if tt.ok != (err == nil) || (!tt.ok && (!errors.As(err, &pse) || pse.PartSize != tt.size)) {
			t.Errorf("checkPartSize(%d) = %v, ok %v", tt.size, err, tt.ok)
		}
	}
}

func TestStreamPartSize(t *testing.T) {
	base, limit := 8*mib, 5*gib
	tests := []struct {
		part int
		want int64
	}{
		{1, 8 * mib}, {1000, 8 * mib}, {1001, 16 * mib}, {2000, 16 * mib}, {2001, 32 * mib},
		{5001, 256 * mib}, {9001, 4 * gib}, {10000, 4 * gib},
	}
	for _, tt := range tests {
		if got := streamPartSize(base, limit, tt.part); got != tt.want {
			t.Errorf("streamPartSize(part %d) = %d MiB, want %d MiB", tt.part, got/mib, tt.want/mib)
		}
	}
	// The memory budget caps growth.
	if got := streamPartSize(8*mib, 256*mib, 9001); got != 256*mib {
		t.Errorf("capped part = %d MiB, want 256", got/mib)
	}
	// A 5 GiB cap is reached exactly from 5 MiB parts only by the cap.
	if got := streamPartSize(5*mib, MaxPartSize, 10000); got != 2560*mib {
		t.Errorf("5 MiB base at part 10000 = %d MiB, want 2560", got/mib)
	}
}

func TestMaxStreamSize(t *testing.T) {
	tests := []struct {
		name         string
		base, budget int64
		want         int64
	}{
		// 1000 parts each of 8, 16, ... 256 MiB, then 4000 of 256 MiB.
		{"defaults", DefaultPartSize, DefaultMemoryBudget, 1000*(8+16+32+64+128+256)*mib + 4000*256*mib},
		// No cap below 4 GiB: 8 MiB × 1000 × (1+2+...+512), about 7.8 TiB.
		{"5 GiB budget", DefaultPartSize, 5 * gib, 8 * mib * 1000 * 1023},
		// A budget at the part size: no growth, 10000 parts.
		{"no growth", 5 * mib, 5 * mib, 10000 * 5 * mib},
	}
	for _, tt := range tests {
		got := maxStreamSize(tt.base, streamLimit(tt.base, tt.budget))
		if got != tt.want {
			t.Errorf("%s: maxStreamSize = %d, want %d", tt.name, got, tt.want)
		}
	}
	if got := (&Uploader{}).MaxStreamSize(); got != tests[0].want || got < tib {
		t.Errorf("Uploader{}.MaxStreamSize() = %d", got)
	}
	if got := (&Uploader{MemoryBudget: 5 * gib}).MaxStreamSize(); got < 7*tib {
		t.Errorf("MaxStreamSize with a 5 GiB budget = %d, want several TiB", got)
	}
	if got := (&Uploader{PartSize: 1}).MaxStreamSize(); got != 0 {
		t.Errorf("MaxStreamSize with an invalid PartSize = %d", got)
	}
}

func TestPartSizeFor(t *testing.T) {
	realMinPartSize(t)
	for _, tc := range []struct {
		size, partSize, want int64
		ok                   bool
	}{
		{0, 0, DefaultPartSize, true},
		{78 * gib, 0, DefaultPartSize, true},         // 9,984 parts of 8 MiB
		{80 * gib, 0, 9 * mib, true},                 // 10,240 would not fit: 9 MiB, aligned
		{100 * gib, 0, 11 * mib, true},               // 10.24 MiB, up to the MiB
		{MaxParts * 5 * mib, 5 * mib, 5 * mib, true}, // exactly 10,000 parts
		{MaxParts*5*mib + 1, 5 * mib, 6 * mib, true}, // one byte more: the next MiB
		{MaxObjectSize, MinPartSize, MaxPartSize, true},
		{MaxObjectSize + 1, 0, 0, false},
		{1, MinPartSize - 1, 0, false},
	} {
		got, err := PartSizeFor(tc.size, tc.partSize)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("PartSizeFor(%d, %d) = %d, %v; want %d, ok %v", tc.size, tc.partSize, got, err, tc.want, tc.ok)
		}
	}
}
