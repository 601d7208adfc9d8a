package s3client

// Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket
// and GetBucketLocation. Listing a bucket's contents is in list.go.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ListBucketsInput is the input of ListBuckets. Its zero value lists every
// bucket the caller owns in one answer.
type ListBucketsInput struct {
	Prefix            string // only buckets whose names start with it
	BucketRegion      string // only buckets in this region
	MaxBuckets        int    // page size (1 to 10000); 0 lists all at once
	ContinuationToken string // ContinuationToken of the previous page
}

// Bucket is a bucket in a listing.
type Bucket struct {
	Name         string
	CreationDate time.Time
	BucketRegion string // sent by S3 only when the request paginates
}

// ListBucketsOutput is the result of ListBuckets.
type ListBucketsOutput struct {
	Buckets []Bucket
	Owner   *Owner
	// ContinuationToken continues a paginated listing; empty on the last page.
	ContinuationToken string
	Prefix            string
}

// ListBuckets lists the caller's buckets.
func (c *Client) ListBuckets(ctx context.Context, in *ListBucketsInput) (*ListBucketsOutput, error) {
	const op = "ListBuckets"
	if in == nil {
		in = &ListBucketsInput{}
	}
	if in.MaxBuckets < 0 {
		return nil, inputError(op, "", "", errors.New("s3client: negative MaxBuckets"))
	}
	q := url.Values{}
	setQuery(q, "prefix", in.Prefix)
	setQuery(q, "bucket-region", in.BucketRegion)
	setQuery(q, "continuation-token", in.ContinuationToken)
	if in.MaxBuckets > 0 {
		q.Set("max-buckets", strconv.Itoa(in.MaxBuckets))
	}
	resp, err := c.do(ctx, &request{op: op, method: http.MethodGet, query: q})
	if err != nil {
		return nil, err
	}
	var x xmlListBucketsResult
	if err := decodeXML(op, "", "", resp, &x); err != nil {
		return nil, err
	}
	out := &ListBucketsOutput{Owner: x.Owner.owner(), ContinuationToken: x.ContinuationToken, Prefix: x.Prefix}
	if len(x.Buckets) > 0 {
		out.Buckets = make([]Bucket, len(x.Buckets))
		for i, b := range x.Buckets {
			out.Buckets[i] = Bucket{Name: b.Name, CreationDate: b.CreationDate.Time, BucketRegion: b.BucketRegion}
		}
	}
	return out, nil
}

// CreateBucketInput is the input of CreateBucket.
type CreateBucketInput struct {
	Bucket string
	// LocationConstraint is the region to create the bucket in. Empty means
	// the client's region; us-east-1 is S3's default and is never sent
	// (S3 rejects it as a constraint).
	LocationConstraint string
	ACL                string // canned ACL: private, public-read...
	GrantFullControl   string
	GrantRead          string
	GrantReadACP       string
	GrantWrite         string
	GrantWriteACP      string
	// ObjectLockEnabledForBucket creates the bucket with object lock (and
	// versioning) enabled.
	ObjectLockEnabledForBucket bool
	ObjectOwnership            string // BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter
	// A directory bucket (NAME--ZONE--x-s3, S3 Express One Zone) is created
	// in the client's region with a configuration naming its zone, which
	// these fields describe; each has a default, and they are refused for
	// a general purpose bucket. LocationName is the zone ID, the one in
	// the bucket's name (empty means that one; another is refused).
	// LocationType is LocationAvailabilityZone or LocationLocalZone (empty:
	// by the zone ID, Local Zone IDs having a group, as in usw2-lax1-az1).
	// DataRedundancy must match it (empty: the one that does).
	LocationName   string
	LocationType   LocationType
	DataRedundancy DataRedundancy
}

// LocationType is where a directory bucket is.
type LocationType string

// The location types of directory buckets.
const (
	LocationAvailabilityZone LocationType = "AvailabilityZone"
	LocationLocalZone        LocationType = "LocalZone"
)

// DataRedundancy is how a directory bucket keeps its data.
type DataRedundancy string

// The data redundancies of directory buckets, one per LocationType.
const (
	DataRedundancySingleAvailabilityZone DataRedundancy = "SingleAvailabilityZone"
	DataRedundancySingleLocalZone        DataRedundancy = "SingleLocalZone"
)

