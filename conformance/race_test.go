//go:build race

package conformance

import (
	"testing"

	"github.com/s3kit/s3kit/internal/limits"
	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
)

// gofakes3Styles are the addressing styles of TestGoFakeS3 under the race
// detector: path style only (see TestGoFakeS3).
var gofakes3Styles = []s3client.AddressingStyle{s3client.AddressingPath}

// smallParts makes the cases' parts 1 MiB for the rest of one test (not a
// parallel one: the others wait until it is done). The race detector
// checks every byte copied, about 8 ns each; gofakes3 does not enforce
// S3's 5 MiB minimum, and the same layouts cost a fifth. make test's
// norace step runs TestGoFakeS3 at 5 MiB, and the conformance step runs
// the cases against versitygw at 5 MiB. See internal/limits.
func smallParts(t *testing.T) {
	limits.MinPartSize = 1 << 20
	t.Cleanup(func() { limits.MinPartSize = multipart.MinPartSize })
}
