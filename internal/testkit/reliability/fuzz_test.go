package reliability

// Fuzz targets for the parsers the packages' own targets leave out, driven
// from outside through the public API: every operation's response decoder
// (XML documents and headers, success and error answers) behind a canned
// HTTP transport, and the transfer manager's reading of Content-Range
// behind a fake client. `make fuzz` runs each for FUZZTIME.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// canned answers every request with the same response, and 400 once it
// has answered max requests (so that a paginating loop over a truncated
// page ends).
type canned struct {
	status int
	header http.Header
	body   []byte
	n      atomic.Int64
	max    int64
}

func (c *canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	status, body := c.status, c.body
	if c.n.Add(1) > c.max {
		status, body = http.StatusBadRequest, []byte("<Error><Code>TooManyPages</Code></Error>")
	}
	h := c.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// fuzzStatuses are the statuses a fuzzed answer may carry.
var fuzzStatuses = []int{200, 200, 200, 206, 204, 301, 304, 307, 400, 403, 404, 409, 412, 416, 500, 501, 503}

// fuzzOps call each operation once; GetObject reads its body to the end.
var fuzzOps = []struct {
	name string
	call func(ctx context.Context, c *s3client.Client) (any, error)
}{
	{"ListBuckets", func(ctx context.Context, c *s3client.Client) (any, error) { return c.ListBuckets(ctx, nil) }},
	{"ListObjectsV2", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.ListObjectsV2(ctx, &s3client.ListObjectsV2Input{Bucket: "bkt"})
	}},
	{"AllObjects", func(ctx context.Context, c *s3client.Client) (any, error) {
		n := 0
		for _, err := range c.AllObjects(ctx, &s3client.ListObjectsV2Input{Bucket: "bkt"}) {
			if err != nil {
				return nil, err
			}
			n++
		}
		return n, nil
	}},
	{"ListObjectVersions", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.ListObjectVersions(ctx, &s3client.ListObjectVersionsInput{Bucket: "bkt"})
	}},
	{"AllObjectVersions", func(ctx context.Context, c *s3client.Client) (any, error) {
		n := 0
		for _, err := range c.AllObjectVersions(ctx, &s3client.ListObjectVersionsInput{Bucket: "bkt"}) {
			if err != nil {
				return nil, err
			}
			n++
		}
		return n, nil
	}},
	{"ListMultipartUploads", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.ListMultipartUploads(ctx, &s3client.ListMultipartUploadsInput{Bucket: "bkt"})
	}},
	{"AllMultipartUploads", func(ctx context.Context, c *s3client.Client) (any, error) {
		n := 0
		for _, err := range c.AllMultipartUploads(ctx, &s3client.ListMultipartUploadsInput{Bucket: "bkt"}) {
			if err != nil {
				return nil, err
			}
			n++
		}
		return n, nil
	}},
	{"ListParts", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.ListParts(ctx, &s3client.ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u"})
	}},
	{"AllParts", func(ctx context.Context, c *s3client.Client) (any, error) {
		n := 0
		for _, err := range c.AllParts(ctx, &s3client.ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u"}) {
			if err != nil {
				return nil, err
			}
			n++
		}
		return n, nil
	}},
	{"CreateMultipartUpload", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.CreateMultipartUpload(ctx, &s3client.CreateMultipartUploadInput{Bucket: "bkt", Key: "k"})
	}},
	{"CompleteMultipartUpload", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.CompleteMultipartUpload(ctx, &s3client.CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u",
			Parts: []s3client.CompletedPart{{PartNumber: 1, ETag: `"e"`}}})
	}},
	{"CopyObject", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.CopyObject(ctx, &s3client.CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: s3client.CopySource{Bucket: "src", Key: "s"}})
	}},
	{"UploadPartCopy", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.UploadPartCopy(ctx, &s3client.UploadPartCopyInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1,
			CopySource: s3client.CopySource{Bucket: "src", Key: "s"}})
	}},
	{"DeleteObjects", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: "bkt", Objects: []s3client.ObjectIdentifier{{Key: "a"}, {Key: "b"}}})
	}},
	{"GetObjectTagging", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.GetObjectTagging(ctx, &s3client.GetObjectTaggingInput{Bucket: "bkt", Key: "k"})
	}},
	{"PutObjectTagging", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.PutObjectTagging(ctx, &s3client.PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: []s3client.Tag{{Key: "a", Value: "b"}}})
	}},
	{"GetBucketLocation", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.GetBucketLocation(ctx, &s3client.GetBucketLocationInput{Bucket: "bkt"})
	}},
	{"CreateBucket", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.CreateBucket(ctx, &s3client.CreateBucketInput{Bucket: "bkt"})
	}},
	{"HeadBucket", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.HeadBucket(ctx, &s3client.HeadBucketInput{Bucket: "bkt"})
	}},
	{"HeadObject", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.HeadObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k"})
	}},
	{"GetObject", func(ctx context.Context, c *s3client.Client) (any, error) {
		out, err := c.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bkt", Key: "k", ChecksumMode: true})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		_, err = io.Copy(io.Discard, out.Body)
		if err != nil && !errors.Is(err, s3client.ErrChecksumMismatch) {
			return nil, fmt.Errorf("reading: %w", err)
		}
		return out, nil
	}},
	{"PutObject", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x")})
	}},
	{"UploadPart", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.UploadPart(ctx, &s3client.UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: strings.NewReader("x")})
	}},
	{"DeleteObject", func(ctx context.Context, c *s3client.Client) (any, error) {
		return c.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: "bkt", Key: "k"})
	}},
	{"AbortMultipartUpload", func(ctx context.Context, c *s3client.Client) (any, error) {
		return struct{}{}, c.AbortMultipartUpload(ctx, &s3client.AbortMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u"})
	}},
}

