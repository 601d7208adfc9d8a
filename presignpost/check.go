// This file holds the checker: Check decodes a signed policy and evaluates a
// submitted form against it as S3 does. Signature verification is in
// verify.go.

package presignpost

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Form is an upload as S3 receives it: the bucket it is posted to, the form
// fields before the file, and the file's name and size. ReadForm makes one
// from a request body. A Form always stands for an upload with a file:
// ReadForm refuses a body without one, and Check a Form whose Fields hold
// a "file" field, which is where a form without a file part would put its
// text.
type Form struct {
	// Bucket is the bucket the form was posted to (from the URL). When it is
	// "", a "bucket" form field stands in for it.
	Bucket string
	// Fields are the form fields, file excepted; names are compared in
	// ASCII, case-insensitively, as S3 compares them. S3 ignores fields
	// after the file, so they do not belong here.
	Fields map[string]string
	// Filename is the file part's filename; S3 replaces ${filename} in every
	// field with its base name (after the last / or \) before evaluating
	// conditions.
	Filename string
	// FileSize is the file's size in bytes, checked against
	// content-length-range conditions.
	FileSize int64
}

// Get returns the value of the field named name, compared in ASCII
// case-insensitively, or "" when the form has none. (Of two fields whose
// names differ only in case, which Check refuses, it returns either.)
func (f Form) Get(name string) string {
	if v, ok := f.Fields[name]; ok {
		return v
	}
	for n, v := range f.Fields {
		if asciiEqualFold(n, name) {
			return v
		}
	}
	return ""
}

// String describes the form with the values of secret fields (the session
// token, SSE-C keys) redacted. The formatting methods have value
// receivers, so that a Form prints so by value, by pointer and inside
// another struct.
func (f Form) String() string {
	var b strings.Builder
	b.WriteString("presignpost.Form{Bucket: ")
	b.WriteString(f.Bucket)
	b.WriteString(", Fields: [")
	writeFields(&b, Signed{Fields: f.Fields}.FormFields())
	b.WriteString("], Filename: ")
	b.WriteString(f.Filename)
	fmt.Fprintf(&b, ", FileSize: %d}", f.FileSize)
	return b.String()
}

// GoString is used by %#v; it redacts like String.
func (f Form) GoString() string { return f.String() }

// Format prints String for every verb (%q quotes it).
func (f Form) Format(s fmt.State, verb rune) { formatAs(s, verb, f.String()) }

// exemptFields need no condition: S3's "each form field ... (except
// x-amz-signature, file, policy, and field names that have an x-ignore-
// prefix) must appear in the list of conditions". The file is never among
// Form.Fields.
var exemptFields = map[string]bool{"policy": true, "x-amz-signature": true}

// Check decodes base64Policy and evaluates form against it at now, in S3's
// order of concern: the policy must not have expired, the form must have a
// key of at most MaxKeyLength bytes (${filename} expanded), every condition
// must hold, and every field must be covered by a condition unless it is
// policy, x-amz-signature, file or x-ignore-*.
//
// A form the policy refuses gives a *CheckError naming the failing condition
// or field. A policy that does not decode, or that is not a POST policy,
// gives an error wrapping ErrMalformedPolicy. Check does not verify the
// signature; Verify does.
//
// A Form whose Fields hold a "file" field is refused: the file is not a
// field (see Form).
//
// Where S3's documentation is silent Check follows S3's observed answers:
// field names match case-insensitively in ASCII (so "\u212Aey", with a
// Kelvin sign, is not "key"), values case-sensitively; a condition
// on a field the form lacks fails even when it is a starts-with ""; a
// condition whose field reference lacks the "$" fails; the policy expires
// after the instant of its expiration, not at it.
func Check(base64Policy string, form Form, now time.Time) error {
	pol, err := parsePolicy(base64Policy)
	if err != nil {
		return err
	}
	fields, cerr := expandFields(form)
	if cerr != nil {
		return cerr
	}
	if p, ok := fields["policy"]; ok && p != base64Policy {
		return &CheckError{Field: "policy", Reason: "the form's policy is not the policy being checked"}
	}
	if now.After(pol.expiration) {
		return &CheckError{Condition: "expiration",
			Reason: "expired at " + pol.expiration.UTC().Format(expirationLayout)}
	}
	if k, ok := fields["key"]; !ok {
		return &CheckError{Field: "key", Reason: "missing: S3 requires a key field before the file"}
	} else if len(k) > MaxKeyLength {
		return &CheckError{Field: "key", Reason: fmt.Sprintf("%d bytes long: S3 refuses keys longer than %d bytes", len(k), MaxKeyLength)}
	}

	covered := make(map[string]bool, len(pol.conds))
	for _, c := range pol.conds {
		if err := c.eval(form, fields); err != nil {
			return err
		}
		if c.op != OpContentLengthRange && !c.badField {
			covered[asciiLower(c.field)] = true
		}
	}

	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if exemptFields[name] || strings.HasPrefix(name, "x-ignore-") || covered[name] {
			continue
		}
		return &CheckError{Field: name, Reason: "extra input field: no condition covers it"}
	}
	return nil
}

