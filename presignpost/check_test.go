package presignpost

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// submission copies the signed fields into a form, as a browser submits
// them, and fills in the fields of conditions that stand without one.
func submission(s *Signed, bucket string, extra map[string]string, filename string, size int64) Form {
	fields := make(map[string]string, len(s.Fields)+len(extra))
	for k, v := range s.Fields {
		fields[k] = v
	}
	for k, v := range extra {
		fields[k] = v
	}
	return Form{Bucket: bucket, Fields: fields, Filename: filename, FileSize: size}
}

// checkPolicies are the policies whose own forms Check must accept.
var checkPolicies = []struct {
	name     string
	policy   Policy
	creds    sigv4.Credentials
	extra    map[string]string // the uploader's values for standing conditions
	filename string
	size     int64
}{
	{name: "minimal", policy: Policy{Bucket: "b", Key: "k"}, creds: testCreds, filename: "f", size: 0},
	{name: "everything", policy: Policy{
		Bucket: "photos",
		Key:    "users/alice/${filename}",
		Fields: map[string]string{
			"acl":                          "public-read",
			"Content-Type":                 "image/png",
			"Cache-Control":                "max-age=60",
			"success_action_status":        "201",
			"success_action_redirect":      "https://example.com/ok",
			"x-amz-meta-owner":             "alice",
			"x-amz-server-side-encryption": "AES256",
			"tagging":                      "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>",
			"Content-Disposition":          `inline; filename="${filename}"`,
			"x-ignore-request-id":          "42",
		},
		Conditions: []Condition{
			Eq("acl", "public-read"),
			StartsWith("x-amz-meta-note", ""),
			StartsWith("x-amz-meta-album", "2024/"),
			ContentLengthRange(10, 100),
		},
		Expires: 10 * time.Minute,
	}, creds: testCreds, extra: map[string]string{"x-amz-meta-note": "", "X-Amz-Meta-Album": "2024/summer"}, filename: "cat.png", size: 10},
	{name: "session token", policy: Policy{Bucket: "b", Key: "${filename}", Conditions: []Condition{ContentLengthRange(0, 0)}},
		creds: sigv4.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "s", SessionToken: "tok"}, filename: `C:\x\y.txt`, size: 0},
	{name: "content-type list", policy: Policy{Bucket: "b", Key: "k", Conditions: []Condition{StartsWith("Content-Type", "image/")}},
		creds: testCreds, extra: map[string]string{"content-type": "image/jpeg, image/png"}, filename: "f", size: 5},
}

// TestCheckAcceptsOwnForms: every form the builder's own fields make passes
// Check and Verify, up to the expiration instant.
func TestCheckAcceptsOwnForms(t *testing.T) {
	for _, tt := range checkPolicies {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.policy.Sign(tt.creds, "us-east-1", "", testNow)
			if err != nil {
				t.Fatal(err)
			}
			form := submission(s, tt.policy.Bucket, tt.extra, tt.filename, tt.size)
			for _, now := range []time.Time{testNow, s.Expires} {
				if err := Check(s.Policy, form, now); err != nil {
					t.Errorf("Check at %v: %v", now, err)
				}
			}
			if err := Verify(form.Fields, tt.creds, "us-east-1"); err != nil {
				t.Errorf("Verify: %v", err)
			}
			// Without a Form.Bucket, a bucket field stands in for it.
			form.Bucket = ""
			form.Fields["bucket"] = tt.policy.Bucket
			if err := Check(s.Policy, form, testNow); err != nil {
				t.Errorf("Check with a bucket field: %v", err)
			}
		})
	}
}

