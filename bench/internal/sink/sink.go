// Package sink is the benchmark's S3 server: a loopback endpoint, over
// plain http and https, that speaks just enough S3 for every client's
// transfer manager and costs as little as possible, so that what a run
// measures is the client.
//
// Uploads are read to the end and thrown away (aws-chunked framing is
// parsed in place, a checksum trailer kept for the answer); downloads are
// the deterministic bytes of package pattern, written from one shared
// buffer without a per-request allocation. Every object therefore "holds"
// the pattern; what the store remembers is only each object's size and part
// layout, so that ranged GETs, GETs by part number and HEADs answer as S3
// would. Signatures are not checked: any credentials are accepted.
//
// In verify mode (SetVerify) the sink checks what the clients send instead of
// trusting it: the payload bytes against the pattern at their offset in the
// object (parts are placed at CompleteMultipartUpload), the signed payload
// hash (x-amz-content-sha256), Content-MD5, and the additional checksum of
// the header or trailer. The runner turns it on for a warm-up round that
// proves every client moved the right bytes, and off for measured rounds.
//
// This file holds the Server and its S3 operations; chunked.go the
// aws-chunked decoder; check.go the verify-mode checks; tls.go the
// certificate.
package sink

import (
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/s3kit/s3kit/bench/internal/pattern"
)

// Server is a running sink. It is safe for concurrent use.
type Server struct {
	// HTTPURL and HTTPSURL are the endpoints, "http://127.0.0.1:PORT" and
	// "https://127.0.0.1:PORT".
	HTTPURL, HTTPSURL string
	// CertPEM is the https endpoint's self-signed certificate, which
	// clients must trust (the runner gives it to them in SSL_CERT_FILE).
	CertPEM []byte

	logf func(string, ...any)

	mu       sync.Mutex
	objects  map[string]*object // by "bucket/key"
	uploads  map[string]*upload // by upload ID
	failures []string
	nfail    int

	ids      atomic.Uint64
	verify   atomic.Bool
	requests atomic.Int64
	bytesIn  atomic.Int64
	bytesOut atomic.Int64

	servers []*http.Server
	wg      sync.WaitGroup
}

type object struct {
	size     int64
	partSize int64 // every part but the last; 0 for one PutObject
	parts    int   // 1 for a PutObject
	etag     string
}

type upload struct {
	bucket, key string
	algorithm   string // x-amz-checksum-algorithm asked at creation
	parts       map[int]*partRecord
}

type partRecord struct {
	size     int64
	etag     string
	checksum [2]string // header name and value echoed to the client
	crc      uint32    // CRC-32C of the payload, in verify mode
	verified bool      // crc was computed
}

// Stats counts what the sink has served since it started.
type Stats struct {
	Requests, BytesIn, BytesOut int64
	// Failures is how many verify-mode checks failed (or requests the
	// sink could not serve); the first of them are in Messages.
	Failures int
	Messages []string
}

// Options configure a Server.
type Options struct {
	// Logf receives one line per request the sink does not understand and
	// per failed check; nil discards them (they are counted in Stats).
	Logf func(format string, args ...any)
}

// lastModified is every object's Last-Modified: a fixed date, so that
// clients that compare it between a HEAD and their GETs see no change.
var lastModified = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)

// Start starts a sink listening on two loopback ports chosen by the
// system, one plain http and one https with a fresh self-signed certificate.
// Close stops it.
func Start(opts *Options) (*Server, error) {
	s := &Server{objects: map[string]*object{}, uploads: map[string]*upload{}, logf: func(string, ...any) {}}
	if opts != nil && opts.Logf != nil {
		s.logf = opts.Logf
	}
	cert, pemBytes, err := selfSigned()
	if err != nil {
		return nil, err
	}
	s.CertPEM = pemBytes
	for _, secure := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close()
			return nil, err
		}
		srv := &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			// HTTP/1.1 only, as S3 itself: throughput comes from parallel
			// connections, and an h2 sink would measure something else.
			TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
			ErrorLog:     discardLogger,
		}
		url := "http://" + ln.Addr().String()
		if secure {
			srv.TLSConfig = tlsConfig(cert)
			ln = tlsListener(ln, srv.TLSConfig)
			url = "https://" + ln.Addr().String()
			s.HTTPSURL = url
		} else {
			s.HTTPURL = url
		}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			srv.Serve(ln)
		}()
	}
	return s, nil
}

// Close stops both listeners and closes every connection.
func (s *Server) Close() error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Close())
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// SetVerify turns verify mode on or off (see the package doc). Requests in
// flight keep the mode they started with.
func (s *Server) SetVerify(on bool) { s.verify.Store(on) }

