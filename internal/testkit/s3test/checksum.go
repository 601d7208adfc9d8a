// This file knows S3's flexible checksums: the x-amz-checksum-* header names,
// their hashes and the base64 form of their values. body.go uses it to verify
// what clients send.

package s3test

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"
)

// crc64NVME is the CRC-64/NVME table. hash/crc64 takes the reversed
// polynomial and, like CRC-64/NVME, inverts the register before and after.
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// checksumAlgorithms maps each x-amz-checksum-<alg> header (canonical form)
// to the hash of its algorithm.
var checksumAlgorithms = map[string]func() hash.Hash{
	"X-Amz-Checksum-Crc32":     func() hash.Hash { return crc32.NewIEEE() },
	"X-Amz-Checksum-Crc32c":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"X-Amz-Checksum-Crc64nvme": func() hash.Hash { return crc64.New(crc64NVME) },
	"X-Amz-Checksum-Sha1":      sha1.New,
	"X-Amz-Checksum-Sha256":    sha256.New,
}

// isChecksumHeader reports whether name is an x-amz-checksum-<alg> header
// that carries a value. x-amz-checksum-algorithm, -type and -mode are
// settings, not values.
func isChecksumHeader(name string) bool {
	_, ok := checksumAlgorithms[http.CanonicalHeaderKey(name)]
	return ok
}

// isChecksumFamily reports whether name starts with x-amz-checksum-, which is
// how an unknown algorithm shows up.
func isChecksumFamily(name string) bool {
	return strings.HasPrefix(http.CanonicalHeaderKey(name), "X-Amz-Checksum-")
}

// ChecksumValue returns the value S3 expects in the x-amz-checksum-<alg>
// header for data: the base64 of the big-endian digest. name is the header
// name, any case. ok is false for an unknown algorithm.
func ChecksumValue(name string, data []byte) (value string, ok bool) {
	newHash, ok := checksumAlgorithms[http.CanonicalHeaderKey(name)]
	if !ok {
		return "", false
	}
	h := newHash()
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), true
}

// expectedChecksum is one declared checksum being computed over a body.
type expectedChecksum struct {
	header string // canonical header name
	want   []byte // decoded declared value; nil until a trailer supplies it
	hash   hash.Hash
}

// newExpectedChecksum starts checking a declared value. value may be "" when
// it will arrive in a trailer.
func newExpectedChecksum(header, value string) (*expectedChecksum, error) {
	header = http.CanonicalHeaderKey(header)
	newHash, ok := checksumAlgorithms[header]
	if !ok {
		return nil, requestError(http.StatusBadRequest, "InvalidRequest",
			"unknown checksum header "+strings.ToLower(header))
	}
	c := &expectedChecksum{header: header, hash: newHash()}
	if value != "" {
		if e := c.setWant(value); e != nil {
			return nil, e
		}
	}
	return c, nil
}

func (c *expectedChecksum) setWant(value string) *s3Error {
	b, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(b) != c.hash.Size() {
		return requestError(http.StatusBadRequest, "InvalidRequest",
			"Value for "+strings.ToLower(c.header)+" header is invalid.")
	}
	c.want = b
	return nil
}

func (c *expectedChecksum) check() *s3Error {
	got := c.hash.Sum(nil)
	if string(got) != string(c.want) {
		return requestError(http.StatusBadRequest, "BadDigest",
			"The "+strings.ToLower(c.header)+" you specified did not match the calculated checksum ("+
				base64.StdEncoding.EncodeToString(got)+").")
	}
	return nil
}
