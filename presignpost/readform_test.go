package presignpost

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"testing/iotest"
)

// rawPart is one part of a hand-built multipart body: a form field, or the
// file when filename is set or name is some case of "file".
type rawPart struct {
	name, filename, value string
	header                textproto.MIMEHeader // replaces the generated one
}

// buildBody writes parts as a multipart/form-data body and returns it with
// its Content-Type.
func buildBody(t testing.TB, parts ...rawPart) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		h := p.header
		if h == nil {
			h = textproto.MIMEHeader{}
			d := `form-data; name="` + quoteEscaper.Replace(p.name) + `"`
			if p.filename != "" {
				d += `; filename="` + quoteEscaper.Replace(p.filename) + `"`
			}
			h.Set("Content-Disposition", d)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.value)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

func field(name, value string) rawPart { return rawPart{name: name, value: value} }

func TestReadFormAccepts(t *testing.T) {
	tests := []struct {
		name       string
		parts      []rawPart
		wantFields map[string]string
		wantName   string
		wantFile   string
	}{
		{"fields then file",
			[]rawPart{field("key", "uploads/${filename}"), field("Content-Type", "image/png"), {name: "file", filename: "cat.png", value: "PNG..."}},
			map[string]string{"key": "uploads/${filename}", "Content-Type": "image/png"}, "cat.png", "PNG..."},
		{"file part in another case, text content without a filename",
			[]rawPart{field("key", "k"), {name: "File", value: "just text"}},
			map[string]string{"key": "k"}, "", "just text"},
		// S3 compares names in ASCII: the Kelvin sign is another field, not
		// a second key.
		{"kelvin sign is not k",
			[]rawPart{field("key", "uploads/ok"), field("\u212Aey", "evil/x"), {name: "file", filename: "f", value: "x"}},
			map[string]string{"key": "uploads/ok", "\u212Aey": "evil/x"}, "f", "x"},
		// S3 ignores what follows the file, so a key there cannot replace
		// the one that was checked.
		{"parts after the file are ignored",
			[]rawPart{field("key", "uploads/ok"), {name: "file", filename: "f", value: "x"}, field("key", "evil/x"), {name: "file", filename: "g", value: "yy"}},
			map[string]string{"key": "uploads/ok"}, "f", "x"},
		{"filename kept as sent",
			[]rawPart{field("key", "k"), {name: "file", filename: `C:\photos\dir/`, value: ""}},
			map[string]string{"key": "k"}, `C:\photos\dir/`, ""},
		{"transfer encoding not decoded",
			[]rawPart{{header: textproto.MIMEHeader{"Content-Disposition": {`form-data; name="x-amz-meta-a"`}, "Content-Transfer-Encoding": {"quoted-printable"}}, value: "a=3Db"},
				{name: "file", filename: "f", value: "x"}},
			map[string]string{"x-amz-meta-a": "a=3Db"}, "f", "x"},
		{"fields exactly at the limit",
			[]rawPart{field("key", strings.Repeat("k", MaxFieldsSize-len("key"))), {name: "file", filename: "f", value: "x"}},
			map[string]string{"key": strings.Repeat("k", MaxFieldsSize-len("key"))}, "f", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := buildBody(t, tt.parts...)
			var file bytes.Buffer
			form, err := ReadForm(iotest.HalfReader(bytes.NewReader(body)), ct, &file)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(form.Fields) != fmt.Sprint(tt.wantFields) {
				t.Errorf("Fields = %q, want %q", form.Fields, tt.wantFields)
			}
			if form.Filename != tt.wantName || file.String() != tt.wantFile || form.FileSize != int64(len(tt.wantFile)) {
				t.Errorf("file %q of %d bytes: %q, want %q: %q", form.Filename, form.FileSize, file.String(), tt.wantName, tt.wantFile)
			}
			if got, want := form.Get("KEY"), tt.wantFields["key"]; got != want {
				t.Errorf("Get(KEY) = %q, want %q", got, want)
			}
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestReadFormRefuses(t *testing.T) {
	file := rawPart{name: "file", filename: "f", value: "x"}
	valid, validCT := buildBody(t, field("key", "k"), file)
	errBody := errors.New("connection reset")
	tests := []struct {
		name      string
		body      io.Reader
		ct        string
		file      io.Writer
		want      error
		wantField string
	}{
		// The demo front kept the last of these; S3 would see one field
		// twice.
		{"key twice in other case", parts(t, field("key", "evil/x"), field("Key", "uploads/x"), file), "", nil, ErrDuplicateField, "key"},
		{"key twice", parts(t, field("key", "uploads/x"), field("key", "evil/x"), file), "", nil, ErrDuplicateField, "key"},
		{"token twice", parts(t, field("X-Amz-Security-Token", "a"), field("x-amz-security-token", "b"), file), "", nil, ErrDuplicateField, "x-amz-security-token"},
		{"no file", parts(t, field("key", "k"), field("policy", "p")), "", nil, ErrMissingFile, "file"},
		{"no parts", parts(t), "", nil, ErrMissingFile, "file"},
		{"fields over the limit", parts(t, field("key", strings.Repeat("k", MaxFieldsSize-len("key")+1)), file), "", nil, ErrFormTooLarge, ""},
		{"many fields over the limit", parts(t, manyFields(MaxFieldsSize/10+1, 10)...), "", nil, ErrFormTooLarge, ""},
		{"countless small parts with long headers", parts(t, manyPaddedParts(maxPreFileBytes/2000+1, 2000)...), "", nil, ErrFormTooLarge, ""},
		{"not multipart", bytes.NewReader(valid), "application/x-www-form-urlencoded", nil, ErrMalformedForm, ""},
		{"no boundary", bytes.NewReader(valid), "multipart/form-data", nil, ErrMalformedForm, ""},
		{"wrong boundary", bytes.NewReader(valid), "multipart/form-data; boundary=other", nil, ErrMalformedForm, ""},
		{"cut short in a value", bytes.NewReader(valid[:bytes.Index(valid, []byte("\r\n\r\nk"))+5]), "", nil, ErrMalformedForm, "key"},
		{"cut short in part headers", bytes.NewReader(valid[:bytes.Index(valid, []byte("Content-Disposition"))+10]), "", nil, ErrMalformedForm, ""},
		{"part without a name", parts(t, rawPart{header: textproto.MIMEHeader{"Content-Disposition": {"form-data"}}}, file), "", nil, ErrMalformedForm, ""},
		{"part that is not form-data", parts(t, rawPart{header: textproto.MIMEHeader{"Content-Disposition": {`attachment; name="key"`}}}, file), "", nil, ErrMalformedForm, ""},
		{"control character in a name", parts(t, field("ke\x01y", "k"), file), "", nil, ErrMalformedForm, ""},
		{"body read error", io.MultiReader(bytes.NewReader(valid[:40]), iotest.ErrReader(errBody)), "", nil, errBody, ""},
		{"file write error", bytes.NewReader(valid), "", failingWriter{}, errDiskFull, "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.ct
			if ct == "" {
				ct = validCT
				if pb, ok := tt.body.(*partsBody); ok {
					ct = pb.ct
				}
			}
			_, err := ReadForm(tt.body, ct, tt.file)
			var fe *FormError
			if !errors.As(err, &fe) || !errors.Is(err, tt.want) {
				t.Fatalf("ReadForm: %v, want a *FormError wrapping %v", err, tt.want)
			}
			if fe.Field != tt.wantField {
				t.Errorf("Field = %q, want %q", fe.Field, tt.wantField)
			}
			for _, secret := range []string{"evil/x", "uploads/x"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes a value: %v", err)
				}
			}
		})
	}
}

// partsBody is a built body that knows its Content-Type.
type partsBody struct {
	*bytes.Reader
	ct string
}

func parts(t *testing.T, ps ...rawPart) *partsBody {
	body, ct := buildBody(t, ps...)
	return &partsBody{bytes.NewReader(body), ct}
}

func manyFields(n, size int) []rawPart {
	ps := make([]rawPart, n)
	for i := range ps {
		ps[i] = field(fmt.Sprintf("x-amz-meta-%d", i), strings.Repeat("v", size))
	}
	return ps
}

// manyPaddedParts are empty fields with short names and a long header,
// which cost the field budget little and the body much.
func manyPaddedParts(n, pad int) []rawPart {
	ps := make([]rawPart, n)
	for i := range ps {
		ps[i] = rawPart{header: textproto.MIMEHeader{"Content-Disposition": {`form-data; name="` + fmt.Sprint(i) + `"`},
			"X-Padding": {strings.Repeat("p", pad)}}}
	}
	return ps
}