// xmlDirectoryBucketConfiguration is a directory bucket's
// CreateBucketConfiguration.
type xmlDirectoryBucketConfiguration struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CreateBucketConfiguration"`
	Location struct {
		Name string `xml:"Name"`
		Type string `xml:"Type"`
	} `xml:"Location"`
	Bucket struct {
		DataRedundancy string `xml:"DataRedundancy"`
		Type           string `xml:"Type"`
	} `xml:"Bucket"`
}

// directoryConfiguration returns the CreateBucketConfiguration of a
// directory bucket, its fields checked and defaulted.
func (in *CreateBucketInput) directoryConfiguration() ([]byte, error) {
	if strings.HasSuffix(in.Bucket, "--xa-s3") {
		return nil, errors.New("s3client: a name ending in --xa-s3 is a directory bucket's access point, not a bucket")
	}
	if in.LocationConstraint != "" {
		return nil, errors.New("s3client: a directory bucket takes no LocationConstraint: it is created in the client's region, where its zone is")
	}
	zone, ok := expressZone(in.Bucket)
	if !ok {
		return nil, fmt.Errorf("%w %q: a directory bucket's name is BASE--ZONE--x-s3", ErrInvalidBucketName, in.Bucket)
	}
	if in.LocationName != "" && in.LocationName != zone {
		return nil, fmt.Errorf("s3client: LocationName %q is not the zone of the bucket's name, %q", in.LocationName, zone)
	}
	typ := in.LocationType
	if typ == "" {
		typ = LocationAvailabilityZone
		if strings.Count(zone, "-") > 1 {
			typ = LocationLocalZone
		}
	}
	var redundancy DataRedundancy
	switch typ {
	case LocationAvailabilityZone:
		redundancy = DataRedundancySingleAvailabilityZone
	case LocationLocalZone:
		redundancy = DataRedundancySingleLocalZone
	default:
		return nil, fmt.Errorf("s3client: LocationType %q: want %s or %s", typ, LocationAvailabilityZone, LocationLocalZone)
	}
	if in.DataRedundancy != "" && in.DataRedundancy != redundancy {
		return nil, fmt.Errorf("s3client: DataRedundancy %q: a directory bucket in a %s has %s", in.DataRedundancy, typ, redundancy)
	}
	var doc xmlDirectoryBucketConfiguration
	doc.Location.Name, doc.Location.Type = zone, string(typ)
	doc.Bucket.DataRedundancy, doc.Bucket.Type = string(redundancy), "Directory"
	return marshalXML(&doc)
}

// CreateBucketOutput is the result of CreateBucket.
type CreateBucketOutput struct {
	Location string // the bucket's path or URL, as S3 answers it
}

