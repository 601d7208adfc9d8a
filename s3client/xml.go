package s3client

// Wire XML: the request and response documents of the operations, kept
// apart from the public input and output structs (object.go, bucket.go,
// list.go, multipart.go) so that S3's element names and quirks (string
// booleans, three time formats, url-encoded keys) stay in this file.

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// s3Namespace is the namespace of S3's documents; request bodies carry it.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3Time is a timestamp in a response document. S3 writes RFC 3339 with
// milliseconds ("2009-10-12T17:50:30.000Z"); some S3-compatible stores
// write other precisions or the HTTP date format, and an empty element is
// the zero time rather than an error.
type s3Time struct{ time.Time }

func (t *s3Time) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05", http.TimeFormat, time.RFC1123} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("s3client: unrecognised time %q", s)
}

// xmlChecksums are the Checksum* elements of a part, an object or a result.
type xmlChecksums struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

func (x xmlChecksums) checksums() Checksums {
	return Checksums{CRC32: x.ChecksumCRC32, CRC32C: x.ChecksumCRC32C, CRC64NVME: x.ChecksumCRC64NVME,
		SHA1: x.ChecksumSHA1, SHA256: x.ChecksumSHA256, Type: x.ChecksumType}
}

// merge fills the values a response's headers did not carry from its body.
func (c *Checksums) merge(x xmlChecksums) {
	b := x.checksums()
	for _, a := range allChecksums {
		if c.Get(a) == "" {
			c.Set(a, b.Get(a))
		}
	}
	if c.Type == "" {
		c.Type = b.Type
	}
}

func xmlChecksumsOf(c Checksums) xmlChecksums {
	return xmlChecksums{ChecksumCRC32: c.CRC32, ChecksumCRC32C: c.CRC32C, ChecksumCRC64NVME: c.CRC64NVME,
		ChecksumSHA1: c.SHA1, ChecksumSHA256: c.SHA256}
}

type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func (o *xmlOwner) owner() *Owner {
	if o == nil {
		return nil
	}
	return &Owner{ID: o.ID, DisplayName: o.DisplayName}
}

type xmlPrefix struct {
	Prefix string `xml:"Prefix"`
}

// --- buckets ---

type xmlListBucketsResult struct {
	Owner   *xmlOwner `xml:"Owner"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate s3Time `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion"`
	} `xml:"Buckets>Bucket"`
	ContinuationToken string `xml:"ContinuationToken"`
	Prefix            string `xml:"Prefix"`
}

type xmlCreateBucketConfiguration struct {
	XMLName            xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

type xmlLocationConstraint struct {
	Value string `xml:",chardata"`
}

// --- objects ---

type xmlDelete struct {
	XMLName xml.Name          `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Delete"`
	Objects []xmlDeleteObject `xml:"Object"`
	Quiet   bool              `xml:"Quiet,omitempty"`
}

type xmlDeleteObject struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

type xmlDeleteResult struct {
	Deleted []struct {
		Key                   string `xml:"Key"`
		VersionID             string `xml:"VersionId"`
		DeleteMarker          bool   `xml:"DeleteMarker"`
		DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId"`
	} `xml:"Deleted"`
	Errors []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
		Code      string `xml:"Code"`
		Message   string `xml:"Message"`
	} `xml:"Error"`
}

type xmlCopyResult struct { // CopyObjectResult and CopyPartResult
	ETag         string `xml:"ETag"`
	LastModified s3Time `xml:"LastModified"`
	xmlChecksums
}

type xmlTagging struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  []xmlTag `xml:"TagSet>Tag"`
}

