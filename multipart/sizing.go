package multipart

// Part-size arithmetic: fitting a known size into MaxParts parts, and the
// growing schedule of a stream of unknown length. Sizes are int64 and part
// counts never exceed MaxParts, so the results are the same on 32-bit
// platforms.

import (
	"fmt"

	"github.com/s3kit/s3kit/internal/limits"
)

// growEvery is how many parts of a stream share one size before the size
// doubles. With 8 MiB parts a stream reaches 78 GiB at part 10,000 without
// growth (where boto3, aws-sdk-go-v2 and minio-go stop); doubling every
// 1,000 parts lets 10,000 parts hold about 8 TiB, memory permitting (see
// streamLimit).
const growEvery = 1000

// sizeAlign rounds grown part sizes, so that parts of a large file stay
// aligned to the page cache and to the ranges a downloader asks for.
const sizeAlign = 1 << 20

// checkPartSize refuses a configured part size S3 would refuse. The
// minimum is limits.MinPartSize, S3's 5 MiB except in this module's tests
// under the race detector (see internal/limits).
func checkPartSize(ps int64) error {
	if ps < limits.MinPartSize || ps > MaxPartSize {
		return &PartSizeError{PartSize: ps}
	}
	return nil
}

// layout returns the part size and the number of parts for an object of
// size bytes: partSize, or, when that would need more than MaxParts parts,
// the smallest multiple of 1 MiB that needs no more. An empty object has
// one (empty) part.
func layout(size, partSize int64) (int64, int, error) {
	if size < 0 {
		return 0, 0, fmt.Errorf("multipart: negative size %d", size)
	}
	if size > MaxObjectSize {
		return 0, 0, fmt.Errorf("%w: %d bytes is more than %d parts of 5 GiB", ErrTooManyParts, size, MaxParts)
	}
	ps := partSize
	if need := ceilDiv(size, MaxParts); need > ps {
		ps = min(ceilDiv(need, sizeAlign)*sizeAlign, MaxPartSize)
	}
	n := ceilDiv(size, ps)
	if n == 0 {
		n = 1
	}
	return ps, int(n), nil
}

// PartSizeFor returns the part size the engine uploads an object of size
// bytes with, given partSize (0 means DefaultPartSize): partSize, or, when
// that would need more than MaxParts parts, the smallest multiple of 1 MiB
// that needs no more. A stream whose length is announced but not given
// as UploadInput.Size can be sent with it. An invalid size or part size is
// an error.
func PartSizeFor(size, partSize int64) (int64, error) {
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if err := checkPartSize(partSize); err != nil {
		return 0, err
	}
	ps, _, err := layout(size, partSize)
	return ps, err
}

// ceilDiv is ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// streamPartSize returns the size of part n (from 1) of a stream of unknown
// length: base, doubled every growEvery parts, never above limit.
func streamPartSize(base, limit int64, n int) int64 {
	ps := base
	for i := growEvery; i < n && ps < limit; i += growEvery {
		ps *= 2
	}
	return min(ps, limit)
}

// streamLimit is the largest part a stream grows to: MaxPartSize, or the
// memory budget when that is smaller, since a stream's part must be held in
// memory to be retried. One part is always allowed, so a part size above
// the budget is the limit itself.
func streamLimit(base, budget int64) int64 {
	return min(MaxPartSize, max(base, budget))
}

// maxStreamSize is the length of the longest stream MaxParts parts hold
// under streamPartSize.
func maxStreamSize(base, limit int64) int64 {
	var total int64
	for n := 1; n <= MaxParts; n += growEvery {
		total += streamPartSize(base, limit, n) * growEvery
	}
	return total
}
