package s3client

// Operations and answers gofakes3 does not implement or gets wrong, against
// httptest fakes that answer as S3 documents: UploadPartCopy, tagging,
// per-key DeleteObjects errors, url-encoded listings, paging markers,
// bucket locations.

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUploadPartCopy(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		w.Header().Set("X-Amz-Checksum-Crc32c", "AAAAAA==")
		writeXML(w, `<CopyPartResult><LastModified>2025-01-02T03:04:05.678Z</LastModified><ETag>"part-etag"</ETag><ChecksumSHA256>c2hh</ChecksumSHA256></CopyPartResult>`)
	})
	c := newClient(t, f.URL)
	since := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	out, err := c.UploadPartCopy(context.Background(), &UploadPartCopyInput{
		Bucket: "dst-bkt", Key: "big/object", UploadID: "up/load+id", PartNumber: 7,
		CopySource:            CopySource{Bucket: "src-bkt", Key: "dir/a b+c%d/ü", VersionID: "v1+2"},
		CopySourceRange:       "bytes=1048576-2097151",
		CopySourceConditions:  CopySourceConditions{CopySourceIfMatch: `"srcetag"`, CopySourceIfUnmodifiedSince: since},
		CopySourceSSECustomer: SSECustomer{SSECustomerKey: SSECKey(strings.Repeat("k", 32))},
		SSECustomer:           SSECustomer{SSECustomerKey: SSECKey(strings.Repeat("d", 32))},
	})
	if err != nil {
		t.Fatalf("UploadPartCopy: %v", err)
	}
	want := UploadPartCopyOutput{ETag: `"part-etag"`, LastModified: time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC),
		Checksums: Checksums{CRC32C: "AAAAAA==", SHA256: "c2hh"}}
	if out.ETag != want.ETag || !out.LastModified.Equal(want.LastModified) || out.Checksums != want.Checksums {
		t.Errorf("output = %+v, want %+v", *out, want)
	}
	r := f.rec.all()[0]
	if r.Method != http.MethodPut || r.URL.EscapedPath() != "/dst-bkt/big/object" {
		t.Errorf("request %s %s", r.Method, r.URL.EscapedPath())
	}
	if q := r.URL.Query(); q.Get("partNumber") != "7" || q.Get("uploadId") != "up/load+id" {
		t.Errorf("query %s", r.URL.RawQuery)
	}
	for name, v := range map[string]string{
		"X-Amz-Copy-Source":                                           "/src-bkt/dir/a%20b%2Bc%25d/%C3%BC?versionId=v1%2B2",
		"X-Amz-Copy-Source-Range":                                     "bytes=1048576-2097151",
		"X-Amz-Copy-Source-If-Match":                                  `"srcetag"`,
		"X-Amz-Copy-Source-If-Unmodified-Since":                       "Mon, 06 May 2024 07:08:09 GMT",
		"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm": "AES256",
		"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key":       "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
		"X-Amz-Server-Side-Encryption-Customer-Algorithm":             "AES256",
		"X-Amz-Server-Side-Encryption-Customer-Key":                   "ZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGQ=",
	} {
		if got := r.Header.Get(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if r.Header.Get("X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5") == "" {
		t.Error("no copy-source key MD5")
	}
}

func TestObjectTagging(t *testing.T) {
	var put xmlTagging
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		if _, ok := r.URL.Query()["tagging"]; !ok {
			t.Errorf("no ?tagging in %s", r.URL.RawQuery)
		}
		w.Header().Set("X-Amz-Version-Id", "ver-9")
		switch r.Method {
		case http.MethodPut:
			if r.Header.Get("Content-Md5") == "" {
				t.Error("PutObjectTagging without Content-MD5")
			}
			if err := xml.Unmarshal(body, &put); err != nil {
				t.Errorf("tagging body %q: %v", body, err)
			}
		case http.MethodGet:
			writeXML(w, `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>a&amp;b</Key><Value></Value></Tag></TagSet></Tagging>`)
		}
	})
	c := newClient(t, f.URL)
	ctx := context.Background()
	pout, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", VersionID: "ver-9",
		TagSet: []Tag{{"env", "prod"}, {"a b", "x:y/z@w"}}})
	if err != nil || pout.VersionID != "ver-9" {
		t.Fatalf("PutObjectTagging = %+v, %v", pout, err)
	}
	if want := []xmlTag{{"env", "prod"}, {"a b", "x:y/z@w"}}; !slices.Equal(put.TagSet, want) {
		t.Errorf("sent tags %+v, want %+v", put.TagSet, want)
	}
	if q := f.rec.all()[0].URL.Query(); q.Get("versionId") != "ver-9" {
		t.Errorf("query %v", q)
	}
	gout, err := c.GetObjectTagging(ctx, &GetObjectTaggingInput{Bucket: "bkt", Key: "k"})
	if err != nil {
		t.Fatalf("GetObjectTagging: %v", err)
	}
	if want := []Tag{{"env", "prod"}, {"a&b", ""}}; !slices.Equal(gout.TagSet, want) || gout.VersionID != "ver-9" {
		t.Errorf("GetObjectTagging = %+v, want %+v", gout, want)
	}
}

