package s3client

// Operations against the in-process gofakes3 server (internal/testkit/s3test):
// every operation gofakes3 implements, path style and virtual-host style.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
)

func TestBucketOperations(t *testing.T) {
	_, c, _ := fakeS3(t)
	ctx := context.Background()

	if _, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: "alpha"}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: "beta", ACL: "private"}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.HeadBucket(ctx, &HeadBucketInput{Bucket: "alpha"}); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	lb, err := c.ListBuckets(ctx, &ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, b.Name)
		if b.CreationDate.IsZero() {
			t.Errorf("bucket %s: zero CreationDate", b.Name)
		}
	}
	slices.Sort(names) // S3 lists in name order; gofakes3 in map order
	if !slices.Equal(names, []string{"alpha", "beta"}) {
		t.Errorf("ListBuckets = %v, want [alpha beta]", names)
	}
	if lb.Owner == nil || lb.Owner.ID == "" {
		t.Errorf("ListBuckets owner = %+v", lb.Owner)
	}
	loc, err := c.GetBucketLocation(ctx, &GetBucketLocationInput{Bucket: "alpha"})
	if err != nil {
		t.Fatalf("GetBucketLocation: %v", err)
	}
	if loc.LocationConstraint != "" || loc.Region != "us-east-1" {
		t.Errorf("GetBucketLocation = %+v, want empty constraint, us-east-1", loc)
	}

	if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: "beta", Key: "k", Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	err = c.DeleteBucket(ctx, &DeleteBucketInput{Bucket: "beta"})
	if ErrorCode(err) != "BucketNotEmpty" {
		t.Errorf("DeleteBucket(non-empty) = %v, want BucketNotEmpty", err)
	}
	if err := c.DeleteBucket(ctx, &DeleteBucketInput{Bucket: "alpha"}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &HeadBucketInput{Bucket: "alpha"})
	if !IsNotFound(err) || ErrorCode(err) != "NotFound" {
		t.Errorf("HeadBucket(deleted) = %v, want NotFound", err)
	}
	_, err = c.GetBucketLocation(ctx, &GetBucketLocationInput{Bucket: "alpha"})
	if !IsNotFound(err) || ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("GetBucketLocation(deleted) = %v, want NoSuchBucket", err)
	}
}

func TestObjectOperations(t *testing.T) {
	srv, c, _ := fakeS3(t)
	srv.CreateBucket(t, "bkt")
	ctx := context.Background()

	keys := []string{"plain", "dir/sub/file.txt", "with space", "plus+sign", "pct%41", "ünïcødé/ключ", "a?b#c&d=e", "tilde~*'()!"}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			body := "content of " + key
			put, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: key, Body: strings.NewReader(body),
				ObjectProperties: ObjectProperties{ContentType: "text/plain", Metadata: map[string]string{"Color": "blue"}}})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			if put.ETag == "" || put.Size != int64(len(body)) {
				t.Errorf("PutObject = %+v", put)
			}
			got, _ := srv.GetObject(t, "bkt", key)
			if string(got) != body {
				t.Errorf("stored %q, want %q", got, body)
			}
			g, err := c.GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: key})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			data, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil || string(data) != body {
				t.Errorf("GetObject body = %q, %v", data, err)
			}
			if g.ContentType != "text/plain" || g.Metadata["color"] != "blue" || g.ETag != put.ETag {
				t.Errorf("GetObject meta = type %q meta %v etag %q", g.ContentType, g.Metadata, g.ETag)
			}
			h, err := c.HeadObject(ctx, &GetObjectInput{Bucket: "bkt", Key: key})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if h.ContentLength != int64(len(body)) || h.ETag != put.ETag {
				t.Errorf("HeadObject = length %d etag %q", h.ContentLength, h.ETag)
			}
			r, err := c.GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: key, Range: "bytes=0-6"})
			if err != nil {
				t.Fatalf("GetObject range: %v", err)
			}
			data, _ = io.ReadAll(r.Body)
			r.Body.Close()
			if string(data) != body[:7] {
				t.Errorf("range body = %q, want %q", data, body[:7])
			}
			if _, err := c.DeleteObject(ctx, &DeleteObjectInput{Bucket: "bkt", Key: key}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			_, err = c.HeadObject(ctx, &GetObjectInput{Bucket: "bkt", Key: key})
			if !errors.Is(err, ErrNotFound) || !IsNotFound(err) {
				t.Errorf("HeadObject(deleted) = %v, want ErrNotFound", err)
			}
			_, err = c.GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: key})
			if !IsNotFound(err) || ErrorCode(err) != "NoSuchKey" {
				t.Errorf("GetObject(deleted) = %v, want NoSuchKey", err)
			}
		})
	}
}