// TestCheckRejects changes one thing in a valid form and expects the
// failing condition to be named.
func TestCheckRejects(t *testing.T) {
	p := Policy{
		Bucket: "photos",
		Key:    "users/alice/${filename}",
		Fields: map[string]string{"acl": "private", "Content-Type": "image/png"},
		Conditions: []Condition{
			StartsWith("x-amz-meta-album", "2024/"),
			ContentLengthRange(10, 100),
		},
	}
	s, err := p.Sign(testCreds, "us-east-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	valid := func() Form {
		return submission(s, "photos", map[string]string{"x-amz-meta-album": "2024/x"}, "cat.png", 50)
	}
	tests := []struct {
		name          string
		change        func(f *Form)
		now           time.Time
		wantCondition string
		wantField     string
		wantReason    string
	}{
		{name: "wrong key prefix", change: func(f *Form) { f.Fields["key"] = "users/bob/${filename}" },
			wantCondition: `["starts-with","$key","users/alice/"]`, wantField: "key", wantReason: `"users/bob/cat.png" does not start with "users/alice/"`},
		{name: "file too large", change: func(f *Form) { f.FileSize = 101 },
			wantCondition: `["content-length-range",10,100]`, wantReason: "larger than the maximum 100"},
		{name: "file too small", change: func(f *Form) { f.FileSize = 9 },
			wantCondition: `["content-length-range",10,100]`, wantReason: "smaller than the minimum 10"},
		{name: "changed acl", change: func(f *Form) { f.Fields["acl"] = "public-read" },
			wantCondition: `["eq","$acl","private"]`, wantField: "acl", wantReason: `"public-read" does not equal "private"`},
		{name: "acl in other case", change: func(f *Form) { delete(f.Fields, "acl"); f.Fields["ACL"] = "PRIVATE" },
			wantCondition: `["eq","$acl","private"]`, wantField: "acl"},
		{name: "extra field", change: func(f *Form) { f.Fields["x-amz-meta-extra"] = "1" },
			wantField: "x-amz-meta-extra", wantReason: "extra input field"},
		{name: "expired policy", now: s.Expires.Add(time.Millisecond),
			wantCondition: "expiration", wantReason: "expired at " + s.Expires.Format(expirationLayout)},
		{name: "standing condition unmet", change: func(f *Form) { f.Fields["x-amz-meta-album"] = "2023/x" },
			wantCondition: `["starts-with","$x-amz-meta-album","2024/"]`, wantField: "x-amz-meta-album"},
		{name: "standing field absent", change: func(f *Form) { delete(f.Fields, "x-amz-meta-album") },
			wantCondition: `["starts-with","$x-amz-meta-album","2024/"]`, wantField: "x-amz-meta-album", wantReason: "no x-amz-meta-album field"},
		{name: "other bucket", change: func(f *Form) { f.Bucket = "videos" },
			wantCondition: `["eq","$bucket","photos"]`, wantField: "bucket"},
		{name: "bucket field disagrees", change: func(f *Form) { f.Fields["bucket"] = "videos" },
			wantCondition: `["eq","$bucket","photos"]`, wantField: "bucket"},
		{name: "no bucket", change: func(f *Form) { f.Bucket = "" },
			wantCondition: `["eq","$bucket","photos"]`, wantField: "bucket"},
		{name: "no key", change: func(f *Form) { delete(f.Fields, "key") }, wantField: "key", wantReason: "missing"},
		{name: "changed credential", change: func(f *Form) { f.Fields["x-amz-credential"] = "AKIDOTHER/20240229/us-east-1/s3/aws4_request" },
			wantCondition: `["eq","$x-amz-credential","AKIDTEST/20240229/us-east-1/s3/aws4_request"]`, wantField: "x-amz-credential"},
		{name: "duplicate field", change: func(f *Form) { f.Fields["Acl"] = "private" }, wantField: "acl", wantReason: "given twice"},
		// S3 compares field names in ASCII: a Kelvin sign (U+212A) is not
		// a K, though Unicode folds it to one.
		{name: "kelvin-sign key is not the key", change: func(f *Form) { f.Fields["\u212Aey"] = f.Fields["key"]; delete(f.Fields, "key") },
			wantField: "key", wantReason: "missing"},
		{name: "kelvin-sign key beside the key", change: func(f *Form) { f.Fields["\u212Aey"] = "evil/x" },
			wantField: "\u212Aey", wantReason: "extra input field"},
		// The file is not a field: a form that carries it as one has no
		// file part.
		{name: "file as a field", change: func(f *Form) { f.Fields["File"] = "text" }, wantField: "file", wantReason: "not a form field"},
		{name: "other policy", change: func(f *Form) { f.Fields["policy"] = "e30=" }, wantField: "policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := valid()
			if err := Check(s.Policy, form, testNow); err != nil {
				t.Fatalf("the unchanged form fails: %v", err)
			}
			if tt.change != nil {
				tt.change(&form)
			}
			now := tt.now
			if now.IsZero() {
				now = testNow
			}
			err := Check(s.Policy, form, now)
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("Check: %v, want a *CheckError", err)
			}
			if ce.Condition != tt.wantCondition || ce.Field != tt.wantField || !strings.Contains(ce.Reason, tt.wantReason) {
				t.Errorf("CheckError{Condition: %s, Field: %q, Reason: %q}, want condition %s, field %q, reason containing %q",
					ce.Condition, ce.Field, ce.Reason, tt.wantCondition, tt.wantField, tt.wantReason)
			}
			if errors.Is(err, ErrMalformedPolicy) {
				t.Errorf("a refused form is not a malformed policy")
			}
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestCheckPolicyParsing evaluates hand-written policies: S3's lenient and
// strict spots, and malformed documents.
func TestCheckPolicyParsing(t *testing.T) {
	const exp = `"expiration":"2030-01-01T00:00:00.000Z"`
	form := Form{Bucket: "b", Fields: map[string]string{"key": "k", "acl": "private"}, FileSize: 5}
	tests := []struct {
		name      string
		policy    string // base64 of it unless raw
		raw       bool
		malformed bool   // wants ErrMalformedPolicy
		condition string // wants a CheckError naming this condition; "" with !malformed: passes
	}{
		{name: "operators and names in any case", policy: `{` + exp + `,"conditions":[{"bUcKeT":"b"},["StArTs-WiTh","$KeY",""],["EQ","$AcL","private"]]}`},
		{name: "expiration without milliseconds", policy: `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},{"key":"k"},{"acl":"private"}]}`},
		{name: "CRLF and spaces", policy: "{ " + exp + ",\r\n \"conditions\" : [ {\"bucket\": \"b\"},\r\n[\"starts-with\", \"$key\", \"k\"], {\"acl\":\"private\"} ]\r\n}"},
		{name: "size bounds as strings", policy: `{` + exp + `,"conditions":[{"bucket":"b"},{"key":"k"},{"acl":"private"},["content-length-range","5","10"]]}`},
		{name: "size bounds not numbers", policy: `{` + exp + `,"conditions":[{"bucket":"b"},{"key":"k"},{"acl":"private"},["content-length-range","test","10"]]}`,
			condition: `["content-length-range","test","10"]`},
		{name: "field reference without $", policy: `{` + exp + `,"conditions":[{"bucket":"b"},["eq","key","k"],{"acl":"private"}]}`,
			condition: `["eq","key","k"]`},
		{name: "simple condition with $ in name", policy: `{` + exp + `,"conditions":[{"bucket":"b"},{"$key":"k"},{"acl":"private"}]}`,
			condition: `["eq","$$key","k"]`},
		{name: "starts-with empty on an absent field", policy: `{` + exp + `,"conditions":[{"bucket":"b"},{"key":"k"},{"acl":"private"},["starts-with","$Content-Type",""]]}`,
			condition: `["starts-with","$Content-Type",""]`},
		{name: "no conditions cover acl", policy: `{` + exp + `,"conditions":[{"bucket":"b"},{"key":"k"}]}`},
		{name: "not base64", policy: "e30=!", raw: true, malformed: true},
		{name: "base64 without padding", policy: "e30", raw: true, malformed: true},
		{name: "not JSON", policy: `{` + exp + `,"conditions":[}`, malformed: true},
		{name: "trailing comma", policy: `{` + exp + `,"conditions":[{"bucket":"b"},]}`, malformed: true},
		{name: "not UTF-8", policy: "{\"expiration\":\"2030-01-01T00:00:00Z\",\"conditions\":[{\"key\":\"\xff\"}]}", malformed: true},
		{name: "not an object", policy: `[]`, malformed: true},
		{name: "missing expiration", policy: `{"conditions":[]}`, malformed: true},
		{name: "EXPIRATION", policy: `{"EXPIRATION":"2030-01-01T00:00:00Z","conditions":[]}`, malformed: true},
		{name: "missing conditions", policy: `{` + exp + `}`, malformed: true},
		{name: "conditions not a list", policy: `{` + exp + `,"conditions":{}}`, malformed: true},
		{name: "unexpected member", policy: `{` + exp + `,"conditions":[],"Statement":[]}`, malformed: true},
		{name: "expiration with offset", policy: `{"expiration":"2030-01-01T00:00:00+02:00","conditions":[]}`, malformed: true},
		{name: "expiration with space", policy: `{"expiration":"2030-01-01 00:00:00Z","conditions":[]}`, malformed: true},
		{name: "expiration a number", policy: `{"expiration":1,"conditions":[]}`, malformed: true},
		{name: "empty simple condition", policy: `{` + exp + `,"conditions":[{}]}`, malformed: true},
		{name: "two members", policy: `{` + exp + `,"conditions":[{"bucket":"b","key":"k"}]}`, malformed: true},
		{name: "simple condition not a string", policy: `{` + exp + `,"conditions":[{"content-length":5}]}`, malformed: true},
		{name: "simple condition null", policy: `{` + exp + `,"conditions":[{"acl":null}]}`, malformed: true},
		{name: "condition a number", policy: `{` + exp + `,"conditions":[123]}`, malformed: true},
		{name: "condition null", policy: `{` + exp + `,"conditions":[null]}`, malformed: true},
		{name: "empty list", policy: `{` + exp + `,"conditions":[[]]}`, malformed: true},
		{name: "operation not a string", policy: `{` + exp + `,"conditions":[[1,"$key","k"]]}`, malformed: true},
		{name: "unknown operation", policy: `{` + exp + `,"conditions":[["ends-with","$key","k"]]}`, malformed: true},
		{name: "in operation", policy: `{` + exp + `,"conditions":[["in","$acl",["private"]]]}`, malformed: true},
		{name: "too many arguments", policy: `{` + exp + `,"conditions":[["starts-with","$key","k","x"]]}`, malformed: true},
		{name: "too few arguments", policy: `{` + exp + `,"conditions":[["eq","$key"]]}`, malformed: true},
		{name: "argument not a string", policy: `{` + exp + `,"conditions":[["eq","$key",1]]}`, malformed: true},
		{name: "range missing bound", policy: `{` + exp + `,"conditions":[["content-length-range",0]]}`, malformed: true},
		{name: "range negative", policy: `{` + exp + `,"conditions":[["content-length-range",-1,0]]}`, malformed: true},
		{name: "range float", policy: `{` + exp + `,"conditions":[["content-length-range",0,512.0]]}`, malformed: true},
		{name: "range exponent", policy: `{` + exp + `,"conditions":[["content-length-range",0,1e3]]}`, malformed: true},
		{name: "range overflow", policy: `{` + exp + `,"conditions":[["content-length-range",0,99999999999999999999]]}`, malformed: true},
		{name: "range max below min", policy: `{` + exp + `,"conditions":[["content-length-range",10,9]]}`, malformed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := tt.policy
			if !tt.raw {
				pol = b64(pol)
			}
			err := Check(pol, form, testNow)
			var ce *CheckError
			switch {
			case tt.malformed:
				if !errors.Is(err, ErrMalformedPolicy) {
					t.Errorf("Check: %v, want ErrMalformedPolicy", err)
				}
			case tt.condition != "":
				if !errors.As(err, &ce) || ce.Condition != tt.condition {
					t.Errorf("Check: %v, want a CheckError naming %s", err, tt.condition)
				}
			case tt.name == "no conditions cover acl":
				if !errors.As(err, &ce) || ce.Field != "acl" || ce.Condition != "" {
					t.Errorf("Check: %v, want an extra-field CheckError for acl", err)
				}
			default:
				if err != nil {
					t.Errorf("Check: %v", err)
				}
			}
		})
	}
}

// TestCheckFilenameExpansion follows S3: ${filename} is replaced, in every
// field, with the file name after its last / or \, before the conditions
// are evaluated.
func TestCheckFilenameExpansion(t *testing.T) {
	pol := b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},{"key":"in/cat.jpg"},{"x-amz-meta-src":"cat.jpg!"}]}`)
	for _, filename := range []string{"cat.jpg", "/home/u/cat.jpg", `C:\Users\u\cat.jpg`, `a/b\cat.jpg`} {
		form := Form{Bucket: "b", Filename: filename, Fields: map[string]string{"key": "in/${filename}", "x-amz-meta-src": "${filename}!"}}
		if err := Check(pol, form, testNow); err != nil {
			t.Errorf("filename %q: %v", filename, err)
		}
	}
	form := Form{Bucket: "b", Filename: "dog.jpg", Fields: map[string]string{"key": "in/${filename}", "x-amz-meta-src": "cat.jpg!"}}
	var ce *CheckError
	if err := Check(pol, form, testNow); !errors.As(err, &ce) || ce.Field != "key" {
		t.Errorf("dog.jpg: %v, want the key condition to fail", err)
	}
}

// TestCheckKeyLength: S3 refuses a key over 1024 bytes, counted after
// ${filename} is expanded, whatever the policy says.
func TestCheckKeyLength(t *testing.T) {
	pol := b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key",""]]}`)
	tests := []struct {
		name, key, filename string
		ok                  bool
	}{
		{"1024 bytes", strings.Repeat("k", MaxKeyLength), "", true},
		{"1025 bytes", strings.Repeat("k", MaxKeyLength+1), "", false},
		{"1024 bytes expanded", strings.Repeat("k", MaxKeyLength-7) + "${filename}", "cat.jpg", true},
		{"1025 bytes expanded", strings.Repeat("k", MaxKeyLength-7) + "${filename}", "cat.jpeg", false},
	}
	for _, tt := range tests {
		err := Check(pol, Form{Bucket: "b", Filename: tt.filename, Fields: map[string]string{"key": tt.key}}, testNow)
		var ce *CheckError
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && (!errors.As(err, &ce) || ce.Field != "key" || !strings.Contains(ce.Reason, "1024")):
			t.Errorf("%s: %v, want a *CheckError on the key's length", tt.name, err)
		}
	}
}

