// This file is UploadPartCopy, which gofakes3 lacks (it answers 411
// MissingContentLength): the source range is read from the backend and
// handed to gofakes3's UploadPart as the body of a rebuilt PUT.

package s3test

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// maxPartSize is S3's largest part, and so the largest copy range.
const maxPartSize = 5 << 30

// copyParts answers PUT ?partNumber&uploadId with x-amz-copy-source itself
// and passes every other request to next.
func copyParts(next http.Handler, backend gofakes3.Backend, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodPut || r.Header.Get("X-Amz-Copy-Source") == "" || !q.Has("partNumber") || !q.Has("uploadId") {
			next.ServeHTTP(w, r)
			return
		}
		if e := copyPart(w, r, next, backend, now); e != nil {
			writeS3Error(w, r, e)
		}
	})
}

// copyPart reads the source range, stores it as the part, and answers
// CopyPartResult; it returns the error to answer instead.
func copyPart(w http.ResponseWriter, r *http.Request, next http.Handler, backend gofakes3.Backend, now func() time.Time) *s3Error {
	bucket, key, version, e := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if e != nil {
		return e
	}
	head, e := readSource(backend, bucket, key, version, nil)
	if e != nil {
		return e
	}
	head.Contents.Close()
	etag := `"` + hex.EncodeToString(head.Hash) + `"`
	modified, _ := time.Parse(http.TimeFormat, head.Metadata["Last-Modified"])
	if e := copyConditions(r.Header, etag, modified); e != nil {
		return e
	}
	first, last := int64(0), head.Size-1
	if v := r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		var ok bool
		if first, last, ok = parseCopyRange(v); !ok || last >= head.Size {
			return requestError(http.StatusBadRequest, "InvalidArgument",
				"Range specified is not valid for source object of size: "+strconv.FormatInt(head.Size, 10))
		}
	}
	length := last - first + 1
	switch {
	case length <= 0:
		return requestError(http.StatusBadRequest, "InvalidArgument", "The source object is empty: a part needs at least one byte.")
	case length > maxPartSize:
		return requestError(http.StatusBadRequest, "InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}
	src, e := readSource(backend, bucket, key, version, &gofakes3.ObjectRangeRequest{Start: first, End: last})
	if e != nil {
		return e
	}
	defer src.Contents.Close()

	// The part as an ordinary UploadPart of the same URL: no copy or
	// payload headers (x-amz-content-sha256 was the empty body's).
	put := r.Clone(r.Context())
	for name := range put.Header {
		if strings.HasPrefix(name, "X-Amz-Copy-Source") || strings.HasPrefix(name, "X-Amz-Checksum-") ||
			name == "X-Amz-Content-Sha256" || name == "Content-Md5" || name == "Content-Encoding" ||
			name == "X-Amz-Decoded-Content-Length" || name == "X-Amz-Trailer" {
			delete(put.Header, name)
		}
	}
	put.Body = io.NopCloser(io.LimitReader(src.Contents, length))
	put.ContentLength = length
	put.Header.Set("Content-Length", strconv.FormatInt(length, 10))
	put.TransferEncoding = nil
	rec := forward(w, next, put)
	if rec == nil {
		return nil
	}
	if version != "" {
		w.Header().Set("X-Amz-Copy-Source-Version-Id", version)
	}
	writeXML(w, r, http.StatusOK, struct {
		XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
		ETag         string
		LastModified string
	}{ETag: rec.header.Get("ETag"), LastModified: now().UTC().Format("2006-01-02T15:04:05.000Z")})
	return nil
}

// parseCopySource splits "[/]bucket/key[?versionId=v]", the key
// URL-encoded.
func parseCopySource(v string) (bucket, key, version string, e *s3Error) {
	bad := requestError(http.StatusBadRequest, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	path, query, _ := strings.Cut(v, "?")
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil || len(q) != 1 || len(q["versionId"]) != 1 || q.Get("versionId") == "" {
			return "", "", "", bad
		}
		version = q.Get("versionId")
	}
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return "", "", "", bad
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", bad
	}
	return bucket, key, version, nil
}