func TestChecksumRoundTrip(t *testing.T) {
	srv, c, _ := fakeS3(t)
	srv.CreateBucket(t, "bkt")
	ctx := context.Background()
	data := bytes.Repeat([]byte("checksummed "), 1000)
	for _, alg := range allChecksums {
		t.Run(string(alg), func(t *testing.T) {
			key := "obj-" + string(alg)
			put, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: key, Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			want, _ := s3test.ChecksumValue(alg.Header(), data)
			_, meta := srv.GetObject(t, "bkt", key)
			if got := meta[http.CanonicalHeaderKey(alg.Header())]; got != want {
				t.Errorf("stored %s = %q, want %q (put output %+v)", alg.Header(), got, want, put.Checksums)
			}
			g, err := c.GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: key, ChecksumMode: true})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			if _, ok := g.Body.(*verifier); !ok {
				t.Errorf("GetObject with ChecksumMode did not verify (checksums %+v)", g.Checksums)
			}
			got, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("GetObject = %d bytes, %v", len(got), err)
			}
		})
	}
}

func TestCopyObject(t *testing.T) {
	srv, c, _ := fakeS3(t)
	srv.CreateBucket(t, "src")
	srv.CreateBucket(t, "dst")
	ctx := context.Background()
	for _, key := range []string{"simple", "a b/c+d", "100%/ü?x=y", "dir//double"} {
		t.Run(key, func(t *testing.T) {
			srv.PutObject(t, "src", key, []byte("data:"+key), map[string]string{"Content-Type": "text/x-src", "X-Amz-Meta-Origin": "src"})
			out, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "dst", Key: key + ".copy", CopySource: CopySource{Bucket: "src", Key: key}})
			if err != nil {
				t.Fatalf("CopyObject: %v", err)
			}
			if out.ETag == "" || out.LastModified.IsZero() {
				t.Errorf("CopyObject = %+v", out)
			}
			got, meta := srv.GetObject(t, "dst", key+".copy")
			if string(got) != "data:"+key || meta["X-Amz-Meta-Origin"] != "src" {
				t.Errorf("copy = %q meta %v", got, meta)
			}
		})
	}
	t.Run("replace metadata", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "dst", Key: "replaced", CopySource: CopySource{Bucket: "src", Key: "simple"},
			MetadataDirective: "REPLACE", ObjectProperties: ObjectProperties{Metadata: map[string]string{"origin": "replaced"}}})
		if err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		_, meta := srv.GetObject(t, "dst", "replaced")
		if meta["X-Amz-Meta-Origin"] != "replaced" {
			t.Errorf("meta = %v", meta)
		}
	})
	t.Run("missing source", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "dst", Key: "x", CopySource: CopySource{Bucket: "src", Key: "nope"}})
		if !IsNotFound(err) {
			t.Errorf("CopyObject(missing) = %v, want not found", err)
		}
	})
}

func TestDeleteObjects(t *testing.T) {
	srv, c, rec := fakeS3(t)
	srv.CreateBucket(t, "bkt")
	ctx := context.Background()
	const n = 2*MaxDeleteObjects + 500
	var objs []ObjectIdentifier
	for i := range n {
		key := fmt.Sprintf("k/%05d", i)
		if i%2 == 0 { // half exist; deleting a missing key succeeds too
			srv.PutObject(t, "bkt", key, []byte{byte(i)}, nil)
		}
		objs = append(objs, ObjectIdentifier{Key: key})
	}
	for _, quiet := range []bool{false, true} {
		t.Run(fmt.Sprintf("quiet=%v", quiet), func(t *testing.T) {
			rec.reset()
			out, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "bkt", Objects: objs, Quiet: quiet})
			if err != nil {
				t.Fatalf("DeleteObjects: %v", err)
			}
			reqs := rec.all()
			if len(reqs) != 3 {
				t.Fatalf("%d requests, want 3 batches", len(reqs))
			}
			for _, r := range reqs {
				if r.Method != http.MethodPost || r.URL.RawQuery != "delete=" {
					t.Errorf("request %s ?%s", r.Method, r.URL.RawQuery)
				}
				if r.Header.Get("Content-Md5") == "" {
					t.Errorf("no Content-MD5 on a custom endpoint without a checksum")
				}
			}
			if len(out.Errors) != 0 {
				t.Errorf("errors: %+v", out.Errors)
			}
			if quiet && len(out.Deleted) != 0 {
				t.Errorf("quiet: %d deleted reported", len(out.Deleted))
			}
			if !quiet {
				if len(out.Deleted) != n {
					t.Fatalf("deleted %d, want %d", len(out.Deleted), n)
				}
				if out.Deleted[0].Key != "k/00000" || out.Deleted[n-1].Key != fmt.Sprintf("k/%05d", n-1) {
					t.Errorf("deleted order: first %q last %q", out.Deleted[0].Key, out.Deleted[n-1].Key)
				}
			}
		})
	}
	lo, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "bkt"})
	if err != nil || len(lo.Contents) != 0 {
		t.Errorf("after delete: %d objects, %v", len(lo.Contents), err)
	}
}

