package main

// This file holds the demo's front: an HTTP server on loopback in front of
// the embedded gofakes3 that records each request (so that steps can show
// and check what went over the wire: addressing, ACL headers, the number
// of parts, how many requests ran at once) and checks browser POST
// uploads against their policy, which gofakes3 does not: with
// presignpost.ReadForm, Verify and Check, answering as S3 does.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// maxPostBody bounds a form the front reads into memory to check it.
const maxPostBody = 32 << 20

// demoRequest is a request as it arrived at the front.
type demoRequest struct {
	Method, Host, Path, RawQuery string
	Header                       http.Header
}

type demoRequests []demoRequest

// find returns the last request with method whose path ends in "/"+key
// and whose query has each of the parameters named in query.
func (rs demoRequests) find(method, key string, query ...string) *demoRequest {
next:
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Method != method || !strings.HasSuffix(rs[i].Path, "/"+key) {
			continue
		}
		q, _ := url.ParseQuery(rs[i].RawQuery)
		for _, name := range query {
			if !q.Has(name) {
				continue next
			}
		}
		return &rs[i]
	}
	return nil
}

type demoFront struct {
	url    string
	srv    *http.Server
	proxy  *httputil.ReverseProxy
	creds  sigv4.Credentials
	region string
	served chan struct{}

	mu   sync.Mutex
	reqs demoRequests

	inflight, maxInflight atomic.Int64
}

func newDemoFront(backend string, creds sigv4.Credentials, region string) (*demoFront, error) {
	target, err := url.Parse(backend)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &demoFront{url: "http://" + ln.Addr().String(), creds: creds, region: region, served: make(chan struct{})}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // the virtual-host routing reads it
		},
		Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(f.served)
		_ = f.srv.Serve(ln)
	}()
	return f, nil
}

func (f *demoFront) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if f.srv.Shutdown(ctx) != nil {
		f.srv.Close()
	}
	<-f.served
}

func (f *demoFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxInflight.Load()
		if n <= m || f.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, demoRequest{Method: r.Method, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
	f.mu.Unlock()
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "multipart/form-data" {
		if !f.checkPost(w, r) {
			return
		}
	}
	f.proxy.ServeHTTP(w, r)
}

// take returns the requests recorded since the last take or reset, and
// forgets them.
func (f *demoFront) take() demoRequests {
	f.mu.Lock()
	defer f.mu.Unlock()
	rs := f.reqs
	f.reqs = nil
	return rs
}

func (f *demoFront) reset() {
	f.take()
	f.resetPeak()
}

func (f *demoFront) resetPeak() { f.maxInflight.Store(0) }
func (f *demoFront) peak() int  { return int(f.maxInflight.Load()) }

// checkPost checks a browser upload as S3 would before storing it: it
// reads the form with presignpost.ReadForm (field names in ASCII case,
// duplicates and a missing file refused, nothing after the file), then
// checks the signature (presignpost.Verify) and every condition of the
// policy (presignpost.Check). It answers a refused form itself and returns
// false. An accepted one goes on to gofakes3 written afresh from what was
// checked, since gofakes3 parses the body again by other rules: it reads
// parts after the file, and "key" only in lower case.
func (f *demoFront) checkPost(w http.ResponseWriter, r *http.Request) bool {
	var file bytes.Buffer
	form, err := presignpost.ReadForm(http.MaxBytesReader(w, r.Body, maxPostBody), r.Header.Get("Content-Type"), &file)
	if err != nil {
		status, code, msg := formRefusal(err)
		writeS3Error(w, status, code, msg)
		return false
	}
	form.Bucket = postBucket(r)
	if err := presignpost.Verify(form.Fields, f.creds, f.region); err != nil {
		writeS3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return false
	}
	if err := presignpost.Check(form.Get("policy"), form, time.Now()); err != nil {
		var ce *presignpost.CheckError
		status, code, msg := http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+err.Error()
		if errors.As(err, &ce) {
			if lo, hi, ok := lengthRange(ce.Condition); ok {
				switch {
				case form.FileSize > hi:
					status, code, msg = http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
				case form.FileSize < lo:
					status, code, msg = http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
				}
			}
		}
		writeS3Error(w, status, code, msg)
		return false
	}
	// gofakes3 reads the key by its exact name, S3 in any ASCII case (a
	// three-byte name that folds to "key" is made of ASCII letters).
	fields := make(map[string]string, len(form.Fields))
	for name, value := range form.Fields {
		if len(name) == len("key") && strings.EqualFold(name, "key") {
			name = "key"
		}
		fields[name] = value
	}
	var body bytes.Buffer
	contentType, err := presignpost.Signed{Fields: fields}.MultipartBody(&body, form.Filename, &file)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
		return false
	}
	r.Body = io.NopCloser(&body)
	r.ContentLength = int64(body.Len())
	r.Header.Set("Content-Type", contentType)
	return true
}

// formRefusal is S3's answer to a body that presignpost.ReadForm refuses.
func formRefusal(err error) (status int, code, msg string) {
	var fe *presignpost.FormError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, presignpost.ErrFormTooLarge) && errors.As(err, &fe) && fe.Field == "file":
		return http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
	case errors.Is(err, presignpost.ErrFormTooLarge):
		return http.StatusBadRequest, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large."
	case errors.Is(err, presignpost.ErrMissingFile):
		return http.StatusBadRequest, "InvalidArgument", "POST requires exactly one file upload per request."
	case errors.Is(err, presignpost.ErrDuplicateField):
		return http.StatusBadRequest, "InvalidArgument", "Each POST form field may be given only once: " + err.Error()
	}
	return http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."
}

// postBucket is the bucket a form is posted to: the host's first label
// under .localhost (virtual-hosted style), else the path's first segment.
func postBucket(r *http.Request) string {
	if host, _, _ := strings.Cut(r.Host, ":"); strings.HasSuffix(host, ".localhost") {
		return strings.TrimSuffix(host, ".localhost")
	}
	bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return bucket
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

func writeS3Error(w http.ResponseWriter, status int, code, msg string) {
	type errorDoc struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", "S3KITDEMOFRONT")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(errorDoc{Code: code, Message: msg, RequestID: "S3KITDEMOFRONT"})
}
