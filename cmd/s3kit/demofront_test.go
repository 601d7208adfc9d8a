package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// formPart is one part of a posted form; file marks the file part.
type formPart struct {
	name, value string
	file        bool
}

// TestDemoFrontPostForms posts hostile forms through the demo's front to
// a backend that records what reaches it, parsed as gofakes3 parses it
// (exact-case names, every part, the file among them).
func TestDemoFrontPostForms(t *testing.T) {
	var (
		mu       sync.Mutex
		received []map[string][]string
	)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got := map[string][]string{}
		for k, v := range r.MultipartForm.Value {
			got[k] = v
		}
		for k, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				got["file part "+k] = append(got["file part "+k], fh.Filename)
			}
		}
		mu.Lock()
		received = append(received, got)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer backend.Close()
	creds := sigv4.Credentials{AccessKeyID: demoAccessKey, SecretAccessKey: demoSecretKey}
	front, err := newDemoFront(backend.URL, creds, demoRegion)
	if err != nil {
		t.Fatal(err)
	}
	defer front.close()
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
		wantKey  string // the only key the backend may see
	}{
		{"valid", form([]formPart{{name: "key", value: "uploads/ok.txt"}}, file), "", "uploads/ok.txt"},
		// The front used to keep the last of these and forward the body,
		// whose first key gofakes3 stored.
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
			mu.Lock()
			received = nil
			mu.Unlock()
			code := postParts(t, front.url+"/bkt", tt.parts)
			if code != tt.wantCode {
				t.Errorf("answer %q, want %q", code, tt.wantCode)
			}
			mu.Lock()
			got := received
			mu.Unlock()
			if tt.wantCode != "" {
				if len(got) != 0 {
					t.Errorf("a refused form reached the backend: %q", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("the backend received %d forms, want 1", len(got))
			}
			if keys := got[0]["key"]; len(keys) != 1 || keys[0] != tt.wantKey || len(got[0]["Key"]) != 0 {
				t.Errorf("the backend saw keys %q and %q, want only key %q", keys, got[0]["Key"], tt.wantKey)
			}
			if files := got[0]["file part file"]; len(files) != 1 {
				t.Errorf("the backend saw file parts %q", files)
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
