package presignpost

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

var (
	testCreds = sigv4.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/KEY+for+tests"}
	testNow   = time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.UTC)
)

func decodePolicy(t *testing.T, b64 string) string {
	t.Helper()
	doc, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// TestSignPolicyJSON pins the policy document and the form fields for
// representative policies.
func TestSignPolicyJSON(t *testing.T) {
	const signing = `{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIDTEST/20240229/us-west-2/s3/aws4_request"},{"x-amz-date":"20240229T235958Z"}`
	tests := []struct {
		name   string
		policy Policy
		creds  sigv4.Credentials
		want   string // the policy JSON
		fields []string
	}{
		{
			name:   "minimal",
			policy: Policy{Bucket: "b", Key: "k"},
			creds:  testCreds,
			// One hour later, truncated to the millisecond; the date
			// crosses into March.
			want:   `{"expiration":"2024-03-01T00:59:58.123Z","conditions":[{"bucket":"b"},{"key":"k"},` + signing + `]}`,
			fields: []string{"key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy", "x-amz-signature"},
		},
		{
			name: "fields sorted, filename, standing conditions, repeats dropped",
			policy: Policy{
				Bucket: "b",
				Key:    "in/${filename}",
				Fields: map[string]string{
					"x-amz-meta-b":            "2",
					"Content-Type":            "text/plain",
					"acl":                     "public-read",
					"Content-Disposition":     `attachment; filename="${filename}"`,
					"x-ignore-tracking":       "abc",
					"success_action_redirect": "https://example.com/done?a=1&b=<2>",
				},
				Conditions: []Condition{
					{Op: "EQ", Field: "$acl", Value: "public-read"}, // repeats the field
					StartsWith("key", "in/"),                        // repeats the key's own
					StartsWith("Content-Type", "text/"),             // stricter, consistent
					StartsWith("x-amz-meta-tag", ""),
					ContentLengthRange(0, 1024),
				},
				Expires: 90 * time.Second,
			},
			creds: testCreds,
			want: `{"expiration":"2024-03-01T00:01:28.123Z","conditions":[{"bucket":"b"},["starts-with","$key","in/"],` +
				`{"acl":"public-read"},["starts-with","$Content-Disposition","attachment; filename=\""],{"Content-Type":"text/plain"},` +
				`{"success_action_redirect":"https://example.com/done?a=1&b=<2>"},{"x-amz-meta-b":"2"},` +
				`["starts-with","$Content-Type","text/"],["starts-with","$x-amz-meta-tag",""],["content-length-range",0,1024],` + signing + `]}`,
			fields: []string{"key", "acl", "Content-Disposition", "Content-Type", "success_action_redirect", "x-amz-algorithm",
				"x-amz-credential", "x-amz-date", "x-amz-meta-b", "x-ignore-tracking", "policy", "x-amz-signature"},
		},
		{
			name:   "session token",
			policy: Policy{Bucket: "b", Key: "k", Expires: MaxExpires},
			creds:  sigv4.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "s", SessionToken: "TOKEN/=+"},
			want: `{"expiration":"2024-03-07T23:59:58.123Z","conditions":[{"bucket":"b"},{"key":"k"},` + signing +
				`,{"x-amz-security-token":"TOKEN/=+"}]}`,
			fields: []string{"key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token", "policy", "x-amz-signature"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.policy.Sign(tt.creds, "us-west-2", "", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if got := decodePolicy(t, s.Policy); got != tt.want {
				t.Errorf("policy JSON:\n got %s\nwant %s", got, tt.want)
			}
			var names []string
			for _, f := range s.FormFields() {
				names = append(names, f.Name)
				if f.Value != s.Fields[f.Name] {
					t.Errorf("FormFields %s = %q, Fields has %q", f.Name, f.Value, s.Fields[f.Name])
				}
			}
			if !slices.Equal(names, tt.fields) {
				t.Errorf("form fields:\n got %q\nwant %q", names, tt.fields)
			}
			if s.Fields["policy"] != s.Policy {
				t.Errorf("Fields[policy] differs from Policy")
			}
			sig, err := signPolicy(s.Policy, tt.creds, "us-west-2", testNow)
			if err != nil || s.Fields["x-amz-signature"] != sig {
				t.Errorf("x-amz-signature %q, want %q (%v)", s.Fields["x-amz-signature"], sig, err)
			}
			if want := testNow.Add(orDefault(tt.policy.Expires)).Truncate(time.Millisecond); !s.Expires.Equal(want) {
				t.Errorf("Expires %v, want %v", s.Expires, want)
			}
			if tt.creds.SessionToken != "" && s.Fields["x-amz-security-token"] != tt.creds.SessionToken {
				t.Errorf("x-amz-security-token field %q", s.Fields["x-amz-security-token"])
			}
		})
	}
}

func orDefault(d time.Duration) time.Duration {
	if d == 0 {
		return DefaultExpires
	}
	return d
}

// TestSignDeterministic signs the same policy many times: map iteration
// order must not leak into the JSON.
func TestSignDeterministic(t *testing.T) {
	fields := map[string]string{}
	for i := 0; i < 20; i++ {
		fields[fmt.Sprintf("x-amz-meta-f%02d", i)] = fmt.Sprint(i)
	}
	fields["ACL"] = "private"
	p := Policy{Bucket: "b", Key: "k", Fields: fields}
	first, err := p.Sign(testCreds, "us-east-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		s, err := p.Sign(testCreds, "us-east-1", "", testNow)
		if err != nil {
			t.Fatal(err)
		}
		if s.Policy != first.Policy || s.Fields["x-amz-signature"] != first.Fields["x-amz-signature"] {
			t.Fatalf("signing %d differs:\n%s\n%s", i, decodePolicy(t, s.Policy), decodePolicy(t, first.Policy))
		}
	}
	if p.Fields["ACL"] != "private" || len(p.Fields) != 21 {
		t.Errorf("Sign modified the policy's fields: %v", p.Fields)
	}
}

func TestSignURL(t *testing.T) {
	tests := []struct {
		bucket, region, bucketURL, want string
	}{
		{"photos", "us-east-1", "", "https://photos.s3.us-east-1.amazonaws.com/"},
		{"my.dotted.bucket", "eu-west-1", "", "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket"},
		{"Legacy_Bucket", "us-east-1", "", "https://s3.us-east-1.amazonaws.com/Legacy_Bucket"},
		{"photos", "cn-north-1", "", "https://photos.s3.cn-north-1.amazonaws.com.cn/"},
		{"photos", "us-east-1", "http://127.0.0.1:9000/photos", "http://127.0.0.1:9000/photos"},
		{"photos", "us-east-1", "https://photos.s3.example.net/", "https://photos.s3.example.net/"},
	}
	for _, tt := range tests {
		p := Policy{Bucket: tt.bucket, Key: "k"}
		s, err := p.Sign(testCreds, tt.region, tt.bucketURL, testNow)
		if err != nil {
			t.Errorf("%s %s %q: %v", tt.bucket, tt.region, tt.bucketURL, err)
			continue
		}
		if s.URL != tt.want {
			t.Errorf("%s %s %q: URL %s, want %s", tt.bucket, tt.region, tt.bucketURL, s.URL, tt.want)
		}
	}
}

// TestSignErrors feeds bad input to Sign and checks the typed errors.
func TestSignErrors(t *testing.T) {
	ok := Policy{Bucket: "b", Key: "k"}
	with := func(f func(p *Policy)) Policy {
		p := ok
		f(&p)
		return p
	}
	expiring := testCreds
	expiring.Expires = testNow.Add(30 * time.Minute)
	tests := []struct {
		name      string
		policy    Policy
		creds     sigv4.Credentials
		region    string
		bucketURL string
		want      error
		condition bool // a *ConditionError is expected
	}{
		{name: "no bucket", policy: with(func(p *Policy) { p.Bucket = "" }), want: ErrMissingBucket},
		{name: "no key", policy: with(func(p *Policy) { p.Key = "" }), want: ErrMissingKey},
		{name: "no credentials", policy: ok, creds: sigv4.Credentials{AccessKeyID: "A"}, want: sigv4.ErrMissingCredentials},
		{name: "no region", policy: ok, region: "-", want: sigv4.ErrMissingRegion},
		{name: "negative expiry", policy: with(func(p *Policy) { p.Expires = -time.Second }), want: sigv4.ErrExpiry},
		{name: "sub-second expiry", policy: with(func(p *Policy) { p.Expires = 500 * time.Millisecond }), want: sigv4.ErrExpiry},
		{name: "expiry over 7 days", policy: with(func(p *Policy) { p.Expires = MaxExpires + time.Second }), want: sigv4.ErrExpiry},
		{name: "outlives credentials", policy: ok, creds: expiring, want: sigv4.ErrExpiry},
		{name: "relative URL", policy: ok, bucketURL: "/photos", want: ErrInvalidURL},
		{name: "ftp URL", policy: ok, bucketURL: "ftp://example.com/photos", want: ErrInvalidURL},
		{name: "unparsable URL", policy: ok, bucketURL: "http://[::1", want: ErrInvalidURL},
		{name: "unknown operator", policy: with(func(p *Policy) { p.Conditions = []Condition{{Op: "ends-with", Field: "key", Value: ".jpg"}} }),
			want: ErrUnknownOperator, condition: true},
		{name: "empty operator", policy: with(func(p *Policy) { p.Conditions = []Condition{{Field: "acl", Value: "x"}} }),
			want: ErrUnknownOperator, condition: true},
		{name: "negative range", policy: with(func(p *Policy) { p.Conditions = []Condition{ContentLengthRange(-1, 10)} }),
			want: ErrInvalidRange, condition: true},
		{name: "max below min", policy: with(func(p *Policy) { p.Conditions = []Condition{ContentLengthRange(10, 9)} }),
			want: ErrInvalidRange, condition: true},
		{name: "disjoint ranges", policy: with(func(p *Policy) {
			p.Conditions = []Condition{ContentLengthRange(0, 10), ContentLengthRange(11, 20)}
		}), want: ErrConflict, condition: true},
		{name: "field key", policy: with(func(p *Policy) { p.Fields = map[string]string{"Key": "other"} }), want: ErrReservedField, condition: true},
		{name: "field policy", policy: with(func(p *Policy) { p.Fields = map[string]string{"policy": "x"} }), want: ErrReservedField, condition: true},
		{name: "field x-amz-date", policy: with(func(p *Policy) { p.Fields = map[string]string{"X-Amz-Date": "x"} }), want: ErrReservedField, condition: true},
		{name: "field file", policy: with(func(p *Policy) { p.Fields = map[string]string{"file": "x"} }), want: ErrReservedField, condition: true},
		{name: "condition on signature", policy: with(func(p *Policy) { p.Conditions = []Condition{StartsWith("x-amz-signature", "")} }),
			want: ErrReservedField, condition: true},
		{name: "condition on x-ignore", policy: with(func(p *Policy) { p.Conditions = []Condition{Eq("x-ignore-a", "b")} }),
			want: ErrReservedField, condition: true},
		{name: "duplicate field", policy: with(func(p *Policy) { p.Fields = map[string]string{"acl": "private", "ACL": "private"} }),
			want: ErrDuplicateField, condition: true},
		{name: "empty field name", policy: with(func(p *Policy) { p.Fields = map[string]string{"": "x"} }), want: ErrInvalidField, condition: true},
		{name: "CRLF in field name", policy: with(func(p *Policy) { p.Fields = map[string]string{"x-amz-meta-a\r\nX-Evil": "x"} }),
			want: ErrInvalidField, condition: true},
		{name: "empty condition field", policy: with(func(p *Policy) { p.Conditions = []Condition{StartsWith("$", "x")} }),
			want: ErrInvalidField, condition: true},
		{name: "invalid UTF-8 value", policy: with(func(p *Policy) { p.Fields = map[string]string{"x-amz-meta-a": "\xff"} }),
			want: ErrInvalidValue, condition: true},
		{name: "invalid UTF-8 key", policy: with(func(p *Policy) { p.Key = "a\xffb" }), want: ErrInvalidValue, condition: true},
		{name: "truncated UTF-8 key", policy: with(func(p *Policy) { p.Key = "key\xc3" }), want: ErrInvalidValue, condition: true},
		{name: "surrogate in key", policy: with(func(p *Policy) { p.Key = "a\xed\xa0\x80b" }), want: ErrInvalidValue, condition: true},
		{name: "key of 1025 bytes", policy: with(func(p *Policy) { p.Key = strings.Repeat("k", MaxKeyLength+1) }), want: ErrKeyTooLong},
		{name: "key of 1025 bytes in multibyte runes", policy: with(func(p *Policy) { p.Key = "k" + strings.Repeat("é", MaxKeyLength/2) }),
			want: ErrKeyTooLong},
		{name: "templated key too long without the file name", policy: with(func(p *Policy) {
			p.Key = strings.Repeat("k", MaxKeyLength-2) + "/${filename}/x" // 1025 bytes with an empty name
		}), want: ErrKeyTooLong},
		{name: "invalid UTF-8 condition", policy: with(func(p *Policy) { p.Conditions = []Condition{StartsWith("x-amz-meta-a", "\xfe")} }),
			want: ErrInvalidValue, condition: true},
		{name: "eq conflicts with field", policy: with(func(p *Policy) {
			p.Fields = map[string]string{"acl": "public-read"}
			p.Conditions = []Condition{Eq("ACL", "private")}
		}), want: ErrConflict, condition: true},
		{name: "starts-with conflicts with key", policy: with(func(p *Policy) {
			p.Key = "photos/cat.jpg"
			p.Conditions = []Condition{StartsWith("key", "videos/")}
		}), want: ErrConflict, condition: true},
		{name: "starts-with conflicts with templated key", policy: with(func(p *Policy) {
			p.Key = "photos/${filename}"
			p.Conditions = []Condition{StartsWith("key", "videos/")}
		}), want: ErrConflict, condition: true},
		{name: "eq conflicts with bucket", policy: with(func(p *Policy) { p.Conditions = []Condition{Eq("bucket", "other")} }),
			want: ErrConflict, condition: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds, region := tt.creds, tt.region
			if creds == (sigv4.Credentials{}) {
				creds = testCreds
			}
			switch region {
			case "":
				region = "us-east-1"
			case "-":
				region = ""
			}
			s, err := tt.policy.Sign(creds, region, tt.bucketURL, testNow)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Sign: %v, want %v", err, tt.want)
			}
			if s != nil {
				t.Errorf("Sign returned a form with an error")
			}
			var ce *ConditionError
			if got := errors.As(err, &ce); got != tt.condition {
				t.Errorf("errors.As(*ConditionError) = %v, want %v (%v)", got, tt.condition, err)
			}
			if !strings.HasPrefix(err.Error(), "presignpost: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if creds.SecretAccessKey != "" && strings.Contains(err.Error(), creds.SecretAccessKey) {
				t.Errorf("error %q holds the secret", err)
			}
		})
	}
}

