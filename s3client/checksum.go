package s3client

// Checksums of object data: which algorithms exist, how their hashes are
// made, and the header each travels in. do.go decides when one is sent.

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"
)

// ChecksumAlgorithm names an S3 additional checksum.
type ChecksumAlgorithm string

// The checksum algorithms S3 supports.
const (
	ChecksumNone      ChecksumAlgorithm = ""
	ChecksumCRC32     ChecksumAlgorithm = "CRC32"
	ChecksumCRC32C    ChecksumAlgorithm = "CRC32C"
	ChecksumCRC64NVME ChecksumAlgorithm = "CRC64NVME"
	ChecksumSHA1      ChecksumAlgorithm = "SHA1"
	ChecksumSHA256    ChecksumAlgorithm = "SHA256"
)

// ErrUnknownChecksum is wrapped when a checksum algorithm is not one of the
// ChecksumAlgorithm constants.
var ErrUnknownChecksum = fmt.Errorf("%w: unknown checksum algorithm", ErrInvalidInput)

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME: polynomial 0xad93d23594c93659, reflected (hash/crc64
	// takes the reversed form), initial value and final xor all ones, which
	// is what crc64.Update does.
	nvme = crc64.MakeTable(0x9a6c9329ac4bc9b5)
)

// Valid reports whether a is a known algorithm (or none).
func (a ChecksumAlgorithm) Valid() bool {
	switch a {
	case ChecksumNone, ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256:
		return true
	}
	return false
}

// normalize accepts any letter case, as boto3 does ("crc32c").
func (a ChecksumAlgorithm) normalize() (ChecksumAlgorithm, error) {
	if a.Valid() {
		return a, nil // the constants: no case folding needed
	}
	n := ChecksumAlgorithm(strings.ToUpper(string(a)))
	if !n.Valid() {
		return "", fmt.Errorf("%w %q", ErrUnknownChecksum, string(a))
	}
	return n, nil
}

// NewHash returns a new hash for the algorithm, or nil for ChecksumNone or
// an unknown algorithm.
func (a ChecksumAlgorithm) NewHash() hash.Hash {
	switch a {
	case ChecksumCRC32:
		return crc32.NewIEEE()
	case ChecksumCRC32C:
		return crc32.New(castagnoli)
	case ChecksumCRC64NVME:
		return crc64.New(nvme)
	case ChecksumSHA1:
		return sha1.New()
	case ChecksumSHA256:
		return sha256.New()
	}
	return nil
}

// Header returns the lowercase header name the checksum travels in, e.g.
// "x-amz-checksum-crc32c".
func (a ChecksumAlgorithm) Header() string {
	// Constants, not concatenation: this runs for every checksum of every
	// response.
	switch a {
	case ChecksumCRC32:
		return "x-amz-checksum-crc32"
	case ChecksumCRC32C:
		return "x-amz-checksum-crc32c"
	case ChecksumCRC64NVME:
		return "x-amz-checksum-crc64nvme"
	case ChecksumSHA1:
		return "x-amz-checksum-sha1"
	case ChecksumSHA256:
		return "x-amz-checksum-sha256"
	case ChecksumNone:
		return ""
	}
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// encodeSum returns a hash's sum in the base64 form S3 uses.
func encodeSum(h hash.Hash) string {
	var b [64]byte
	return base64.StdEncoding.EncodeToString(h.Sum(b[:0]))
}

// Checksums are the checksum values S3 holds for an object or a part,
// base64-encoded as S3 sends them. Only the ones S3 has are set.
type Checksums struct {
	CRC32     string
	CRC32C    string
	CRC64NVME string
	SHA1      string
	SHA256    string
	// Type is FULL_OBJECT or COMPOSITE (a multipart object's checksum of
	// part checksums, with a "-N" suffix).
	Type string
}

// Get returns the value held for an algorithm ("" for none).
func (c *Checksums) Get(a ChecksumAlgorithm) string {
	switch a {
	case ChecksumCRC32:
		return c.CRC32
	case ChecksumCRC32C:
		return c.CRC32C
	case ChecksumCRC64NVME:
		return c.CRC64NVME
	case ChecksumSHA1:
		return c.SHA1
	case ChecksumSHA256:
		return c.SHA256
	}
	return ""
}

// Set sets the value for an algorithm; an unknown algorithm is ignored.
func (c *Checksums) Set(a ChecksumAlgorithm, v string) {
	switch a {
	case ChecksumCRC32:
		c.CRC32 = v
	case ChecksumCRC32C:
		c.CRC32C = v
	case ChecksumCRC64NVME:
		c.CRC64NVME = v
	case ChecksumSHA1:
		c.SHA1 = v
	case ChecksumSHA256:
		c.SHA256 = v
	}
}

// allChecksums lists the algorithms in the order S3 documents them.
var allChecksums = [...]ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256}

