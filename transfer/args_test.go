package transfer

// The extra-args table: every name of s3transfer's ALLOWED_UPLOAD_ARGS,
// ALLOWED_DOWNLOAD_ARGS, ALLOWED_COPY_ARGS and ALLOWED_DELETE_ARGS, the
// field that carries it here, the header (or query parameter) it becomes,
// and the requests it must — and must not — appear on, for a transfer in
// one request and in parts.

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

// s3transfer's lists (s3transfer 0.13: manager.py and constants.py).
var (
	s3transferUpload = []string{"ACL", "CacheControl", "ChecksumAlgorithm", "ContentDisposition", "ContentEncoding",
		"ContentLanguage", "ContentType", "ExpectedBucketOwner", "Expires", "GrantFullControl", "GrantRead",
		"GrantReadACP", "GrantWriteACP", "Metadata", "ObjectLockLegalHoldStatus", "ObjectLockMode",
		"ObjectLockRetainUntilDate", "RequestPayer", "ServerSideEncryption", "StorageClass", "SSECustomerAlgorithm",
		"SSECustomerKey", "SSECustomerKeyMD5", "SSEKMSKeyId", "SSEKMSEncryptionContext", "Tagging",
		"WebsiteRedirectLocation", "ChecksumType", "MpuObjectSize", "ChecksumCRC32", "ChecksumCRC32C",
		"ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"}
	s3transferDownload = []string{"ChecksumMode", "VersionId", "SSECustomerAlgorithm", "SSECustomerKey",
		"SSECustomerKeyMD5", "RequestPayer", "ExpectedBucketOwner"}
	s3transferCopyExtra = []string{"CopySourceIfMatch", "CopySourceIfModifiedSince", "CopySourceIfNoneMatch",
		"CopySourceIfUnmodifiedSince", "CopySourceSSECustomerAlgorithm", "CopySourceSSECustomerKey",
		"CopySourceSSECustomerKeyMD5", "MetadataDirective", "TaggingDirective"}
	s3transferDelete = []string{"MFA", "VersionId", "RequestPayer", "ExpectedBucketOwner"}
)

var (
	testKey    = s3client.SSECKey(strings.Repeat("k", 32))
	testKeyB64 = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="
	testKeyMD5 = "custom-md5=="
	testTime   = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	// Common's ExtraQuery and ExtraHeader, which go on every request.
	extraQuery  = url.Values{"x-extra": {"q"}}
	extraHeader = http.Header{"X-Extra": {"h"}}
)

// argRow maps one s3transfer name to a field and to where it is sent.
type argRow struct {
	name   string         // s3transfer's
	field  string         // the Go field; "" when computed by the manager
	value  any            // what the field is set to
	also   map[string]any // other fields it needs
	header string         // header, or "?name" for a query parameter
	want   string         // its value; "*" for any
	single []string       // requests that carry it, one-request form
	multi  []string       // requests that carry it, multipart form
	// own lists kinds that carry the header with a value of their own
	// (each part's checksum, when the caller gives the whole object's).
	own []string
}

// Request kinds.
const (
	kPut, kCreate, kPart, kComplete = "put", "create", "part", "complete"
	kHead, kGet                     = "head", "get"
	kCopy, kPartCopy, kDelete       = "copy", "partcopy", "delete"
)

func kindOf(r recorded) string {
	copySrc := r.Header.Get("X-Amz-Copy-Source") != ""
	switch {
	case r.Method == http.MethodPost && r.Query.Has("uploads"):
		return kCreate
	case r.Method == http.MethodPost && r.Query.Has("uploadId"):
		return kComplete
	case r.Method == http.MethodPut && copySrc && r.Query.Has("uploadId"):
		return kPartCopy
	case r.Method == http.MethodPut && copySrc:
		return kCopy
	case r.Method == http.MethodPut && r.Query.Has("uploadId"):
		return kPart
	case r.Method == http.MethodPut:
		return kPut
	case r.Method == http.MethodHead:
		return kHead
	case r.Method == http.MethodGet:
		return kGet
	case r.Method == http.MethodDelete && !r.Query.Has("uploadId"):
		return kDelete
	}
	return "other"
}

