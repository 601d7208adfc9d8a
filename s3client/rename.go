package s3client

// RenameObject: an object's atomic rename within a directory bucket (S3
// Express One Zone), with conditions on the source and the destination and
// a client token that makes a retry harmless.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxClientToken is the longest client token S3 takes.
const maxClientToken = 64

// RenameSourceConditions are the preconditions on the object a rename
// moves (x-amz-rename-source-if-*).
type RenameSourceConditions struct {
	SourceIfMatch           string
	SourceIfNoneMatch       string
	SourceIfModifiedSince   time.Time
	SourceIfUnmodifiedSince time.Time
}

func (c *RenameSourceConditions) apply(h http.Header) {
	setIf(h, "X-Amz-Rename-Source-If-Match", c.SourceIfMatch)
	setIf(h, "X-Amz-Rename-Source-If-None-Match", c.SourceIfNoneMatch)
	if !c.SourceIfModifiedSince.IsZero() {
		h.Set("X-Amz-Rename-Source-If-Modified-Since", c.SourceIfModifiedSince.UTC().Format(http.TimeFormat))
	}
	if !c.SourceIfUnmodifiedSince.IsZero() {
		h.Set("X-Amz-Rename-Source-If-Unmodified-Since", c.SourceIfUnmodifiedSince.UTC().Format(http.TimeFormat))
	}
}

// RenameObjectInput is the input of RenameObject.
type RenameObjectInput struct {
	// Bucket and Key are the object's new name; SourceKey is its current
	// key, in the same bucket.
	Bucket, Key string
	SourceKey   string
	// Conditions apply to the destination: IfNoneMatch "*" renames only if
	// Key does not exist, IfMatch only over the object with that ETag.
	Conditions
	RenameSourceConditions
	// ClientToken names the rename, so that S3 treats a retry as the same
	// rename (1 to 64 characters from '!' to '~'); empty means a random
	// one, the same for every attempt of the call.
	ClientToken string
	Common
}

// RenameObjectOutput is the result of RenameObject; S3 answers a rename
// with no content.
type RenameObjectOutput struct{}

// RenameObject renames an object within its bucket, atomically and
// without moving its data: metadata, checksums and dates are kept. S3
// serves it on directory buckets (S3 Express One Zone) only; it refuses
// keys that end with "/". The input is checked before anything is sent.
func (c *Client) RenameObject(ctx context.Context, in *RenameObjectInput) (*RenameObjectOutput, error) {
	const op = "RenameObject"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	if err := ValidateKey(in.SourceKey); err != nil {
		return nil, inputError(op, in.Bucket, in.Key, fmt.Errorf("rename source: %w", err))
	}
	token := in.ClientToken
	if token == "" {
		var b [16]byte
		rand.Read(b[:])
		token = hex.EncodeToString(b[:])
	} else if err := checkClientToken(token); err != nil {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	h := make(http.Header, 8)
	src := CopySource{Bucket: in.Bucket, Key: in.SourceKey}
	h.Set("X-Amz-Rename-Source", src.header())
	in.Conditions.apply(h)
	in.RenameSourceConditions.apply(h)
	h.Set("X-Amz-Client-Token", token)
	in.Common.apply(h)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodPut, bucket: in.Bucket, key: in.Key, header: h,
		query: url.Values{"renameObject": {""}}})
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &RenameObjectOutput{}, nil
}

// checkClientToken checks a client token as S3 does: 1 to 64 ASCII
// characters from 33 to 126.
func checkClientToken(t string) error {
	if len(t) > maxClientToken {
		return fmt.Errorf("s3client: ClientToken is %d characters long (at most %d)", len(t), maxClientToken)
	}
	if i := strings.IndexFunc(t, func(r rune) bool { return r < '!' || r > '~' }); i >= 0 {
		return errors.New("s3client: ClientToken holds a character outside '!'..'~'")
	}
	return nil
}
