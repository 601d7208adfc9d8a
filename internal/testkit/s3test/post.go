// This file checks browser POST uploads (WithPOSTPolicies) as S3 does
// before it stores them, which gofakes3 does not: the form is read with
// presignpost.ReadForm, its signature checked with presignpost.Verify (on
// a server with credentials), its policy with presignpost.Check, and
// ${filename} is substituted before gofakes3 stores the file. The answer
// follows success_action_status and success_action_redirect.

package s3test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// maxPostBody bounds a form read into memory to check it: S3's 20 KiB of
// fields and a file of up to 32 MiB, enough for a local server.
const maxPostBody = 32 << 20

// isPostForm reports whether r is a browser upload: a POST of
// multipart/form-data.
func isPostForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && mt == "multipart/form-data"
}

// storedFields are the form fields gofakes3 stores with the object, by the
// names it reads them under; x-amz-meta-* fields are kept too.
var storedFields = map[string]string{
	"content-type":        "Content-Type",
	"cache-control":       "Cache-Control",
	"content-disposition": "Content-Disposition",
	"content-encoding":    "Content-Encoding",
	"expires":             "Expires",
}

// checkPostForms checks browser uploads to a bucket (path style: routing
// has run) and passes everything else to next. creds is nil on a server
// that checks no signatures: the policy is still checked.
func checkPostForms(next http.Handler, creds *sigv4.Credentials, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if !isPostForm(r) || bucket == "" || key != "" {
			next.ServeHTTP(w, r)
			return
		}
		fields, e := checkForm(w, r, bucket, creds, now())
		if e != nil {
			writeS3Error(w, r, e)
			return
		}
		storeForm(w, r, next, bucket, fields)
	})
}

// checkForm reads and checks the form; it returns the fields to store
// (${filename} substituted, the file last under "file").
func checkForm(w http.ResponseWriter, r *http.Request, bucket string, creds *sigv4.Credentials, now time.Time) (*formUpload, *s3Error) {
	var file bytes.Buffer
	form, err := presignpost.ReadForm(http.MaxBytesReader(w, r.Body, maxPostBody), r.Header.Get("Content-Type"), &file)
	if err != nil {
		return nil, formRefusal(err)
	}
	form.Bucket = bucket
	policy := form.Get("policy")
	switch {
	case policy == "" && creds != nil:
		return nil, requestError(http.StatusForbidden, "AccessDenied", "Access Denied: an upload without a policy is anonymous")
	case creds != nil:
		region := ""
		if p := strings.Split(form.Get("x-amz-credential"), "/"); len(p) == 5 {
			region = p[2]
		}
		if err := presignpost.Verify(form.Fields, *creds, region); err != nil {
			if strings.Contains(err.Error(), "access key") {
				return nil, requestError(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
			}
			return nil, requestError(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		}
	}
	if policy != "" {
		if err := presignpost.Check(policy, form, now); err != nil {
			return nil, policyRefusal(err, form.FileSize)
		}
	}
	base := form.Filename
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	up := &formUpload{filename: form.Filename, file: &file, fields: map[string]string{}}
	for name, value := range form.Fields {
		lower := strings.ToLower(name)
		value = strings.ReplaceAll(value, "${filename}", base)
		switch {
		case lower == "key":
			up.key = value
		case lower == "success_action_status" || lower == "success_action_redirect" || lower == "redirect":
			up.fields[lower] = value
		case storedFields[lower] != "":
			up.fields[storedFields[lower]] = value
		case strings.HasPrefix(lower, "x-amz-meta-"):
			up.fields[http.CanonicalHeaderKey(lower)] = value
		}
	}
	if up.key == "" {
		return nil, requestError(http.StatusBadRequest, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
	}
	return up, nil
}

// formUpload is a checked form, as gofakes3 will get it.
type formUpload struct {
	key, filename string
	fields        map[string]string
	file          *bytes.Buffer
}

// storeForm hands gofakes3 the form written afresh (it parses bodies by
// other rules: parts after the file, "key" only in lower case) and answers
// as S3 does: 204 by default, 200 or 201 (with a PostResponse document)
// by success_action_status, a 303 to success_action_redirect.
func storeForm(w http.ResponseWriter, r *http.Request, next http.Handler, bucket string, up *formUpload) {
	status, redirect := up.fields["success_action_status"], up.fields["success_action_redirect"]
	if redirect == "" {
		redirect = up.fields["redirect"]
	}
	fields := map[string]string{"key": up.key}
	for name, value := range up.fields {
		if name != "success_action_status" && name != "success_action_redirect" && name != "redirect" {
			fields[name] = value
		}
	}
	var body bytes.Buffer
	contentType, err := presignpost.Signed{Fields: fields}.MultipartBody(&body, up.filename, up.file)
	if err != nil {
		writeS3Error(w, r, requestError(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."))
		return
	}
	in := r.Clone(r.Context())
	in.Body = io.NopCloser(&body)
	in.ContentLength = int64(body.Len())
	in.Header.Set("Content-Type", contentType)
	in.Header.Del("Content-Length")
	rec := forward(w, next, in)
	if rec == nil {
		return
	}
	etag := rec.header.Get("ETag")
	w.Header().Set("ETag", etag)
	location := "/" + bucket + "/" + url.PathEscape(up.key)
	w.Header().Set("Location", location)
	if u, err := url.Parse(redirect); redirect != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		q := u.Query()
		q.Set("bucket", bucket)
		q.Set("key", up.key)
		q.Set("etag", etag)
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	switch status {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		writeXML(w, r, http.StatusCreated, struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string
			Bucket   string
			Key      string
			ETag     string
		}{Location: location, Bucket: bucket, Key: up.key, ETag: etag})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// formRefusal is S3's answer to a body that presignpost.ReadForm refuses.
func formRefusal(err error) *s3Error {
	var fe *presignpost.FormError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, presignpost.ErrFormTooLarge) && errors.As(err, &fe) && fe.Field == "file":
		return requestError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
	case errors.Is(err, presignpost.ErrFormTooLarge):
		return requestError(http.StatusBadRequest, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large.")
	case errors.Is(err, presignpost.ErrMissingFile):
		return requestError(http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request.")
	case errors.Is(err, presignpost.ErrDuplicateField):
		return requestError(http.StatusBadRequest, "InvalidArgument", "Each POST form field may be given only once: "+err.Error())
	}
	return requestError(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}

// policyRefusal is S3's answer to a form its policy does not allow:
// EntityTooLarge or EntityTooSmall for a file outside content-length-range,
// else AccessDenied naming the condition.
func policyRefusal(err error, size int64) *s3Error {
	var ce *presignpost.CheckError
	if errors.As(err, &ce) {
		if lo, hi, ok := lengthRange(ce.Condition); ok {
			switch {
			case size > hi:
				return requestError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
			case size < lo:
				return requestError(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
			}
		}
	}
	return requestError(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+err.Error())
}

// lengthRange parses a ["content-length-range",min,max] condition.
func lengthRange(cond string) (lo, hi int64, ok bool) {
	var a []any
	if json.Unmarshal([]byte(cond), &a) != nil || len(a) != 3 || a[0] != presignpost.OpContentLengthRange {
		return 0, 0, false
	}
	l, ok1 := a[1].(float64)
	h, ok2 := a[2].(float64)
	return int64(l), int64(h), ok1 && ok2
}
