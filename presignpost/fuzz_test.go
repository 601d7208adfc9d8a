package presignpost

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzCheck feeds arbitrary policies and forms to Check and Verify. They
// must not panic, and every error of Check is either a *CheckError or wraps
// ErrMalformedPolicy.
func FuzzCheck(f *testing.F) {
	signed, err := (&Policy{
		Bucket:     "b",
		Key:        "in/${filename}",
		Fields:     map[string]string{"acl": "private", "Content-Type": "image/png"},
		Conditions: []Condition{StartsWith("x-amz-meta-a", ""), ContentLengthRange(1, 10)},
	}).Sign(testCreds, "us-east-1", "", testNow)
	if err != nil {
		f.Fatal(err)
	}
	var lines []string
	for _, fld := range signed.FormFields() {
		lines = append(lines, fld.Name+"="+fld.Value)
	}
	form := strings.Join(lines, "\n")
	doc, _ := base64.StdEncoding.DecodeString(signed.Policy)

	f.Add(string(doc), true, form, "cat.png", int64(5), testNow.Unix())
	f.Add(signed.Policy, false, form+"\nx-amz-meta-a=1", `C:\a\b.png`, int64(0), testNow.Unix())
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range","1","x"],["eq","key","k"],{"a":"b"}]}`, true, "key=k\nA=b", "", int64(-1), int64(0))
	f.Add(`{"expiration":"2030-01-01T00:00:00.000Z","conditions":[["StArTs-WiTh","$Content-Type","image/"]]}`, true, "key=k\ncontent-type=image/a,image/b", "f", int64(3), int64(0))
	f.Add(`{"expiration":null,"conditions":[[],{},null,1,[1],["eq"]]}`, true, "", "", int64(0), int64(0))
	f.Add("e30", false, "policy=e30\nKey=x\nkey=y", "${filename}", int64(1), int64(-62135596800))

	f.Fuzz(func(t *testing.T, policy string, encode bool, formText, filename string, size, unix int64) {
		if encode {
			policy = base64.StdEncoding.EncodeToString([]byte(policy))
		}
		fields := map[string]string{}
		for _, line := range strings.Split(formText, "\n") {
			name, value, _ := strings.Cut(line, "=")
			fields[name] = value
		}
		form := Form{Bucket: "b", Fields: fields, Filename: filename, FileSize: size}
		err := Check(policy, form, time.Unix(unix, 0))
		var ce *CheckError
		if err != nil && !errors.As(err, &ce) && !errors.Is(err, ErrMalformedPolicy) {
			t.Fatalf("Check: untyped error %v", err)
		}
		if ce != nil && ce.Error() == "" {
			t.Fatalf("empty error text")
		}
		if err := Verify(fields, testCreds, "us-east-1"); err != nil && !errors.Is(err, ErrSignature) {
			t.Fatalf("Verify: untyped error %v", err)
		}
	})
}