// expandFields returns the form's fields keyed by ASCII-lower-cased name,
// with ${filename} expanded. Two names that differ only in ASCII case are
// refused: S3 would see one field twice. A "file" field is refused: the
// file is not a field.
func expandFields(form Form) (map[string]string, *CheckError) {
	base := form.Filename
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	fields := make(map[string]string, len(form.Fields))
	original := make(map[string]string, len(form.Fields))
	for name, value := range form.Fields {
		lower := asciiLower(name)
		if lower == "file" {
			return nil, &CheckError{Field: lower, Reason: "the file is not a form field: Form.Filename and Form.FileSize describe it"}
		}
		if prev, dup := original[lower]; dup {
			a, b := prev, name
			if b < a {
				a, b = b, a
			}
			return nil, &CheckError{Field: lower, Reason: fmt.Sprintf("given twice, as %q and %q", a, b)}
		}
		original[lower] = name
		fields[lower] = strings.ReplaceAll(value, filenameVar, base)
	}
	return fields, nil
}

// policy is a decoded POST policy.
type policy struct {
	expiration time.Time
	conds      []parsedCondition
}

// parsedCondition is one condition as the policy states it.
type parsedCondition struct {
	op       string // lower case
	field    string // without "$", as written
	value    string
	min, max int64
	// badField: the field reference lacks its "$"; S3 fails such a
	// condition rather than calling the policy malformed.
	badField bool
	// badRange: content-length-range bounds given as strings that are not
	// numbers; S3 fails the condition.
	badRange bool
	text     string // the condition as written, compact, secrets redacted
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedPolicy, fmt.Sprintf(format, args...))
}

// parsePolicy decodes a base64 POST policy. It is strict where S3 is
// (expiration and conditions are required, other members are refused, a
// simple condition has exactly one string member) and lenient where S3 was
// seen to be (operators in any case, expiration with or without
// milliseconds, content-length-range bounds as numeric strings).
func parsePolicy(base64Policy string) (*policy, error) {
	raw, err := base64.StdEncoding.DecodeString(base64Policy)
	if err != nil {
		return nil, malformed("invalid base64 encoding")
	}
	if !utf8.Valid(raw) {
		return nil, malformed("not UTF-8")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, malformed("invalid JSON")
	}
	for name := range top {
		if name != "expiration" && name != "conditions" {
			return nil, malformed("unexpected member %q", name)
		}
	}
	expRaw, ok := top["expiration"]
	if !ok {
		return nil, malformed("policy missing expiration")
	}
	exp, ok := jsonString(expRaw)
	if !ok {
		return nil, malformed("expiration is not a string")
	}
	// The layout has no fraction, but time.Parse accepts one after the
	// seconds: "2015-12-30T12:00:00.000Z" (S3's examples) and
	// "2015-12-30T12:00:00Z" (boto3) both parse. Offsets other than Z are
	// refused, as S3 refuses them.
	expiration, err := time.Parse("2006-01-02T15:04:05Z", exp)
	if err != nil {
		return nil, malformed("invalid expiration %q", exp)
	}
	condsRaw, ok := top["conditions"]
	if !ok {
		return nil, malformed("policy missing conditions")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(condsRaw, &list); err != nil {
		return nil, malformed("conditions is not a list")
	}
	p := &policy{expiration: expiration, conds: make([]parsedCondition, 0, len(list))}
	for _, item := range list {
		c, err := parseCondition(item)
		if err != nil {
			return nil, err
		}
		p.conds = append(p.conds, c)
	}
	return p, nil
}

func parseCondition(item json.RawMessage) (parsedCondition, error) {
	var c parsedCondition
	var obj map[string]json.RawMessage
	if json.Unmarshal(item, &obj) == nil && obj != nil {
		if len(obj) != 1 {
			return c, malformed("a simple condition must have exactly one member")
		}
		for name, v := range obj {
			value, ok := jsonString(v)
			if !ok {
				return c, malformed("simple condition %q: value must be a string", name)
			}
			c.op, c.field, c.value = OpEq, name, value
		}
		c.text = conditionString(OpEq, "$"+c.field, redactValue(c.field, c.value))
		return c, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(item, &arr); err != nil || arr == nil {
		return c, malformed("a condition must be a list or an object")
	}
	if len(arr) == 0 {
		return c, malformed("condition missing its operation")
	}
	op, ok := jsonString(arr[0])
	if !ok {
		return c, malformed("condition operation must be a string")
	}
	c.op = asciiLower(op)
	switch c.op {
	case OpEq, OpStartsWith:
		if len(arr) != 3 {
			return c, malformed("%s: wrong number of arguments", op)
		}
		ref, ok1 := jsonString(arr[1])
		value, ok2 := jsonString(arr[2])
		if !ok1 || !ok2 {
			return c, malformed("%s: arguments must be strings", op)
		}
		c.value = value
		var hasDollar bool
		c.field, hasDollar = strings.CutPrefix(ref, "$")
		c.badField = !hasDollar
		c.text = conditionString(op, ref, redactValue(c.field, c.value))
	case OpContentLengthRange:
		if len(arr) != 3 {
			return c, malformed("%s: wrong number of arguments", op)
		}
		var err error
		c.min, c.badRange, err = parseBound(arr[1])
		if err != nil {
			return c, err
		}
		var bad bool
		c.max, bad, err = parseBound(arr[2])
		if err != nil {
			return c, err
		}
		c.badRange = c.badRange || bad
		if !c.badRange && c.max < c.min {
			return c, malformed("%s: maximum %d below minimum %d", op, c.max, c.min)
		}
		c.text = "[" + string(mustCompact(arr[0])) + "," + string(mustCompact(arr[1])) + "," + string(mustCompact(arr[2])) + "]"
	default:
		return c, malformed("unknown operation %q", op)
	}
	return c, nil
}

// parseBound reads a content-length-range bound: a non-negative integer, or
// a string. A string that is not a number makes the condition fail (bad),
// as S3 answers it; a fraction or a negative number is a malformed policy.
func parseBound(raw json.RawMessage) (n int64, bad bool, err error) {
	if s, ok := jsonString(raw); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, true, nil
		}
		return n, false, nil
	}
	n, err = strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, false, malformed("content-length-range: bound %s is not an integer", mustCompact(raw))
	}
	if n < 0 {
		return 0, false, malformed("content-length-range: negative bound %d", n)
	}
	return n, false, nil
}

