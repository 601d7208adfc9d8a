package s3client

// Uploads with Object Lock settings carry the integrity check S3 requires
// (a checksum, or Content-MD5 when the client sends none).

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"testing"
	"time"
)

func TestObjectLockUploadsCarryAnIntegrityCheck(t *testing.T) {
	body := []byte("locked content")
	sum := md5.Sum(body)
	wantMD5 := base64.StdEncoding.EncodeToString(sum[:])
	lock := ObjectProperties{ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	hold := ObjectProperties{ObjectLockLegalHoldStatus: "ON"}
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		policy  ChecksumPolicy
		send    func(c *Client) error
		wantMD5 bool
		wantSum string // the checksum header that must be there instead
	}{
		{"PutObject with retention, no checksum", ChecksumAuto, func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(body), ObjectProperties: lock})
			return err
		}, true, ""},
		{"PutObject with a legal hold", ChecksumWhenRequired, func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(body), ObjectProperties: hold})
			return err
		}, true, ""},
		{"PutObject with retention and a checksum", ChecksumWhenSupported, func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(body), ObjectProperties: lock})
			return err
		}, false, "X-Amz-Checksum-Crc32c"},
		{"PutObject without Object Lock", ChecksumAuto, func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(body)})
			return err
		}, false, ""},
		{"UploadPart of an Object Lock upload", ChecksumAuto, func(c *Client) error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: bytes.NewReader(body), ObjectLock: true})
			return err
		}, true, ""},
		{"UploadPart of an Object Lock upload with a checksum", ChecksumAuto, func(c *Client) error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: bytes.NewReader(body), ObjectLock: true, ChecksumAlgorithm: ChecksumSHA256})
			return err
		}, false, "X-Amz-Checksum-Sha256"},
		{"UploadPart of another upload", ChecksumAuto, func(c *Client) error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, Body: bytes.NewReader(body)})
			return err
		}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
				w.Header().Set("ETag", `"e"`)
			})
			c := newClient(t, f.URL, func(c *Config) { c.ChecksumPolicy = tc.policy })
			if err := tc.send(c); err != nil {
				t.Fatal(err)
			}
			h := f.rec.all()[0].Header
			if got := h.Get("Content-Md5"); (got != "") != tc.wantMD5 || (tc.wantMD5 && got != wantMD5) {
				t.Errorf("Content-MD5 %q, want it: %v (%s)", got, tc.wantMD5, wantMD5)
			}
			if tc.wantSum != "" && h.Get(tc.wantSum) == "" && h.Get("X-Amz-Trailer") == "" {
				t.Errorf("no %s header or trailer: %v", tc.wantSum, h)
			}
		})
	}
}
