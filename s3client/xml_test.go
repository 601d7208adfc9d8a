package s3client

// The wire XML on its own: documents in and out, times, url-decoding, and
// fuzz targets for the response parsers.

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestS3Time(t *testing.T) {
	want := time.Date(2009, 10, 12, 17, 50, 30, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2009-10-12T17:50:30.000Z", want, true},
		{"2009-10-12T17:50:30Z", want, true},
		{"2009-10-12T17:50:30.123456789Z", want.Add(123456789), true},
		{"2009-10-12T19:50:30+02:00", want, true},
		{"2009-10-12T17:50:30", want, true},
		{"Mon, 12 Oct 2009 17:50:30 GMT", want, true},
		{"  2009-10-12T17:50:30.000Z\n", want, true},
		{"", time.Time{}, true},
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		var got s3Time
		err := got.UnmarshalText([]byte(tt.in))
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("%q: %v, %v; want %v, ok %v", tt.in, got.Time, err, tt.want, tt.ok)
		}
	}
}

func TestRequestDocuments(t *testing.T) {
	tests := []struct {
		name string
		doc  any
		want string
	}{
		{"complete", &xmlCompleteMultipartUpload{Parts: []xmlCompletePart{
			{ETag: `"a"`, PartNumber: 1, xmlChecksums: xmlChecksums{ChecksumCRC32C: "AAAAAA=="}},
			{ETag: `"b"`, PartNumber: 2}}},
			`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ChecksumCRC32C>AAAAAA==</ChecksumCRC32C><ETag>&#34;a&#34;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>&#34;b&#34;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`},
		{"delete", &xmlDelete{Quiet: true, Objects: []xmlDeleteObject{{Key: "a&b\n<c>"}, {Key: "d", VersionID: "v"}}},
			`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a&amp;b&#xA;&lt;c&gt;</Key></Object><Object><Key>d</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>`},
		{"tagging", &xmlTagging{TagSet: []xmlTag{{"k", "v"}}},
			`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`},
		{"empty tagging", &xmlTagging{},
			`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>`},
		{"bucket configuration", &xmlCreateBucketConfiguration{LocationConstraint: "eu-west-1"},
			`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`},
	}
	for _, tt := range tests {
		b, err := marshalXML(tt.doc)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := strings.TrimPrefix(string(b), xml.Header); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestValidXMLText(t *testing.T) {
	for s, want := range map[string]bool{
		"plain": true, "tab\tnew\nline\rcr": true, "ünï€😀": true, "": true,
		"nul\x00": false, "bell\x07": false, "esc\x1b": false, "\xff\xfe": false, "\uFFFE": false,
	} {
		if got := validXMLText(s); got != want {
			t.Errorf("validXMLText(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCopySourceHeader(t *testing.T) {
	tests := []struct {
		src  CopySource
		want string
	}{
		{CopySource{Bucket: "b", Key: "k"}, "/b/k"},
		{CopySource{Bucket: "b", Key: "dir/a b+c"}, "/b/dir/a%20b%2Bc"},
		{CopySource{Bucket: "b", Key: "100%?#&="}, "/b/100%25%3F%23%26%3D"},
		{CopySource{Bucket: "b", Key: "ü/~._-"}, "/b/%C3%BC/~._-"},
		{CopySource{Bucket: "b", Key: "/lead//double/"}, "/b//lead//double/"},
		{CopySource{Bucket: "b", Key: "k", VersionID: "3/L4kqtJl+40="}, "/b/k?versionId=3%2FL4kqtJl%2B40%3D"},
	}
	for _, tt := range tests {
		if got := tt.src.header(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.src, got, tt.want)
		}
	}
}

func FuzzS3Time(f *testing.F) {
	for _, s := range []string{"2009-10-12T17:50:30.000Z", "Mon, 12 Oct 2009 17:50:30 GMT", "", "2009-13-40T99:99:99Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v s3Time
		if v.UnmarshalText([]byte(s)) == nil && !v.IsZero() && v.UTC().Year() >= 0 && v.UTC().Year() <= 9999 {
			// Whatever parsed must survive S3's own format.
			var w s3Time
			if err := w.UnmarshalText([]byte(v.UTC().Format(time.RFC3339Nano))); err != nil || !w.Equal(v.Time) {
				t.Errorf("%q parsed as %v, which does not round-trip: %v", s, v.Time, err)
			}
		}
	})
}

// FuzzURLDecode: S3's encoding (a form encoding) decodes to the key.
func FuzzURLDecode(f *testing.F) {
	for _, s := range []string{"a b", "a+b", "100%", "\x01\x02", "ü/ключ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		d := urlDecoder{on: true}
		if got := d.decode(url.QueryEscape(key)); got != key || d.err != nil {
			t.Errorf("decode(encode(%q)) = %q, %v", key, got, d.err)
		}
		off := urlDecoder{}
		if got := off.decode(key); got != key {
			t.Errorf("decoding off changed %q to %q", key, got)
		}
	})
}

// FuzzListObjectsV2 feeds arbitrary documents to the page parser: it may
// refuse them, never panic.
func FuzzListObjectsV2(f *testing.F) {
	f.Add(`<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><Contents><Key>a%01</Key><Size>3</Size><LastModified>2025-01-02T03:04:05.000Z</LastModified><Owner><ID>x</ID></Owner></Contents><CommonPrefixes><Prefix>p%2F</Prefix></CommonPrefixes></ListBucketResult>`)
	f.Add(`<ListBucketResult><Contents><Key>%zz</Key><Size>-1</Size></Contents></ListBucketResult>`)
	f.Add(`<ListBucketResult><KeyCount>99999999999999999999</KeyCount></ListBucketResult>`)
	f.Fuzz(func(t *testing.T, doc string) {
		var x xmlListObjectsV2Result
		if xml.Unmarshal([]byte(doc), &x) != nil {
			return
		}
		out, err := x.output()
		if err == nil && len(out.Contents) != len(x.Contents) {
			t.Errorf("%d contents, document has %d", len(out.Contents), len(x.Contents))
		}
	})
}

// FuzzListObjectVersions checks that versions and delete markers keep
// their document order whatever else the document holds.
func FuzzListObjectVersions(f *testing.F) {
	f.Add(`<ListVersionsResult><Version><Key>a</Key><VersionId>1</VersionId></Version><DeleteMarker><Key>a</Key><VersionId>2</VersionId></DeleteMarker><Other/></ListVersionsResult>`)
	f.Add(`<ListVersionsResult><EncodingType>url</EncodingType><Version><Key>%</Key></Version></ListVersionsResult>`)
	f.Fuzz(func(t *testing.T, doc string) {
		var x xmlListVersionsResult
		if xml.Unmarshal([]byte(doc), &x) != nil {
			return
		}
		out, err := x.output()
		if err != nil {
			return
		}
		i := 0
		for _, e := range x.Entries {
			if e.XMLName.Local != "Version" && e.XMLName.Local != "DeleteMarker" {
				continue
			}
			if i >= len(out.Versions) || out.Versions[i].VersionID != e.VersionID || out.Versions[i].IsDeleteMarker != (e.XMLName.Local == "DeleteMarker") {
				t.Fatalf("entry %d out of order", i)
			}
			i++
		}
		if i != len(out.Versions) {
			t.Errorf("%d versions out, %d in", len(out.Versions), i)
		}
	})
}

// FuzzErrorIn200 feeds 200 answers to the classification of
// CompleteMultipartUpload, CopyObject and UploadPartCopy: an <Error>
// document must yield an error with a code, or be refused, never panic.
func FuzzErrorIn200(f *testing.F) {
	f.Add(`<?xml version="1.0"?>` + "\n  " + `<Error><Code>InternalError</Code></Error>`)
	f.Add(`<CompleteMultipartUploadResult><ETag>"x"</ETag></CompleteMultipartUploadResult>`)
	f.Add(`<Error><Code></Code></Error>`)
	f.Fuzz(func(t *testing.T, doc string) {
		isErr := rootElement([]byte(doc)) == "Error"
		var e Error
		if parseErrorBody(&e, []byte(doc)) && e.Code == "" {
			t.Errorf("%q parsed as an error without a code", doc)
		}
		if !isErr {
			return
		}
		if !strings.Contains(doc, "Error") {
			t.Errorf("%q classified as an error document", doc)
		}
	})
}

func TestAlgorithmFromServer(t *testing.T) {
	for in, want := range map[string]ChecksumAlgorithm{"": ChecksumNone, "null": ChecksumNone, "crc32c": ChecksumCRC32C, "SHA256": ChecksumSHA256, "MD5": ChecksumNone} {
		if got := algorithmFromServer(in); got != want {
			t.Errorf("algorithmFromServer(%q) = %q, want %q", in, got, want)
		}
	}
	if got := checksumAlgorithms([]string{"null", "CRC32"}); len(got) != 1 || got[0] != ChecksumCRC32 {
		t.Errorf("checksumAlgorithms = %v", got)
	}
}

func TestChecksumsFromHeader(t *testing.T) {
	h := http.Header{}
	want := Checksums{Type: "FULL_OBJECT"}
	for i, a := range allChecksums {
		v := fmt.Sprintf("value-%d", i)
		h.Set(a.Header(), v)
		want.Set(a, v)
	}
	h.Set("x-amz-checksum-type", "FULL_OBJECT")
	if got := checksumsFromHeader(h); got != want {
		t.Errorf("checksumsFromHeader = %+v, want %+v", got, want)
	}
}