// AddObject makes bucket/key an object of size bytes, uploaded in parts of
// partSize (0: in one PutObject), ready to be downloaded.
func (s *Server) AddObject(bucket, key string, size, partSize int64) {
	o := &object{size: size, parts: 1, etag: s.newETag(0)}
	if partSize > 0 && size > partSize {
		o.partSize = partSize
		o.parts = int((size + partSize - 1) / partSize)
		o.etag = s.newETag(o.parts)
	}
	s.mu.Lock()
	s.objects[bucket+"/"+key] = o
	s.mu.Unlock()
}

// Object returns the size and part count of bucket/key, and whether it
// exists: what an upload left behind.
func (s *Server) Object(bucket, key string) (size int64, parts int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[bucket+"/"+key]
	if !ok {
		return 0, 0, false
	}
	return o.size, o.parts, true
}

// Stats returns the counters, and the failures recorded.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Requests: s.requests.Load(), BytesIn: s.bytesIn.Load(), BytesOut: s.bytesOut.Load(),
		Failures: s.nfail, Messages: append([]string(nil), s.failures...),
	}
}

// ResetFailures forgets the recorded failures.
func (s *Server) ResetFailures() {
	s.mu.Lock()
	s.failures, s.nfail = nil, 0
	s.mu.Unlock()
}

func (s *Server) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.logf("sink: %s", msg)
	s.mu.Lock()
	s.nfail++
	if len(s.failures) < 50 {
		s.failures = append(s.failures, msg)
	}
	s.mu.Unlock()
}

func (s *Server) newETag(parts int) string {
	id := s.ids.Add(1)
	if parts > 0 {
		return fmt.Sprintf("\"%032x-%d\"", id, parts)
	}
	return fmt.Sprintf("\"%032x\"", id)
}

// ServeHTTP routes a path-style S3 request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	var q url.Values
	if r.URL.RawQuery != "" {
		q = r.URL.Query()
	}
	has := func(name string) bool { _, ok := q[name]; return ok }
	switch {
	case bucket == "":
		if r.Method == http.MethodGet {
			writeXML(w, http.StatusOK, &listAllMyBucketsResult{})
			return
		}
	case key == "":
		s.bucketOp(w, r, bucket, q)
		return
	case r.Method == http.MethodPut && has("uploadId"):
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			break
		}
		s.uploadPart(w, r, bucket, key, q)
		return
	case r.Method == http.MethodPut && has("tagging"):
		drainBody(r)
		w.WriteHeader(http.StatusOK)
		return
	case r.Method == http.MethodPut:
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			break
		}
		s.putObject(w, r, bucket, key)
		return
	case r.Method == http.MethodPost && has("uploads"):
		s.createUpload(w, r, bucket, key)
		return
	case r.Method == http.MethodPost && has("uploadId"):
		s.completeUpload(w, r, bucket, key, q.Get("uploadId"))
		return
	case r.Method == http.MethodDelete && has("uploadId"):
		s.abortUpload(w, q.Get("uploadId"))
		return
	case r.Method == http.MethodDelete:
		s.mu.Lock()
		delete(s.objects, bucket+"/"+key)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method == http.MethodGet && has("uploadId"):
		s.listParts(w, bucket, key, q.Get("uploadId"))
		return
	case r.Method == http.MethodGet && has("tagging"):
		writeXML(w, http.StatusOK, &tagging{})
		return
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.getObject(w, r, bucket, key, q)
		return
	}
	s.fail("unsupported request %s %s", r.Method, r.URL.RequestURI())
	drainBody(r)
	writeError(w, http.StatusNotImplemented, "NotImplemented", "the benchmark sink does not implement this request")
}

