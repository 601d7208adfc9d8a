// This file holds the builder side: Condition, Policy and Policy.Sign, which
// validates a policy, writes its JSON and signs it. The signed result and its
// form helpers are in form.go; the checker is in check.go.

package presignpost

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/s3kit/s3kit/sigv4"
)

// The condition operators of a POST policy.
const (
	// OpEq requires a field to equal a value exactly (values are
	// case-sensitive).
	OpEq = "eq"
	// OpStartsWith requires a field to start with a prefix; the prefix ""
	// allows any value, but the field must still be present. For
	// Content-Type a comma-separated value is a list whose every element must
	// start with the prefix, as S3 does.
	OpStartsWith = "starts-with"
	// OpContentLengthRange bounds the size of the uploaded file in bytes,
	// both ends inclusive.
	OpContentLengthRange = "content-length-range"
)

// DefaultExpires is the validity of a policy whose Expires is zero, as in
// boto3's generate_presigned_post.
const DefaultExpires = time.Hour

// MaxExpires is the longest validity a policy may have: a SigV4 signing key,
// and so the signature, is valid for seven days at most.
const MaxExpires = sigv4.MaxPresignExpiry

// filenameVar is the variable S3 replaces, in every form field, with the
// name of the uploaded file.
const filenameVar = "${filename}"

// MaxKeyLength is the longest object key S3 accepts, in bytes of UTF-8.
const MaxKeyLength = 1024

// Condition is one rule of a POST policy. Build it with Eq, StartsWith or
// ContentLengthRange; a literal works as well.
//
// Field names are written without the "$" that the policy JSON puts in front
// of them (a leading "$" is accepted and dropped) and are matched
// case-insensitively in ASCII, as S3 matches them.
type Condition struct {
	// Op is OpEq, OpStartsWith or OpContentLengthRange.
	Op string
	// Field is the form field the condition applies to; unused for
	// content-length-range.
	Field string
	// Value is the exact value (eq) or the prefix (starts-with).
	Value string
	// Min and Max are the inclusive size bounds of content-length-range.
	Min, Max int64
}

// Eq returns a condition that field must equal value.
func Eq(field, value string) Condition {
	return Condition{Op: OpEq, Field: strings.TrimPrefix(field, "$"), Value: value}
}

// StartsWith returns a condition that field must start with prefix; "" allows
// any value of a field that is present.
func StartsWith(field, prefix string) Condition {
	return Condition{Op: OpStartsWith, Field: strings.TrimPrefix(field, "$"), Value: prefix}
}

// ContentLengthRange returns a condition that the file's size in bytes is in
// [min, max].
func ContentLengthRange(min, max int64) Condition {
	return Condition{Op: OpContentLengthRange, Min: min, Max: max}
}

// String returns the condition in the JSON array form S3 prints in its
// errors, for example ["starts-with","$key","uploads/"]. The values of
// secret fields (session token, SSE-C key) are redacted.
func (c Condition) String() string {
	if asciiEqualFold(c.Op, OpContentLengthRange) {
		return `["` + OpContentLengthRange + `",` + strconv.FormatInt(c.Min, 10) + "," + strconv.FormatInt(c.Max, 10) + "]"
	}
	return conditionString(c.Op, "$"+strings.TrimPrefix(c.Field, "$"), redactValue(c.Field, c.Value))
}

// GoString is used by %#v; it redacts like String.
func (c Condition) GoString() string { return "presignpost.Condition" + c.String() }

