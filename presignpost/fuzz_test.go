package presignpost

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
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

// FuzzReadForm feeds arbitrary bodies to ReadForm. It must not panic; every
// error is a *FormError wrapping one of its sentinels; an accepted form
// has a file, no two fields whose names differ only in ASCII case, fields
// within MaxFieldsSize, and reads back the same after MultipartBody writes
// it again.
func FuzzReadForm(f *testing.F) {
	signed, err := (&Policy{Bucket: "b", Key: "in/${filename}", Fields: map[string]string{"Content-Type": "image/png"}}).
		Sign(testCreds, "us-east-1", "", testNow)
	if err != nil {
		f.Fatal(err)
	}
	var body bytes.Buffer
	ct, err := signed.MultipartBody(&body, "cat.png", strings.NewReader("PNG"))
	if err != nil {
		f.Fatal(err)
	}
	boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
	f.Add(body.Bytes(), boundary)
	hostile := func(parts ...string) []byte {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString("--XB\r\n" + p + "\r\n")
		}
		b.WriteString("--XB--\r\n")
		return []byte(b.String())
	}
	disp := func(name, value string) string {
		return "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
	}
	f.Add(hostile(disp("key", "evil/x"), disp("Key", "uploads/x"), disp("file", "x")), "XB")
	f.Add(hostile(disp("\u212Aey", "evil/x"), disp("key", "uploads/x"), disp("FILE", "x")), "XB")
	f.Add(hostile(disp("key", "k"), disp("policy", "p")), "XB")
	f.Add(hostile(disp("key", "k"), disp("file", "x"), disp("key", "evil")), "XB")
	f.Add(hostile("Content-Disposition: form-data; name*=UTF-8''%E2%84%AAey\r\n\r\nv", "Content-Disposition: form-data; name=\"file\"; filename=\"a\\\"b\"\r\n\r\nx"), "XB")
	f.Add(hostile("Content-Disposition: form-data\r\n\r\nv", "Content-Transfer-Encoding: quoted-printable\r\n"+disp("file", "=41")), "XB")
	f.Add([]byte("--XB\r\n"+disp("key", "k")), "XB")

	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		var file bytes.Buffer
		form, err := ReadForm(bytes.NewReader(body), "multipart/form-data; boundary=\""+boundary+"\"", &file)
		if err != nil {
			var fe *FormError
			if !errors.As(err, &fe) {
				t.Fatalf("untyped error %v", err)
			}
			if !errors.Is(err, ErrMalformedForm) && !errors.Is(err, ErrDuplicateField) && !errors.Is(err, ErrMissingFile) && !errors.Is(err, ErrFormTooLarge) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if form.FileSize != int64(file.Len()) {
			t.Fatalf("FileSize %d, file of %d bytes", form.FileSize, file.Len())
		}
		seen := map[string]bool{}
		size := 0
		for name, value := range form.Fields {
			lower := asciiLower(name)
			if seen[lower] || lower == "file" || validName(name) != nil {
				t.Fatalf("accepted field name %q (fields %q)", name, form.Fields)
			}
			seen[lower] = true
			size += len(name) + len(value)
		}
		if size > MaxFieldsSize {
			t.Fatalf("accepted %d bytes of fields", size)
		}
		// Written again as this package writes forms, it reads back the same.
		var again bytes.Buffer
		ct, err := Signed{Fields: form.Fields}.MultipartBody(&again, form.Filename, bytes.NewReader(file.Bytes()))
		if err != nil {
			if errors.Is(err, ErrInvalidField) { // a filename MultipartBody cannot write
				return
			}
			t.Fatalf("MultipartBody: %v", err)
		}
		var file2 bytes.Buffer
		form2, err := ReadForm(&again, ct, &file2)
		if err != nil {
			t.Fatalf("ReadForm of the form written again: %v", err)
		}
		if fmt.Sprintf("%q", form2.Fields) != fmt.Sprintf("%q", form.Fields) || form2.Filename != form.Filename || !bytes.Equal(file2.Bytes(), file.Bytes()) {
			t.Fatalf("read back %q %q %q, want %q %q %q", form2.Fields, form2.Filename, file2.Bytes(), form.Fields, form.Filename, file.Bytes())
		}
	})
}