func TestDeleteObjectsPerKeyErrors(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		var d xmlDelete
		if err := xml.Unmarshal(body, &d); err != nil {
			t.Errorf("body: %v", err)
		}
		var b strings.Builder
		b.WriteString("<DeleteResult>")
		for _, o := range d.Objects {
			if strings.HasPrefix(o.Key, "locked") {
				fmt.Fprintf(&b, "<Error><Key>%s</Key><VersionId>%s</VersionId><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", o.Key, o.VersionID)
			} else if !d.Quiet {
				fmt.Fprintf(&b, "<Deleted><Key>%s</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>dm-%s</DeleteMarkerVersionId></Deleted>", o.Key, o.Key)
			}
		}
		b.WriteString("</DeleteResult>")
		writeXML(w, b.String())
	})
	c := newClient(t, f.URL)
	out, err := c.DeleteObjects(context.Background(), &DeleteObjectsInput{Bucket: "bkt",
		Objects: []ObjectIdentifier{{Key: "a"}, {Key: "locked-1", VersionID: "v1"}, {Key: "b"}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	wantDeleted := []DeletedObject{{Key: "a", DeleteMarker: true, DeleteMarkerVersionID: "dm-a"}, {Key: "b", DeleteMarker: true, DeleteMarkerVersionID: "dm-b"}}
	wantErrors := []DeleteError{{Key: "locked-1", VersionID: "v1", Code: "AccessDenied", Message: "Access Denied"}}
	if !slices.Equal(out.Deleted, wantDeleted) || !slices.Equal(out.Errors, wantErrors) {
		t.Errorf("output = %+v", out)
	}

	// A failing batch stops the run and returns what earlier batches did.
	g := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, body []byte) {
		if n == 2 {
			writeError(w, http.StatusForbidden, "AccessDenied", "no")
			return
		}
		writeXML(w, "<DeleteResult><Deleted><Key>x</Key></Deleted></DeleteResult>")
	})
	objs := make([]ObjectIdentifier, 2*MaxDeleteObjects+1)
	for i := range objs {
		objs[i].Key = strconv.Itoa(i)
	}
	out, err = newClient(t, g.URL).DeleteObjects(context.Background(), &DeleteObjectsInput{Bucket: "bkt", Objects: objs})
	if !IsForbidden(err) || out == nil || len(out.Deleted) != 1 || g.count() != 2 {
		t.Errorf("second batch refused: out %+v, err %v, %d requests", out, err, g.count())
	}
}

