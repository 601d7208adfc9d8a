// Package examples holds the runnable code of the guide in docs/ that is
// not the transfer manager's: addressing styles, presigned URLs and POSTs,
// configuration, credentials, errors, retries and checksums. Each is an
// Example test run against the in-process S3 server (internal/testkit/s3test);
// docs_test.go checks that every Go block of the guide is a verbatim
// excerpt of an Example here or in another package (the transfer
// manager's are in transfer/example_test.go), so that the guide's code
// compiles and runs.
//
// The package has no API; it exists for its tests.
package examples