// xmlTagSet decodes a Tagging answer whatever its namespace.
type xmlTagSet struct {
	TagSet []xmlTag `xml:"TagSet>Tag"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// --- listing ---

type xmlObject struct {
	Key               string    `xml:"Key"`
	LastModified      s3Time    `xml:"LastModified"`
	ETag              string    `xml:"ETag"`
	Size              int64     `xml:"Size"`
	StorageClass      string    `xml:"StorageClass"`
	Owner             *xmlOwner `xml:"Owner"`
	ChecksumAlgorithm []string  `xml:"ChecksumAlgorithm"`
	ChecksumType      string    `xml:"ChecksumType"`
}

type xmlListObjectsV2Result struct {
	Name                  string      `xml:"Name"`
	Prefix                string      `xml:"Prefix"`
	Delimiter             string      `xml:"Delimiter"`
	StartAfter            string      `xml:"StartAfter"`
	EncodingType          string      `xml:"EncodingType"`
	MaxKeys               int         `xml:"MaxKeys"`
	KeyCount              int         `xml:"KeyCount"`
	IsTruncated           bool        `xml:"IsTruncated"`
	ContinuationToken     string      `xml:"ContinuationToken"`
	NextContinuationToken string      `xml:"NextContinuationToken"`
	Contents              []xmlObject `xml:"Contents"`
	CommonPrefixes        []xmlPrefix `xml:"CommonPrefixes"`
}

// xmlVersionEntry is a <Version> or a <DeleteMarker>; they share their
// fields except Size, ETag and StorageClass.
type xmlVersionEntry struct {
	XMLName xml.Name
	xmlObject
	VersionID string `xml:"VersionId"`
	IsLatest  bool   `xml:"IsLatest"`
}

type xmlListVersionsResult struct {
	Name                string      `xml:"Name"`
	Prefix              string      `xml:"Prefix"`
	Delimiter           string      `xml:"Delimiter"`
	KeyMarker           string      `xml:"KeyMarker"`
	VersionIDMarker     string      `xml:"VersionIdMarker"`
	NextKeyMarker       string      `xml:"NextKeyMarker"`
	NextVersionIDMarker string      `xml:"NextVersionIdMarker"`
	EncodingType        string      `xml:"EncodingType"`
	MaxKeys             int         `xml:"MaxKeys"`
	IsTruncated         bool        `xml:"IsTruncated"`
	CommonPrefixes      []xmlPrefix `xml:"CommonPrefixes"`
	// Versions and delete markers are interleaved in S3's order (by key,
	// newest first); ",any" keeps that order, which two slices would lose.
	Entries []xmlVersionEntry `xml:",any"`
}

// --- multipart ---

type xmlInitiateMultipartUploadResult struct {
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	UploadID string `xml:"UploadId"`
}

type xmlCompleteMultipartUpload struct {
	XMLName xml.Name          `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUpload"`
	Parts   []xmlCompletePart `xml:"Part"`
}

type xmlCompletePart struct {
	xmlChecksums
	ETag       string `xml:"ETag"`
	PartNumber int    `xml:"PartNumber"`
}

type xmlCompleteMultipartUploadResult struct {
	Location string `xml:"Location"`
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	ETag     string `xml:"ETag"`
	xmlChecksums
}

