// Package limits holds S3's smallest part size as the one limit the
// module's own tests may lower.
//
// multipart and transfer check every configured part size against
// MinPartSize. It is a variable, not a constant, for one reason: under the
// race detector, which checks every byte a test copies (about 8 ns each),
// the tests of multipart, transfer and internal/testkit/reliability move 1
// MiB parts instead of 5 MiB; each sets it in TestMain, before any transfer
// starts, and make test runs the same tests again without -race at S3's 5
// MiB. Nothing outside this module can import an internal package, so no
// user can lower it.
package limits

// MinPartSize is the smallest part S3 accepts, except for the last: 5 MiB
// (multipart.MinPartSize). Only TestMain functions of this module's tests
// change it.
var MinPartSize int64 = 5 << 20
