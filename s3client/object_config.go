package s3client

// Object operations on an object's sub-resources: DeleteObjectTagging,
// GetObjectAttributes and RestoreObject.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DeleteObjectTaggingOutput is the result of DeleteObjectTagging.
type DeleteObjectTaggingOutput struct {
	VersionID string
}

var deleteObjectTagging = subresource{"DeleteObjectTagging", "tagging", ""}

// DeleteObjectTagging removes every tag of an object version.
func (c *Client) DeleteObjectTagging(ctx context.Context, in *ObjectVersionInput) (*DeleteObjectTaggingOutput, error) {
	const op = "DeleteObjectTagging"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	r, err := deleteObjectTagging.request(http.MethodDelete, in.Bucket, in.Key, in.VersionID, &in.Common)
	if err != nil {
		return nil, err
	}
	h, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	return &DeleteObjectTaggingOutput{VersionID: h.Get("X-Amz-Version-Id")}, nil
}

// The attributes GetObjectAttributes can return.
const (
	AttributeETag         = "ETag"
	AttributeChecksum     = "Checksum"
	AttributeObjectParts  = "ObjectParts"
	AttributeStorageClass = "StorageClass"
	AttributeObjectSize   = "ObjectSize"
)

// GetObjectAttributesInput is the input of GetObjectAttributes.
type GetObjectAttributesInput struct {
	Bucket, Key string
	VersionID   string
	// Attributes names what to return: Attribute* constants, at least one.
	Attributes []string
	// MaxParts and PartNumberMarker page through ObjectParts.
	MaxParts         int
	PartNumberMarker int
	SSECustomer
	Common
}

// GetObjectAttributesOutput is the result of GetObjectAttributes: the
// attributes asked for.
type GetObjectAttributesOutput struct {
	ETag         string
	Checksums    Checksums
	ObjectParts  *ObjectParts
	StorageClass string
	ObjectSize   int64
	LastModified time.Time
	VersionID    string
	DeleteMarker bool
}

// ObjectParts are the parts of a multipart object. S3 lists Parts only for
// objects uploaded with a checksum.
type ObjectParts struct {
	TotalPartsCount      int
	PartNumberMarker     int
	NextPartNumberMarker int
	MaxParts             int
	IsTruncated          bool
	Parts                []ObjectPart
}

// ObjectPart is one part of a multipart object.
type ObjectPart struct {
	PartNumber int
	Size       int64
	Checksums  Checksums
}

type xmlObjectAttributes struct {
	ETag         string       `xml:"ETag"`
	Checksum     xmlChecksums `xml:"Checksum"`
	StorageClass string       `xml:"StorageClass"`
	ObjectSize   int64        `xml:"ObjectSize"`
	ObjectParts  *struct {
		// S3 names the count PartsCount; its model, TotalPartsCount.
		PartsCount           int  `xml:"PartsCount"`
		TotalPartsCount      int  `xml:"TotalPartsCount"`
		PartNumberMarker     int  `xml:"PartNumberMarker"`
		NextPartNumberMarker int  `xml:"NextPartNumberMarker"`
		MaxParts             int  `xml:"MaxParts"`
		IsTruncated          bool `xml:"IsTruncated"`
		Parts                []struct {
			PartNumber int   `xml:"PartNumber"`
			Size       int64 `xml:"Size"`
			xmlChecksums
		} `xml:"Part"`
	} `xml:"ObjectParts"`
}

var getObjectAttributes = subresource{"GetObjectAttributes", "attributes", ""}

