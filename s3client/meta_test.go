package s3client

// metaFromHeader: what a GET or HEAD answer's headers become, with absent
// and malformed values left zero.

import (
	"net/http"
	"reflect"
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
