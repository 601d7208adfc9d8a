// This file holds ReadForm, which reads a submitted multipart/form-data
// upload as S3 reads it, and the ASCII case rule of field names that the
// whole package follows.

package presignpost

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
)

// MaxFieldsSize is the most bytes of field names and values that ReadForm
// accepts before the file: S3 refuses larger ones with
// MaxPostPreDataLengthExceeded (its MaxPostPreDataLengthBytes is 20480).
const MaxFieldsSize = 20 << 10

// MaxFileSize is the largest file a POST upload may carry: S3 refuses one
// above 5 GiB with EntityTooLarge.
const MaxFileSize int64 = 5 << 30

// maxPreFileBytes bounds what ReadForm reads of a body before it meets the
// file, part headers and boundaries included, so that a body of countless
// empty parts or of long part headers is refused early. A form within
// MaxFieldsSize needs a small fraction of it, and the multipart reader's
// look-ahead too.
const maxPreFileBytes = 1 << 20

// errPreFileTooLarge is preFileReader's error once maxPreFileBytes is
// spent.
var errPreFileTooLarge = errors.New("presignpost: too much before the file")

// ReadForm reads a POST upload's body as S3 reads it, given the request's
// Content-Type header (multipart/form-data with its boundary): the form
// fields up to the file, then the file, whose bytes it copies to file (nil
// discards them). S3 ignores whatever follows the file, and so does
// ReadForm: it stops reading there.
//
// The file is the first part named "file". Field names are compared in
// ASCII, case-insensitively, as S3 compares them ("Key" is "key", but
// "\u212Aey", with a Kelvin sign, is another field). Fields keeps each name
// as it was sent; Form.Get looks one up by the same rule. Part bodies are
// taken as sent, without decoding a Content-Transfer-Encoding.
//
// ReadForm refuses, with a *FormError, a body that is not
// multipart/form-data (ErrMalformedForm), two fields whose names differ
// only in ASCII case (ErrDuplicateField), a body that ends without a file
// (ErrMissingFile), and fields beyond MaxFieldsSize or a file beyond
// MaxFileSize (ErrFormTooLarge). An error reading body or writing file is
// returned wrapped in a *FormError too. The Form has no Bucket: it is the
// request URL's, which the caller knows.
func ReadForm(body io.Reader, contentType string, file io.Writer) (Form, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" {
		return Form{}, &FormError{Err: ErrMalformedForm, Reason: "the content type is not multipart/form-data"}
	}
	boundary := params["boundary"]
	if boundary == "" {
		return Form{}, &FormError{Err: ErrMalformedForm, Reason: "the content type has no boundary"}
	}
	if file == nil {
		file = io.Discard
	}
	src := &preFileReader{r: body, left: maxPreFileBytes}
	mr := multipart.NewReader(src, boundary)
	form := Form{Fields: map[string]string{}}
	names := map[string]string{} // ASCII-lower-cased name → name as sent
	budget := MaxFieldsSize
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return Form{}, &FormError{Field: "file", Err: ErrMissingFile}
		}
		if err != nil {
			return Form{}, src.failure("", err)
		}
		kind, disposition, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		name := disposition["name"]
		if err != nil || kind != "form-data" || name == "" {
			return Form{}, &FormError{Err: ErrMalformedForm, Reason: "a part is not a form-data field with a name"}
		}
		if err := validName(name); err != nil {
			return Form{}, &FormError{Err: ErrMalformedForm, Reason: fmt.Sprintf("field name %q has a control character or is not UTF-8", name)}
		}
		lower := asciiLower(name)
		if lower == "file" {
			src.left = -1 // the file may be as large as MaxFileSize
			dst := &fileWriter{w: file}
			n, err := io.Copy(dst, io.LimitReader(part, MaxFileSize+1))
			if dst.err != nil {
				return Form{}, &FormError{Field: "file", Err: dst.err, Reason: "writing the file"}
			}
			if err != nil {
				return Form{}, src.failure("file", err)
			}
			if n > MaxFileSize {
				return Form{}, &FormError{Field: "file", Err: ErrFormTooLarge, Reason: fmt.Sprintf("the file is larger than %d bytes", MaxFileSize)}
			}
			form.Filename, form.FileSize = disposition["filename"], n
			return form, nil
		}
		if prev, dup := names[lower]; dup {
			return Form{}, &FormError{Field: lower, Err: ErrDuplicateField, Reason: fmt.Sprintf("given as %q and %q", prev, name)}
		}
		names[lower] = name
		budget -= len(name)
		if budget < 0 {
			return Form{}, tooManyFields()
		}
		value, err := io.ReadAll(io.LimitReader(part, int64(budget)+1))
		if err != nil {
			return Form{}, src.failure(lower, err)
		}
		if budget -= len(value); budget < 0 {
			return Form{}, tooManyFields()
		}
		form.Fields[name] = string(value)
	}
}

func tooManyFields() *FormError {
	return &FormError{Err: ErrFormTooLarge, Reason: fmt.Sprintf("the fields before the file are larger than %d bytes", MaxFieldsSize)}
}

// preFileReader reads the body, at most left bytes while left is not
// negative, and keeps the body's own read error apart from the multipart
// reader's complaints about the bytes.
type preFileReader struct {
	r       io.Reader
	left    int64 // negative once the file is reached: no limit
	bodyErr error
}

func (p *preFileReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, errPreFileTooLarge
	}
	if p.left > 0 && int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	if p.left > 0 {
		p.left -= int64(n)
	}
	if err != nil && err != io.EOF {
		p.bodyErr = err
	}
	return n, err
}

// failure turns an error met while reading the parts into a *FormError.
func (p *preFileReader) failure(field string, err error) *FormError {
	switch {
	case errors.Is(err, errPreFileTooLarge):
		return &FormError{Field: field, Err: ErrFormTooLarge, Reason: fmt.Sprintf("more than %d bytes before the file", maxPreFileBytes)}
	case p.bodyErr != nil:
		return &FormError{Field: field, Err: p.bodyErr, Reason: "reading the body"}
	}
	return &FormError{Field: field, Err: ErrMalformedForm, Reason: "the multipart body is cut short or malformed"}
}

// fileWriter keeps the error of writing the file apart from the errors of
// reading it.
type fileWriter struct {
	w   io.Writer
	err error
}

func (f *fileWriter) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	if err != nil {
		f.err = err
	}
	return n, err
}

// asciiLower lower-cases the ASCII letters of s and nothing else, as S3
// does with field names; strings.ToLower would also fold, for example, the
// Kelvin sign U+212A into "k".
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// asciiEqualFold reports whether a and b are equal but for the case of
// ASCII letters.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
