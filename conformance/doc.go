// Package conformance runs s3kit's end-to-end suite (internal/testkit/conformance)
// against real servers: the in-process gofakes3 server on every `go test`,
// with `make conformance` (build tag "conformance") versitygw, which
// verifies signatures the way AWS does, and the s3kit command's sync
// against it; with `make conformance-seaweedfs` (build tag "seaweedfs")
// SeaweedFS. The package has no non-test code.
package conformance
