package presignpost

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/sigv4"
)

// TestSecretsRedactedInEveryFormat prints every type of the package that
// can hold a secret (an SSE-C key, a session token), by value, by pointer
// and inside a struct, a slice and a map, with every verb.
func TestSecretsRedactedInEveryFormat(t *testing.T) {
	const (
		ssecKey   = "SSECKEYSSECKEYSSECKEY"
		copyKey   = "COPYKEYCOPYKEYCOPYKEY"
		token     = "SESSIONTOKENSESSIONTOKEN"
		secretKey = "SECRETKEYSECRETKEY"
	)
	creds := sigv4.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: secretKey, SessionToken: token}
	policy := Policy{
		Bucket: "b",
		Key:    "k",
		Fields: map[string]string{
			"x-amz-server-side-encryption-customer-algorithm":       "AES256",
			"X-Amz-Server-Side-Encryption-Customer-Key":             ssecKey,
			"x-amz-copy-source-server-side-encryption-customer-key": copyKey,
		},
		Conditions: []Condition{Eq("x-amz-security-token", token)},
	}
	signed, err := (&Policy{Bucket: "b", Key: "k", Fields: map[string]string{"x-amz-server-side-encryption-customer-key": ssecKey}}).
		Sign(creds, "us-east-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	form := Form{Bucket: "b", Fields: map[string]string{}, Filename: "f", FileSize: 1}
	for k, v := range signed.Fields {
		form.Fields[k] = v
	}
	form.Fields["x-amz-security-token"] = token + "X" // a wrong token, which Check names
	checkErr := Check(signed.Policy, form, testNow)
	var ce *CheckError
	if !errors.As(checkErr, &ce) {
		t.Fatalf("Check: %v", checkErr)
	}
	form.Fields["x-amz-security-token"] = token
	field := Field{Name: "X-Amz-Security-Token", Value: token}
	// Redaction folds names more broadly than S3 does: a name that S3
	// would not take for the key's is still hidden.
	kelvin := Field{Name: "x-amz-server-side-encryption-customer-\u212Aey", Value: ssecKey}

	values := []struct {
		name string
		v    any
	}{
		{"Policy", policy},
		{"*Policy", &policy},
		{"Form", form},
		{"*Form", &form},
		{"Field", field},
		{"*Field", &field},
		{"Field with a Kelvin sign", kelvin},
		{"[]Field", signed.FormFields()},
		{"Signed", *signed},
		{"*Signed", signed},
		{"Condition", Eq("x-amz-security-token", token)},
		{"[]Condition", signed.Conditions},
		{"*CheckError", ce},
		{"in a struct", struct {
			P Policy
			F Form
			L []Field
		}{policy, form, []Field{field}}},
		{"in a map", map[string]any{"policy": policy, "form": &form}},
	}
	for _, tt := range values {
		outs := map[string]string{"Sprint": fmt.Sprint(tt.v), "Sprintln": fmt.Sprintln(tt.v)}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outs[verb] = fmt.Sprintf(verb, tt.v)
		}
		for how, s := range outs {
			for _, sec := range []string{ssecKey, copyKey, token, secretKey, fmt.Sprintf("%x", ssecKey), fmt.Sprintf("%x", token)} {
				if strings.Contains(s, sec) {
					t.Errorf("%s of %s shows a secret (%.10s...): %s", how, tt.name, sec, s)
				}
			}
		}
	}

	// What is not secret stays readable.
	want := "presignpost.Policy{Bucket: b, Key: k, Fields: [x-amz-copy-source-server-side-encryption-customer-key=<redacted> " +
		"x-amz-server-side-encryption-customer-algorithm=AES256 X-Amz-Server-Side-Encryption-Customer-Key=<redacted>], " +
		`Conditions: [["eq","$x-amz-security-token","<redacted>"]], Expires: 0s}`
	if got := fmt.Sprint(policy); got != want {
		t.Errorf("Policy prints\n%s\nwant\n%s", got, want)
	}
	if got := fmt.Sprintf("%#v", field); got != "presignpost.Field{X-Amz-Security-Token=<redacted>}" {
		t.Errorf("%%#v of Field = %s", got)
	}
	if got := fmt.Sprint(form); !strings.Contains(got, "x-amz-algorithm=AWS4-HMAC-SHA256") || !strings.Contains(got, "Filename: f, FileSize: 1}") {
		t.Errorf("Form prints %s", got)
	}
}