func (s *Server) bucketOp(w http.ResponseWriter, r *http.Request, bucket string, q url.Values) {
	has := func(name string) bool { _, ok := q[name]; return ok }
	switch {
	case r.Method == http.MethodHead:
		w.Header().Set("X-Amz-Bucket-Region", "us-east-1")
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodPut:
		drainBody(r)
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet && has("location"):
		// us-east-1 is an empty LocationConstraint, as S3 answers it.
		writeXML(w, http.StatusOK, &locationConstraint{})
	case r.Method == http.MethodGet && has("uploads"):
		writeXML(w, http.StatusOK, &listMultipartUploadsResult{Bucket: bucket})
	case r.Method == http.MethodGet:
		s.listObjects(w, bucket, q)
	default:
		s.fail("unsupported bucket request %s %s", r.Method, r.URL.RequestURI())
		drainBody(r)
		writeError(w, http.StatusNotImplemented, "NotImplemented", "the benchmark sink does not implement this request")
	}
}

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	res, err := s.readPayload(r, true)
	if err != nil {
		s.fail("PutObject %s/%s: %v", bucket, key, err)
		writeError(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	o := &object{size: res.size, parts: 1, etag: s.newETag(0)}
	s.mu.Lock()
	s.objects[bucket+"/"+key] = o
	s.mu.Unlock()
	h := w.Header()
	h["Etag"] = []string{o.etag}
	if res.checksum[0] != "" {
		h[res.checksum[0]] = []string{res.checksum[1]}
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, bucket, key string) {
	drainBody(r)
	id := strconv.FormatUint(s.ids.Add(1), 36) + "-sinkupload"
	up := &upload{bucket: bucket, key: key, algorithm: r.Header.Get("X-Amz-Checksum-Algorithm"), parts: map[int]*partRecord{}}
	s.mu.Lock()
	s.uploads[id] = up
	s.mu.Unlock()
	if up.algorithm != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", up.algorithm)
		if t := r.Header.Get("X-Amz-Checksum-Type"); t != "" {
			w.Header().Set("X-Amz-Checksum-Type", t)
		}
	}
	writeXML(w, http.StatusOK, &initiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: id})
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, bucket, key string, q url.Values) {
	id := q.Get("uploadId")
	num, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || num < 1 || num > 10000 {
		drainBody(r)
		writeError(w, http.StatusBadRequest, "InvalidArgument", "bad partNumber")
		return
	}
	s.mu.Lock()
	up := s.uploads[id]
	s.mu.Unlock()
	if up == nil || up.bucket != bucket || up.key != key {
		drainBody(r)
		s.fail("UploadPart %s/%s: no upload %q", bucket, key, id)
		writeError(w, http.StatusNotFound, "NoSuchUpload", "no such upload")
		return
	}
	res, err := s.readPayload(r, false)
	if err != nil {
		s.fail("UploadPart %s/%s part %d: %v", bucket, key, num, err)
		writeError(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	p := &partRecord{size: res.size, etag: s.newETag(0), checksum: res.checksum, crc: res.crc, verified: res.verified}
	s.mu.Lock()
	up.parts[num] = p
	s.mu.Unlock()
	h := w.Header()
	h["Etag"] = []string{p.etag}
	if p.checksum[0] != "" {
		h[p.checksum[0]] = []string{p.checksum[1]}
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request, bucket, key, id string) {
	var in completeMultipartUpload
	err := xml.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&in)
	drainBody(r)
	if err != nil {
		s.fail("CompleteMultipartUpload %s/%s: %v", bucket, key, err)
		writeError(w, http.StatusBadRequest, "MalformedXML", err.Error())
		return
	}
	s.mu.Lock()
	up := s.uploads[id]
	if up != nil {
		delete(s.uploads, id)
	}
	s.mu.Unlock()
	if up == nil || up.bucket != bucket || up.key != key {
		s.fail("CompleteMultipartUpload %s/%s: no upload %q", bucket, key, id)
		writeError(w, http.StatusNotFound, "NoSuchUpload", "no such upload")
		return
	}
	if len(in.Parts) == 0 {
		writeError(w, http.StatusBadRequest, "MalformedXML", "no parts")
		return
	}
	var size int64
	layout := make([]*partRecord, len(in.Parts))
	for i, cp := range in.Parts {
		p := up.parts[cp.PartNumber]
		if p == nil || strings.Trim(cp.ETag, "\"") != strings.Trim(p.etag, "\"") {
			s.fail("CompleteMultipartUpload %s/%s: part %d was not uploaded (or its ETag %s differs)", bucket, key, cp.PartNumber, cp.ETag)
			writeError(w, http.StatusBadRequest, "InvalidPart", "a part was not uploaded")
			return
		}
		if i > 0 && cp.PartNumber <= in.Parts[i-1].PartNumber {
			writeError(w, http.StatusBadRequest, "InvalidPartOrder", "parts are not in ascending order")
			return
		}
		if i < len(in.Parts)-1 && p.size < 5<<20 {
			s.fail("CompleteMultipartUpload %s/%s: part %d is %d bytes, under S3's 5 MiB minimum", bucket, key, cp.PartNumber, p.size)
			writeError(w, http.StatusBadRequest, "EntityTooSmall", "part too small")
			return
		}
		layout[i] = p
		size += p.size
	}
	s.checkLayout(bucket, key, layout)
	o := &object{size: size, partSize: layout[0].size, parts: len(layout), etag: s.newETag(len(layout))}
	s.mu.Lock()
	s.objects[bucket+"/"+key] = o
	s.mu.Unlock()
	writeXML(w, http.StatusOK, &completeMultipartUploadResult{
		Location: "/" + bucket + "/" + key, Bucket: bucket, Key: key, ETag: o.etag,
	})
}

func (s *Server) abortUpload(w http.ResponseWriter, id string) {
	s.mu.Lock()
	_, ok := s.uploads[id]
	delete(s.uploads, id)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "NoSuchUpload", "no such upload")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listParts(w http.ResponseWriter, bucket, key, id string) {
	s.mu.Lock()
	up := s.uploads[id]
	var out listPartsResult
	if up != nil {
		out = listPartsResult{Bucket: bucket, Key: key, UploadID: id, MaxParts: 10000}
		nums := make([]int, 0, len(up.parts))
		for n := range up.parts {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		for _, n := range nums {
			p := up.parts[n]
			out.Parts = append(out.Parts, listedPart{PartNumber: n, ETag: p.etag, Size: p.size, LastModified: "2025-01-01T00:00:00.000Z"})
		}
	}
	s.mu.Unlock()
	if up == nil {
		writeError(w, http.StatusNotFound, "NoSuchUpload", "no such upload")
		return
	}
	writeXML(w, http.StatusOK, &out)
}

func (s *Server) listObjects(w http.ResponseWriter, bucket string, q url.Values) {
	prefix := q.Get("prefix")
	out := listBucketResult{Name: bucket, Prefix: prefix, MaxKeys: 1000}
	s.mu.Lock()
	for k, o := range s.objects {
		b, key, _ := strings.Cut(k, "/")
		if b == bucket && strings.HasPrefix(key, prefix) {
			out.Contents = append(out.Contents, listedObject{Key: key, Size: o.size, ETag: o.etag, LastModified: "2025-01-01T00:00:00.000Z", StorageClass: "STANDARD"})
		}
	}
	s.mu.Unlock()
	sort.Slice(out.Contents, func(i, j int) bool { return out.Contents[i].Key < out.Contents[j].Key })
	if len(out.Contents) > 1000 {
		out.Contents = out.Contents[:1000]
		out.IsTruncated = true
		out.NextContinuationToken = out.Contents[999].Key
	}
	out.KeyCount = len(out.Contents)
	writeXML(w, http.StatusOK, &out)
}

// getObject serves GET and HEAD: the whole object, a Range, or one part.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, bucket, key string, q url.Values) {
	s.mu.Lock()
	o := s.objects[bucket+"/"+key]
	s.mu.Unlock()
	if o == nil {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		writeError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && strings.Trim(m, "\"") != strings.Trim(o.etag, "\"") {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed", "If-Match failed")
		return
	}
	h := w.Header()
	h["Etag"] = []string{o.etag}
	h["Last-Modified"] = []string{lastModified}
	h["Accept-Ranges"] = []string{"bytes"}
	h["Content-Type"] = []string{"application/octet-stream"}
	start, n, status := int64(0), o.size, http.StatusOK
	if pn := q.Get("partNumber"); pn != "" {
		num, err := strconv.Atoi(pn)
		if err != nil || num < 1 || num > o.parts {
			writeError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "no such part")
			return
		}
		if o.parts > 1 {
			start = int64(num-1) * o.partSize
			n = min(o.partSize, o.size-start)
			status = http.StatusPartialContent
		}
		h["X-Amz-Mp-Parts-Count"] = []string{strconv.Itoa(o.parts)}
	} else if rg := r.Header.Get("Range"); rg != "" {
		var ok bool
		start, n, ok = parseRange(rg, o.size)
		if !ok {
			h["Content-Range"] = []string{"bytes */" + strconv.FormatInt(o.size, 10)}
			writeError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		status = http.StatusPartialContent
	}
	if status == http.StatusPartialContent {
		h["Content-Range"] = []string{"bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(start+n-1, 10) + "/" + strconv.FormatInt(o.size, 10)}
	}
	h["Content-Length"] = []string{strconv.FormatInt(n, 10)}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	k, _ := pattern.WriteTo(w, start, n)
	s.bytesOut.Add(k)
}

// parseRange parses one "bytes=a-b", "bytes=a-" or "bytes=-n" range of an
// object of size bytes into a start and a length.
func parseRange(h string, size int64) (start, n int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	if a == "" {
		suffix, err := strconv.ParseInt(b, 10, 64)
		if err != nil || suffix <= 0 || size == 0 {
			return 0, 0, false
		}
		suffix = min(suffix, size)
		return size - suffix, suffix, true
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 || first >= size {
		return 0, 0, false
	}
	last := size - 1
	if b != "" {
		l, err := strconv.ParseInt(b, 10, 64)
		if err != nil || l < first {
			return 0, 0, false
		}
		last = min(l, size-1)
	}
	return first, last - first + 1, true
}

func drainBody(r *http.Request) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
	}
}