// jsonString decodes raw if it is a JSON string. json.Unmarshal alone would
// turn null into "" without an error.
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// mustCompact returns a JSON value without insignificant space, for naming
// conditions; raw has already been decoded, so it is valid JSON.
func mustCompact(raw json.RawMessage) []byte {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	b, err := marshalJSON(v)
	if err != nil {
		return raw
	}
	return b
}

// eval checks one condition against the form.
func (c *parsedCondition) eval(form Form, fields map[string]string) *CheckError {
	fail := func(field, reason string) *CheckError {
		return &CheckError{Condition: c.text, Field: field, Reason: reason}
	}
	if c.op == OpContentLengthRange {
		switch {
		case c.badRange:
			return fail("", "bounds are not integers")
		case form.FileSize < 0:
			return fail("", "file size unknown")
		case form.FileSize < c.min:
			return fail("", fmt.Sprintf("file of %d bytes is smaller than the minimum %d", form.FileSize, c.min))
		case form.FileSize > c.max:
			return fail("", fmt.Sprintf("file of %d bytes is larger than the maximum %d", form.FileSize, c.max))
		}
		return nil
	}
	name := asciiLower(c.field)
	if c.badField {
		return fail(name, "the field reference must start with $")
	}
	var values []string
	if name == "bucket" {
		// The bucket is where the form was posted; a bucket field, which
		// some SDKs send, must agree with it.
		if form.Bucket != "" {
			values = append(values, form.Bucket)
		}
		if v, ok := fields["bucket"]; ok {
			values = append(values, v)
		}
		if len(values) == 0 {
			return fail(name, "the bucket is not known: set Form.Bucket")
		}
	} else {
		v, ok := fields[name]
		if !ok {
			return fail(name, "the form has no "+name+" field")
		}
		values = append(values, v)
	}
	for _, v := range values {
		if evalCondition(c.op, name, v, c.value) {
			continue
		}
		verb := "does not equal"
		if c.op == OpStartsWith {
			verb = "does not start with"
		}
		return fail(name, fmt.Sprintf("%q %s %q", redactValue(name, v), verb, redactValue(name, c.value)))
	}
	return nil
}

// evalCondition reports whether value satisfies op with argument arg. For
// Content-Type, S3 reads a comma-separated starts-with value as a list whose
// every element must match.
func evalCondition(op, field, value, arg string) bool {
	if op == OpEq {
		return value == arg
	}
	if asciiEqualFold(field, "content-type") && strings.Contains(value, ",") {
		for _, v := range strings.Split(value, ",") {
			if !strings.HasPrefix(strings.TrimSpace(v), arg) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(value, arg)
}