// Format implements fmt.Formatter so that every verb prints the redacted
// String form, never a raw secret value.
func (c Condition) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, c.GoString())
			return
		}
		fmt.Fprint(f, c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// conditionString renders [op, field, value] as compact JSON.
func conditionString(op, field, value string) string {
	b, _ := marshalJSON([]string{op, field, value}) // strings always marshal
	return string(b)
}

// secretFields are form fields whose values must not appear in errors or
// formatted output: a form holding them hands them to the uploader, which is
// inherent in S3's design, but logs should not.
var secretFields = map[string]bool{
	"x-amz-security-token":                                  true,
	"x-amz-server-side-encryption-customer-key":             true,
	"x-amz-copy-source-server-side-encryption-customer-key": true,
}

// redactValue hides the value of a secret field. It lower-cases with
// Unicode folding, unlike the rest of the package: redacting a field that
// S3 would not take for a secret one costs nothing.
func redactValue(field, value string) string {
	if secretFields[strings.ToLower(strings.TrimPrefix(field, "$"))] && value != "" {
		return "<redacted>"
	}
	return value
}

// Policy describes a browser-based upload: where it goes, what the form
// fields are and what else the uploader may send. A Policy is a plain value;
// Sign does not modify it, and one Policy may be signed many times, from
// several goroutines.
type Policy struct {
	// Bucket is the bucket the form posts to. The policy gets a bucket
	// condition.
	Bucket string
	// Key is the object key. It may contain ${filename}, which S3 replaces
	// with the uploaded file's name; the key condition is then a starts-with
	// on the part before the first ${filename}, because S3 evaluates
	// conditions on the expanded key. It must be valid UTF-8
	// (ErrInvalidValue) and at most MaxKeyLength bytes without its
	// ${filename} (ErrKeyTooLong).
	Key string
	// Fields are form fields with fixed values, such as acl, Content-Type,
	// success_action_status, success_action_redirect, Cache-Control, tagging,
	// x-amz-meta-* or x-amz-server-side-encryption. Each becomes an
	// exact-match condition as well (a starts-with on the part before
	// ${filename} when the value contains it), except x-ignore-* fields,
	// which S3 ignores. Names are case-insensitive in ASCII: two names that
	// differ only in the case of ASCII letters are an error.
	Fields map[string]string
	// Conditions are further rules: conditions on fields the uploader fills
	// in (a StartsWith on Content-Type, say), a ContentLengthRange, or
	// stricter rules on fixed fields. A condition that a fixed field cannot
	// satisfy is an error (ErrConflict); one that repeats a field's own
	// condition is dropped.
	Conditions []Condition
	// Expires is how long the policy is valid; zero means DefaultExpires.
	// It must be between one second and MaxExpires, and must not outlast
	// temporary credentials.
	Expires time.Duration
}

// String describes the policy with the values of secret fields and
// conditions (an SSE-C key, a session token) redacted. The formatting
// methods have value receivers, so that a Policy prints so by value, by
// pointer and inside another struct.
func (p Policy) String() string {
	var b strings.Builder
	b.WriteString("presignpost.Policy{Bucket: ")
	b.WriteString(p.Bucket)
	b.WriteString(", Key: ")
	b.WriteString(p.Key)
	b.WriteString(", Fields: [")
	writeFields(&b, Signed{Fields: p.Fields}.FormFields())
	b.WriteString("], Conditions: [")
	for i, c := range p.Conditions {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(c.String())
	}
	b.WriteString("], Expires: ")
	b.WriteString(p.Expires.String())
	b.WriteString("}")
	return b.String()
}

// GoString is used by %#v; it redacts like String.
func (p Policy) GoString() string { return p.String() }

// Format prints String for every verb (%q quotes it).
func (p Policy) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }

// signer signs every policy. It holds only a cache of derived signing keys
// and is safe for concurrent use; sharing it shares the cache.
var signer sigv4.Signer

// signPolicy is the one signing path: Sign uses it and the known-answer test
// of the S3 documentation's example calls it.
func signPolicy(base64Policy string, creds sigv4.Credentials, region string, t time.Time) (string, error) {
	return signer.SignPOSTPolicy(base64Policy, creds, region, t)
}

// expirationLayout is the policy's expiration format, with milliseconds as
// in the S3 documentation.
const expirationLayout = "2006-01-02T15:04:05.000Z"

