// This file holds the package's errors: the sentinels, ConditionError (a
// policy that cannot be signed), CheckError (a form that a policy refuses)
// and FormError (a body that ReadForm refuses).

package presignpost

import (
	"errors"
	"strings"
)

// Errors for a Policy that cannot be signed. A ConditionError wraps the
// condition-level ones; match them with errors.Is. An expiry out of range
// wraps sigv4.ErrExpiry, and missing credentials or region wrap the sigv4
// sentinels.
var (
	// ErrMissingBucket: Policy.Bucket is empty.
	ErrMissingBucket = errors.New("presignpost: missing bucket")
	// ErrMissingKey: Policy.Key is empty; S3 needs a key field in every form.
	ErrMissingKey = errors.New("presignpost: missing key")
	// ErrKeyTooLong: Policy.Key is longer than MaxKeyLength bytes (not
	// counting ${filename}, which S3 expands), so S3 would refuse every
	// upload (KeyTooLongError).
	ErrKeyTooLong = errors.New("presignpost: key longer than 1024 bytes")
	// ErrInvalidURL: the bucket URL is not an absolute http or https URL.
	ErrInvalidURL = errors.New("presignpost: bucket URL must be an absolute http or https URL")
	// ErrUnknownOperator: a condition's Op is not eq, starts-with or
	// content-length-range.
	ErrUnknownOperator = errors.New("presignpost: unknown condition operator")
	// ErrInvalidRange: a content-length-range with a negative minimum or a
	// maximum below the minimum.
	ErrInvalidRange = errors.New("presignpost: invalid content-length-range")
	// ErrInvalidField: a field name that is empty or holds control
	// characters, or a filename with control characters.
	ErrInvalidField = errors.New("presignpost: invalid field name")
	// ErrReservedField: a field or condition on a name the package sets
	// itself (key, bucket, policy, file, the x-amz-* signing fields) or that
	// S3 ignores (x-ignore-*, for conditions).
	ErrReservedField = errors.New("presignpost: reserved field name")
	// ErrInvalidValue: a bucket, key, field or condition value that is not
	// valid UTF-8; S3 requires UTF-8 forms and policies, and encoding/json
	// would silently replace the bad bytes.
	ErrInvalidValue = errors.New("presignpost: value is not valid UTF-8")
	// ErrDuplicateField: two fields whose names differ only in the case
	// of ASCII letters; S3 compares field names so, and would see one
	// field twice. Policy.Sign and ReadForm refuse them.
	ErrDuplicateField = errors.New("presignpost: duplicate field name")
	// ErrConflict: a condition that the policy's own fields cannot satisfy,
	// so that no upload could ever pass it.
	ErrConflict = errors.New("presignpost: condition conflicts with a field")
	// ErrUnsupportedBucket: Policy.Bucket is of a kind S3 takes no POST
	// upload for (a Multi-Region Access Point, an S3 on Outposts or Object
	// Lambda access point, a directory bucket: see the package
	// documentation), or an access point ARN given without the URL to post
	// to, which only the endpoint rules can make (s3client's PresignPost
	// resolves it).
	ErrUnsupportedBucket = errors.New("presignpost: no POST upload to this bucket")
)

// Errors of Check, Verify and ReadForm.
var (
	// ErrMalformedForm: ReadForm was given a body that is not
	// multipart/form-data, is cut short, or has a part that is not a named
	// form-data field; S3 answers MalformedPOSTRequest.
	ErrMalformedForm = errors.New("presignpost: malformed multipart/form-data body")
	// ErrMissingFile: the form ends without a file field; S3 refuses it
	// (InvalidArgument: POST requires exactly one file upload per
	// request).
	ErrMissingFile = errors.New("presignpost: no file field")
	// ErrFormTooLarge: the fields before the file are larger than
	// MaxFieldsSize (S3's MaxPostPreDataLengthExceeded), or the file is
	// larger than MaxFileSize (EntityTooLarge).
	ErrFormTooLarge = errors.New("presignpost: form too large")
	// ErrMalformedPolicy: the policy does not decode (base64, JSON) or does
	// not have the shape of a POST policy; S3 answers InvalidPolicyDocument.
	ErrMalformedPolicy = errors.New("presignpost: malformed policy")
	// ErrSignature: Verify found the form's signature fields missing,
	// malformed, for other credentials or region, or not matching.
	ErrSignature = errors.New("presignpost: signature does not match")
)

// ConditionError reports a condition (or a field, which is a condition too)
// that Policy.Sign refuses. Err is one of the sentinels above, possibly
// wrapped with detail.
type ConditionError struct {
	// Condition is the offending condition. For a field it is the
	// exact-match condition the field would have become.
	Condition Condition
	Err       error
}

// Error describes the condition and what is wrong with it.
func (e *ConditionError) Error() string {
	return "presignpost: condition " + e.Condition.String() + ": " + strings.TrimPrefix(e.Err.Error(), "presignpost: ")
}

// Unwrap returns Err.
func (e *ConditionError) Unwrap() error { return e.Err }

// CheckError reports why Check refuses a form: the failing condition, the
// form field concerned and the reason. Values of secret fields (session
// token, SSE-C key) are redacted in Condition and Reason.
type CheckError struct {
	// Condition is the failing condition in the array form S3 prints in its
	// "Policy Condition failed" message, for example
	// ["starts-with","$key","uploads/"]. It is "expiration" for an expired
	// policy and "" when the form, not a condition, is at fault (an extra
	// field, a missing key, a duplicate field).
	Condition string
	// Field is the form field concerned, lower-cased; "" for expiration and
	// content-length-range.
	Field string
	// Reason says what is wrong, in words.
	Reason string
}

// Error reads like S3's refusal: "presignpost: policy condition failed:
// [...]: reason", "presignpost: policy expired: ..." or "presignpost: form
// field name: reason".
func (e *CheckError) Error() string {
	var b strings.Builder
	b.WriteString("presignpost: ")
	switch {
	case e.Condition == "expiration":
		b.WriteString("policy expired")
	case e.Condition != "":
		b.WriteString("policy condition failed: ")
		b.WriteString(e.Condition)
	case e.Field != "":
		b.WriteString("form field ")
		b.WriteString(e.Field)
	default:
		b.WriteString("form refused")
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// FormError reports why ReadForm refuses a body. Err is ErrMalformedForm,
// ErrDuplicateField, ErrMissingFile, ErrFormTooLarge or the error of
// reading the body or writing the file; match it with errors.Is.
type FormError struct {
	// Field is the field concerned, lower-cased in ASCII ("file" for the
	// file); "" when the body as a whole is at fault.
	Field string
	// Reason says what is wrong, in words. It names fields but never
	// quotes a value.
	Reason string
	Err    error
}

// Error formats as "presignpost: form field NAME: ERR: REASON", or
// "presignpost: form: ERR: REASON" without a field.
func (e *FormError) Error() string {
	var b strings.Builder
	b.WriteString("presignpost: form")
	if e.Field != "" {
		b.WriteString(" field ")
		b.WriteString(e.Field)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "presignpost: "))
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

// Unwrap returns Err.
func (e *FormError) Unwrap() error { return e.Err }
