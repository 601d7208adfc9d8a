package s3client

// Bad input is refused before any request: the fake server must see none.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestBadInputSendsNothing(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		t.Errorf("request sent: %s %s", r.Method, r.URL)
	})
	c := newClient(t, f.URL)
	plain := newClient(t, f.URL, func(cfg *Config) { cfg.AllowSSECOverHTTP = false })
	ctx := context.Background()
	put := func(in PutObjectInput) func() error {
		return func() error { _, err := c.PutObject(ctx, &in); return err }
	}
	key1025 := strings.Repeat("k", 1025)
	ssec := SSECustomer{SSECustomerKey: SSECKey(strings.Repeat("s", 32))}

	tests := []struct {
		name string
		call func() error
	}{
		{"empty bucket", put(PutObjectInput{Bucket: "", Key: "k"})},
		// Names that cannot be host names (ab, MyBucket, my_bucket, a/b)
		// are sent in path style, as the endpoint rules say
		// (TestEndpointCases); these cannot be sent at all.
		{"1025-byte bucket", put(PutObjectInput{Bucket: strings.Repeat("b", 1025), Key: "k"})},
		{"bucket with a control character", put(PutObjectInput{Bucket: "my\x01bucket", Key: "k"})},
		{"bucket not UTF-8", put(PutObjectInput{Bucket: "b\xffb", Key: "k"})},
		{"malformed ARN", put(PutObjectInput{Bucket: "arn:aws:s3:us-west-2:123456789012:", Key: "k"})},
		{"ARN of another service", put(PutObjectInput{Bucket: "arn:aws:sqs:us-west-2:123456789012:queue", Key: "k"})},
		{"ARN for another partition", put(PutObjectInput{Bucket: "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/ap", Key: "k"})},
		{"access point name with a dot", put(PutObjectInput{Bucket: "arn:aws:s3:us-east-1:123456789012:accesspoint/a.b", Key: "k"})},
		{"MRAP name with an underscore", put(PutObjectInput{Bucket: "arn:aws:s3::123456789012:accesspoint/a_b.mrap", Key: "k"})},
		{"Outposts ARN without an access point", put(PutObjectInput{Bucket: "arn:aws:s3-outposts:us-east-1:123456789012:outpost/op-01234567890123456", Key: "k"})},
		{"Object Lambda ARN of a bucket", put(PutObjectInput{Bucket: "arn:aws:s3-object-lambda:us-east-1:123456789012:bucket/b", Key: "k"})},
		{"empty key", put(PutObjectInput{Bucket: "bkt", Key: ""})},
		{"1025-byte key", put(PutObjectInput{Bucket: "bkt", Key: key1025})},
		{"negative ContentLength", put(PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), ContentLength: -1})},
		{"unknown checksum algorithm", put(PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), ChecksumAlgorithm: "MD4"})},
		{"body of unknown length", put(PutObjectInput{Bucket: "bkt", Key: "k", Body: unrewindable{strings.NewReader("x")}})},
		{"metadata name with a space", put(PutObjectInput{Bucket: "bkt", Key: "k", ObjectProperties: ObjectProperties{Metadata: map[string]string{"a b": "v"}}})},
		{"metadata value with a line break", put(PutObjectInput{Bucket: "bkt", Key: "k", ObjectProperties: ObjectProperties{Metadata: map[string]string{"a": "v\r\nX-Evil: 1"}}})},
		{"SSE-C over http", func() error {
			_, err := plain.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), SSECustomer: ssec})
			return err
		}},
		{"SSE-C read over http", func() error {
			_, err := plain.GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "k", SSECustomer: ssec})
			return err
		}},
		{"SSE-C copy source over http", func() error {
			_, err := plain.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: CopySource{Bucket: "src", Key: "s"}, CopySourceSSECustomer: ssec})
			return err
		}},
		{"GetObject empty key", func() error { _, err := c.GetObject(ctx, &GetObjectInput{Bucket: "bkt"}); return err }},
		{"HeadObject bad bucket", func() error { _, err := c.HeadObject(ctx, &GetObjectInput{Bucket: "B\x00", Key: "k"}); return err }},
		{"DeleteObject 1025-byte key", func() error {
			_, err := c.DeleteObject(ctx, &DeleteObjectInput{Bucket: "bkt", Key: key1025})
			return err
		}},
		{"CreateBucket bad name", func() error { _, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: "Bad_Name"}); return err }},
		{"HeadBucket empty", func() error { _, err := c.HeadBucket(ctx, &HeadBucketInput{}); return err }},
		{"DeleteBucket bad name", func() error { return c.DeleteBucket(ctx, &DeleteBucketInput{Bucket: "x\n"}) }},
		{"GetBucketLocation bad name", func() error { _, err := c.GetBucketLocation(ctx, &GetBucketLocationInput{Bucket: "arn:"}); return err }},
		{"ListBuckets negative MaxBuckets", func() error { _, err := c.ListBuckets(ctx, &ListBucketsInput{MaxBuckets: -1}); return err }},
		{"ListObjectsV2 bad bucket", func() error { _, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "arn:aws:s3:::"}); return err }},
		{"ListObjectsV2 negative MaxKeys", func() error {
			_, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "bkt", MaxKeys: -1})
			return err
		}},
		{"ListObjectVersions negative MaxKeys", func() error {
			_, err := c.ListObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "bkt", MaxKeys: -5})
			return err
		}},
		{"DeleteObjects empty key", func() error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "bkt", Objects: []ObjectIdentifier{{Key: "a"}, {Key: ""}}})
			return err
		}},
		{"DeleteObjects key XML cannot carry", func() error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "bkt", Objects: []ObjectIdentifier{{Key: "a\x01b"}}})
			return err
		}},
		{"DeleteObjects unknown checksum", func() error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "bkt", Objects: []ObjectIdentifier{{Key: "a"}}, ChecksumAlgorithm: "XXH3"})
			return err
		}},
		{"CopyObject bad source bucket", func() error {
			_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: CopySource{Bucket: "", Key: "s"}})
			return err
		}},
		{"CopyObject empty source key", func() error {
			_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: CopySource{Bucket: "src"}})
			return err
		}},
		{"CopyObject bad directive", func() error {
			_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: CopySource{Bucket: "src", Key: "s"}, MetadataDirective: "MERGE"})
			return err
		}},
		{"CopyObject unknown checksum", func() error {
			_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "k", CopySource: CopySource{Bucket: "src", Key: "s"}, ChecksumAlgorithm: "md5"})
			return err
		}},
		{"PutObjectTagging empty tag key", func() error {
			_, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: []Tag{{"", "v"}}})
			return err
		}},
		{"GetObjectTagging empty key", func() error {
			_, err := c.GetObjectTagging(ctx, &GetObjectTaggingInput{Bucket: "bkt"})
			return err
		}},
		{"CreateMultipartUpload unknown checksum", func() error {
			_, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: "k", ChecksumAlgorithm: "CRC16"})
			return err
		}},
		{"CreateMultipartUpload 1025-byte key", func() error {
			_, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: key1025})
			return err
		}},
		{"UploadPart empty upload ID", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", PartNumber: 1, Body: strings.NewReader("x")})
			return err
		}},
		{"UploadPart number 0", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", Body: strings.NewReader("x")})
			return err
		}},
		{"UploadPart number 10001", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 10001, Body: strings.NewReader("x")})
			return err
		}},
		{"UploadPart nil body with a length", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, ContentLength: 10})
			return err
		}},
		{"UploadPart negative length", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: strings.NewReader("x"), ContentLength: -2})
			return err
		}},
		{"UploadPart unknown checksum", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: strings.NewReader("x"), ChecksumAlgorithm: "crc8"})
			return err
		}},
		{"UploadPart body shorter than its length", func() error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: strings.NewReader("xy"), ContentLength: 5})
			return err
		}},
		{"UploadPartCopy empty source key", func() error {
			_, err := c.UploadPartCopy(ctx, &UploadPartCopyInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, CopySource: CopySource{Bucket: "src"}})
			return err
		}},
		{"CompleteMultipartUpload no parts", func() error {
			_, err := c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u"})
			return err
		}},
		{"CompleteMultipartUpload unsorted parts", func() error {
			_, err := c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u",
				Parts: []CompletedPart{{PartNumber: 2, ETag: "a"}, {PartNumber: 1, ETag: "b"}}})
			return err
		}},
		{"CompleteMultipartUpload duplicate part", func() error {
			_, err := c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u",
				Parts: []CompletedPart{{PartNumber: 1, ETag: "a"}, {PartNumber: 1, ETag: "b"}}})
			return err
		}},
		{"AbortMultipartUpload empty upload ID", func() error {
			return c.AbortMultipartUpload(ctx, &AbortMultipartUploadInput{Bucket: "bkt", Key: "k"})
		}},
		{"ListParts negative marker", func() error {
			_, err := c.ListParts(ctx, &ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumberMarker: -1})
			return err
		}},
		{"ListMultipartUploads bad bucket", func() error {
			_, err := c.ListMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: "a\x7fb"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("err = %v, want ErrInvalidInput", err)
			}
			var e *Error
			if errors.As(err, &e) && e.Op == "" {
				t.Errorf("error %v names no operation", err)
			}
		})
	}
	if f.count() != 0 {
		t.Errorf("server saw %d requests, want 0", f.count())
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		writeError(w, http.StatusForbidden, "AccessDenied", "denied")
	})
	key := strings.Repeat("K", 32)
	c := newClient(t, f.URL)
	_, err := c.PutObject(context.Background(), &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"),
		SSECustomer: SSECustomer{SSECustomerKey: SSECKey(key)}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{testSecretKey, key, "S0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0="} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds a secret", err)
		}
	}
}