// TestListDecoding checks encoding-type=url: keys S3 encoded are decoded
// (control characters, spaces sent as "+"), and keys of a store that ignored
// the parameter are left alone.
func TestListDecoding(t *testing.T) {
	const encoded = `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bkt</Name><Prefix>dir%2F</Prefix><Delimiter>%2F</Delimiter><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType>
  <KeyCount>3</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>
  <Contents><Key>dir/a%01b</Key><LastModified>2025-01-02T03:04:05.000Z</LastModified><ETag>"e1"</ETag><Size>11</Size>
    <StorageClass>STANDARD</StorageClass><Owner><ID>owner-id</ID><DisplayName>me</DisplayName></Owner>
    <ChecksumAlgorithm>CRC32C</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType></Contents>
  <Contents><Key>dir/sp+ace%2Bplus%25</Key><LastModified>2025-01-02T03:04:05Z</LastModified><ETag>"e2"</ETag><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>dir/sub%0A/</Prefix></CommonPrefixes>
</ListBucketResult>`
	const raw = `<ListBucketResult><Name>bkt</Name><IsTruncated>false</IsTruncated>
  <Contents><Key>50%+off</Key><Size>1</Size></Contents></ListBucketResult>`
	doc := encoded
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) { writeXML(w, doc) })
	c := newClient(t, f.URL)
	out, err := c.ListObjectsV2(context.Background(), &ListObjectsV2Input{Bucket: "bkt", Prefix: "dir/", Delimiter: "/",
		MaxKeys: 2, FetchOwner: true, StartAfter: "dir/0", ContinuationToken: "prev tok"})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	q := f.rec.all()[0].URL.Query()
	for name, v := range map[string]string{"list-type": "2", "encoding-type": "url", "prefix": "dir/", "delimiter": "/",
		"max-keys": "2", "fetch-owner": "true", "start-after": "dir/0", "continuation-token": "prev tok"} {
		if q.Get(name) != v {
			t.Errorf("query %s = %q, want %q", name, q.Get(name), v)
		}
	}
	if len(out.Contents) != 2 {
		t.Fatalf("contents %+v", out.Contents)
	}
	o := out.Contents[0]
	if o.Key != "dir/a\x01b" || o.Size != 11 || o.ETag != `"e1"` || o.StorageClass != "STANDARD" ||
		o.Owner == nil || *o.Owner != (Owner{"owner-id", "me"}) || !slices.Equal(o.ChecksumAlgorithm, []ChecksumAlgorithm{ChecksumCRC32C}) ||
		o.ChecksumType != "FULL_OBJECT" || !o.LastModified.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("object 0 = %+v", o)
	}
	if k := out.Contents[1].Key; k != "dir/sp ace+plus%" {
		t.Errorf("object 1 key = %q", k)
	}
	if !slices.Equal(out.CommonPrefixes, []string{"dir/sub\n/"}) || out.Prefix != "dir/" || out.Delimiter != "/" {
		t.Errorf("prefixes %q prefix %q delimiter %q", out.CommonPrefixes, out.Prefix, out.Delimiter)
	}
	if !out.IsTruncated || out.NextContinuationToken != "tok+/=" || out.KeyCount != 3 || out.MaxKeys != 2 {
		t.Errorf("page = %+v", out)
	}

	doc = raw
	out, err = c.ListObjectsV2(context.Background(), &ListObjectsV2Input{Bucket: "bkt"})
	if err != nil || len(out.Contents) != 1 || out.Contents[0].Key != "50%+off" {
		t.Errorf("unencoded answer: %+v, %v", out, err)
	}

	doc = `<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>bad%zz</Key></Contents></ListBucketResult>`
	_, err = c.ListObjectsV2(context.Background(), &ListObjectsV2Input{Bucket: "bkt"})
	if err == nil {
		t.Error("malformed encoded key accepted")
	}
	doc = `<ListBucketResult><Contents><Key>cut`
	_, err = c.ListObjectsV2(context.Background(), &ListObjectsV2Input{Bucket: "bkt"})
	if ErrorCode(err) != "" || err == nil || !strings.Contains(err.Error(), "decoding response") {
		t.Errorf("truncated document: %v", err)
	}
}

// pagedFake serves pages of a listing by a marker query parameter; pages
// maps the marker value ("" first) to a document.
func pagedFake(t *testing.T, param string, pages map[string]string) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		doc, ok := pages[r.URL.Query().Get(param)]
		if !ok {
			t.Errorf("unexpected %s=%q", param, r.URL.Query().Get(param))
			writeError(w, http.StatusBadRequest, "InvalidArgument", "bad marker")
			return
		}
		writeXML(w, doc)
	})
}

