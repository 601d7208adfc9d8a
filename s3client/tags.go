package s3client

// Tag validation: the rules S3 applies to the tags of buckets and objects,
// checked before a request is sent by PutBucketTagging, the x-amz-tagging
// header of ObjectProperties.Tagging (PutObject, CreateMultipartUpload,
// CopyObject and their presigned forms), and the tag filters of lifecycle
// and replication rules.

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxBucketTags is how many tags a bucket may have; MaxObjectTags, an
// object.
const (
	MaxBucketTags = 50
	MaxObjectTags = 10
)

// The lengths of a tag's key and value, in UTF-16 code units: S3 keeps
// object tags in UTF-16, where a character outside the Basic Multilingual
// Plane takes two.
const (
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// checkTags validates a tag set S3 would refuse: more than max tags, a
// repeated key, or a tag checkTag refuses.
func checkTags(tags []Tag, max int) error {
	if len(tags) > max {
		return fmt.Errorf("s3client: %d tags, at most %d", len(tags), max)
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if err := checkTag(t); err != nil {
			return err
		}
		if seen[t.Key] {
			return fmt.Errorf("s3client: tag key %q given twice", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// checkUserTags is checkTags for the tags a user writes to a bucket or
// object, whose keys may not begin with "aws:" (in any case): S3 keeps
// that prefix for the tags AWS sets.
func checkUserTags(tags []Tag, max int) error {
	for _, t := range tags {
		if len(t.Key) >= 4 && strings.EqualFold(t.Key[:4], "aws:") {
			return fmt.Errorf("s3client: tag key %q: the aws: prefix is reserved for AWS", t.Key)
		}
	}
	return checkTags(tags, max)
}

// checkTag validates one tag: a key of 1 to 128 characters and a value of
// 0 to 256, both in UTF-8 and made of letters, digits, spaces (Unicode's
// letter, number and separator categories) and + - = . _ : / @.
func checkTag(t Tag) error {
	switch {
	case t.Key == "":
		return errors.New("s3client: a tag with an empty key")
	case !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value):
		return fmt.Errorf("s3client: tag %q is not valid UTF-8", t.Key)
	case utf16Len(t.Key) > maxTagKeyLen:
		return fmt.Errorf("s3client: tag key %q: over %d characters", t.Key, maxTagKeyLen)
	case utf16Len(t.Value) > maxTagValueLen:
		return fmt.Errorf("s3client: tag %q: value over %d characters", t.Key, maxTagValueLen)
	}
	if r, ok := badTagRune(t.Key); ok {
		return fmt.Errorf("s3client: tag key %q: character %q is not allowed (letters, digits, spaces and + - = . _ : / @ are)", t.Key, r)
	}
	if r, ok := badTagRune(t.Value); ok {
		return fmt.Errorf("s3client: tag %q: value character %q is not allowed (letters, digits, spaces and + - = . _ : / @ are)", t.Key, r)
	}
	return nil
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// badTagRune returns the first character of s a tag may not hold.
func badTagRune(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Z, r) || strings.ContainsRune("+-=._:/@", r) {
			continue
		}
		return r, true
	}
	return 0, false
}

// checkTagging validates ObjectProperties.Tagging, the URL-encoded query
// form x-amz-tagging carries ("k1=v1&k2=v2"): each pair must decode, and
// the tags must pass checkUserTags for an object. As S3 reads the header,
// an empty pair ("a=1&", "&") names no tag, and a pair without "=" is a
// key with an empty value.
func checkTagging(s string) error {
	var tags []Tag
	for p := range strings.SplitSeq(s, "&") {
		if p == "" {
			continue
		}
		if len(tags) == MaxObjectTags {
			return fmt.Errorf("s3client: Tagging: more than %d tags", MaxObjectTags)
		}
		k, v, _ := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return fmt.Errorf("s3client: Tagging: key %q is not URL-encoded", k)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return fmt.Errorf("s3client: Tagging: the value of %q is not URL-encoded", key)
		}
		tags = append(tags, Tag{Key: key, Value: value})
	}
	return checkUserTags(tags, MaxObjectTags)
}