func TestNilInput(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		t.Errorf("request sent: %s %s", r.Method, r.URL)
	})
	c := newClient(t, f.URL)
	ctx := context.Background()
	calls := map[string]func() error{
		"CreateBucket":            func() error { _, err := c.CreateBucket(ctx, nil); return err },
		"HeadBucket":              func() error { _, err := c.HeadBucket(ctx, nil); return err },
		"DeleteBucket":            func() error { return c.DeleteBucket(ctx, nil) },
		"GetBucketLocation":       func() error { _, err := c.GetBucketLocation(ctx, nil); return err },
		"DeleteObjects":           func() error { _, err := c.DeleteObjects(ctx, nil); return err },
		"CopyObject":              func() error { _, err := c.CopyObject(ctx, nil); return err },
		"GetObjectTagging":        func() error { _, err := c.GetObjectTagging(ctx, nil); return err },
		"PutObjectTagging":        func() error { _, err := c.PutObjectTagging(ctx, nil); return err },
		"ListObjectsV2":           func() error { _, err := c.ListObjectsV2(ctx, nil); return err },
		"ListObjectVersions":      func() error { _, err := c.ListObjectVersions(ctx, nil); return err },
		"CreateMultipartUpload":   func() error { _, err := c.CreateMultipartUpload(ctx, nil); return err },
		"UploadPart":              func() error { _, err := c.UploadPart(ctx, nil); return err },
		"UploadPartCopy":          func() error { _, err := c.UploadPartCopy(ctx, nil); return err },
		"CompleteMultipartUpload": func() error { _, err := c.CompleteMultipartUpload(ctx, nil); return err },
		"AbortMultipartUpload":    func() error { return c.AbortMultipartUpload(ctx, nil) },
		"ListParts":               func() error { _, err := c.ListParts(ctx, nil); return err },
		"ListMultipartUploads":    func() error { _, err := c.ListMultipartUploads(ctx, nil); return err },
		"AllObjects": func() error {
			for _, err := range c.AllObjects(ctx, nil) {
				return err
			}
			return nil
		},
		"AllObjectVersions": func() error {
			for _, err := range c.AllObjectVersions(ctx, nil) {
				return err
			}
			return nil
		},
		"AllParts": func() error {
			for _, err := range c.AllParts(ctx, nil) {
				return err
			}
			return nil
		},
		"AllMultipartUploads": func() error {
			for _, err := range c.AllMultipartUploads(ctx, nil) {
				return err
			}
			return nil
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s(nil) = %v, want ErrInvalidInput", name, err)
		}
	}
	// ListBuckets(ctx, nil) is valid: it lists every bucket (wire_test.go).
}