func TestListObjectsV2(t *testing.T) {
	srv, c, rec := fakeS3(t)
	srv.CreateBucket(t, "bkt")
	ctx := context.Background()
	keys := []string{"a/1", "a/2", "a/b/3", "c", "d/4", "d/5", "e+f g", "z"}
	for _, k := range keys {
		srv.PutObject(t, "bkt", k, []byte(k), nil)
	}

	tests := []struct {
		name     string
		in       ListObjectsV2Input
		keys     []string
		prefixes []string
	}{
		{"all", ListObjectsV2Input{}, keys, nil},
		{"prefix", ListObjectsV2Input{Prefix: "a/"}, []string{"a/1", "a/2", "a/b/3"}, nil},
		{"delimiter", ListObjectsV2Input{Delimiter: "/"}, []string{"c", "e+f g", "z"}, []string{"a/", "d/"}},
		{"prefix and delimiter", ListObjectsV2Input{Prefix: "a/", Delimiter: "/"}, []string{"a/1", "a/2"}, []string{"a/b/"}},
		{"start after", ListObjectsV2Input{StartAfter: "d/4"}, []string{"d/5", "e+f g", "z"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket = "bkt"
			out, err := c.ListObjectsV2(ctx, &in)
			if err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			var got []string
			for _, o := range out.Contents {
				got = append(got, o.Key)
				if o.Size != int64(len(o.Key)) || o.ETag == "" || o.LastModified.IsZero() {
					t.Errorf("object %+v", o)
				}
			}
			if !slices.Equal(got, tt.keys) || !slices.Equal(out.CommonPrefixes, tt.prefixes) {
				t.Errorf("keys %q prefixes %q, want %q %q", got, out.CommonPrefixes, tt.keys, tt.prefixes)
			}
		})
	}

	t.Run("AllObjects pages", func(t *testing.T) {
		rec.reset()
		var got []string
		for o, err := range c.AllObjects(ctx, &ListObjectsV2Input{Bucket: "bkt", MaxKeys: 3}) {
			if err != nil {
				t.Fatalf("AllObjects: %v", err)
			}
			got = append(got, o.Key)
		}
		if !slices.Equal(got, keys) {
			t.Errorf("AllObjects = %q, want %q", got, keys)
		}
		if n := rec.count(); n != 3 {
			t.Errorf("%d requests for %d keys by 3, want 3", n, len(keys))
		}
	})
	t.Run("AllObjects break", func(t *testing.T) {
		rec.reset()
		var got []string
		for o, err := range c.AllObjects(ctx, &ListObjectsV2Input{Bucket: "bkt", MaxKeys: 2}) {
			if err != nil {
				t.Fatalf("AllObjects: %v", err)
			}
			got = append(got, o.Key)
			if len(got) == 3 {
				break
			}
		}
		if n := rec.count(); n != 2 || len(got) != 3 {
			t.Errorf("break after 3 keys: %d requests, %d keys; want 2, 3", n, len(got))
		}
	})
	t.Run("AllObjects error", func(t *testing.T) {
		n := 0
		for _, err := range c.AllObjects(ctx, &ListObjectsV2Input{Bucket: "missing"}) {
			n++
			if !IsNotFound(err) {
				t.Errorf("AllObjects(missing bucket) error = %v", err)
			}
		}
		if n != 1 {
			t.Errorf("yielded %d times, want 1", n)
		}
	})
	// gofakes3 lists no owners; fakeops_test.go checks FetchOwner's decoding.
	t.Run("truncated page", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "bkt", MaxKeys: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != 1 || out.Contents[0].Key != keys[0] {
			t.Errorf("MaxKeys 1: %+v", out.Contents)
		}
		if !out.IsTruncated || out.NextContinuationToken == "" {
			t.Errorf("MaxKeys 1 of %d: truncated %v token %q", len(keys), out.IsTruncated, out.NextContinuationToken)
		}
	})
}

