//go:build !race

package multipart

import "testing"

// testPartSize is the part size of most tests: S3's minimum (see
// race_test.go for the race detector's).
const testPartSize int64 = MinPartSize

// realMinPartSize: the tests already run with S3's minimum part size.
func realMinPartSize(*testing.T) {}
