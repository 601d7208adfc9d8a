package presignpost

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"testing/iotest"
)

type part struct {
	name, filename, contentType, data string
}

func readParts(t *testing.T, contentType string, body io.Reader) []part {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	r := multipart.NewReader(body, params["boundary"])
	var parts []part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
	}
}

func TestMultipartBody(t *testing.T) {
	p := Policy{Bucket: "b", Key: "docs/${filename}", Fields: map[string]string{
		"Content-Type":          "text/markdown; charset=utf-8",
		"x-amz-meta-multi-line": "a\r\nb\n--not-a-boundary",
		`x-amz-meta-"quoted"`:   "q",
	}}
	s, err := p.Sign(testCreds, "us-east-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, filename string
		file           io.Reader
		want           string
	}{
		{"plain", "notes.md", strings.NewReader("# hi\n"), "# hi\n"},
		{"quote and backslash in filename", `my "notes"\x.md`, strings.NewReader("x"), "x"},
		{"unicode filename, empty file", "résumé ☃.md", strings.NewReader(""), ""},
		{"one byte at a time", "slow.bin", iotest.OneByteReader(strings.NewReader(strings.Repeat("z", 5000))), strings.Repeat("z", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			ct, err := s.MultipartBody(&body, tt.filename, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			parts := readParts(t, ct, &body)
			fields := s.FormFields()
			if len(parts) != len(fields)+1 {
				t.Fatalf("%d parts, want %d fields and the file", len(parts), len(fields))
			}
			for i, f := range fields {
				if got := parts[i]; got.name != f.Name || got.data != f.Value || got.filename != "" {
					t.Errorf("part %d = %+v, want field %s = %q", i, got, f.Name, f.Value)
				}
			}
			last := parts[len(parts)-1]
			if last.name != "file" || last.filename != tt.filename || last.data != tt.want || last.contentType != "text/markdown; charset=utf-8" {
				t.Errorf("file part = %+v", last)
			}
			if parts[0].name != "key" {
				t.Errorf("first part %q, want key", parts[0].name)
			}
		})
	}
}

func TestMultipartBodyErrors(t *testing.T) {
	s, err := (&Policy{Bucket: "b", Key: "k"}).Sign(testCreds, "us-east-1", "", testNow)
	if err != nil {
		t.Fatal(err)
	}
	withField := func(name string) Signed {
		c := *s
		c.Fields = map[string]string{name: "v"}
		for k, v := range s.Fields {
			c.Fields[k] = v
		}
		return c
	}
	readErr := errors.New("disk on fire")
	tests := []struct {
		name     string
		signed   Signed
		filename string
		file     io.Reader
		want     error
	}{
		{"CRLF in filename", *s, "a\r\nContent-Type: text/html", strings.NewReader(""), ErrInvalidField},
		{"NUL in filename", *s, "a\x00b", strings.NewReader(""), ErrInvalidField},
		{"newline in an added field name", withField("x-amz-meta-a\nb"), "f", strings.NewReader(""), ErrInvalidField},
		{"a file field", withField("File"), "f", strings.NewReader(""), ErrReservedField},
		{"file read error", *s, "f", iotest.ErrReader(readErr), readErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.signed.MultipartBody(io.Discard, tt.filename, tt.file)
			if !errors.Is(err, tt.want) {
				t.Errorf("MultipartBody: %v, want %v", err, tt.want)
			}
		})
	}
	// A writer that fails.
	if _, err := s.MultipartBody(errWriter{}, "f", strings.NewReader("x")); err == nil {
		t.Errorf("MultipartBody to a failing writer: no error")
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("write failed") }

func TestHTML(t *testing.T) {
	p := Policy{
		Bucket: "b",
		Key:    `up/<script>alert("k")</script>/${filename}`,
		Fields: map[string]string{"success_action_redirect": `https://example.com/?a=1&b="2"`},
		Conditions: []Condition{
			StartsWith("Content-Type", "image/"),
			StartsWith("content-type", "image/p"), // same field: one input
			Eq("x-amz-meta-kind", "photo"),
			ContentLengthRange(0, 10),
		},
	}
	s, err := p.Sign(testCreds, "us-east-1", "https://b.s3.example.com/?x=1&y=2", testNow)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.HTML(&out); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, want := range []string{
		`<form action="https://b.s3.example.com/?x=1&amp;y=2" method="post" enctype="multipart/form-data">`,
		`<input type="hidden" name="key" value="up/&lt;script&gt;alert(&#34;k&#34;)&lt;/script&gt;/${filename}">`,
		`<input type="hidden" name="success_action_redirect" value="https://example.com/?a=1&amp;b=&#34;2&#34;">`,
		`<input type="hidden" name="x-amz-signature" value="` + s.Fields["x-amz-signature"] + `">`,
		`<label>Content-Type <input type="text" name="Content-Type" value="image/"></label><br>`,
		`<label>x-amz-meta-kind <input type="text" name="x-amz-meta-kind" value="photo"></label><br>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %s\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("HTML holds an unescaped script tag")
	}
	if n := strings.Count(html, `name="Content-Type"`) + strings.Count(html, `name="content-type"`); n != 1 {
		t.Errorf("%d Content-Type inputs, want 1", n)
	}
	// The file input is the last named input.
	file := strings.Index(html, `<input type="file" name="file">`)
	if file < 0 || strings.LastIndex(html, `name="`) != file+len(`<input type="file" `) {
		t.Errorf("the file input is not the last named input:\n%s", html)
	}

	// A javascript: action is refused.
	bad := *s
	bad.URL = "javascript:alert(1)"
	out.Reset()
	if err := bad.HTML(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "javascript:") {
		t.Errorf("HTML kept a javascript: action")
	}
}
