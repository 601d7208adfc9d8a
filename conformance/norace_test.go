//go:build !race

package conformance

import "github.com/s3kit/s3kit/s3client"

// gofakes3Styles are the addressing styles of TestGoFakeS3: both.
var gofakes3Styles = []s3client.AddressingStyle{s3client.AddressingPath, s3client.AddressingVirtual}