// Sign validates the policy, writes its JSON and signs it with creds for
// region at now. bucketURL is the URL the form posts to, for example
// "https://bucket.s3.us-east-1.amazonaws.com/" or, path style,
// "http://127.0.0.1:9000/bucket"; "" means the regional AWS URL of the
// bucket (virtual-host style when the bucket name allows, path style
// otherwise; ".amazonaws.com.cn" for cn- regions; s3.amazonaws.com, signed
// for us-east-1, for the region "aws-global"). Other partitions, FIPS,
// dual-stack, access points and custom endpoints must pass their URL, as
// s3client's PresignPost does. Buckets S3 takes no POST upload for are
// refused with ErrUnsupportedBucket.
//
// The policy JSON is deterministic for the same inputs: bucket and key
// conditions, then the fields sorted by name, then Conditions in their
// order, then the signing conditions (x-amz-algorithm, x-amz-credential,
// x-amz-date, and x-amz-security-token when creds has a token).
func (p *Policy) Sign(creds sigv4.Credentials, region, bucketURL string, now time.Time) (*Signed, error) {
	if p.Bucket == "" {
		return nil, ErrMissingBucket
	}
	if p.Key == "" {
		return nil, ErrMissingKey
	}
	// S3 checks the key after expanding ${filename}: a template is too long
	// when even an empty file name would make it so.
	if n := len(p.Key) - strings.Count(p.Key, filenameVar)*len(filenameVar); n > MaxKeyLength {
		return nil, fmt.Errorf("%w: %d bytes", ErrKeyTooLong, n)
	}
	if !creds.HasKeys() {
		return nil, fmt.Errorf("presignpost: sign: %w", sigv4.ErrMissingCredentials)
	}
	if region == "" {
		return nil, fmt.Errorf("presignpost: sign: %w", sigv4.ErrMissingRegion)
	}
	if why := unsupportedBucket(p.Bucket, bucketURL); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedBucket, why)
	}
	now = now.UTC()
	expires := p.Expires
	if expires == 0 {
		expires = DefaultExpires
	}
	if expires < time.Second || expires > MaxExpires {
		return nil, fmt.Errorf("presignpost: expires %v: %w", expires, sigv4.ErrExpiry)
	}
	// The policy's expiration is written with millisecond precision, so
	// Signed.Expires is truncated to match what S3 will enforce.
	expiration := now.Add(expires).Truncate(time.Millisecond)
	if !creds.Expires.IsZero() && expiration.After(creds.Expires) {
		// The form would stop working when the credentials do, without a
		// word; refuse, as s3client's presigned URLs do.
		return nil, fmt.Errorf("presignpost: policy expiring at %s outlives the credentials, which expire at %s: %w",
			expiration.Format(time.RFC3339), creds.Expires.UTC().Format(time.RFC3339), sigv4.ErrExpiry)
	}
	u, err := postURL(p.Bucket, region, bucketURL)
	if err != nil {
		return nil, err
	}
	if region == "aws-global" {
		region = "us-east-1" // the global endpoint's signing region
	}

	conds, err := p.conditions()
	if err != nil {
		return nil, err
	}

	credential := creds.AccessKeyID + "/" + sigv4.CredentialScope(now, region, "s3")
	date := sigv4.FormatTime(now)
	signing := []Condition{
		Eq("x-amz-algorithm", sigv4.Algorithm),
		Eq("x-amz-credential", credential),
		Eq("x-amz-date", date),
	}
	if creds.SessionToken != "" {
		signing = append(signing, Eq("x-amz-security-token", creds.SessionToken))
	}
	conds = append(conds, signing...)

	doc, err := policyJSON(expiration, conds)
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString(doc)
	sig, err := signPolicy(b64, creds, region, now)
	if err != nil {
		return nil, fmt.Errorf("presignpost: sign: %w", err)
	}

	fields := make(map[string]string, len(p.Fields)+8)
	for name, value := range p.Fields {
		fields[name] = value
	}
	fields["key"] = p.Key
	for _, c := range signing {
		fields[c.Field] = c.Value
	}
	fields["policy"] = b64
	fields["x-amz-signature"] = sig
	return &Signed{URL: u, Fields: fields, Policy: b64, Conditions: conds, Expires: expiration}, nil
}

// postURL returns the URL the form posts to.
func postURL(bucket, region, bucketURL string) (string, error) {
	if bucketURL == "" {
		host := "s3." + region + ".amazonaws.com"
		switch {
		case region == "aws-global":
			host = "s3.amazonaws.com"
		case strings.HasPrefix(region, "cn-"):
			host += ".cn"
		}
		if virtualHostable(bucket) {
			return "https://" + bucket + "." + host + "/", nil
		}
		return "https://" + host + "/" + url.PathEscape(bucket), nil
	}
	u, err := url.Parse(bucketURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %q", ErrInvalidURL, bucketURL)
	}
	return bucketURL, nil
}

