package s3client

// Where a request goes: the endpoint host, the addressing style and the
// encoded path, and the bucket-name and key rules that decide them. do.go
// calls the resolver built here once per attempt.

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AddressingStyle says where the bucket name goes in a request URL.
type AddressingStyle int

const (
	// AddressingAuto, the default, is what botocore does: virtual-hosted
	// style on the AWS endpoints when the bucket name can be a DNS label
	// (and has no dots over https, where they would break the TLS
	// wildcard certificate), path style otherwise, and path style on a
	// custom Endpoint, which is what S3-compatible stores serve without
	// DNS set-up.
	AddressingAuto AddressingStyle = iota
	// AddressingVirtual puts the bucket in the host name
	// (bucket.s3.us-west-2.amazonaws.com, bucket.localhost:9000), also on a
	// custom Endpoint: the endpoint rules' default. Names that cannot be a
	// host name, and every bucket of an Endpoint that is an IP address,
	// still go path style, as the rules say.
	AddressingVirtual
	// AddressingPath puts the bucket first in the path
	// (s3.us-west-2.amazonaws.com/bucket). ARN buckets refuse it.
	AddressingPath
)

// String returns "auto", "virtual" or "path", the values of the
// addressing_style setting in the AWS config file.
func (s AddressingStyle) String() string {
	switch s {
	case AddressingAuto:
		return "auto"
	case AddressingVirtual:
		return "virtual"
	case AddressingPath:
		return "path"
	}
	return "AddressingStyle(" + strconv.Itoa(int(s)) + ")"
}

// ParseAddressingStyle parses "auto", "virtual" or "path" (any case; ""
// means auto).
func ParseAddressingStyle(s string) (AddressingStyle, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return AddressingAuto, nil
	case "virtual":
		return AddressingVirtual, nil
	case "path":
		return AddressingPath, nil
	}
	return 0, fmt.Errorf("%w: addressing style %q (want auto, virtual or path)", ErrInvalidConfig, s)
}

var (
	// ErrInvalidBucketName is wrapped, with the name and the rule it
	// breaks, when a bucket name is rejected before any request is sent.
	ErrInvalidBucketName = fmt.Errorf("%w: invalid bucket name", ErrInvalidInput)
	// ErrInvalidKey is wrapped when an object key is empty, longer than
	// 1024 bytes or not UTF-8.
	ErrInvalidKey = fmt.Errorf("%w: invalid object key", ErrInvalidInput)
)

// ValidateBucketName checks a bucket name against the rules for new general purpose
// buckets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
// 3-63 lowercase letters, digits, dots and hyphens, beginning and ending
// with a letter or digit, no "..", not an IP address, none of the prefixes
// and suffixes AWS reserves. CreateBucket uses it for general purpose
// buckets; other operations only check what the endpoint rules need (see
// checkBucketParam), since older buckets, access point ARNs, directory
// buckets and S3-compatible stores have names these rules refuse.
func ValidateBucketName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidBucketName, name, why) }
	if len(name) < 3 || len(name) > 63 {
		return bad("must be 3 to 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			if c >= 'A' && c <= 'Z' {
				return bad("uppercase letters are not allowed")
			}
			return bad("only lowercase letters, digits, dots and hyphens are allowed")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return bad("must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return bad("must not contain two adjacent dots")
	}
	if net.ParseIP(name) != nil {
		return bad("must not be an IP address")
	}
	for _, p := range [...]string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad("the prefix " + p + " is reserved")
		}
	}
	for _, s := range [...]string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return bad("the suffix " + s + " is reserved")
		}
	}
	return nil
}

// maxBucketParam bounds what an operation accepts as a bucket: names are
// at most 255 bytes (us-east-1's legacy names), ARNs a little more.
const maxBucketParam = 1024

// checkBucketParam checks what every operation needs of a bucket before
// the endpoint rules see it: not empty, at most maxBucketParam bytes, UTF-8
// without control characters. The rules accept anything else: a name that
// cannot be a host name (BucketName, 99_ab, even bucket!) is sent in path
// style, percent-encoded, and S3 answers for it; ARNs, Outposts aliases and
// directory buckets have rules of their own.
func checkBucketParam(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrInvalidBucketName)
	case len(name) > maxBucketParam:
		return fmt.Errorf("%w: %d bytes long (at most %d)", ErrInvalidBucketName, len(name), maxBucketParam)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w %q: not valid UTF-8", ErrInvalidBucketName, name)
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] == 0x7f {
			return fmt.Errorf("%w %q: control character", ErrInvalidBucketName, name)
		}
	}
	return nil
}

// ValidateBucket reports why an operation would refuse name as its bucket
// before sending anything, or nil: what every operation checks (see
// checkBucketParam), not the naming rules of new buckets
// (ValidateBucketName), since older buckets, access point ARNs and
// directory buckets have names those rules refuse. The error wraps
// ErrInvalidBucketName.
func ValidateBucket(name string) error { return checkBucketParam(name) }

// checkNewBucket checks the name of a bucket to create: a general purpose
// bucket's must follow ValidateBucketName; a directory bucket's and an ARN
// are left to the endpoint rules, which refuse access points for
// CreateBucket.
func checkNewBucket(op, name string) error {
	if IsDirectoryBucket(name) || strings.HasPrefix(name, "arn:") {
		return checkBucket(op, name)
	}
	if err := ValidateBucketName(name); err != nil {
		return inputError(op, name, "", err)
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// ValidateKey checks an object key: not empty, at most 1024 bytes, UTF-8.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > 1024:
		return fmt.Errorf("%w: %d bytes long (at most 1024)", ErrInvalidKey, len(key))
	case !utf8.ValidString(key):
		return fmt.Errorf("%w %q: not valid UTF-8", ErrInvalidKey, key)
	}
	return nil
}

// encodePath percent-encodes s as S3 wants a path on the wire and in the
// canonical request: every byte but A-Z a-z 0-9 - . _ ~ and '/' becomes %XX
// with uppercase hex. Nothing is normalized: "//", "./" and "../" stay.
func encodePath(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreservedOrSlash(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreservedOrSlash(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreservedOrSlash(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}
