package s3test

// Tests of UploadPartCopy in front of gofakes3.

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestUploadPartCopy(t *testing.T) {
	s := New(t)
	s.CreateBucket(t, "src")
	s.CreateBucket(t, "dst")
	data := bytes.Repeat([]byte("0123456789"), 1000) // 10000 bytes
	s.PutObject(t, "src", "dir/big one.bin", data, nil)
	status, _, body := do(t, s, "POST", s.URL+"/dst/copy?uploads", nil, nil)
	if status != 200 {
		t.Fatalf("CreateMultipartUpload: %d %s", status, body)
	}
	var created struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(body, &created); err != nil || created.UploadID == "" {
		t.Fatalf("CreateMultipartUpload answer %s: %v", body, err)
	}
	partURL := func(n int) string {
		return fmt.Sprintf("%s/dst/copy?partNumber=%d&uploadId=%s", s.URL, n, created.UploadID)
	}
	source := "/src/dir/big%20one.bin"
	tests := []struct {
		name   string
		part   int
		header http.Header
		status int
		code   string
	}{
		{"first range", 1, http.Header{"X-Amz-Copy-Source": {source}, "X-Amz-Copy-Source-Range": {"bytes=0-5999"}}, 200, ""},
		{"If-Match holds", 2, http.Header{"X-Amz-Copy-Source": {source}, "X-Amz-Copy-Source-Range": {"bytes=6000-9999"},
			"X-Amz-Copy-Source-If-Match": {`"` + md5Hex(data) + `"`}, "X-Amz-Content-Sha256": {sha256Hex(nil)}}, 200, ""},
		{"If-Match fails", 3, http.Header{"X-Amz-Copy-Source": {source}, "X-Amz-Copy-Source-If-Match": {`"nope"`}}, 412, "PreconditionFailed"},
		{"If-None-Match fails", 3, http.Header{"X-Amz-Copy-Source": {source}, "X-Amz-Copy-Source-If-None-Match": {"*"}}, 412, "PreconditionFailed"},
		{"range past the end", 3, http.Header{"X-Amz-Copy-Source": {source}, "X-Amz-Copy-Source-Range": {"bytes=0-10000"}}, 400, "InvalidArgument"},
		{"range not first-last", 3, http.Header{"X-Amz-Copy-Source": {source}, "X-Amz-Copy-Source-Range": {"bytes=-100"}}, 400, "InvalidArgument"},
		{"missing source", 3, http.Header{"X-Amz-Copy-Source": {"/src/nothing"}}, 404, "NoSuchKey"},
		{"source without key", 3, http.Header{"X-Amz-Copy-Source": {"/src"}}, 400, "InvalidArgument"},
	}
	var parts []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, s, "PUT", partURL(tt.part), tt.header, nil)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if tt.code != "" {
				if c := errorCode(t, body); c != tt.code {
					t.Errorf("code %s, want %s", c, tt.code)
				}
				return
			}
			var res struct {
				XMLName      xml.Name `xml:"CopyPartResult"`
				ETag         string
				LastModified string
			}
			if err := xml.Unmarshal(body, &res); err != nil || res.ETag == "" || res.LastModified == "" {
				t.Fatalf("CopyPartResult %s: %v", body, err)
			}
			parts = append(parts, fmt.Sprintf("<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", tt.part, res.ETag))
		})
	}
	complete := "<CompleteMultipartUpload>" + strings.Join(parts, "") + "</CompleteMultipartUpload>"
	status, _, body = do(t, s, "POST", s.URL+"/dst/copy?uploadId="+created.UploadID, nil, []byte(complete))
	if status != 200 {
		t.Fatalf("CompleteMultipartUpload: %d %s", status, body)
	}
	if got, _ := s.GetObject(t, "dst", "copy"); !bytes.Equal(got, data) {
		t.Fatalf("the copy holds %d bytes that differ from the source's %d", len(got), len(data))
	}
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