// unsupportedBucket says why S3 takes no POST upload for bucket, or why
// Sign cannot make its URL when bucketURL is empty; "" when neither. The
// suffixes are those AWS reserves for each kind of access point and for
// directory buckets, which no bucket may have.
func unsupportedBucket(bucket, bucketURL string) string {
	if rest, ok := strings.CutPrefix(bucket, "arn:"); ok {
		// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
		f := strings.SplitN(rest, ":", 4)
		switch {
		case len(f) > 1 && f[1] == "s3-outposts":
			return "an S3 on Outposts access point"
		case len(f) > 1 && f[1] == "s3-object-lambda":
			return "an Object Lambda access point"
		case len(f) > 2 && f[1] == "s3" && f[2] == "":
			return "a Multi-Region Access Point"
		case bucketURL == "":
			return "an access point ARN needs the URL to post to, which only the endpoint rules can make"
		}
		return ""
	}
	switch {
	case strings.HasSuffix(bucket, "--x-s3") || strings.HasSuffix(bucket, "--xa-s3"):
		return "a directory bucket (S3 Express One Zone)"
	case strings.HasSuffix(bucket, "--op-s3"):
		return "an S3 on Outposts access point alias"
	case strings.HasSuffix(bucket, "--ol-s3"):
		return "an Object Lambda access point alias"
	case strings.HasSuffix(bucket, ".mrap"):
		return "a Multi-Region Access Point alias"
	}
	return ""
}

// virtualHostable reports whether bucket can be a DNS label under TLS: lower
// case letters, digits and hyphens, no dots (a dot breaks the wildcard
// certificate).
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// reservedFields are names a Policy may not set as fields: Sign sets them,
// or they are not fields at all.
var reservedFields = map[string]bool{
	"key":                  true, // Policy.Key
	"bucket":               true, // Policy.Bucket
	"policy":               true,
	"file":                 true,
	"x-amz-signature":      true,
	"x-amz-algorithm":      true,
	"x-amz-credential":     true,
	"x-amz-date":           true,
	"x-amz-security-token": true,
	"content-length-range": true,
}

// fixedField is a field whose value the policy fixes: bucket, key or one of
// Policy.Fields.
type fixedField struct {
	name, value string
}

// templated reports whether the value contains ${filename}, and the literal
// prefix before it.
func (f fixedField) templated() (prefix string, ok bool) {
	i := strings.Index(f.value, filenameVar)
	if i < 0 {
		return "", false
	}
	return f.value[:i], true
}

// condition returns the condition the field becomes.
func (f fixedField) condition() Condition {
	if prefix, ok := f.templated(); ok {
		return StartsWith(f.name, prefix)
	}
	return Eq(f.name, f.value)
}

