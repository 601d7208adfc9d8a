package faultproxy

// Naming the S3 operation of a request from its method, host, path, query
// and headers, so that schedules can aim at one operation (ErrorIn200 at
// CompleteMultipartUpload) and counts can be read per operation.

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The operations Operation names.
const (
	OpListBuckets             = "ListBuckets"
	OpCreateBucket            = "CreateBucket"
	OpDeleteBucket            = "DeleteBucket"
	OpHeadBucket              = "HeadBucket"
	OpGetBucketLocation       = "GetBucketLocation"
	OpListObjects             = "ListObjects" // V1 and V2
	OpListObjectVersions      = "ListObjectVersions"
	OpListMultipartUploads    = "ListMultipartUploads"
	OpDeleteObjects           = "DeleteObjects"
	OpPostObject              = "PostObject" // browser form upload
	OpPutObject               = "PutObject"
	OpCopyObject              = "CopyObject"
	OpGetObject               = "GetObject"
	OpHeadObject              = "HeadObject"
	OpDeleteObject            = "DeleteObject"
	OpGetObjectTagging        = "GetObjectTagging"
	OpPutObjectTagging        = "PutObjectTagging"
	OpCreateMultipartUpload   = "CreateMultipartUpload"
	OpUploadPart              = "UploadPart"
	OpUploadPartCopy          = "UploadPartCopy"
	OpCompleteMultipartUpload = "CompleteMultipartUpload"
	OpAbortMultipartUpload    = "AbortMultipartUpload"
	OpListParts               = "ListParts"
	OpUnknown                 = "Unknown"
)

// Operation names the S3 operation of a request. A Host "<bucket>.localhost"
// carries the bucket (virtual-host style); otherwise the first path segment
// is the bucket (path style).
func Operation(method, host string, u *url.URL, h http.Header) string {
	q := u.Query()
	path := u.Path
	if path == "" {
		path = "/"
	}
	var object bool // the path names an object, not a bucket or the service
	if hostBucket(host) != "" {
		object = len(path) > 1
	} else {
		rest := strings.TrimPrefix(path, "/")
		if rest == "" {
			if method == http.MethodGet {
				return OpListBuckets
			}
			return OpUnknown
		}
		_, key, found := strings.Cut(rest, "/")
		object = found && key != ""
	}
	has := func(k string) bool { _, ok := q[k]; return ok }
	copySource := h.Get("X-Amz-Copy-Source") != ""

	switch method {
	case http.MethodGet:
		switch {
		case object && has("uploadId"):
			return OpListParts
		case object && has("tagging"):
			return OpGetObjectTagging
		case object:
			return OpGetObject
		case has("uploads"):
			return OpListMultipartUploads
		case has("versions"):
			return OpListObjectVersions
		case has("location"):
			return OpGetBucketLocation
		}
		return OpListObjects
	case http.MethodHead:
		if object {
			return OpHeadObject
		}
		return OpHeadBucket
	case http.MethodPut:
		switch {
		case object && has("partNumber") && has("uploadId") && copySource:
			return OpUploadPartCopy
		case object && has("partNumber") && has("uploadId"):
			return OpUploadPart
		case object && has("tagging"):
			return OpPutObjectTagging
		case object && copySource:
			return OpCopyObject
		case object:
			return OpPutObject
		}
		if len(q) == 0 {
			return OpCreateBucket
		}
	case http.MethodPost:
		switch {
		case object && has("uploads"):
			return OpCreateMultipartUpload
		case object && has("uploadId"):
			return OpCompleteMultipartUpload
		case !object && has("delete"):
			return OpDeleteObjects
		case !object:
			return OpPostObject
		}
	case http.MethodDelete:
		switch {
		case object && has("uploadId"):
			return OpAbortMultipartUpload
		case object:
			return OpDeleteObject
		case len(q) == 0:
			return OpDeleteBucket
		}
	}
	return OpUnknown
}

// hostBucket returns the bucket of a virtual-host style Host header
// ("photos.localhost:9000" is "photos"), or "".
func hostBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	b, _ := strings.CutSuffix(host, ".localhost")
	if b == host {
		return ""
	}
	return b
}