// CreateBucket creates a bucket. Creating a bucket the caller already owns
// is an error with Code "BucketAlreadyOwnedByYou" outside us-east-1.
func (c *Client) CreateBucket(ctx context.Context, in *CreateBucketInput) (*CreateBucketOutput, error) {
	const op = "CreateBucket"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkNewBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	h := make(http.Header, 4)
	setIf(h, "X-Amz-Acl", in.ACL)
	setIf(h, "X-Amz-Grant-Full-Control", in.GrantFullControl)
	setIf(h, "X-Amz-Grant-Read", in.GrantRead)
	setIf(h, "X-Amz-Grant-Read-Acp", in.GrantReadACP)
	setIf(h, "X-Amz-Grant-Write", in.GrantWrite)
	setIf(h, "X-Amz-Grant-Write-Acp", in.GrantWriteACP)
	setIf(h, "X-Amz-Object-Ownership", in.ObjectOwnership)
	if in.ObjectLockEnabledForBucket {
		h.Set("X-Amz-Bucket-Object-Lock-Enabled", "true")
	}
	r := &request{op: op, method: http.MethodPut, bucket: in.Bucket, header: h, noAccelerate: true, noAccessPoints: true, expressControl: true}
	loc := in.LocationConstraint
	if loc == "" {
		loc = c.cfg.Region
	}
	switch {
	case IsDirectoryBucket(in.Bucket):
		body, err := in.directoryConfiguration()
		if err != nil {
			return nil, inputError(op, in.Bucket, "", err)
		}
		r.body, r.size = bytes.NewReader(body), int64(len(body))
	case in.LocationName != "" || in.LocationType != "" || in.DataRedundancy != "":
		return nil, inputError(op, in.Bucket, "", errors.New("s3client: LocationName, LocationType and DataRedundancy are for directory buckets (NAME--ZONE--x-s3)"))
	case loc != "" && loc != "us-east-1" && loc != "aws-global":
		body, err := marshalXML(&xmlCreateBucketConfiguration{LocationConstraint: loc})
		if err != nil {
			return nil, inputError(op, in.Bucket, "", err)
		}
		r.body, r.size = bytes.NewReader(body), int64(len(body))
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &CreateBucketOutput{Location: resp.Header.Get("Location")}, nil
}

// HeadBucketInput is the input of HeadBucket.
type HeadBucketInput struct {
	Bucket string
	Common
}

// HeadBucketOutput is the result of HeadBucket.
type HeadBucketOutput struct {
	BucketRegion       string // x-amz-bucket-region
	AccessPointAlias   bool
	BucketLocationType string // AvailabilityZone or LocalZone, for directory buckets
	BucketLocationName string
}

// HeadBucket checks that a bucket exists and that the caller may use it,
// and reports its region. A missing bucket is an error matching
// ErrNotFound; a bucket of another account, ErrForbidden.
func (c *Client) HeadBucket(ctx context.Context, in *HeadBucketInput) (*HeadBucketOutput, error) {
	const op = "HeadBucket"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodHead, bucket: in.Bucket, header: h})
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return &HeadBucketOutput{
		BucketRegion:       resp.Header.Get("X-Amz-Bucket-Region"),
		AccessPointAlias:   resp.Header.Get("X-Amz-Access-Point-Alias") == "true",
		BucketLocationType: resp.Header.Get("X-Amz-Bucket-Location-Type"),
		BucketLocationName: resp.Header.Get("X-Amz-Bucket-Location-Name"),
	}, nil
}

// DeleteBucketInput is the input of DeleteBucket.
type DeleteBucketInput struct {
	Bucket string
	Common
}

// DeleteBucket deletes an empty bucket (Code "BucketNotEmpty" otherwise).
func (c *Client) DeleteBucket(ctx context.Context, in *DeleteBucketInput) error {
	const op = "DeleteBucket"
	if in == nil {
		return nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return err
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodDelete, bucket: in.Bucket, header: h, noAccelerate: true, expressControl: true})
	if err != nil {
		return err
	}
	drain(resp.Body)
	c.regions.Delete(in.Bucket) // a new bucket of that name may be elsewhere
	return nil
}

// GetBucketLocationInput is the input of GetBucketLocation.
type GetBucketLocationInput struct {
	Bucket string
	Common
}

// GetBucketLocationOutput is the result of GetBucketLocation.
type GetBucketLocationOutput struct {
	// LocationConstraint is the value as S3 sent it: empty for us-east-1,
	// "EU" for the oldest eu-west-1 buckets.
	LocationConstraint string
	// Region is the bucket's region, with those two legacy values mapped.
	Region string
}

// GetBucketLocation returns the region a bucket is in.
func (c *Client) GetBucketLocation(ctx context.Context, in *GetBucketLocationInput) (*GetBucketLocationOutput, error) {
	const op = "GetBucketLocation"
	if in == nil {
		return nil, nilInput(op)
	}
	if err := checkBucket(op, in.Bucket); err != nil {
		return nil, err
	}
	h := make(http.Header, 2)
	in.Common.apply(h)
	resp, err := c.do(ctx, &request{common: &in.Common, op: op, method: http.MethodGet, bucket: in.Bucket, header: h,
		query: url.Values{"location": {""}}})
	if err != nil {
		return nil, err
	}
	var x xmlLocationConstraint
	if err := decodeXML(op, in.Bucket, "", resp, &x); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &GetBucketLocationOutput{LocationConstraint: x.Value, Region: regionOfLocation(x.Value)}, nil
}

// regionOfLocation maps a LocationConstraint to a region.
func regionOfLocation(loc string) string {
	switch loc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return loc
}