// conditions validates the fields and conditions and returns the policy's
// conditions, signing conditions excepted.
func (p *Policy) conditions() ([]Condition, error) {
	if !utf8.ValidString(p.Bucket) {
		return nil, &ConditionError{Condition: Eq("bucket", p.Bucket), Err: ErrInvalidValue}
	}
	if !utf8.ValidString(p.Key) {
		return nil, &ConditionError{Condition: Eq("key", p.Key), Err: ErrInvalidValue}
	}
	fixed := map[string]fixedField{
		"bucket": {"bucket", p.Bucket},
		"key":    {"key", p.Key},
	}
	conds := []Condition{Eq("bucket", p.Bucket), fixed["key"].condition()}

	names := make([]string, 0, len(p.Fields))
	for name := range p.Fields {
		names = append(names, name)
	}
	// Sorted case-insensitively, then exactly, so that the JSON does not
	// depend on map order and the case-insensitive duplicate is reported the
	// same way every time.
	sort.Slice(names, func(i, j int) bool {
		li, lj := asciiLower(names[i]), asciiLower(names[j])
		if li != lj {
			return li < lj
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		f := fixedField{name, p.Fields[name]}
		lower := asciiLower(name)
		if err := validName(name); err != nil {
			return nil, &ConditionError{Condition: Eq(name, f.value), Err: err}
		}
		if reservedFields[lower] {
			return nil, &ConditionError{Condition: Eq(name, f.value), Err: ErrReservedField}
		}
		if !utf8.ValidString(f.value) {
			return nil, &ConditionError{Condition: Eq(name, f.value), Err: ErrInvalidValue}
		}
		if prev, dup := fixed[lower]; dup {
			return nil, &ConditionError{Condition: Eq(name, f.value),
				Err: fmt.Errorf("%w: %q and %q", ErrDuplicateField, prev.name, name)}
		}
		if strings.HasPrefix(lower, "x-ignore-") {
			continue // S3 ignores the field; a condition on it would be meaningless
		}
		fixed[lower] = f
		conds = append(conds, f.condition())
	}

	var lo, hi int64 = 0, -1 // intersection of the size ranges; hi < 0: none yet
	for _, c := range p.Conditions {
		c, err := normalize(c)
		if err != nil {
			return nil, err
		}
		if c.Op == OpContentLengthRange {
			if hi < 0 {
				lo, hi = c.Min, c.Max
			} else {
				lo, hi = max(lo, c.Min), min(hi, c.Max)
			}
			if lo > hi {
				return nil, &ConditionError{Condition: c,
					Err: fmt.Errorf("%w: no size is in every content-length-range", ErrConflict)}
			}
			conds = append(conds, c)
			continue
		}
		f, ok := fixed[asciiLower(c.Field)]
		if !ok {
			conds = append(conds, c) // a condition standing without a field
			continue
		}
		own := f.condition()
		if c.Op == own.Op && asciiEqualFold(c.Field, own.Field) && c.Value == own.Value {
			continue // the field's own condition, repeated (boto3 habit)
		}
		if !satisfiable(c, f) {
			return nil, &ConditionError{Condition: c,
				Err: fmt.Errorf("%w %s = %q", ErrConflict, f.name, redactValue(f.name, f.value))}
		}
		conds = append(conds, c)
	}
	return conds, nil
}

// normalize validates a caller's condition and returns it with the operator
// in lower case and the field without "$".
func normalize(c Condition) (Condition, error) {
	c.Op = asciiLower(c.Op)
	switch c.Op {
	case OpContentLengthRange:
		if c.Min < 0 || c.Max < c.Min {
			return c, &ConditionError{Condition: c, Err: ErrInvalidRange}
		}
		c.Field, c.Value = "", ""
		return c, nil
	case OpEq, OpStartsWith:
	default:
		return c, &ConditionError{Condition: c, Err: ErrUnknownOperator}
	}
	c.Field = strings.TrimPrefix(c.Field, "$")
	if err := validName(c.Field); err != nil {
		return c, &ConditionError{Condition: c, Err: err}
	}
	if !utf8.ValidString(c.Value) {
		return c, &ConditionError{Condition: c, Err: ErrInvalidValue}
	}
	lower := asciiLower(c.Field)
	switch {
	case lower == "bucket" || lower == "key":
		// allowed; checked against Policy.Bucket and Policy.Key
	case reservedFields[lower], strings.HasPrefix(lower, "x-ignore-"):
		return c, &ConditionError{Condition: c, Err: ErrReservedField}
	}
	return c, nil
}

// satisfiable reports whether some upload could pass c, given the fixed
// field f it applies to.
func satisfiable(c Condition, f fixedField) bool {
	prefix, templated := f.templated()
	if !templated {
		return evalCondition(c.Op, c.Field, f.value, c.Value)
	}
	// The value is prefix + something only the file name decides.
	switch c.Op {
	case OpEq:
		return strings.HasPrefix(c.Value, prefix)
	default: // OpStartsWith
		return strings.HasPrefix(prefix, c.Value) || strings.HasPrefix(c.Value, prefix)
	}
}

// validName reports whether name can be a form field: not empty, and without
// control characters, which would break the part headers of a multipart
// body.
func validName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidField)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidField, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: %q has a control character", ErrInvalidField, name)
		}
	}
	return nil
}

// policyDoc is the policy JSON; the struct fixes the member order.
type policyDoc struct {
	Expiration string `json:"expiration"`
	Conditions []any  `json:"conditions"`
}

// policyJSON writes the policy document. Exact matches use the object form
// ({"acl": "public-read"}) that the S3 documentation and boto3 use; the
// others are arrays.
func policyJSON(expiration time.Time, conds []Condition) ([]byte, error) {
	doc := policyDoc{Expiration: expiration.UTC().Format(expirationLayout), Conditions: make([]any, 0, len(conds))}
	for _, c := range conds {
		switch c.Op {
		case OpEq:
			doc.Conditions = append(doc.Conditions, map[string]string{c.Field: c.Value})
		case OpStartsWith:
			doc.Conditions = append(doc.Conditions, []string{OpStartsWith, "$" + c.Field, c.Value})
		case OpContentLengthRange:
			doc.Conditions = append(doc.Conditions, []any{OpContentLengthRange, c.Min, c.Max})
		}
	}
	b, err := marshalJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("presignpost: policy JSON: %w", err)
	}
	return b, nil
}

// marshalJSON is json.Marshal without the HTML escaping of <, > and &, which
// S3 does not need and which makes policies harder to read, and without the
// encoder's trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
