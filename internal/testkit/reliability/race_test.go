//go:build race

package reliability

import (
	"testing"

	"github.com/s3kit/s3kit/internal/limits"
)

// Under the race detector every byte a test moves costs tens of times more
// (it checks each byte copied, about 8 ns), and the fault runs took three
// minutes of a 2-core machine. Their sizes are counted in units: a quarter
// of a MiB here, so that the same layouts (a part boundary ± 1, more parts
// than workers, streams of several parts) move a quarter of the bytes.
// make test also runs these tests without -race, in MiB (norace_test.go).
// See internal/limits.
const unit = 256 << 10

// partSize is the part size of the tests: five units, the smallest part
// the engine allows while the tests run (TestMain).
const partSize = 5 * unit

// largeObject is the size of the largest transfer of the fault runs: still
// five parts and more ranges than workers.
const largeObject = 21*unit + 11

func TestMain(m *testing.M) {
	limits.MinPartSize = partSize
	m.Run()
}
