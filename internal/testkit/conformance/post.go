package conformance

// Presigned POST: a form that meets its policy lands; forms that break each
// kind of condition are refused, and the local checker (presignpost.Check)
// gives the same verdict as the server on every one.

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/presignpost"
)

func init() { register("PresignedPOST", testPresignedPOST) }

// postForm posts fields and a file as a browser would; fields are sent in
// the order given, the file last.
func (e *env) postForm(url string, fields []presignpost.Field, filename string, file []byte) (int, string) {
	e.t.Helper()
	var buf bytes.Buffer
	s := presignpost.Signed{Fields: map[string]string{}}
	for _, f := range fields {
		s.Fields[f.Name] = f.Value
	}
	ct, err := s.MultipartBody(&buf, filename, bytes.NewReader(file))
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, url, &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := e.tg.HTTPClient.Do(req)
	if err != nil {
		e.t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func testPresignedPOST(e *env) {
	c := e.client(nil)
	policy := &presignpost.Policy{
		Bucket: e.bucket,
		// A fixed key: S3 fills in ${filename}, but neither gofakes3 nor
		// versitygw v1.8.0 do (presignpost's own tests cover it).
		Key:     "uploads/posted.txt",
		Fields:  map[string]string{"Content-Type": "text/plain", "x-amz-meta-origin": "browser"},
		Expires: 10 * time.Minute,
		Conditions: []presignpost.Condition{
			presignpost.ContentLengthRange(10, 100),
		},
	}
	signed, err := c.PresignPost(e.ctx, policy)
	if err != nil {
		e.t.Fatalf("PresignPost: %v", err)
	}
	good := []byte("a file of forty bytes, within the range.")

	type variant struct {
		name    string
		edit    func(fields []presignpost.Field) []presignpost.Field
		file    []byte
		accept  bool
		strict  bool // only a server that checks policies rejects it
		expired bool
	}
	set := func(name, value string) func([]presignpost.Field) []presignpost.Field {
		return func(fs []presignpost.Field) []presignpost.Field {
			out := append([]presignpost.Field(nil), fs...)
			for i := range out {
				if strings.EqualFold(out[i].Name, name) {
					out[i].Value = value
					return out
				}
			}
			return append(out, presignpost.Field{Name: name, Value: value})
		}
	}
	variants := []variant{
		{name: "valid", file: good, accept: true},
		{name: "key", edit: set("key", "elsewhere/posted.txt"), file: good, strict: true},
		{name: "too large", file: bytes.Repeat([]byte("x"), 101), strict: true},
		{name: "too small", file: []byte("tiny"), strict: true},
		{name: "exact field", edit: set("Content-Type", "text/html"), file: good, strict: true},
		{name: "extra field", edit: set("x-amz-meta-extra", "1"), file: good, strict: true},
	}
	for _, v := range variants {
		e.t.Run(v.name, func(t *testing.T) {
			if v.strict && !e.tg.Caps.PostPolicy {
				t.Skipf("%s: server does not check POST policies", e.tg.Name)
			}
			fields := signed.FormFields()
			if v.edit != nil {
				fields = v.edit(fields)
			}
			form := presignpost.Form{Bucket: e.bucket, Fields: map[string]string{}, Filename: "note " + v.name + ".txt", FileSize: int64(len(v.file))}
			for _, f := range fields {
				form.Fields[f.Name] = f.Value
			}
			checkErr := presignpost.Check(signed.Policy, form, time.Now())
			status, body := e.postForm(signed.URL, fields, form.Filename, v.file)
			serverOK := status >= 200 && status < 300
			if serverOK != v.accept {
				t.Errorf("server answered %d (%s), want accept=%v", status, body, v.accept)
			}
			if (checkErr == nil) != v.accept {
				t.Errorf("checker says %v, want accept=%v", checkErr, v.accept)
			}
			if v.accept {
				got := getBytes(t, c, e.bucket, "uploads/posted.txt")
				if !bytes.Equal(got, v.file) {
					t.Errorf("object differs from the posted file")
				}
			}
		})
	}
	e.t.Run("expired", func(t *testing.T) {
		if !e.tg.Caps.PostPolicy {
			t.Skipf("%s: server does not check POST policies", e.tg.Name)
		}
		short := *policy
		short.Expires = time.Second
		s, err := c.PresignPost(e.ctx, &short)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2100 * time.Millisecond)
		status, body := e.postForm(s.URL, s.FormFields(), "late.txt", good)
		if status < 300 {
			t.Errorf("expired policy accepted: %d %s", status, body)
		}
		form := presignpost.Form{Bucket: e.bucket, Fields: map[string]string{}, Filename: "late.txt", FileSize: int64(len(good))}
		for _, f := range s.FormFields() {
			form.Fields[f.Name] = f.Value
		}
		if presignpost.Check(s.Policy, form, time.Now()) == nil {
			t.Errorf("checker accepts an expired policy")
		}
	})
}