// ChecksumAlgorithms returns the algorithms S3 supports, in the order S3
// documents them: the one list of them s3kit keeps.
func ChecksumAlgorithms() []ChecksumAlgorithm {
	all := allChecksums
	return all[:]
}

// One returns the one value c holds and its algorithm, or none; more than
// one value is an error wrapping ErrInvalidInput (a caller's checksum of
// an object names one algorithm).
func (c *Checksums) One() (ChecksumAlgorithm, string, error) {
	var alg ChecksumAlgorithm
	var val string
	for _, a := range allChecksums {
		v := c.Get(a)
		if v == "" {
			continue
		}
		if val != "" {
			return ChecksumNone, "", fmt.Errorf("%w: more than one checksum value (%s and %s)", ErrInvalidInput, alg, a)
		}
		alg, val = a, v
	}
	return alg, val, nil
}

// checksumsFromHeader reads the x-amz-checksum-* headers of a response.
func checksumsFromHeader(h http.Header) Checksums {
	var c Checksums
	for k, v := range h {
		if len(v) > 0 {
			c.fromHeader(k, v[0])
		}
	}
	return c
}

// fromHeader sets the field that the response header of canonical name k
// carries, if it is an x-amz-checksum-* header, and says whether it was.
func (c *Checksums) fromHeader(k, v string) bool {
	switch k {
	case "X-Amz-Checksum-Crc32":
		c.CRC32 = v
	case "X-Amz-Checksum-Crc32c":
		c.CRC32C = v
	case "X-Amz-Checksum-Crc64nvme":
		c.CRC64NVME = v
	case "X-Amz-Checksum-Sha1":
		c.SHA1 = v
	case "X-Amz-Checksum-Sha256":
		c.SHA256 = v
	case "X-Amz-Checksum-Type":
		c.Type = v
	default:
		return false
	}
	return true
}

// algorithmFromServer reads an algorithm name a server sent. Stores that
// have none send "" or, like versitygw, "null"; anything that is not a
// known algorithm means none, so it is never sent back as one.
func algorithmFromServer(s string) ChecksumAlgorithm {
	a, err := ChecksumAlgorithm(s).normalize()
	if err != nil {
		return ChecksumNone
	}
	return a
}

// FullObject returns the checksum of an object's whole content, if S3
// holds one: the value of a composite checksum of a multipart upload
// ("…-N") covers the parts' checksums, not the bytes, and is not one. When
// several are held, the CRCs come first (cheapest to compute, and
// combinable across ranges), CRC64NVME first among them.
func (c *Checksums) FullObject() (ChecksumAlgorithm, string, bool) {
	if c.Type == "COMPOSITE" {
		return ChecksumNone, "", false
	}
	for _, a := range [...]ChecksumAlgorithm{ChecksumCRC64NVME, ChecksumCRC32C, ChecksumCRC32, ChecksumSHA256, ChecksumSHA1} {
		if v := c.Get(a); v != "" && !strings.Contains(v, "-") {
			return a, v, true
		}
	}
	return ChecksumNone, "", false
}