// TestSignAccepts checks consistent combinations that Sign must not refuse.
func TestSignAccepts(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
	}{
		{"starts-with within templated key", Policy{Bucket: "b", Key: "a/${filename}", Conditions: []Condition{StartsWith("key", "a/b")}}},
		{"key of 1024 bytes", Policy{Bucket: "b", Key: strings.Repeat("k", MaxKeyLength)}},
		{"templated key of 1024 bytes without the file name", Policy{Bucket: "b", Key: strings.Repeat("k", MaxKeyLength-1) + "${filename}/"}},
		{"eq on templated key", Policy{Bucket: "b", Key: "a/${filename}", Conditions: []Condition{Eq("key", "a/cat.jpg")}}},
		{"eq on bucket", Policy{Bucket: "b", Key: "k", Conditions: []Condition{Eq("$bucket", "b")}}},
		{"starts-with on fixed field", Policy{Bucket: "b", Key: "k", Fields: map[string]string{"Content-Type": "image/png"},
			Conditions: []Condition{StartsWith("content-type", "image/")}}},
		{"nested ranges", Policy{Bucket: "b", Key: "k", Conditions: []Condition{ContentLengthRange(0, 100), ContentLengthRange(100, 200)}}},
		{"x-ignore field", Policy{Bucket: "b", Key: "k", Fields: map[string]string{"x-ignore-id": "7"}}},
		{"exactly 7 days", Policy{Bucket: "b", Key: "k", Expires: MaxExpires}},
		{"one second", Policy{Bucket: "b", Key: "k", Expires: time.Second}},
	}
	for _, tt := range tests {
		if _, err := tt.policy.Sign(testCreds, "us-east-1", "", testNow); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// TestSecretsRedacted prints a signed form with a session token, its
// conditions and errors about them, with every verb: the token and the
// secret key must not appear.
func TestSecretsRedacted(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "SECRETKEYSECRET", SessionToken: "SESSIONTOKENTOKEN"}
	p := Policy{Bucket: "b", Key: "k", Fields: map[string]string{"x-amz-server-side-encryption-customer-key": "SSECKEYSSECKEY"}}
	s, err := p.Sign(creds, "us-east-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, s.Conditions))
	}
	outputs = append(outputs, s.String())

	// Errors that name the token's and the key's conditions.
	form := Form{Bucket: "b", Fields: map[string]string{}}
	for k, v := range s.Fields {
		form.Fields[k] = v
	}
	form.Fields["x-amz-security-token"] = "WRONGTOKENWRONG"
	outputs = append(outputs, fmt.Sprint(Check(s.Policy, form, testNow)))
	form.Fields["x-amz-security-token"] = creds.SessionToken
	form.Fields["x-amz-server-side-encryption-customer-key"] = "OTHERKEYOTHERKEY"
	outputs = append(outputs, fmt.Sprint(Check(s.Policy, form, testNow)))
	outputs = append(outputs, fmt.Sprint(Verify(map[string]string{"policy": s.Policy, "x-amz-signature": "00", "x-amz-algorithm": sigv4.Algorithm,
		"x-amz-credential": s.Fields["x-amz-credential"], "x-amz-date": s.Fields["x-amz-date"], "x-amz-security-token": "WRONGTOKENWRONG"}, creds, "us-east-1")))
	bad := Policy{Bucket: "b", Key: "k", Fields: map[string]string{"x-amz-server-side-encryption-customer-key": "SSECKEYSSECKEY"},
		Conditions: []Condition{Eq("x-amz-server-side-encryption-customer-key", "OTHERKEYOTHERKEY")}}
	_, err = bad.Sign(creds, "us-east-1", "", testNow)
	outputs = append(outputs, fmt.Sprint(err))

	for _, out := range outputs {
		for _, secret := range []string{"SECRETKEYSECRET", "SESSIONTOKENTOKEN", "SSECKEYSSECKEY", "WRONGTOKENWRONG", "OTHERKEYOTHERKEY",
			fmt.Sprintf("%x", "SESSIONTOKENTOKEN")} {
			if strings.Contains(out, secret) {
				t.Errorf("output holds a secret: %s", out)
			}
		}
	}
	if !strings.Contains(outputs[len(outputs)-1], "<redacted>") {
		t.Errorf("conflict error does not show the redaction: %s", outputs[len(outputs)-1])
	}
}

func TestConditionString(t *testing.T) {
	tests := []struct {
		c    Condition
		want string
	}{
		{Eq("acl", "private"), `["eq","$acl","private"]`},
		{Eq("$acl", "a\"b<c>"), `["eq","$acl","a\"b<c>"]`},
		{StartsWith("key", "user/"), `["starts-with","$key","user/"]`},
		{ContentLengthRange(1, 10), `["content-length-range",1,10]`},
		{Condition{Op: "in", Field: "acl", Value: "x"}, `["in","$acl","x"]`},
		{Eq("X-Amz-Security-Token", "tok"), `["eq","$X-Amz-Security-Token","<redacted>"]`},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}
