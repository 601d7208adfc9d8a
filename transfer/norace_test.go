//go:build !race

package transfer

import "testing"

// testChunk is the smallest part S3 allows; tests use it to exercise
// multipart transfers cheaply (see race_test.go for the race detector's).
const testChunk = 5 * mib

// raceEnabled says the tests run under the race detector.
const raceEnabled = false

// realMinPartSize: the tests already run with S3's minimum part size.
func realMinPartSize(*testing.T) {}
