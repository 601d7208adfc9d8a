// Package reliability holds s3kit's reliability and security suite; it has
// no code of its own, only tests, which use the library from outside
// through its public APIs, as a user would.
//
// The tests run the client, the multipart engine and the transfer manager
// through internal/testkit/faultproxy in front of the in-process server
// (internal/testkit/s3test) and check that every operation that reports success
// moved identical bytes and every failure is an error that leaves nothing
// behind: no multipart upload, no partial object or file, no temporary
// file, no goroutine. Beside them are the cross-package tables of bad input,
// the hard keys that must round-trip byte-exact, the scans for secrets in
// errors, logs, panics and formatted values, redirects and TLS defaults,
// and fuzz targets for the response decoders.
//
// Environment:
//
//	S3KIT_SOAK_SECONDS     length of TestSoak (default 2; make soak sets more)
//	S3KIT_RELIABILITY_SEED seed of the fault schedules (default 1), to
//	                       replay a run that failed
package reliability
