//go:build !race

package multipart

import (
	"testing"

	"github.com/s3kit/s3kit/internal/limits"
)

// testPartSize is the part size of most tests: S3's minimum (see
// race_test.go for the race detector's).
const testPartSize int64 = MinPartSize

// realMinPartSize: the tests already run with S3's minimum part size.
func realMinPartSize(*testing.T) {}

// The engine's checks use internal/limits; left alone, it is S3's minimum.
func TestLimitsMinPartSize(t *testing.T) {
	if limits.MinPartSize != MinPartSize {
		t.Errorf("limits.MinPartSize = %d, want MinPartSize %d", limits.MinPartSize, MinPartSize)
	}
}
