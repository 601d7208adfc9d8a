// This file holds Signed, the result of Policy.Sign, and what callers do with
// it: list its fields in form order, write a multipart/form-data body, or
// render an HTML upload form.

package presignpost

import (
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Signed is a signed upload form: where to post it and every field to send.
// A Signed is a plain value; its methods only read it.
type Signed struct {
	// URL is where the form is posted (the form's action).
	URL string
	// Fields are the form fields: key, policy, x-amz-algorithm,
	// x-amz-credential, x-amz-date, x-amz-signature, x-amz-security-token
	// with temporary credentials, and the policy's fixed fields. A field the
	// uploader fills in for a condition standing without a field (a
	// Content-Type under a starts-with, say) is added here before
	// MultipartBody.
	//
	// With temporary credentials the session token is a form field: whoever
	// holds the form holds the token, as with any SDK's presigned POST.
	// Signed's String and Format redact it; printing Fields directly does
	// not.
	Fields map[string]string
	// Policy is the base64 policy, also Fields["policy"].
	Policy string
	// Conditions are the policy's conditions in the order of its JSON.
	Conditions []Condition
	// Expires is the policy's expiration.
	Expires time.Time
}

// Field is one form field.
type Field struct {
	Name, Value string
}

// String returns name=value, with the value of a secret field (the
// session token, an SSE-C key) redacted.
func (f Field) String() string { return f.Name + "=" + redactValue(f.Name, f.Value) }

// GoString is used by %#v; it redacts like String.
func (f Field) GoString() string { return "presignpost.Field{" + f.String() + "}" }

// Format prints String for every verb (%q quotes it), GoString for %#v.
func (f Field) Format(s fmt.State, verb rune) {
	if verb == 'v' && s.Flag('#') {
		io.WriteString(s, f.GoString())
		return
	}
	formatAs(s, verb, f.String())
}

// FormFields returns Fields in the order a form sends them: key first (S3
// reads fields only up to the file, and the key must be among them), the
// rest sorted by name, policy and x-amz-signature last. The order is
// deterministic.
func (s Signed) FormFields() []Field {
	out := make([]Field, 0, len(s.Fields))
	var rest []Field
	for name, value := range s.Fields {
		if name == "key" {
			out = append(out, Field{name, value})
			continue
		}
		rest = append(rest, Field{name, value})
	}
	rank := func(name string) int {
		switch name {
		case "policy":
			return 1
		case "x-amz-signature":
			return 2
		}
		return 0
	}
	sort.Slice(rest, func(i, j int) bool {
		a, b := rest[i].Name, rest[j].Name
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if la, lb := asciiLower(a), asciiLower(b); la != lb {
			return la < lb
		}
		return a < b
	})
	return append(out, rest...)
}

// quoteEscaper escapes a Content-Disposition parameter as mime/multipart
// does.
var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// MultipartBody writes a multipart/form-data body to w: the form fields in
// FormFields order, then the file as the field "file" with filename, last,
// as S3 requires (it ignores anything after the file). It returns the
// Content-Type header to send with the body, boundary included.
//
// The file part's Content-Type is the form's Content-Type field when it has
// one, else application/octet-stream. S3 wants a Content-Length on the
// request, so a caller that streams the body should know its size; small
// uploads can simply write into a bytes.Buffer.
func (s Signed) MultipartBody(w io.Writer, filename string, file io.Reader) (contentType string, err error) {
	if err := validFilename(filename); err != nil {
		return "", err
	}
	fields := s.FormFields()
	fileType := "application/octet-stream"
	for _, f := range fields {
		if err := validName(f.Name); err != nil {
			return "", fmt.Errorf("presignpost: multipart body: %w", err)
		}
		if asciiEqualFold(f.Name, "file") {
			return "", fmt.Errorf("presignpost: multipart body: %w: file is written by MultipartBody", ErrReservedField)
		}
		if asciiEqualFold(f.Name, "content-type") && validHeaderValue(f.Value) {
			fileType = f.Value
		}
	}
	mw := multipart.NewWriter(w)
	for _, f := range fields {
		if err := mw.WriteField(f.Name, f.Value); err != nil {
			return "", fmt.Errorf("presignpost: multipart body: %w", err)
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+quoteEscaper.Replace(filename)+`"`)
	h.Set("Content-Type", fileType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("presignpost: multipart body: %w", err)
	}
	if _, err := io.Copy(part, file); err != nil {
		return "", fmt.Errorf("presignpost: multipart body: file: %w", err)
	}
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("presignpost: multipart body: %w", err)
	}
	return mw.FormDataContentType(), nil
}

// validFilename refuses control characters, which would end the part's
// header line early.
func validFilename(name string) error {
	if !validHeaderValue(name) {
		return fmt.Errorf("presignpost: multipart body: %w: filename %q has a control character", ErrInvalidField, name)
	}
	return nil
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// HTML writes a minimal HTML page with an upload form: the fields as hidden
// inputs, a text input for each field that a condition names but Fields
// lacks (prefilled with the condition's value or prefix), and the file
// input last.
func (s Signed) HTML(w io.Writer) error {
	have := make(map[string]bool, len(s.Fields))
	for name := range s.Fields {
		have[asciiLower(name)] = true
	}
	var open []Field
	for _, c := range s.Conditions {
		lower := asciiLower(c.Field)
		if c.Op == OpContentLengthRange || lower == "bucket" || have[lower] {
			continue
		}
		have[lower] = true
		open = append(open, Field{c.Field, c.Value})
	}
	// Written by hand with html.EscapeString rather than html/template,
	// which would add half a megabyte to every program that links s3client
	// (it imports this package for PresignPost). Every value is escaped,
	// and an action that is not an http or https URL is replaced by "#",
	// as html/template would refuse it.
	action := s.URL
	if u, err := url.Parse(action); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		action = "#"
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Upload</title>\n</head>\n<body>\n")
	b.WriteString(`<form action="` + html.EscapeString(action) + `" method="post" enctype="multipart/form-data">`)
	for _, f := range s.FormFields() {
		b.WriteString("\n<input type=\"hidden\" name=\"" + html.EscapeString(f.Name) + `" value="` + html.EscapeString(f.Value) + `">`)
	}
	for _, f := range open {
		n, v := html.EscapeString(f.Name), html.EscapeString(f.Value)
		b.WriteString("\n<label>" + n + ` <input type="text" name="` + n + `" value="` + v + `"></label><br>`)
	}
	// The submit button has no name, so browsers do not send it, and it
	// follows the file, where S3 would ignore it anyway.
	b.WriteString("\n<input type=\"file\" name=\"file\"><br>\n<input type=\"submit\" value=\"Upload\">\n</form>\n</body>\n</html>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("presignpost: HTML form: %w", err)
	}
	return nil
}

// String describes the form with secret values (the session token, an SSE-C
// key) redacted, so that a Signed can be logged.
func (s Signed) String() string {
	var b strings.Builder
	b.WriteString("presignpost.Signed{URL: ")
	b.WriteString(s.URL)
	b.WriteString(", Expires: ")
	b.WriteString(s.Expires.UTC().Format(time.RFC3339))
	b.WriteString(", Fields: [")
	writeFields(&b, s.FormFields())
	b.WriteString("]}")
	return b.String()
}

// GoString is used by %#v; it redacts like String.
func (s Signed) GoString() string { return s.String() }

// Format implements fmt.Formatter so that every verb prints the redacted
// form.
func (s Signed) Format(f fmt.State, verb rune) { formatAs(f, verb, s.String()) }

// writeFields writes name=value pairs, secret values redacted.
func writeFields(b *strings.Builder, fields []Field) {
	for i, f := range fields {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(f.String())
	}
}

// formatAs prints str for every verb (%q quotes it), so that %#v, %x and
// the others cannot print a field that holds a secret.
func formatAs(s fmt.State, verb rune, str string) {
	if verb == 'q' {
		fmt.Fprintf(s, "%q", str)
		return
	}
	io.WriteString(s, str)
}