func TestCheckRange(t *testing.T) {
	for _, tc := range []struct {
		r        string
		needBoth bool
		ok       bool
	}{
		{"bytes=0-9", false, true}, {"bytes=5-", false, true}, {"bytes=-100", false, true},
		{"bytes=10-5", false, false}, {"items=0-1", false, false}, {"bytes=0-1,5-6", false, false},
		{"bytes=-0", false, false}, {"bytes=a-b", false, false}, {"bytes=", false, false}, {"0-9", false, false},
		{"bytes=5-", true, false}, {"bytes=0-5242879", true, true}, {"bytes=+1-2", false, false},
	} {
		if err := checkRange(tc.r, tc.needBoth); (err == nil) != tc.ok {
			t.Errorf("checkRange(%q, %v) = %v, want ok=%v", tc.r, tc.needBoth, err, tc.ok)
		}
	}
}

func TestCheckSSEC(t *testing.T) {
	key32 := bytes.Repeat([]byte{7}, 32)
	c := newClient(t, "http://127.0.0.1:9") // AllowSSECOverHTTP is set
	strict := newClient(t, "http://127.0.0.1:9", func(cfg *Config) { cfg.AllowSSECOverHTTP = false })
	for _, tc := range []struct {
		name string
		s    SSECustomer
		ok   bool
	}{
		{"none", SSECustomer{}, true},
		{"AES256 32 bytes", SSECustomer{SSECustomerKey: key32}, true},
		{"short key", SSECustomer{SSECustomerKey: key32[:16]}, false},
		{"other algorithm", SSECustomer{SSECustomerAlgorithm: "aws:kms", SSECustomerKey: key32}, false},
		{"algorithm without key", SSECustomer{SSECustomerAlgorithm: "AES256"}, false},
	} {
		h := http.Header{}
		tc.s.apply(h, "X-Amz-")
		err := c.checkSSEC(&request{op: "PutObject", header: h})
		if (err == nil) != tc.ok {
			t.Errorf("%s: checkSSEC = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: %v does not match ErrInvalidInput", tc.name, err)
		}
		// Over plain http a valid key is refused unless allowed.
		if err := strict.checkSSEC(&request{op: "PutObject", header: h}); tc.ok && tc.name != "none" && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s over http: %v, want refused", tc.name, err)
		}
	}
}
