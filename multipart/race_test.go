//go:build race

package multipart

import (
	"testing"

	"github.com/s3kit/s3kit/internal/limits"
)

// testPartSize is the part size of most tests under the race detector: 1
// MiB instead of S3's 5 MiB. The detector checks every byte copied (about
// 8 ns each), and the package's tests copy each byte of their uploads
// several times; with 1 MiB parts the same layouts (a part boundary ± 1,
// parts in flight beyond the workers, resumed and retried parts) cost a
// fifth. make test runs the package again without -race, at 5 MiB
// (norace_test.go). See internal/limits.
const testPartSize int64 = 1 << 20

func TestMain(m *testing.M) {
	limits.MinPartSize = testPartSize
	m.Run()
}

// realMinPartSize restores S3's minimum part size for one test that checks
// it.
func realMinPartSize(t *testing.T) {
	limits.MinPartSize = MinPartSize
	t.Cleanup(func() { limits.MinPartSize = testPartSize })
}
