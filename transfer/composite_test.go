package transfer

// Verifying a download of a multipart object against its composite
// checksum, with the parts GetObjectAttributes lists.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

// compositeAPI serves an object as a multipart one with a composite CRC32C
// checksum: HeadObject says so, GetObjectAttributes lists the parts (two
// per page) as parts says, or fails with attrErr.
type compositeAPI struct {
	API
	whole   string // the composite value, "…-N"
	parts   []s3client.ObjectPart
	attrErr error
	calls   atomic.Int32
}

func (c *compositeAPI) HeadObject(ctx context.Context, in *s3client.GetObjectInput) (*s3client.ObjectMeta, error) {
	m, err := c.API.HeadObject(ctx, in)
	if err == nil {
		m.Checksums = s3client.Checksums{CRC32C: c.whole, Type: "COMPOSITE"}
	}
	return m, err
}

func (c *compositeAPI) GetObjectAttributes(_ context.Context, in *s3client.GetObjectAttributesInput) (*s3client.GetObjectAttributesOutput, error) {
	c.calls.Add(1)
	if c.attrErr != nil {
		return nil, c.attrErr
	}
	from := in.PartNumberMarker
	to := min(from+2, len(c.parts))
	return &s3client.GetObjectAttributesOutput{ObjectParts: &s3client.ObjectParts{TotalPartsCount: len(c.parts),
		PartNumberMarker: from, NextPartNumberMarker: to, IsTruncated: to < len(c.parts), Parts: c.parts[from:to]}}, nil
}

func crc32cOf(b []byte) []byte {
	h := s3client.ChecksumCRC32C.NewHash()
	h.Write(b)
	return h.Sum(nil)
}

func TestDownloadCompositeChecksum(t *testing.T) {
	e := newEnv(t)
	data := randBytes(3*testRange+17, 71)
	e.srv.PutObject(t, testBucket, "obj", data, nil)
	sizes := []int64{testRange + 5, testRange, testRange + 12} // not the download's ranges
	layout := func() ([]s3client.ObjectPart, string) {
		var parts []s3client.ObjectPart
		whole := s3client.ChecksumCRC32C.NewHash()
		var off int64
		for i, n := range sizes {
			sum := crc32cOf(data[off : off+n])
			whole.Write(sum)
			parts = append(parts, s3client.ObjectPart{PartNumber: i + 1, Size: n,
				Checksums: s3client.Checksums{CRC32C: base64.StdEncoding.EncodeToString(sum)}})
			off += n
		}
		return parts, base64.StdEncoding.EncodeToString(whole.Sum(nil)) + fmt.Sprintf("-%d", len(sizes))
	}
	for _, tc := range []struct {
		name    string
		mod     func(c *compositeAPI)
		wantErr bool
		calls   int32
	}{
		{"verified", func(*compositeAPI) {}, false, 2},
		{"a part's bytes differ", func(c *compositeAPI) {
			c.parts[1].Checksums.CRC32C = base64.StdEncoding.EncodeToString(crc32cOf([]byte("other")))
		}, true, 2},
		{"the part checksums do not make the object's", func(c *compositeAPI) { c.whole = "AAAAAA==-3" }, true, 2},
		{"parts that do not add up", func(c *compositeAPI) { c.parts[2].Size-- }, true, 2},
		{"a store without GetObjectAttributes", func(c *compositeAPI) {
			c.attrErr = &s3client.Error{Op: "GetObjectAttributes", StatusCode: 501, Code: "NotImplemented"}
		}, false, 1},
		{"parts listed without checksums", func(c *compositeAPI) {
			for i := range c.parts {
				c.parts[i].Checksums = s3client.Checksums{}
			}
		}, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, whole := layout()
			api := &compositeAPI{API: e.client, whole: whole, parts: parts}
			tc.mod(api)
			m := smallRanges(newManager(t, api, smallConfig()))
			target := filepath.Join(t.TempDir(), "out")
			_, err := m.DownloadFile(context.Background(), testBucket, "obj", target)
			if tc.wantErr != (err != nil) || (tc.wantErr && !errors.Is(err, s3client.ErrChecksumMismatch)) {
				t.Fatalf("err = %v, want a checksum mismatch: %v", err, tc.wantErr)
			}
			if got := api.calls.Load(); got != tc.calls {
				t.Errorf("GetObjectAttributes called %d times, want %d", got, tc.calls)
			}
			if _, serr := os.Stat(target); (serr == nil) == tc.wantErr {
				t.Errorf("target exists: %v, want %v", serr == nil, !tc.wantErr)
			}
		})
	}
	// Without verification (ChecksumMode DISABLED) nothing is asked.
	parts, whole := layout()
	api := &compositeAPI{API: e.client, whole: whole, parts: parts}
	m := smallRanges(newManager(t, api, smallConfig()))
	if _, err := m.DownloadFile(context.Background(), testBucket, "obj", filepath.Join(t.TempDir(), "out"),
		DownloadArgs{ChecksumMode: "DISABLED"}); err != nil || api.calls.Load() != 0 {
		t.Errorf("DISABLED: %v, %d GetObjectAttributes", err, api.calls.Load())
	}
}