func TestIteratorsPaging(t *testing.T) {
	ctx := context.Background()
	t.Run("AllObjects", func(t *testing.T) {
		f := pagedFake(t, "continuation-token", map[string]string{
			"":   `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken><Contents><Key>a</Key></Contents><Contents><Key>b</Key></Contents></ListBucketResult>`,
			"t1": `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken></ListBucketResult>`,
			"t2": `<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>c</Key></Contents></ListBucketResult>`,
		})
		var got []string
		for o, err := range newClient(t, f.URL).AllObjects(ctx, &ListObjectsV2Input{Bucket: "bkt"}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, o.Key)
		}
		if !slices.Equal(got, []string{"a", "b", "c"}) || f.count() != 3 {
			t.Errorf("keys %q in %d requests", got, f.count())
		}
	})
	t.Run("AllObjects without progress", func(t *testing.T) {
		f := pagedFake(t, "continuation-token", map[string]string{
			"": `<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents></ListBucketResult>`,
		})
		var keys, errs int
		for _, err := range newClient(t, f.URL).AllObjects(ctx, &ListObjectsV2Input{Bucket: "bkt"}) {
			if err != nil {
				errs++
			} else {
				keys++
			}
		}
		if keys != 1 || errs != 1 || f.count() != 1 {
			t.Errorf("%d keys, %d errors, %d requests; want 1, 1, 1", keys, errs, f.count())
		}
	})
	t.Run("AllObjectVersions", func(t *testing.T) {
		f := pagedFake(t, "key-marker", map[string]string{
			"": `<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>k1</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker>
				<Version><Key>k1</Key><VersionId>v3</VersionId><IsLatest>false</IsLatest><Size>3</Size><ETag>"e"</ETag></Version>
				<DeleteMarker><Key>k1</Key><VersionId>v4</VersionId><IsLatest>true</IsLatest></DeleteMarker>
				<Version><Key>k1</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest><Size>2</Size></Version></ListVersionsResult>`,
			"k1": `<ListVersionsResult><IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>
				<Version><Key>k%202</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><Size>1</Size></Version></ListVersionsResult>`,
		})
		var got []string
		for v, err := range newClient(t, f.URL).AllObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "bkt"}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s/%s/%v/%v/%d", v.Key, v.VersionID, v.IsLatest, v.IsDeleteMarker, v.Size))
		}
		want := []string{"k1/v3/false/false/3", "k1/v4/true/true/0", "k1/v2/false/false/2", "k 2/null/true/false/1"}
		if !slices.Equal(got, want) {
			t.Errorf("versions %q, want %q", got, want)
		}
		if q := f.rec.all()[1].URL.Query(); q.Get("version-id-marker") != "v2" || q.Get("encoding-type") != "url" {
			t.Errorf("second page query %v", q)
		}
	})
	t.Run("AllParts", func(t *testing.T) {
		f := pagedFake(t, "part-number-marker", map[string]string{
			"": `<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker><ChecksumAlgorithm>CRC32C</ChecksumAlgorithm>
				<Part><PartNumber>1</PartNumber><ETag>"p1"</ETag><Size>5242880</Size><ChecksumCRC32C>AAAAAQ==</ChecksumCRC32C></Part>
				<Part><PartNumber>2</PartNumber><ETag>"p2"</ETag><Size>5242880</Size></Part></ListPartsResult>`,
			"2": `<ListPartsResult><IsTruncated>false</IsTruncated>
				<Part><PartNumber>5</PartNumber><ETag>"p5"</ETag><Size>7</Size><LastModified>2025-01-02T03:04:05.000Z</LastModified></Part></ListPartsResult>`,
		})
		var got []Part
		for p, err := range newClient(t, f.URL).AllParts(ctx, &ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u", MaxParts: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p)
		}
		if len(got) != 3 || got[0].Checksums.CRC32C != "AAAAAQ==" || got[2].PartNumber != 5 || got[2].Size != 7 || got[2].LastModified.IsZero() {
			t.Errorf("parts %+v", got)
		}
		if q := f.rec.all()[1].URL.Query(); q.Get("max-parts") != "2" || q.Get("uploadId") != "u" {
			t.Errorf("second page query %v", q)
		}
	})
	t.Run("AllMultipartUploads", func(t *testing.T) {
		f := pagedFake(t, "key-marker", map[string]string{
			"": `<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>b</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>
				<Upload><Key>a</Key><UploadId>u1</UploadId><Initiated>2025-01-02T03:04:05.000Z</Initiated><StorageClass>STANDARD</StorageClass><ChecksumAlgorithm>SHA256</ChecksumAlgorithm></Upload>
				<Upload><Key>b</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>`,
			"b": `<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><EncodingType>url</EncodingType>
				<Upload><Key>c%2Bd</Key><UploadId>u3</UploadId></Upload></ListMultipartUploadsResult>`,
		})
		var got []MultipartUpload
		for u, err := range newClient(t, f.URL).AllMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: "bkt"}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, u)
		}
		if len(got) != 3 || got[0].ChecksumAlgorithm != ChecksumSHA256 || got[0].Initiated.IsZero() || got[2].Key != "c+d" {
			t.Errorf("uploads %+v", got)
		}
		if q := f.rec.all()[1].URL.Query(); q.Get("upload-id-marker") != "u2" {
			t.Errorf("second page query %v", q)
		}
	})
}

