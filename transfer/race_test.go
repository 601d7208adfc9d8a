//go:build race

package transfer

import (
	"testing"

	"github.com/s3kit/s3kit/internal/limits"
	"github.com/s3kit/s3kit/multipart"
)

// testChunk is the part size of the multipart tests under the race
// detector: 1 MiB instead of S3's 5 MiB. The detector checks every byte
// copied (about 8 ns each), and a round trip copies each byte several
// times (file → part → server → stored object → download → comparison);
// the same layouts with 1 MiB parts cost a fifth. make test runs the
// package again without -race at 5 MiB (norace_test.go). See
// internal/limits.
const testChunk = 1 * mib

// raceEnabled says the tests run under the race detector.
const raceEnabled = true

func TestMain(m *testing.M) {
	limits.MinPartSize = testChunk
	m.Run()
}

// realMinPartSize restores S3's minimum part size for one test that checks
// it (not a parallel test: the others wait until it is done).
func realMinPartSize(t *testing.T) {
	limits.MinPartSize = multipart.MinPartSize
	t.Cleanup(func() { limits.MinPartSize = testChunk })
}
