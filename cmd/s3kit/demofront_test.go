package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// formPart is one part of a posted form; file marks the file part.
type formPart struct {
	name, value string
	file        bool
}

// TestDemoFrontPostForms posts hostile forms through the demo's front to
// the embedded server, and checks what it answers and what it stores:
// the server reads a form as S3 does (ASCII-case names, nothing after the
// file), not as gofakes3 would.
func TestDemoFrontPostForms(t *testing.T) {
	creds := sigv4.Credentials{AccessKeyID: demoAccessKey, SecretAccessKey: demoSecretKey}
	handler, backend, err := s3test.NewHandler(s3test.WithCredentials(creds), s3test.WithPOSTPolicies())
	if err != nil {
		t.Fatal(err)
	}
	front, err := newDemoFront(handler)
	if err != nil {
		t.Fatal(err)
	}
	defer front.close()
	if err := backend.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	signed, err := (&presignpost.Policy{Bucket: "bkt", Key: "uploads/${filename}", Conditions: []presignpost.Condition{
		presignpost.ContentLengthRange(1, 100)}}).Sign(creds, demoRegion, front.url+"/bkt", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// signedParts are the form's signed fields, key excepted, in order.
	var signedParts []formPart
	for _, f := range signed.FormFields() {
		if f.Name != "key" {
			signedParts = append(signedParts, formPart{name: f.Name, value: f.Value})
		}
	}
	form := func(before []formPart, after ...formPart) []formPart {
		return append(append(append([]formPart(nil), before...), signedParts...), after...)
	}
	file := formPart{name: "file", value: "hello", file: true}

	tests := []struct {
		name     string
		parts    []formPart
		wantCode string // "" means accepted
		wantKey  string // the only key stored
	}{
		{"valid", form([]formPart{{name: "key", value: "uploads/ok.txt"}}, file), "", "uploads/ok.txt"},
		{"key twice in other case", form([]formPart{{name: "key", value: "evil/x"}, {name: "Key", value: "uploads/x"}}, file), "InvalidArgument", ""},
		// Unicode folds the Kelvin sign to k; S3 does not.
		{"kelvin-sign key as the key", form([]formPart{{name: "\u212Aey", value: "uploads/x"}}, file), "AccessDenied", ""},
		{"kelvin-sign key beside the key", form([]formPart{{name: "key", value: "uploads/x"}, {name: "\u212Aey", value: "evil/x"}}, file), "AccessDenied", ""},
		{"no file part", form([]formPart{{name: "key", value: "uploads/x"}}), "InvalidArgument", ""},
		// S3 ignores what follows the file; gofakes3 would read it.
		{"key after the file", form([]formPart{{name: "Key", value: "uploads/ok.txt"}}, file, formPart{name: "key", value: "evil/x"}), "", "uploads/ok.txt"},
		{"file too large", form([]formPart{{name: "key", value: "uploads/x"}}, formPart{name: "file", value: strings.Repeat("b", 101), file: true}), "EntityTooLarge", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := postParts(t, front.url+"/bkt", tt.parts)
			if code != tt.wantCode {
				t.Errorf("answer %q, want %q", code, tt.wantCode)
			}
			for _, key := range []string{"uploads/ok.txt", "uploads/x", "evil/x"} {
				obj, err := backend.HeadObject("bkt", key)
				if stored := err == nil; stored != (key == tt.wantKey) {
					t.Errorf("%s stored: %v, want %v", key, stored, key == tt.wantKey)
				}
				if err == nil {
					obj.Contents.Close()
					backend.DeleteObject("bkt", key)
				}
			}
		})
	}
}

// postParts posts a multipart form made of parts and returns S3's error
// code, or "" for a success.
func postParts(t *testing.T, url string, parts []formPart) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.file {
			w, err = mw.CreateFormFile(p.name, "f.txt")
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.value)
	}
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 300 {
		return ""
	}
	if code := xmlCode(msg); code != "" {
		return code
	}
	return resp.Status
}