func uploadRows() []argRow {
	all := []string{kPut}
	every := []string{kCreate, kPart, kComplete}
	create := []string{kCreate}
	prop := func(name, field string, value any, header, want string) argRow {
		return argRow{name: name, field: field, value: value, header: header, want: want, single: all, multi: create}
	}
	sum := func(name string, alg s3client.ChecksumAlgorithm) argRow {
		return argRow{name: name, field: name, value: "c3VtLXZhbHVl", header: alg.Header(), want: "c3VtLXZhbHVl",
			single: all, multi: []string{kComplete}, own: []string{kPart}}
	}
	return []argRow{
		prop("ACL", "ACL", "public-read", "X-Amz-Acl", "public-read"),
		prop("CacheControl", "CacheControl", "no-cache", "Cache-Control", "no-cache"),
		{name: "ChecksumAlgorithm", field: "ChecksumAlgorithm", value: s3client.ChecksumCRC32C,
			header: "X-Amz-Checksum-Algorithm", want: "CRC32C", single: nil, multi: create},
		{name: "ChecksumAlgorithm", field: "ChecksumAlgorithm", value: s3client.ChecksumCRC32C,
			header: "checksum:x-amz-checksum-crc32c", want: "*", single: all, multi: []string{kPart}},
		prop("ContentDisposition", "ContentDisposition", "attachment", "Content-Disposition", "attachment"),
		prop("ContentEncoding", "ContentEncoding", "gzip", "Content-Encoding", "gzip"),
		prop("ContentLanguage", "ContentLanguage", "fr", "Content-Language", "fr"),
		prop("ContentType", "ContentType", "text/plain", "Content-Type", "text/plain"),
		{name: "ExpectedBucketOwner", field: "ExpectedBucketOwner", value: "111122223333",
			header: "X-Amz-Expected-Bucket-Owner", want: "111122223333", single: all, multi: every},
		prop("Expires", "Expires", testTime, "Expires", "Wed, 02 Jan 2030 03:04:05 GMT"),
		prop("GrantFullControl", "GrantFullControl", `id="abc"`, "X-Amz-Grant-Full-Control", `id="abc"`),
		prop("GrantRead", "GrantRead", `uri="http://acs.amazonaws.com/groups/global/AllUsers"`, "X-Amz-Grant-Read", `uri="http://acs.amazonaws.com/groups/global/AllUsers"`),
		prop("GrantReadACP", "GrantReadACP", `id="r"`, "X-Amz-Grant-Read-Acp", `id="r"`),
		prop("GrantWriteACP", "GrantWriteACP", `id="w"`, "X-Amz-Grant-Write-Acp", `id="w"`),
		prop("Metadata", "Metadata", map[string]string{"mykey": "myvalue"}, "X-Amz-Meta-Mykey", "myvalue"),
		prop("ObjectLockLegalHoldStatus", "ObjectLockLegalHoldStatus", "ON", "X-Amz-Object-Lock-Legal-Hold", "ON"),
		prop("ObjectLockMode", "ObjectLockMode", "GOVERNANCE", "X-Amz-Object-Lock-Mode", "GOVERNANCE"),
		prop("ObjectLockRetainUntilDate", "ObjectLockRetainUntilDate", testTime, "X-Amz-Object-Lock-Retain-Until-Date", "2030-01-02T03:04:05Z"),
		{name: "RequestPayer", field: "RequestPayer", value: "requester", header: "X-Amz-Request-Payer", want: "requester", single: all, multi: every},
		prop("ServerSideEncryption", "ServerSideEncryption", "aws:kms", "X-Amz-Server-Side-Encryption", "aws:kms"),
		prop("StorageClass", "StorageClass", "STANDARD_IA", "X-Amz-Storage-Class", "STANDARD_IA"),
		{name: "SSECustomerAlgorithm", field: "SSECustomerAlgorithm", value: "AES256", also: map[string]any{"SSECustomerKey": testKey},
			header: "X-Amz-Server-Side-Encryption-Customer-Algorithm", want: "AES256", single: all, multi: every},
		{name: "SSECustomerKey", field: "SSECustomerKey", value: testKey,
			header: "X-Amz-Server-Side-Encryption-Customer-Key", want: testKeyB64, single: all, multi: every},
		{name: "SSECustomerKeyMD5", field: "SSECustomerKeyMD5", value: testKeyMD5, also: map[string]any{"SSECustomerKey": testKey},
			header: "X-Amz-Server-Side-Encryption-Customer-Key-Md5", want: testKeyMD5, single: all, multi: every},
		prop("SSEKMSKeyId", "SSEKMSKeyID", "kms-key", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "kms-key"),
		prop("SSEKMSEncryptionContext", "SSEKMSEncryptionContext", "e30=", "X-Amz-Server-Side-Encryption-Context", "e30="),
		prop("BucketKeyEnabled", "BucketKeyEnabled", true, "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "true"),
		prop("Tagging", "Tagging", "k1=v1&k2=v2", "X-Amz-Tagging", "k1=v1&k2=v2"),
		prop("WebsiteRedirectLocation", "WebsiteRedirectLocation", "/other", "X-Amz-Website-Redirect-Location", "/other"),
		{name: "ChecksumType", field: "ChecksumType", value: "FULL_OBJECT", also: map[string]any{"ChecksumAlgorithm": s3client.ChecksumCRC32C},
			header: "X-Amz-Checksum-Type", want: "FULL_OBJECT", single: nil, multi: create},
		{name: "MpuObjectSize", header: "X-Amz-Mp-Object-Size", want: strconv.Itoa(testChunk + 1), single: nil, multi: []string{kComplete}},
		sum("ChecksumCRC32", s3client.ChecksumCRC32),
		sum("ChecksumCRC32C", s3client.ChecksumCRC32C),
		sum("ChecksumCRC64NVME", s3client.ChecksumCRC64NVME),
		sum("ChecksumSHA1", s3client.ChecksumSHA1),
		sum("ChecksumSHA256", s3client.ChecksumSHA256),
		// A whole-object value makes the multipart upload a FULL_OBJECT
		// one, of that algorithm.
		{name: "ChecksumCRC32C", field: "ChecksumCRC32C", value: "c3VtLXZhbHVl", header: "X-Amz-Checksum-Type",
			want: "FULL_OBJECT", single: nil, multi: []string{kCreate, kComplete}},
		// Beyond s3transfer: conditional writes.
		{name: "IfNoneMatch", field: "IfNoneMatch", value: "*", header: "If-None-Match", want: "*", single: all, multi: []string{kComplete}},
		{name: "IfMatch", field: "IfMatch", value: `"etag"`, header: "If-Match", want: `"etag"`, single: all, multi: []string{kComplete}},
		// Beyond s3transfer: Common's parameters the client does not model.
		{name: "ExtraQuery", field: "ExtraQuery", value: extraQuery, header: "?x-extra", want: "q", single: all, multi: every},
		{name: "ExtraHeader", field: "ExtraHeader", value: extraHeader, header: "X-Extra", want: "h", single: all, multi: every},
	}
}

func downloadRows() []argRow {
	both := []string{kHead, kGet}
	return []argRow{
		{name: "ChecksumMode", field: "ChecksumMode", value: "ENABLED", header: "X-Amz-Checksum-Mode", want: "ENABLED", single: []string{kHead}, multi: []string{kHead}},
		{name: "VersionId", field: "VersionID", value: "v1", header: "?versionId", want: "v1", single: both, multi: both},
		{name: "SSECustomerAlgorithm", field: "SSECustomerAlgorithm", value: "AES256", also: map[string]any{"SSECustomerKey": testKey},
			header: "X-Amz-Server-Side-Encryption-Customer-Algorithm", want: "AES256", single: both, multi: both},
		{name: "SSECustomerKey", field: "SSECustomerKey", value: testKey, header: "X-Amz-Server-Side-Encryption-Customer-Key", want: testKeyB64, single: both, multi: both},
		{name: "SSECustomerKeyMD5", field: "SSECustomerKeyMD5", value: testKeyMD5, also: map[string]any{"SSECustomerKey": testKey},
			header: "X-Amz-Server-Side-Encryption-Customer-Key-Md5", want: testKeyMD5, single: both, multi: both},
		{name: "RequestPayer", field: "RequestPayer", value: "requester", header: "X-Amz-Request-Payer", want: "requester", single: both, multi: both},
		{name: "ExpectedBucketOwner", field: "ExpectedBucketOwner", value: "111122223333", header: "X-Amz-Expected-Bucket-Owner", want: "111122223333", single: both, multi: both},
		{name: "ExtraQuery", field: "ExtraQuery", value: extraQuery, header: "?x-extra", want: "q", single: both, multi: both},
		{name: "ExtraHeader", field: "ExtraHeader", value: extraHeader, header: "X-Extra", want: "h", single: both, multi: both},
	}
}

func copyRows() []argRow {
	var rows []argRow
	for _, r := range uploadRows() {
		switch {
		case strings.HasPrefix(r.name, "Checksum") && r.name != "ChecksumAlgorithm" && r.name != "ChecksumType",
			r.name == "MpuObjectSize", r.name == "IfNoneMatch", r.name == "IfMatch":
			continue // whole-object values and conditions are an upload's
		case r.name == "ChecksumAlgorithm":
			if r.header != "X-Amz-Checksum-Algorithm" {
				continue
			}
			r.single = []string{kCopy}
		case r.name == "ChecksumType":
			r.also = nil
		case r.name == "SSECustomerAlgorithm", r.name == "SSECustomerKey", r.name == "SSECustomerKeyMD5":
			r.single, r.multi = []string{kCopy}, []string{kCreate, kPartCopy, kComplete}
			rows = append(rows, r)
			continue
		case r.name == "RequestPayer":
			r.single, r.multi = []string{kHead, kCopy}, []string{kHead, kCreate, kPartCopy, kComplete}
			rows = append(rows, r)
			continue
		case r.name == "ExpectedBucketOwner", r.name == "ExtraQuery", r.name == "ExtraHeader":
			// The destination's: not on the source's HeadObject.
			r.single, r.multi = []string{kCopy}, []string{kCreate, kPartCopy, kComplete}
			rows = append(rows, r)
			continue
		case r.name == "Tagging":
			// A multipart copy takes the caller's tags only with REPLACE.
			r.also = map[string]any{"TaggingDirective": "REPLACE"}
			r.single = []string{kCopy}
		case slices.Contains([]string{"Metadata", "ContentType", "CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "Expires"}, r.name):
			// Likewise the metadata and content headers.
			r.also = map[string]any{"MetadataDirective": "REPLACE"}
			r.single = []string{kCopy}
		default:
			r.single = []string{kCopy}
		}
		rows = append(rows, r)
	}
	// The properties of a multipart copy are the caller's only with
	// REPLACE; the directives themselves are CopyObject's.
	src := []string{kCopy, kPartCopy}
	return append(rows,
		argRow{name: "MetadataDirective", field: "MetadataDirective", value: "REPLACE", header: "X-Amz-Metadata-Directive", want: "REPLACE", single: []string{kCopy}},
		argRow{name: "TaggingDirective", field: "TaggingDirective", value: "REPLACE", header: "X-Amz-Tagging-Directive", want: "REPLACE", single: []string{kCopy}},
		argRow{name: "CopySourceIfMatch", field: "CopySourceIfMatch", value: `"x"`, header: "X-Amz-Copy-Source-If-Match", want: `"x"`, single: []string{kCopy}, multi: []string{kPartCopy}},
		argRow{name: "CopySourceIfNoneMatch", field: "CopySourceIfNoneMatch", value: `"y"`, header: "X-Amz-Copy-Source-If-None-Match", want: `"y"`, single: []string{kCopy}, multi: []string{kPartCopy}},
		argRow{name: "CopySourceIfModifiedSince", field: "CopySourceIfModifiedSince", value: testTime, header: "X-Amz-Copy-Source-If-Modified-Since", want: "Wed, 02 Jan 2030 03:04:05 GMT", single: []string{kCopy}, multi: []string{kPartCopy}},
		argRow{name: "CopySourceIfUnmodifiedSince", field: "CopySourceIfUnmodifiedSince", value: testTime, header: "X-Amz-Copy-Source-If-Unmodified-Since", want: "Wed, 02 Jan 2030 03:04:05 GMT", single: []string{kCopy}, multi: []string{kPartCopy}},
		argRow{name: "CopySourceSSECustomerAlgorithm", field: "CopySourceSSECustomerAlgorithm", value: "AES256", also: map[string]any{"CopySourceSSECustomerKey": testKey},
			header: "X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm", want: "AES256", single: src[:1], multi: src[1:]},
		argRow{name: "CopySourceSSECustomerKey", field: "CopySourceSSECustomerKey", value: testKey,
			header: "X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key", want: testKeyB64, single: src[:1], multi: src[1:]},
		argRow{name: "CopySourceSSECustomerKeyMD5", field: "CopySourceSSECustomerKeyMD5", value: testKeyMD5, also: map[string]any{"CopySourceSSECustomerKey": testKey},
			header: "X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5", want: testKeyMD5, single: src[:1], multi: src[1:]},
		// The source's key also reads its metadata.
		argRow{name: "CopySourceSSECustomerKey", field: "CopySourceSSECustomerKey", value: testKey,
			header: "X-Amz-Server-Side-Encryption-Customer-Key", want: testKeyB64, single: []string{kHead}, multi: []string{kHead}},
	)
}

func deleteRows() []argRow {
	d := []string{kDelete}
	return []argRow{
		{name: "MFA", field: "MFA", value: "serial 123456", header: "X-Amz-Mfa", want: "serial 123456", single: d},
		{name: "VersionId", field: "VersionID", value: "v9", header: "?versionId", want: "v9", single: d},
		{name: "RequestPayer", field: "RequestPayer", value: "requester", header: "X-Amz-Request-Payer", want: "requester", single: d},
		{name: "ExpectedBucketOwner", field: "ExpectedBucketOwner", value: "111122223333", header: "X-Amz-Expected-Bucket-Owner", want: "111122223333", single: d},
		{name: "ExtraQuery", field: "ExtraQuery", value: extraQuery, header: "?x-extra", want: "q", single: d},
		{name: "ExtraHeader", field: "ExtraHeader", value: extraHeader, header: "X-Extra", want: "h", single: d},
	}
}

// valueOf returns what a request carries for row.header.
func valueOf(r recorded, header string) string {
	if q, ok := strings.CutPrefix(header, "?"); ok {
		return r.Query.Get(q)
	}
	if name, ok := strings.CutPrefix(header, "checksum:"); ok {
		// In a header, or announced as an aws-chunked trailer.
		if v := r.Header.Get(name); v != "" {
			return v
		}
		if strings.Contains(strings.ToLower(r.Header.Get("X-Amz-Trailer")), name) {
			return "(trailer)"
		}
		return ""
	}
	return r.Header.Get(header)
}

// setFields builds an args struct of type T from a row.
func setFields[T any](t *testing.T, row argRow) T {
	var args T
	v := reflect.ValueOf(&args).Elem()
	set := func(name string, value any) {
		f := v.FieldByName(name)
		if !f.IsValid() {
			t.Fatalf("%T has no field %s (for %s)", args, name, row.name)
		}
		f.Set(reflect.ValueOf(value))
	}
	if row.field != "" {
		set(row.field, row.value)
	}
	for k, x := range row.also {
		set(k, x)
	}
	return args
}

// checkPlacement checks that the row's header is on every request of the
// kinds listed, and on no other request of kinds the transfer made.
func checkPlacement(t *testing.T, row argRow, mode string, reqs []recorded, kinds []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range reqs {
		k := kindOf(r)
		seen[k] = true
		got := valueOf(r, row.header)
		if mode == "multi" && slices.Contains(row.own, k) {
			// A part's own checksum, in a header or a trailer.
			if got = valueOf(r, "checksum:"+row.header); got == "" || got == row.want {
				t.Errorf("%s (%s): %s %s = %q, want a value of its own", row.name, mode, k, row.header, got)
			}
			continue
		}
		if slices.Contains(kinds, k) {
			if got == "" || (row.want != "*" && got != row.want) {
				t.Errorf("%s (%s): %s %s = %q, want %q", row.name, mode, k, row.header, got, row.want)
			}
		} else if got != "" && row.header != "Content-Type" { // the client types its XML bodies
			t.Errorf("%s (%s): %s also on %s (%q)", row.name, mode, row.header, k, got)
		}
	}
	for _, k := range kinds {
		if !seen[k] {
			t.Errorf("%s (%s): no %s request was made", row.name, mode, k)
		}
	}
}

func TestExtraArgsTable(t *testing.T) {
	sink := newSink(t, 1)
	// Unsigned payloads spare hashing megabytes of parts; the headers
	// under test do not depend on it.
	client := newTestClient(t, sink.ts.URL, nil, func(c *s3client.Config) { c.PayloadSigning = s3client.PayloadSigningUnsigned })
	m := newManager(t, client, smallConfig())
	ctx := context.Background()
	small, large := strings.Repeat("x", 1), strings.Repeat("x", testChunk+1)

	t.Run("upload", func(t *testing.T) {
		for _, row := range uploadRows() {
			args := setFields[UploadArgs](t, row)
			for _, mode := range []string{"single", "multi"} {
				body, kinds := small, row.single
				if mode == "multi" {
					body, kinds = large, row.multi
				}
				sink.reset()
				if _, err := m.Upload(ctx, strings.NewReader(body), testBucket, "k", args); err != nil {
					t.Fatalf("%s (%s): %v", row.name, mode, err)
				}
				checkPlacement(t, row, mode, sink.requests(), kinds)
			}
		}
	})
	t.Run("download", func(t *testing.T) {
		for _, row := range downloadRows() {
			args := setFields[DownloadArgs](t, row)
			for _, mode := range []string{"single", "multi"} {
				sink.size.Store(1)
				kinds := row.single
				if mode == "multi" {
					sink.size.Store(testChunk + 1)
					kinds = row.multi
				}
				sink.reset()
				if _, err := m.Download(ctx, testBucket, "k", io.Discard, args); err != nil {
					t.Fatalf("%s (%s): %v", row.name, mode, err)
				}
				checkPlacement(t, row, mode, sink.requests(), kinds)
			}
		}
	})
	t.Run("copy", func(t *testing.T) {
		for _, row := range copyRows() {
			args := setFields[CopyArgs](t, row)
			for _, mode := range []string{"single", "multi"} {
				sink.size.Store(1)
				kinds := row.single
				if mode == "multi" {
					sink.size.Store(testChunk + 1)
					kinds = row.multi
				}
				sink.reset()
				if _, err := m.Copy(ctx, CopySource{Bucket: "src", Key: "s"}, testBucket, "k", args); err != nil {
					t.Fatalf("%s (%s): %v", row.name, mode, err)
				}
				checkPlacement(t, row, mode, sink.requests(), kinds)
			}
		}
	})
	t.Run("delete", func(t *testing.T) {
		for _, row := range deleteRows() {
			sink.reset()
			if _, err := m.Delete(ctx, testBucket, "k", setFields[DeleteArgs](t, row)); err != nil {
				t.Fatalf("%s: %v", row.name, err)
			}
			checkPlacement(t, row, "single", sink.requests(), row.single)
		}
	})

	// Every s3transfer name has a row, and every field a name.
	names := func(rows []argRow) map[string]bool {
		m := map[string]bool{}
		for _, r := range rows {
			m[r.name] = true
		}
		return m
	}
	check := func(what string, list []string, rows []argRow, typ reflect.Type) {
		have := names(rows)
		for _, n := range list {
			if !have[n] {
				t.Errorf("%s: s3transfer's %s has no row", what, n)
			}
		}
		fields := map[string]bool{}
		for _, r := range rows {
			fields[r.field] = true
		}
		// The fields of the embedded s3client structs too, promoted.
		for _, f := range reflect.VisibleFields(typ) {
			if !f.Anonymous && !fields[f.Name] {
				t.Errorf("%s: field %s is in no row", what, f.Name)
			}
		}
	}
	check("upload", s3transferUpload, uploadRows(), reflect.TypeOf(UploadArgs{}))
	check("download", s3transferDownload, downloadRows(), reflect.TypeOf(DownloadArgs{}))
	copyList := append(slices.Clone(s3transferUpload), s3transferCopyExtra...)
	copyList = slices.DeleteFunc(copyList, func(n string) bool {
		// A copy's bytes are S3's: it sends no whole-object value of its
		// own; S3 computes the checksum named by ChecksumAlgorithm.
		return n == "MpuObjectSize" || (strings.HasPrefix(n, "Checksum") && n != "ChecksumAlgorithm" && n != "ChecksumType")
	})
	check("copy", copyList, copyRows(), reflect.TypeOf(CopyArgs{}))
	check("delete", s3transferDelete, deleteRows(), reflect.TypeOf(DeleteArgs{}))
}
