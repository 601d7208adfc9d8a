package s3client

// metaFromHeader: what a GET or HEAD answer's headers become, with absent
// and malformed values left zero.

import (
	"math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMetaFromHeader(t *testing.T) {
	lastModified := time.Date(2024, 5, 24, 12, 0, 0, 0, time.UTC)
	retain := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header http.Header
		length int64
		want   ObjectMeta
	}{
		{"absent", http.Header{}, 0, ObjectMeta{}},
		{"all", http.Header{
			"Content-Type":                        {"text/plain"},
			"Etag":                                {`"abc"`},
			"Last-Modified":                       {lastModified.Format(http.TimeFormat)},
			"X-Amz-Object-Lock-Retain-Until-Date": {retain.Format(time.RFC3339)},
			"X-Amz-Tagging-Count":                 {"3"},
			"X-Amz-Mp-Parts-Count":                {"7"},
			"X-Amz-Delete-Marker":                 {"true"},
			"X-Amz-Checksum-Crc32c":               {"yZRlqg=="},
			"X-Amz-Meta-Color":                    {"blue"},
			"X-Amz-Meta-":                         {"empty name"},
			"x-amz-meta-Shape":                    {"round"},
			"X-Amz-Metadata-Directive":            {"COPY"},
			"Content-Length":                      {"42"},
		}, -1, ObjectMeta{
			ContentLength: 42, ContentType: "text/plain", ETag: `"abc"`, LastModified: lastModified,
			ObjectLockRetainUntil: retain, TagCount: 3, PartsCount: 7, DeleteMarker: true,
			Checksums: Checksums{CRC32C: "yZRlqg=="},
			Metadata:  map[string]string{"color": "blue", "": "empty name", "shape": "round"},
		}},
		{"malformed", http.Header{
			"Last-Modified":                       {"yesterday"},
			"X-Amz-Object-Lock-Retain-Until-Date": {"soon"},
			"X-Amz-Tagging-Count":                 {"many"},
			"X-Amz-Mp-Parts-Count":                {"-"},
		}, 5, ObjectMeta{ContentLength: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := metaFromHeader(&http.Response{Header: tc.header, ContentLength: tc.length})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ObjectMeta\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// metaByLookup is the reference for metaFromHeader's one pass: each field
// looked up by its canonical name.
func metaByLookup(resp *http.Response) ObjectMeta {
	h := resp.Header
	get := func(name string) string {
		if v := h[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	m := ObjectMeta{
		ContentLength: resp.ContentLength, ContentType: get("Content-Type"), ContentEncoding: get("Content-Encoding"),
		ContentDisposition: get("Content-Disposition"), ContentLanguage: get("Content-Language"), ContentRange: get("Content-Range"),
		CacheControl: get("Cache-Control"), Expires: get("Expires"), ETag: get("Etag"), VersionID: get("X-Amz-Version-Id"),
		DeleteMarker: get("X-Amz-Delete-Marker") == "true", StorageClass: get("X-Amz-Storage-Class"),
		ServerSideEncryption: get("X-Amz-Server-Side-Encryption"), SSEKMSKeyID: get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"),
		BucketKeyEnabled:     get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled") == "true",
		SSECustomerAlgorithm: get("X-Amz-Server-Side-Encryption-Customer-Algorithm"), SSECustomerKeyMD5: get("X-Amz-Server-Side-Encryption-Customer-Key-Md5"),
		WebsiteRedirectLocation: get("X-Amz-Website-Redirect-Location"), ObjectLockMode: get("X-Amz-Object-Lock-Mode"),
		ObjectLockLegalHold: get("X-Amz-Object-Lock-Legal-Hold"), ReplicationStatus: get("X-Amz-Replication-Status"),
		Restore: get("X-Amz-Restore"), RequestCharged: get("X-Amz-Request-Charged"),
		Checksums: Checksums{CRC32: get("X-Amz-Checksum-Crc32"), CRC32C: get("X-Amz-Checksum-Crc32c"), CRC64NVME: get("X-Amz-Checksum-Crc64nvme"),
			SHA1: get("X-Amz-Checksum-Sha1"), SHA256: get("X-Amz-Checksum-Sha256"), Type: get("X-Amz-Checksum-Type")},
	}
	if resp.ContentLength < 0 {
		if n, err := strconv.ParseInt(get("Content-Length"), 10, 64); err == nil {
			m.ContentLength = n
		}
	}
	if t, err := http.ParseTime(get("Last-Modified")); err == nil {
		m.LastModified = t
	}
	if t, err := time.Parse(time.RFC3339, get("X-Amz-Object-Lock-Retain-Until-Date")); err == nil {
		m.ObjectLockRetainUntil = t
	}
	m.TagCount, _ = strconv.Atoi(get("X-Amz-Tagging-Count"))
	m.PartsCount, _ = strconv.Atoi(get("X-Amz-Mp-Parts-Count"))
	for k, v := range h {
		if len(k) >= 11 && strings.EqualFold(k[:11], "x-amz-meta-") && len(v) > 0 {
			if m.Metadata == nil {
				m.Metadata = map[string]string{}
			}
			m.Metadata[strings.ToLower(k[11:])] = v[0]
		}
	}
	return m
}

// metaHeaderNames are every name metaFromHeader reads, beside names it
// must ignore or read as metadata, in canonical and other forms.
var metaHeaderNames = []string{"Content-Type", "Content-Encoding", "Content-Disposition", "Content-Language", "Content-Range",
	"Cache-Control", "Expires", "Etag", "X-Amz-Version-Id", "X-Amz-Delete-Marker", "X-Amz-Storage-Class",
	"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled",
	"X-Amz-Server-Side-Encryption-Customer-Algorithm", "X-Amz-Server-Side-Encryption-Customer-Key-Md5",
	"X-Amz-Website-Redirect-Location", "X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Legal-Hold", "X-Amz-Replication-Status",
	"X-Amz-Restore", "X-Amz-Request-Charged", "Content-Length", "Last-Modified", "X-Amz-Object-Lock-Retain-Until-Date",
	"X-Amz-Tagging-Count", "X-Amz-Mp-Parts-Count", "X-Amz-Checksum-Crc32", "X-Amz-Checksum-Crc32c", "X-Amz-Checksum-Crc64nvme",
	"X-Amz-Checksum-Sha1", "X-Amz-Checksum-Sha256", "X-Amz-Checksum-Type",
	"X-Amz-Meta-Color", "x-amz-meta-Shape", "X-Amz-Meta-", "X-Amz-Metadata-Directive", "X-Amz-Request-Id", "Date", "etag", "X-Amz-Meta"}

// metaHeaderValues are values of every kind: parsable and not, "true",
// empty.
var metaHeaderValues = []string{"", "true", "false", "42", "-1", "x", "Fri, 24 May 2024 12:00:00 GMT", "2030-01-02T03:04:05Z", "yZRlqg=="}

// The one pass reads what a lookup of each name reads, for any set of
// headers: every name, absent, empty, with one value or two.
func FuzzMetaFromHeader(f *testing.F) {
	f.Add(uint64(0), int64(0))
	f.Add(uint64(1)<<63|12345, int64(-1))
	f.Add(uint64(0xdeadbeefcafe), int64(7))
	f.Fuzz(func(t *testing.T, seed uint64, length int64) {
		rng := rand.New(rand.NewPCG(seed, uint64(length)))
		h := http.Header{}
		for range rng.IntN(2 * len(metaHeaderNames)) {
			name := metaHeaderNames[rng.IntN(len(metaHeaderNames))]
			vals := make([]string, rng.IntN(3))
			for i := range vals {
				vals[i] = metaHeaderValues[rng.IntN(len(metaHeaderValues))]
			}
			h[name] = vals
		}
		resp := &http.Response{Header: h, ContentLength: length}
		if got, want := metaFromHeader(resp), metaByLookup(resp); !reflect.DeepEqual(got, want) {
			t.Errorf("headers %q, length %d:\none pass %+v\nlookups  %+v", h, length, got, want)
		}
		if got, want := checksumsFromHeader(h), metaByLookup(resp).Checksums; got != want {
			t.Errorf("checksumsFromHeader(%q) = %+v, want %+v", h, got, want)
		}
	})
}

// BenchmarkMetaFromHeader reads the headers of a typical GET answer.
func BenchmarkMetaFromHeader(b *testing.B) {
	resp := &http.Response{ContentLength: 4096, Header: http.Header{
		"Accept-Ranges": {"bytes"}, "Content-Length": {"4096"}, "Content-Type": {"binary/octet-stream"},
		"Date": {"Fri, 24 May 2024 12:00:00 GMT"}, "Etag": {`"0123456789abcdef0123456789abcdef"`},
		"Last-Modified": {"Fri, 24 May 2024 12:00:00 GMT"}, "Server": {"AmazonS3"}, "X-Amz-Id-2": {"abc"},
		"X-Amz-Request-Id": {"ABC"}, "X-Amz-Server-Side-Encryption": {"AES256"}, "X-Amz-Checksum-Crc32c": {"yZRlqg=="},
	}}
	b.ReportAllocs()
	for b.Loop() {
		metaFromHeader(resp)
	}
}