func TestListObjectVersions(t *testing.T) {
	srv, c, _ := fakeS3(t)
	srv.CreateBucket(t, "ver")
	vb, ok := srv.Backend().(gofakes3.VersionedBackend)
	if !ok {
		t.Fatal("s3test backend does not support versions")
	}
	if err := vb.SetVersioningConfiguration("ver", gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		out, err := c.PutObject(ctx, &PutObjectInput{Bucket: "ver", Key: "doc", Body: strings.NewReader(fmt.Sprint("v", i))})
		if err != nil {
			t.Fatal(err)
		}
		if out.VersionID == "" {
			t.Fatal("PutObject: no version ID in a versioned bucket")
		}
		ids = append(ids, out.VersionID)
	}
	del, err := c.DeleteObject(ctx, &DeleteObjectInput{Bucket: "ver", Key: "doc"})
	if err != nil || !del.DeleteMarker {
		t.Fatalf("DeleteObject = %+v, %v; want a delete marker", del, err)
	}
	if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: "ver", Key: "other", Body: strings.NewReader("o")}); err != nil {
		t.Fatal(err)
	}

	out, err := c.ListObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "ver"})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	var markers, versions int
	seen := map[string]bool{}
	for _, v := range out.Versions {
		if v.IsDeleteMarker {
			markers++
			if v.Key != "doc" || !v.IsLatest || v.VersionID != del.VersionID {
				t.Errorf("delete marker %+v, want latest of doc with ID %q", v, del.VersionID)
			}
		} else {
			versions++
			seen[v.VersionID] = true
		}
	}
	if markers != 1 || versions != 4 {
		t.Errorf("%d markers, %d versions; want 1, 4: %+v", markers, versions, out.Versions)
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("version %s not listed", id)
		}
	}

	// gofakes3 sends no NextKeyMarker, so its versions cannot be paged;
	// paging_test.go pages AllObjectVersions against a fake.
	var all []ObjectVersion
	for v, err := range c.AllObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "ver"}) {
		if err != nil {
			t.Fatalf("AllObjectVersions: %v", err)
		}
		all = append(all, v)
	}
	if len(all) != len(out.Versions) {
		t.Errorf("AllObjectVersions gave %d entries, one page gave %d", len(all), len(out.Versions))
	}

	// A version can be read and deleted by ID.
	g, err := c.GetObject(ctx, &GetObjectInput{Bucket: "ver", Key: "doc", VersionID: ids[0]})
	if err != nil {
		t.Fatalf("GetObject(version): %v", err)
	}
	b, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if string(b) != "v0" {
		t.Errorf("version 0 = %q", b)
	}
}