// parseHeaderLines reads "Name: value" lines into a header.
func parseHeaderLines(s string) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(s, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t\r") {
			continue
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h
}

// FuzzResponseDecoders hands every operation an arbitrary answer (status,
// headers, body): it may fail, never panic, never report success for an
// error status, and always fail with an *s3client.Error.
func FuzzResponseDecoders(f *testing.F) {
	seeds := []struct {
		op     int
		status int
		header string
		body   string
	}{
		{0, 0, "", `<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets><Bucket><Name>b</Name><CreationDate>2025-01-02T03:04:05.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`},
		{1, 0, "", `<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>3</Size><ETag>"x"</ETag><LastModified>2025-01-02T03:04:05.000Z</LastModified></Contents></ListBucketResult>`},
		{2, 0, "", `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken><Contents><Key>a</Key></Contents></ListBucketResult>`},
		{3, 0, "", `<ListVersionsResult><Version><Key>a</Key><VersionId>1</VersionId><IsLatest>true</IsLatest></Version><DeleteMarker><Key>a</Key><VersionId>2</VersionId></DeleteMarker></ListVersionsResult>`},
		{5, 0, "", `<ListMultipartUploadsResult><EncodingType>url</EncodingType><Upload><Key>a%20b</Key><UploadId>u</UploadId><Initiated>2025-01-02T03:04:05.000Z</Initiated></Upload></ListMultipartUploadsResult>`},
		{7, 0, "", `<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>"e"</ETag><Size>5242880</Size><ChecksumCRC32C>AAAAAA==</ChecksumCRC32C></Part></ListPartsResult>`},
		{9, 0, "X-Amz-Checksum-Algorithm: CRC32C", `<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>`},
		{10, 0, "", `<?xml version="1.0"?>` + "\n  " + `<Error><Code>InternalError</Code><Message>m</Message></Error>`},
		{10, 0, "", `<CompleteMultipartUploadResult><Location>l</Location><ETag>"e-2"</ETag></CompleteMultipartUploadResult>`},
		{11, 0, "", `<CopyObjectResult><ETag>"e"</ETag><LastModified>2025-01-02T03:04:05.000Z</LastModified></CopyObjectResult>`},
		{12, 0, "", `<CopyPartResult><ETag>"e"</ETag></CopyPartResult>`},
		{13, 0, "", `<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code></Error></DeleteResult>`},
		{14, 0, "", `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`},
		{16, 0, "", `<LocationConstraint>EU</LocationConstraint>`},
		{18, 0, "X-Amz-Bucket-Region: eu-west-1\nX-Amz-Access-Point-Alias: true", ``},
		{19, 0, "Content-Length: 12\nLast-Modified: Mon, 02 Jan 2006 15:04:05 GMT\nX-Amz-Mp-Parts-Count: 3\nX-Amz-Tagging-Count: x\nX-Amz-Meta-A: b\nX-Amz-Object-Lock-Retain-Until-Date: nope", ``},
		{20, 0, "Content-Range: bytes 0-3/4\nX-Amz-Checksum-Crc32c: AAAAAA==\nX-Amz-Checksum-Type: FULL_OBJECT", `abcd`},
		{21, 0, "ETag: \"e\"\nX-Amz-Version-Id: v", ``},
		{0, 8, "", `<Error><Code>AccessDenied</Code><Message>no</Message><RequestId>r</RequestId><HostId>h</HostId></Error>`},
		{1, 5, "X-Amz-Bucket-Region: eu-west-1", `<Error><Code>PermanentRedirect</Code><Region>eu-west-1</Region></Error>`},
		{19, 10, "", ``},
		{4, 0, "", `<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>a</NextKeyMarker></ListVersionsResult>`},
	}
	for _, s := range seeds {
		f.Add(uint8(s.op), uint8(s.status), s.header, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, op, statusIdx uint8, header string, body []byte) {
		o := fuzzOps[int(op)%len(fuzzOps)]
		status := fuzzStatuses[int(statusIdx)%len(fuzzStatuses)]
		tr := &canned{status: status, header: parseHeaderLines(header), body: body, max: 20}
		c, err := s3client.New(s3client.Config{Endpoint: "http://fuzz.test", Region: testRegion, AddressingStyle: s3client.AddressingPath,
			HTTPClient: &http.Client{Transport: tr}, MaxAttempts: 1, RetryBaseDelay: time.Nanosecond, RetryMaxDelay: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := o.call(ctx, c)
		if err == nil {
			if status >= 300 {
				t.Fatalf("%s: status %d reported as success (%+v)", o.name, status, out)
			}
			if out == nil {
				t.Fatalf("%s: no error and no output", o.name)
			}
			return
		}
		var ce *s3client.Error
		if !errors.As(err, &ce) {
			if o.name == "GetObject" && strings.HasPrefix(err.Error(), "reading: ") {
				return // the body's own read error, after a successful answer
			}
			t.Fatalf("%s: error %T is not an *s3client.Error: %v", o.name, err, err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "s3client: ") {
			t.Fatalf("%s: error without the package prefix: %q", o.name, msg)
		}
		if status >= 300 && tr.n.Load() <= tr.max && ce.StatusCode != 0 && ce.StatusCode != status {
			t.Fatalf("%s: status %d reported as %d", o.name, status, ce.StatusCode)
		}
		if ce.StatusCode >= 300 && ce.Code == "" {
			t.Fatalf("%s: an error answer (%d) without a code: %v", o.name, ce.StatusCode, err)
		}
	})
}

// rangeAPI is a fake transfer.API serving one object by ranges, with a
// Content-Range chosen by the fuzzer.
type rangeAPI struct {
	transfer.API // the methods a download does not call
	obj          []byte
	cr           string // "" for an honest Content-Range
	shift        int64  // the fake serves from the requested first byte + shift
	lied         atomic.Bool
}

func (a *rangeAPI) HeadObject(context.Context, *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	return &s3client.ObjectMeta{ContentLength: int64(len(a.obj)), ETag: `"e"`}, nil
}

func (a *rangeAPI) GetObject(_ context.Context, in *s3client.GetObjectInput) (*s3client.GetObjectOutput, error) {
	size := int64(len(a.obj))
	var first, last int64
	if _, err := fmt.Sscanf(in.Range, "bytes=%d-%d", &first, &last); err != nil {
		return nil, fmt.Errorf("fake: range %q: %v", in.Range, err)
	}
	start := min(max(first+a.shift, 0), size)
	end := min(start+(last-first+1), size)
	cr := a.cr
	honest := fmt.Sprintf("bytes %d-%d/%d", start, end-1, size)
	if cr == "" {
		cr = honest
	} else if f, ok := strictContentRange(cr, size); !ok || f != start {
		a.lied.Store(true) // a header that misstates the body: no claim on the outcome
	}
	if start == end && a.cr == "" {
		cr = ""
	}
	return &s3client.GetObjectOutput{
		ObjectMeta: s3client.ObjectMeta{ContentLength: end - start, ContentRange: cr, ETag: `"e"`},
		Body:       io.NopCloser(bytes.NewReader(a.obj[start:end])),
	}, nil
}

// strictContentRange parses "bytes first-last/complete" (complete may be
// "*") as RFC 9110 section 14.4 defines it, and returns first.
func strictContentRange(s string, size int64) (int64, bool) {
	spec, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, false
	}
	rng, complete, ok := strings.Cut(spec, "/")
	if !ok {
		return 0, false
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok || !digits(a) || !digits(b) || (complete != "*" && !digits(complete)) {
		return 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || last < first {
		return 0, false
	}
	if complete != "*" {
		if n, err := strconv.ParseInt(complete, 10, 64); err != nil || n != size || last >= n {
			return 0, false
		}
	}
	return first, true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rangeObject is the object FuzzDownloadContentRange serves a prefix of:
// made once per process, so that an input costs its downloads only.
var rangeObject = sync.OnceValue(func() []byte { return data(12*unit, 71) })

// FuzzDownloadContentRange serves a download's ranges with arbitrary
// Content-Range headers and bodies that may start elsewhere than asked:
// whatever the server says, a download that succeeds holds exactly the
// object, unless the header itself misstated the body.
//
// The fake answers at once and from memory, and the downloads run without
// a deadline: the verdict depends on what was served and written, never on
// how long an input took under the fuzzing engine (which counts an input
// that runs for 10 seconds as a hang).
func FuzzDownloadContentRange(f *testing.F) {
	for _, s := range []struct {
		cr    string
		shift int64
		size  uint32
	}{
		{"", 0, 12 * unit}, {"", 1, 12 * unit}, {"", -1, 6 * unit}, {"bytes */100", 0, 100}, {"bytes 0-99/*", 0, 100},
		{"bytes=0-9/10", 0, 10}, {"bytes 5-", 0, 10}, {"Bytes 0-9/10", 0, 10}, {"bytes 00-9/10", 0, 10},
		{"bytes -1-9/10", 0, 10}, {"bytes 99999999999999999999-1/2", 0, 2}, {"", 0, 0},
	} {
		f.Add(s.cr, s.shift, s.size)
	}
	stateDir := f.TempDir()
	f.Fuzz(func(t *testing.T, cr string, shift int64, size uint32) {
		size %= 12 * unit
		shift %= 1 << 21
		obj := rangeObject()[:size]
		api := &rangeAPI{obj: obj, cr: cr, shift: shift}
		m, err := transfer.New(api, transfer.Config{MultipartChunkSize: partSize, MaxConcurrency: 2, NumDownloadAttempts: 2, StateDir: stateDir})
		if err != nil {
			t.Fatal(err)
		}
		buf := make(writerAt, size)
		_, err = m.DownloadAt(context.Background(), "bkt", "k", buf)
		var buf2 bytes.Buffer
		_, err2 := m.Download(context.Background(), "bkt", "k", &buf2)
		if api.lied.Load() {
			return
		}
		if err == nil && !bytes.Equal(buf, obj) {
			t.Fatalf("DownloadAt succeeded with other bytes (Content-Range %q, shift %d, size %d)", cr, shift, size)
		}
		if err2 == nil && !bytes.Equal(buf2.Bytes(), obj) {
			t.Fatalf("Download succeeded with other bytes (Content-Range %q, shift %d, size %d)", cr, shift, size)
		}
		for _, e := range []error{err, err2} {
			if e != nil && !isTransferError(e) {
				t.Fatalf("error %T is not a *transfer.Error: %v", e, e)
			}
		}
		if cr == "" && shift == 0 && (err != nil || err2 != nil) {
			t.Fatalf("an honest server failed the download: %v / %v", err, err2)
		}
	})
}