// parseCopyRange parses "bytes=first-last", the only form S3 accepts in
// x-amz-copy-source-range.
func parseCopyRange(v string) (first, last int64, ok bool) {
	spec, found := strings.CutPrefix(v, "bytes=")
	a, b, dash := strings.Cut(spec, "-")
	if !found || !dash {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	return first, last, err1 == nil && err2 == nil && first >= 0 && last >= first
}

// readSource opens the source object, or the range rng of it; the caller
// closes its Contents.
func readSource(backend gofakes3.Backend, bucket, key, version string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, *s3Error) {
	var obj *gofakes3.Object
	var err error
	switch vb, ok := backend.(gofakes3.VersionedBackend); {
	case version == "":
		obj, err = backend.GetObject(bucket, key, rng)
	case ok:
		obj, err = vb.GetObjectVersion(bucket, key, gofakes3.VersionID(version), rng)
	default:
		return nil, requestError(http.StatusBadRequest, "InvalidArgument", "Invalid version id specified")
	}
	if err != nil {
		var code gofakes3.ErrorCode = gofakes3.ErrInternal
		var ge gofakes3.Error
		if errors.As(err, &ge) {
			code = ge.ErrorCode()
		}
		switch code {
		case gofakes3.ErrNoSuchKey, gofakes3.ErrNoSuchBucket, gofakes3.ErrNoSuchVersion:
			return nil, requestError(http.StatusNotFound, string(code), "The specified copy source does not exist.")
		}
		return nil, requestError(http.StatusInternalServerError, "InternalError", "reading the copy source: "+err.Error())
	}
	if obj.IsDeleteMarker {
		obj.Contents.Close()
		return nil, requestError(http.StatusNotFound, "NoSuchKey", "The specified copy source is a delete marker.")
	}
	return obj, nil
}

// copyConditions applies the x-amz-copy-source-if-* headers as S3 does: a
// matching If-Match overrides If-Unmodified-Since, and a failing
// If-None-Match overrides If-Modified-Since.
func copyConditions(h http.Header, etag string, modified time.Time) *s3Error {
	failed := requestError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	if m := h.Get("X-Amz-Copy-Source-If-Match"); m != "" {
		if !etagListHas(m, etag) {
			return failed
		}
	} else if v := h.Get("X-Amz-Copy-Source-If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !modified.IsZero() && modified.After(t) {
			return failed
		}
	}
	if m := h.Get("X-Amz-Copy-Source-If-None-Match"); m != "" {
		if etagListHas(m, etag) {
			return failed
		}
	} else if v := h.Get("X-Amz-Copy-Source-If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !modified.IsZero() && !modified.After(t) {
			return failed
		}
	}
	return nil
}

// etagListHas reports whether a comma-separated list of ETags (quoted or
// not, or "*") names etag.
func etagListHas(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.Trim(t, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// forward hands the rebuilt request in to next. When next succeeds it
// returns the recorded answer, for the caller to answer from; otherwise it
// passes next's error answer on to w and returns nil.
func forward(w http.ResponseWriter, next http.Handler, in *http.Request) *partRecorder {
	rec := &partRecorder{header: http.Header{}}
	next.ServeHTTP(rec, in)
	if rec.status == 0 || rec.status == http.StatusOK {
		return rec
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
	return nil
}

// partRecorder keeps gofakes3's answer to a rebuilt request: the
// UploadPart of a copy, the PutObject of a form.
type partRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *partRecorder) Header() http.Header { return p.header }

func (p *partRecorder) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (p *partRecorder) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	// Only an error document is kept; bound it.
	if p.body.Len() < 64<<10 {
		p.body.Write(b[:min(len(b), 64<<10-p.body.Len())])
	}
	return len(b), nil
}