func TestBucketRequests(t *testing.T) {
	ctx := context.Background()
	t.Run("CreateBucket location", func(t *testing.T) {
		tests := []struct {
			region, constraint, wantBody string
		}{
			{"us-east-1", "", ""},
			{"eu-west-2", "", "eu-west-2"},
			{"us-east-1", "ap-northeast-1", "ap-northeast-1"},
			{"eu-west-2", "us-east-1", ""},
		}
		for _, tt := range tests {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) { w.Header().Set("Location", "/new-bkt") })
			c := newClient(t, f.URL, func(cfg *Config) { cfg.Region = tt.region })
			out, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: "new-bkt", LocationConstraint: tt.constraint,
				ObjectLockEnabledForBucket: true, ObjectOwnership: "BucketOwnerEnforced", ACL: "private"})
			if err != nil || out.Location != "/new-bkt" {
				t.Fatalf("CreateBucket = %+v, %v", out, err)
			}
			var cfg xmlCreateBucketConfiguration
			if b := f.bodyOf(1); len(b) > 0 {
				if err := xml.Unmarshal(b, &cfg); err != nil {
					t.Errorf("body %q: %v", b, err)
				}
			}
			if cfg.LocationConstraint != tt.wantBody {
				t.Errorf("region %s constraint %q: sent %q, want %q", tt.region, tt.constraint, cfg.LocationConstraint, tt.wantBody)
			}
			r := f.rec.all()[0]
			if r.Method != http.MethodPut || r.URL.Path != "/new-bkt" || r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled") != "true" ||
				r.Header.Get("X-Amz-Object-Ownership") != "BucketOwnerEnforced" || r.Header.Get("X-Amz-Acl") != "private" {
				t.Errorf("request %s %s %v", r.Method, r.URL.Path, r.Header)
			}
		}
	})
	t.Run("GetBucketLocation", func(t *testing.T) {
		for answer, want := range map[string]string{"": "us-east-1", "EU": "eu-west-1", "eu-central-1": "eu-central-1"} {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				writeXML(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+answer+`</LocationConstraint>`)
			})
			out, err := newClient(t, f.URL).GetBucketLocation(ctx, &GetBucketLocationInput{Bucket: "bkt"})
			if err != nil || out.Region != want || out.LocationConstraint != answer {
				t.Errorf("%q: %+v, %v; want region %s", answer, out, err, want)
			}
		}
	})
	t.Run("ListBuckets pages", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
			if r.URL.Path != "/" {
				t.Errorf("path %q", r.URL.Path)
			}
			writeXML(w, `<ListAllMyBucketsResult><Owner><ID>oid</ID><DisplayName>me</DisplayName></Owner><Buckets>
				<Bucket><Name>b-one</Name><CreationDate>2020-01-02T03:04:05.000Z</CreationDate><BucketRegion>eu-west-1</BucketRegion></Bucket>
				</Buckets><ContinuationToken>next</ContinuationToken><Prefix>b-</Prefix></ListAllMyBucketsResult>`)
		})
		out, err := newClient(t, f.URL).ListBuckets(ctx, &ListBucketsInput{Prefix: "b-", MaxBuckets: 1, BucketRegion: "eu-west-1", ContinuationToken: "prev"})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Buckets) != 1 || out.Buckets[0].Name != "b-one" || out.Buckets[0].BucketRegion != "eu-west-1" ||
			out.ContinuationToken != "next" || out.Owner.ID != "oid" || out.Prefix != "b-" {
			t.Errorf("ListBuckets = %+v", out)
		}
		q := f.rec.all()[0].URL.Query()
		if q.Get("max-buckets") != "1" || q.Get("prefix") != "b-" || q.Get("bucket-region") != "eu-west-1" || q.Get("continuation-token") != "prev" {
			t.Errorf("query %v", q)
		}
	})
}
