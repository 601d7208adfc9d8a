//go:build !race

package reliability

import "github.com/s3kit/s3kit/multipart"

// unit is what the tests' sizes are counted in: a MiB (see race_test.go
// for the race detector's).
const unit = 1 << 20

// partSize is the part size of the tests: S3's smallest.
const partSize = multipart.MinPartSize

// largeObject is the size of the largest transfer of the fault runs.
const largeObject = 64 << 20