// TestCheckNegativeSize: a size the caller does not know cannot satisfy a
// range.
func TestCheckNegativeSize(t *testing.T) {
	pol := b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},{"key":"k"},["content-length-range",0,10]]}`)
	var ce *CheckError
	if err := Check(pol, Form{Bucket: "b", Fields: map[string]string{"key": "k"}, FileSize: -1}, testNow); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "unknown") {
		t.Errorf("Check: %v", err)
	}
}

// TestVerifyRejects changes one signing field of a valid form.
func TestVerifyRejects(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "SECRETSECRET", SessionToken: "TOKENTOKEN"}
	p := Policy{Bucket: "b", Key: "k"}
	s, err := p.Sign(creds, "eu-central-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	other, err := (&Policy{Bucket: "b", Key: "other"}).Sign(creds, "eu-central-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(f map[string]string)
		creds  sigv4.Credentials
		region string
	}{
		{name: "signature changed", change: func(f map[string]string) { f["x-amz-signature"] = strings.Repeat("0", 64) }},
		{name: "signature of another policy", change: func(f map[string]string) { f["x-amz-signature"] = other.Fields["x-amz-signature"] }},
		{name: "policy changed", change: func(f map[string]string) { f["policy"] = other.Policy }},
		{name: "no signature", change: func(f map[string]string) { delete(f, "x-amz-signature") }},
		{name: "no policy", change: func(f map[string]string) { delete(f, "policy") }},
		{name: "no date", change: func(f map[string]string) { delete(f, "x-amz-date") }},
		{name: "wrong algorithm", change: func(f map[string]string) { f["x-amz-algorithm"] = "AWS4-ECDSA-P256-SHA256" }},
		{name: "malformed date", change: func(f map[string]string) { f["x-amz-date"] = "2024-02-29" }},
		{name: "date of another day", change: func(f map[string]string) { f["x-amz-date"] = "20240301T000000Z" }},
		{name: "credential malformed", change: func(f map[string]string) { f["x-amz-credential"] = "ASIATEST/20240229/eu-central-1/s3" }},
		{name: "credential other service", change: func(f map[string]string) {
			f["x-amz-credential"] = "ASIATEST/20240229/eu-central-1/sqs/aws4_request"
		}},
		{name: "no token", change: func(f map[string]string) { delete(f, "x-amz-security-token") }},
		{name: "token changed", change: func(f map[string]string) { f["x-amz-security-token"] = "TOKENTOKEX" }},
		{name: "token where creds have none", creds: sigv4.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "SECRETSECRET"}},
		{name: "other access key", creds: sigv4.Credentials{AccessKeyID: "AKIAOTHER", SecretAccessKey: "SECRETSECRET", SessionToken: "TOKENTOKEN"}},
		{name: "other secret", creds: sigv4.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "SECRETSECREX", SessionToken: "TOKENTOKEN"}},
		{name: "other region", region: "eu-west-1"},
		{name: "duplicate field", change: func(f map[string]string) { f["X-Amz-Date"] = f["x-amz-date"] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := make(map[string]string)
			for k, v := range s.Fields {
				form[k] = v
			}
			if err := Verify(form, creds, "eu-central-1"); err != nil {
				t.Fatalf("the unchanged form fails: %v", err)
			}
			if tt.change != nil {
				tt.change(form)
			}
			c, region := tt.creds, tt.region
			if c == (sigv4.Credentials{}) {
				c = creds
			}
			if region == "" {
				region = "eu-central-1"
			}
			err := Verify(form, c, region)
			if !errors.Is(err, ErrSignature) {
				t.Fatalf("Verify: %v, want ErrSignature", err)
			}
			for _, secret := range []string{"SECRETSECRET", "TOKENTOKEN", s.Fields["x-amz-signature"]} {
				if tt.name != "signature of another policy" && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds a secret or the expected signature", err)
				}
			}
		})
	}
	// Upper-case hex and capitalized names are the same signature.
	form := map[string]string{}
	for k, v := range s.Fields {
		form[strings.ToUpper(k[:1])+k[1:]] = v
	}
	form["X-amz-signature"] = strings.ToUpper(form["X-amz-signature"])
	if err := Verify(form, creds, "eu-central-1"); err != nil {
		t.Errorf("Verify with capitalized names and upper-case hex: %v", err)
	}
}