func TestMultipartUpload(t *testing.T) {
	srv, c, _ := fakeS3(t)
	srv.CreateBucket(t, "bkt")
	ctx := context.Background()
	key := "big/ob ject+1"

	cr, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: key,
		ObjectProperties: ObjectProperties{ContentType: "application/x-test", Metadata: map[string]string{"m": "1"}}})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	if cr.UploadID == "" || cr.Bucket != "bkt" || cr.Key != key {
		t.Fatalf("CreateMultipartUpload = %+v", cr)
	}
	parts := [][]byte{bytes.Repeat([]byte{'a'}, 70000), bytes.Repeat([]byte{'b'}, 1<<20+3), []byte("tail")}
	var done []CompletedPart
	var sent int64
	for i, p := range parts {
		// A section reader, as the multipart engine passes them.
		sr := io.NewSectionReader(bytes.NewReader(p), 0, int64(len(p)))
		up, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: key, UploadID: cr.UploadID, PartNumber: i + 1,
			Body: sr, ContentLength: int64(len(p)), ChecksumAlgorithm: ChecksumCRC32C, Progress: func(n int64) { sent += n }})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if up.ETag == "" {
			t.Fatalf("UploadPart %d: no ETag", i+1)
		}
		done = append(done, CompletedPart{PartNumber: i + 1, ETag: up.ETag})
	}
	total := int64(len(parts[0]) + len(parts[1]) + len(parts[2]))
	if sent != total {
		t.Errorf("progress = %d, want %d", sent, total)
	}

	lp, err := c.ListParts(ctx, &ListPartsInput{Bucket: "bkt", Key: key, UploadID: cr.UploadID})
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	if len(lp.Parts) != 3 || lp.IsTruncated {
		t.Fatalf("ListParts = %+v", lp)
	}
	for i, p := range lp.Parts {
		if p.PartNumber != i+1 || p.Size != int64(len(parts[i])) || p.ETag != done[i].ETag {
			t.Errorf("part %d = %+v", i+1, p)
		}
	}
	var n int
	for p, err := range c.AllParts(ctx, &ListPartsInput{Bucket: "bkt", Key: key, UploadID: cr.UploadID}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		_ = p
	}
	if n != 3 {
		t.Errorf("AllParts: %d parts", n)
	}

	other, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: "other"})
	if err != nil {
		t.Fatal(err)
	}
	lu, err := c.ListMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: "bkt"})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	if len(lu.Uploads) != 2 || lu.Uploads[0].Key != key || lu.Uploads[0].UploadID != cr.UploadID ||
		lu.Uploads[1].Key != "other" || lu.Uploads[0].Initiated.IsZero() {
		t.Errorf("ListMultipartUploads = %+v", lu.Uploads)
	}
	if err := c.AbortMultipartUpload(ctx, &AbortMultipartUploadInput{Bucket: "bkt", Key: "other", UploadID: other.UploadID}); err != nil {
		t.Fatalf("AbortMultipartUpload: %v", err)
	}
	_, err = c.ListParts(ctx, &ListPartsInput{Bucket: "bkt", Key: "other", UploadID: other.UploadID})
	if !IsNotFound(err) || ErrorCode(err) != "NoSuchUpload" {
		t.Errorf("ListParts(aborted) = %v, want NoSuchUpload", err)
	}

	co, err := c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "bkt", Key: key, UploadID: cr.UploadID, Parts: done})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if !strings.HasSuffix(strings.Trim(co.ETag, `"`), "-3") || co.Key != key {
		t.Errorf("CompleteMultipartUpload = %+v", co)
	}
	got, meta := srv.GetObject(t, "bkt", key)
	if !bytes.Equal(got, bytes.Join(parts, nil)) {
		t.Errorf("assembled object: %d bytes, want %d", len(got), total)
	}
	if meta["Content-Type"] != "application/x-test" || meta["X-Amz-Meta-M"] != "1" {
		t.Errorf("meta = %v", meta)
	}
	_, err = c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "bkt", Key: key, UploadID: cr.UploadID, Parts: done})
	if !IsNotFound(err) {
		t.Errorf("second Complete = %v, want NoSuchUpload", err)
	}
}

// TestVirtualHostStyle runs operations with the bucket in the host name
// ("bucket.localhost:port"), reached through s3test's loopback transport.
func TestVirtualHostStyle(t *testing.T) {
	rec := &recorder{}
	srv := s3test.New(t, s3test.WithRequestRecorder(rec.record))
	c := newClient(t, srv.VirtualHostEndpoint(), func(cfg *Config) {
		cfg.AddressingStyle = AddressingVirtual
		cfg.HTTPClient = srv.HTTPClient()
	})
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: "vhost"}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: "vhost", Key: "dir/a b", Body: strings.NewReader("hello")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	g, err := c.GetObject(ctx, &GetObjectInput{Bucket: "vhost", Key: "dir/a b"})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	b, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if string(b) != "hello" {
		t.Errorf("GetObject = %q", b)
	}
	lo, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "vhost"})
	if err != nil || len(lo.Contents) != 1 || lo.Contents[0].Key != "dir/a b" {
		t.Errorf("ListObjectsV2 = %+v, %v", lo, err)
	}
	for _, r := range rec.all() {
		host := strings.Split(r.Host, ":")[0]
		if host != "vhost.localhost" {
			t.Errorf("%s %s went to host %q, want vhost.localhost", r.Method, r.URL.Path, r.Host)
		}
		if strings.HasPrefix(r.URL.Path, "/vhost") {
			t.Errorf("%s %s: bucket in the path in virtual-host style", r.Method, r.URL.Path)
		}
	}
}