type xmlListPartsResult struct {
	Bucket               string `xml:"Bucket"`
	Key                  string `xml:"Key"`
	UploadID             string `xml:"UploadId"`
	PartNumberMarker     int    `xml:"PartNumberMarker"`
	NextPartNumberMarker int    `xml:"NextPartNumberMarker"`
	MaxParts             int    `xml:"MaxParts"`
	IsTruncated          bool   `xml:"IsTruncated"`
	ChecksumAlgorithm    string `xml:"ChecksumAlgorithm"`
	ChecksumType         string `xml:"ChecksumType"`
	Parts                []struct {
		PartNumber   int    `xml:"PartNumber"`
		LastModified s3Time `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
		xmlChecksums
	} `xml:"Part"`
}

type xmlListMultipartUploadsResult struct {
	Bucket             string      `xml:"Bucket"`
	KeyMarker          string      `xml:"KeyMarker"`
	UploadIDMarker     string      `xml:"UploadIdMarker"`
	NextKeyMarker      string      `xml:"NextKeyMarker"`
	NextUploadIDMarker string      `xml:"NextUploadIdMarker"`
	Prefix             string      `xml:"Prefix"`
	Delimiter          string      `xml:"Delimiter"`
	EncodingType       string      `xml:"EncodingType"`
	MaxUploads         int         `xml:"MaxUploads"`
	IsTruncated        bool        `xml:"IsTruncated"`
	CommonPrefixes     []xmlPrefix `xml:"CommonPrefixes"`
	Uploads            []struct {
		Key               string `xml:"Key"`
		UploadID          string `xml:"UploadId"`
		Initiated         s3Time `xml:"Initiated"`
		StorageClass      string `xml:"StorageClass"`
		ChecksumAlgorithm string `xml:"ChecksumAlgorithm"`
		ChecksumType      string `xml:"ChecksumType"`
	} `xml:"Upload"`
}

// --- helpers ---

// maxListBody bounds a response document: a page of 1000 keys of 1024
// bytes, url-encoded, with their metadata, is well under it.
const maxListBody = 64 << 20

// Bounds on the shape of a response document, which its size alone does not
// bound: 32 MiB of opening tags would otherwise nest a million elements
// deep, and 32 MiB of empty <Contents/> would decode into a million
// objects. S3's documents nest four elements deep at most
// (ListVersionsResult > Version > Owner > ID), and its longest
// list is a page of ListBuckets (10,000 buckets; listings of keys, versions,
// uploads and parts stop at 1000 a page).
const (
	maxXMLDepth    = 32      // elements open at once
	maxXMLEntries  = 10_000  // children of one element
	maxXMLElements = 1 << 19 // elements in one document: 10,000 entries of about 50
)

// newXMLDecoder returns a decoder of r that refuses, with an error wrapping
// ErrResponseTooLarge, a document over maxXMLDepth, maxXMLEntries or
// maxXMLElements. Every response document the client reads goes through it.
func newXMLDecoder(r io.Reader) *xml.Decoder {
	return xml.NewTokenDecoder(&boundedTokens{d: xml.NewDecoder(r)})
}

// boundedTokens passes on the raw tokens of d (the outer decoder resolves
// namespaces and checks that elements match), counting elements as they
// open. children holds, for each open element, how many it has so far.
type boundedTokens struct {
	d        *xml.Decoder
	children []int
	elements int
}

func (b *boundedTokens) Token() (xml.Token, error) {
	tok, err := b.d.RawToken()
	switch tok.(type) {
	case xml.StartElement:
		n := len(b.children)
		switch {
		case n >= maxXMLDepth:
			return nil, fmt.Errorf("%w: elements nested more than %d deep", ErrResponseTooLarge, maxXMLDepth)
		case n > 0 && b.children[n-1] >= maxXMLEntries:
			return nil, fmt.Errorf("%w: an element with more than %d entries", ErrResponseTooLarge, maxXMLEntries)
		case b.elements >= maxXMLElements:
			return nil, fmt.Errorf("%w: more than %d elements", ErrResponseTooLarge, maxXMLElements)
		}
		if n > 0 {
			b.children[n-1]++
		}
		b.elements++
		b.children = append(b.children, 0)
	case xml.EndElement:
		if n := len(b.children); n > 0 {
			b.children = b.children[:n-1]
		}
	}
	return tok, err
}

// decodeXML decodes a response document into v and closes the body. A
// malformed document, or one over the bounds of newXMLDecoder, is an *Error
// carrying the status and request ID.
func decodeXML(op, bucket, key string, resp *http.Response, v any) error {
	defer drain(resp.Body)
	err := newXMLDecoder(io.LimitReader(resp.Body, maxListBody)).Decode(v)
	if err != nil {
		return &Error{Op: op, Bucket: bucket, Key: key, StatusCode: resp.StatusCode,
			RequestID: resp.Header.Get("X-Amz-Request-Id"), HostID: resp.Header.Get("X-Amz-Id-2"),
			Err: fmt.Errorf("s3client: decoding response: %w", err)}
	}
	return nil
}

// marshalXML encodes a request document.
func marshalXML(v any) ([]byte, error) {
	b, err := xml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("s3client: encoding request: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// urlDecoder undoes encoding-type=url. S3 encodes the way HTML forms do
// (a space is "+", a "+" is "%2B"), which is url.QueryUnescape's reading.
// It decodes only when the response says it encoded: a store that ignores
// the parameter returns raw keys, in which a "%" or "+" is literal.
type urlDecoder struct {
	on  bool
	err error
}

func (d *urlDecoder) decode(s string) string {
	if !d.on || s == "" {
		return s
	}
	v, err := url.QueryUnescape(s)
	if err != nil {
		if d.err == nil {
			d.err = fmt.Errorf("s3client: decoding url-encoded key %q: %w", s, err)
		}
		return s
	}
	return v
}

func (d *urlDecoder) prefixes(ps []xmlPrefix) []string {
	if len(ps) == 0 {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = d.decode(p.Prefix)
	}
	return out
}

// validXMLText reports whether s can travel in an XML 1.0 document: a key
// holding a control character cannot be named in a request body, even as
// a character reference.
func validXMLText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
