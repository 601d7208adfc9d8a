package conformance

// The multipart primitives: upload with checksums, list parts, complete,
// abort, and copy a range with UploadPartCopy.

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/s3kit/s3kit/internal/limits"
	"github.com/s3kit/s3kit/s3client"
)

func init() {
	register("MultipartUpload", testMultipartUpload)
	register("MultipartAbort", testMultipartAbort)
	register("UploadPartCopy", testUploadPartCopy)
}

// minPart is the smallest part size the engine allows, and the part size
// of the cases: S3's 5 MiB, except under the race detector in the
// in-process gofakes3 run (conformance/race_test.go lowers it there; see
// internal/limits).
func minPart() int { return int(limits.MinPartSize) }

func testMultipartUpload(e *env) {
	for _, alg := range []s3client.ChecksumAlgorithm{s3client.ChecksumNone, s3client.ChecksumCRC32C, s3client.ChecksumSHA256} {
		name := string(alg)
		if name == "" {
			name = "none"
		}
		e.t.Run(name, func(t *testing.T) {
			if alg != s3client.ChecksumNone && !e.tg.Caps.ChecksumHeaders {
				t.Skipf("%s: server lacks checksum headers", e.tg.Name)
			}
			c := e.client(nil)
			key := "mpu/" + name + "/object ü"
			body := pattern(minPart() + 4097)
			parts := [][]byte{body[:minPart()], body[minPart():]}
			cr, err := c.CreateMultipartUpload(e.ctx, &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: key, ChecksumAlgorithm: alg,
				ObjectProperties: s3client.ObjectProperties{ContentType: "application/x-test", Metadata: map[string]string{"origin": "mpu"}}})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			var done []s3client.CompletedPart
			for i, p := range parts {
				out, err := c.UploadPart(e.ctx, &s3client.UploadPartInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID,
					PartNumber: i + 1, Body: bytes.NewReader(p), ChecksumAlgorithm: alg})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", i+1, err)
				}
				done = append(done, s3client.CompletedPart{PartNumber: i + 1, ETag: out.ETag, Checksums: out.Checksums})
			}
			n := 0
			for p, err := range c.AllParts(e.ctx, &s3client.ListPartsInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID}) {
				if err != nil {
					t.Fatalf("ListParts: %v", err)
				}
				if p.Size != int64(len(parts[p.PartNumber-1])) {
					t.Errorf("part %d size %d, want %d", p.PartNumber, p.Size, len(parts[p.PartNumber-1]))
				}
				n++
			}
			if n != len(parts) {
				t.Errorf("ListParts listed %d parts, want %d", n, len(parts))
			}
			if _, err := c.CompleteMultipartUpload(e.ctx, &s3client.CompleteMultipartUploadInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID, Parts: done}); err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if got := getBytes(t, c, e.bucket, key); !bytes.Equal(got, body) {
				t.Fatalf("completed object differs (%d bytes, want %d)", len(got), len(body))
			}
			head, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			if head.ContentType != "application/x-test" || head.Metadata["origin"] != "mpu" {
				t.Errorf("metadata set at create lost: %q %v", head.ContentType, head.Metadata)
			}
		})
	}
}

func testMultipartAbort(e *env) {
	c := e.client(nil)
	key := "mpu/aborted"
	cr, err := c.CreateMultipartUpload(e.ctx, &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: key})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.UploadPart(e.ctx, &s3client.UploadPartInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID, PartNumber: 1, Body: bytes.NewReader(pattern(1024))}); err != nil {
		e.t.Fatal(err)
	}
	if err := c.AbortMultipartUpload(e.ctx, &s3client.AbortMultipartUploadInput{Bucket: e.bucket, Key: key, UploadID: cr.UploadID}); err != nil {
		e.t.Fatalf("AbortMultipartUpload: %v", err)
	}
	for u, err := range c.AllMultipartUploads(e.ctx, &s3client.ListMultipartUploadsInput{Bucket: e.bucket, Prefix: key}) {
		if err != nil {
			e.t.Fatal(err)
		}
		if u.UploadID == cr.UploadID {
			e.t.Errorf("upload %s still listed after abort", u.UploadID)
		}
	}
}

func testUploadPartCopy(e *env) {
	e.need(e.tg.Caps.UploadPartCopy, "UploadPartCopy")
	c := e.client(nil)
	src := "mpu/copy-source"
	body := pattern(minPart() + 100)
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: src, Body: bytes.NewReader(body)}); err != nil {
		e.t.Fatal(err)
	}
	dst := "mpu/copy dest"
	cr, err := c.CreateMultipartUpload(e.ctx, &s3client.CreateMultipartUploadInput{Bucket: e.bucket, Key: dst})
	if err != nil {
		e.t.Fatal(err)
	}
	var done []s3client.CompletedPart
	ranges := []string{fmt.Sprintf("bytes=0-%d", minPart()-1), fmt.Sprintf("bytes=%d-%d", minPart(), minPart()+99)}
	for i, rg := range ranges {
		out, err := c.UploadPartCopy(e.ctx, &s3client.UploadPartCopyInput{Bucket: e.bucket, Key: dst, UploadID: cr.UploadID, PartNumber: i + 1,
			CopySource: s3client.CopySource{Bucket: e.bucket, Key: src}, CopySourceRange: rg})
		if err != nil {
			e.t.Fatalf("UploadPartCopy %s: %v", rg, err)
		}
		done = append(done, s3client.CompletedPart{PartNumber: i + 1, ETag: out.ETag, Checksums: out.Checksums})
	}
	if _, err := c.CompleteMultipartUpload(e.ctx, &s3client.CompleteMultipartUploadInput{Bucket: e.bucket, Key: dst, UploadID: cr.UploadID, Parts: done}); err != nil {
		e.t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if got := getBytes(e.t, c, e.bucket, dst); !bytes.Equal(got, body) {
		e.t.Fatalf("copied object differs")
	}
}