// GetObjectAttributes returns an object's ETag, checksums, parts, storage
// class and size (those asked for) in one request, without its content.
// Sizes and part numbers beyond S3's limits are an error.
func (c *Client) GetObjectAttributes(ctx context.Context, in *GetObjectAttributesInput) (*GetObjectAttributesOutput, error) {
	const op = "GetObjectAttributes"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkObject(op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	bad := func(err error) (*GetObjectAttributesOutput, error) {
		return nil, inputError(op, in.Bucket, in.Key, err)
	}
	if len(in.Attributes) == 0 {
		return bad(errors.New("s3client: no Attributes asked for"))
	}
	for _, a := range in.Attributes {
		if err := oneOf("attribute", a, AttributeETag, AttributeChecksum, AttributeObjectParts, AttributeStorageClass, AttributeObjectSize); err != nil {
			return bad(err)
		}
	}
	if in.MaxParts < 0 || in.MaxParts > MaxPartNumber || in.PartNumberMarker < 0 || in.PartNumberMarker > MaxPartNumber {
		return bad(fmt.Errorf("s3client: MaxParts and PartNumberMarker must be in 0..%d", MaxPartNumber))
	}
	r, err := getObjectAttributes.request(http.MethodGet, in.Bucket, in.Key, in.VersionID, &in.Common)
	if err != nil {
		return nil, err
	}
	r.header.Set("X-Amz-Object-Attributes", strings.Join(in.Attributes, ","))
	if in.MaxParts > 0 {
		r.header.Set("X-Amz-Max-Parts", strconv.Itoa(in.MaxParts))
	}
	if in.PartNumberMarker > 0 {
		r.header.Set("X-Amz-Part-Number-Marker", strconv.Itoa(in.PartNumberMarker))
	}
	in.SSECustomer.apply(r.header, "X-Amz-")
	x, h, err := getDoc[xmlObjectAttributes](ctx, c, getObjectAttributes, r)
	if err != nil {
		return nil, err
	}
	out := &GetObjectAttributesOutput{ETag: x.ETag, Checksums: x.Checksum.checksums(), StorageClass: x.StorageClass,
		ObjectSize: x.ObjectSize, VersionID: h.Get("X-Amz-Version-Id"), DeleteMarker: h.Get("X-Amz-Delete-Marker") == "true"}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		out.LastModified = t
	}
	fail := func(why string) (*GetObjectAttributesOutput, error) {
		return nil, &Error{Op: op, Bucket: in.Bucket, Key: in.Key, StatusCode: http.StatusOK, Err: fmt.Errorf("%w: %s", ErrUnexpectedResponse, why)}
	}
	if x.ObjectSize < 0 || x.ObjectSize > maxObjectSize {
		return fail(fmt.Sprintf("ObjectSize %d outside 0..%d", x.ObjectSize, int64(maxObjectSize)))
	}
	if p := x.ObjectParts; p != nil {
		parts := &ObjectParts{TotalPartsCount: max(p.PartsCount, p.TotalPartsCount), PartNumberMarker: p.PartNumberMarker,
			NextPartNumberMarker: p.NextPartNumberMarker, MaxParts: p.MaxParts, IsTruncated: p.IsTruncated}
		if parts.TotalPartsCount < 0 || parts.TotalPartsCount > MaxPartNumber || len(p.Parts) > MaxPartNumber {
			return fail(fmt.Sprintf("a part count over %d", MaxPartNumber))
		}
		for _, pt := range p.Parts {
			if pt.PartNumber < 1 || pt.PartNumber > MaxPartNumber || pt.Size < 0 || pt.Size > maxObjectSize {
				return fail(fmt.Sprintf("part %d of %d bytes is outside S3's limits", pt.PartNumber, pt.Size))
			}
			parts.Parts = append(parts.Parts, ObjectPart{PartNumber: pt.PartNumber, Size: pt.Size, Checksums: pt.xmlChecksums.checksums()})
		}
		out.ObjectParts = parts
	}
	return out, nil
}

// maxObjectSize is the largest object S3 stores, 5 TiB.
const maxObjectSize = 5 << 40

// RestoreRequest asks for a temporary copy of an archived object.
type RestoreRequest struct {
	Days                 int                   `xml:"Days,omitempty"` // how long the copy stays; not for S3 Intelligent-Tiering archives
	GlacierJobParameters *GlacierJobParameters `xml:"GlacierJobParameters,omitempty"`
	Description          string                `xml:"Description,omitempty"`
}

// GlacierJobParameters chooses the retrieval tier.
type GlacierJobParameters struct {
	Tier string `xml:"Tier"` // Standard, Bulk or Expedited
}

// RestoreObjectInput is the input of RestoreObject.
type RestoreObjectInput struct {
	Bucket, Key       string
	VersionID         string
	RestoreRequest    RestoreRequest
	ChecksumAlgorithm ChecksumAlgorithm
	Common
}

// RestoreObjectOutput is the result of RestoreObject.
type RestoreObjectOutput struct {
	// AlreadyRestored says a restored copy exists (S3 answered 200 rather
	// than 202 Accepted); its expiry was updated to the new Days.
	AlreadyRestored   bool
	RestoreOutputPath string
	RequestCharged    string
}

var restoreDoc = subresource{"RestoreObject", "restore", "RestoreRequest"}

// RestoreObject starts the restore of an archived object (S3 Glacier
// Flexible Retrieval, Deep Archive, or an Intelligent-Tiering archive
// tier). A restore already under way is an error with Code
// "RestoreAlreadyInProgress".
func (c *Client) RestoreObject(ctx context.Context, in *RestoreObjectInput) (*RestoreObjectOutput, error) {
	if in == nil {
		return nil, nilInput(restoreDoc.op)
	}
	check := func() error {
		if in.RestoreRequest.Days < 0 {
			return errors.New("s3client: negative Days")
		}
		if p := in.RestoreRequest.GlacierJobParameters; p != nil {
			return oneOf("Tier", p.Tier, "Standard", "Bulk", "Expedited")
		}
		return nil
	}
	if err := checkObject(restoreDoc.op, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	if err := check(); err != nil {
		return nil, inputError(restoreDoc.op, in.Bucket, in.Key, err)
	}
	r, err := restoreDoc.request(http.MethodPost, in.Bucket, in.Key, in.VersionID, &in.Common)
	if err != nil {
		return nil, err
	}
	body, err := restoreDoc.encodeDoc(&in.RestoreRequest)
	if err != nil {
		return nil, inputError(restoreDoc.op, in.Bucket, in.Key, err)
	}
	if err := c.withBody(r, body, in.ChecksumAlgorithm); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &RestoreObjectOutput{AlreadyRestored: resp.StatusCode == http.StatusOK,
		RestoreOutputPath: resp.Header.Get("X-Amz-Restore-Output-Path"), RequestCharged: resp.Header.Get("X-Amz-Request-Charged")}, nil
}
