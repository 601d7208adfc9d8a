//go:build !race

package conformance

import (
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// gofakes3Styles are the addressing styles of TestGoFakeS3: both.
var gofakes3Styles = []s3client.AddressingStyle{s3client.AddressingPath, s3client.AddressingVirtual}

// smallParts: without the race detector the cases keep S3's 5 MiB parts.
func smallParts(*testing.T) {}
