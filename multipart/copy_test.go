package multipart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/s3kit/s3kit/s3client"
)

var sourceProps = s3client.ObjectProperties{
	ContentType:        "text/csv",
	CacheControl:       "max-age=60",
	ContentDisposition: `attachment; filename="a.csv"`,
	ContentEncoding:    "identity",
	ContentLanguage:    "fr",
	Expires:            time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC),
	Metadata:           map[string]string{"origin": "test", "n": "1"},
}

func seedSource(f *fakeS3, size int64) []byte {
	data := patternBytes(size)
	f.putObject("src", "data.csv", &fakeObject{data: data, size: size, props: sourceProps,
		tags: []s3client.Tag{{Key: "team", Value: "data eng"}, {Key: "tier", Value: "a&b"}}})
	return data
}

func TestCopySmallObject(t *testing.T) {
	f := newFake()
	data := seedSource(f, mib)
	out, err := (&Copier{Client: f}).Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy",
		Source: s3client.CopySource{Bucket: "src", Key: "data.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.callCount("CopyObject") != 1 || f.callCount("CreateMultipartUpload") != 0 || out.UploadID != "" || out.Size != mib {
		t.Errorf("calls %v, output %+v", f.calls, out)
	}
	o := f.object("dst", "copy")
	if !bytes.Equal(o.data, data) || o.props.ContentType != "text/csv" {
		t.Error("copy differs")
	}
	if out.CopySourceVersionID != f.object("src", "data.csv").versionID {
		t.Errorf("CopySourceVersionID = %q", out.CopySourceVersionID)
	}
}

func TestCopyMultipartKeepsMetadata(t *testing.T) {
	checkGoroutines(t)
	f := newFake()
	data := seedSource(f, 2*ps+77)
	src := f.object("src", "data.csv")
	c := &Copier{Client: f, Threshold: ps, PartSize: ps}
	out, err := c.Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy",
		Source:           s3client.CopySource{Bucket: "src", Key: "data.csv"},
		ObjectProperties: s3client.ObjectProperties{ContentType: "ignored/without-replace", StorageClass: "GLACIER_IR"},
		Common:           s3client.Common{ExpectedBucketOwner: "123"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Parts != 3 || out.UploadID == "" || out.Size != 2*ps+77 || out.CopySourceVersionID != src.versionID {
		t.Errorf("output %+v", out)
	}
	if !bytes.Equal(f.object("dst", "copy").data, data) {
		t.Fatal("copied content differs")
	}
	cr := f.created[0]
	want := sourceProps
	want.StorageClass = "GLACIER_IR" // the caller's non-metadata properties stay
	want.Tagging = "team=data%20eng&tier=a%26b"
	if fmt.Sprint(cr.ObjectProperties) != fmt.Sprint(want) {
		t.Errorf("created with\n %+v\nwant\n %+v", cr.ObjectProperties, want)
	}
	if cr.ExpectedBucketOwner != "123" {
		t.Error("Common not passed to the destination's requests")
	}
	wantRanges := map[int]string{1: fmt.Sprintf("bytes=0-%d", ps-1), 2: fmt.Sprintf("bytes=%d-%d", ps, 2*ps-1), 3: fmt.Sprintf("bytes=%d-%d", 2*ps, 2*ps+76)}
	for _, pc := range f.partCopies {
		if pc.CopySourceRange != wantRanges[pc.PartNumber] {
			t.Errorf("part %d range %q, want %q", pc.PartNumber, pc.CopySourceRange, wantRanges[pc.PartNumber])
		}
		// The source is pinned to the version HeadObject saw.
		if pc.CopySourceIfMatch != src.etag {
			t.Errorf("part %d CopySourceIfMatch = %q, want %q", pc.PartNumber, pc.CopySourceIfMatch, src.etag)
		}
	}
	if f.callCount("GetObjectTagging") != 1 {
		t.Errorf("GetObjectTagging called %d times", f.callCount("GetObjectTagging"))
	}
}

func TestCopyReplaceDirectives(t *testing.T) {
	f := newFake()
	seedSource(f, ps+1)
	mine := s3client.ObjectProperties{ContentType: "application/json", Metadata: map[string]string{"mine": "yes"}, Tagging: "k=v"}
	c := &Copier{Client: f, Threshold: ps, PartSize: ps}
	_, err := c.Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy", Source: s3client.CopySource{Bucket: "src", Key: "data.csv"},
		ObjectProperties: mine, MetadataDirective: "REPLACE", TaggingDirective: "REPLACE"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.created[0].ObjectProperties; fmt.Sprint(got) != fmt.Sprint(mine) {
		t.Errorf("created with %+v, want the caller's %+v", got, mine)
	}
	if f.callCount("GetObjectTagging") != 0 {
		t.Error("tags read although replaced")
	}
	_, err = c.Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy", Source: s3client.CopySource{Bucket: "src", Key: "data.csv"},
		MetadataDirective: "MERGE"})
	if err == nil {
		t.Error("an unknown directive was accepted")
	}
}

func TestCopyVersionAndConditions(t *testing.T) {
	f := newFake()
	seedSource(f, 2*ps)
	src := f.object("src", "data.csv")
	c := &Copier{Client: f, Threshold: ps, PartSize: ps}
	since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	in := &CopyInput{Bucket: "dst", Key: "copy",
		Source:                s3client.CopySource{Bucket: "src", Key: "data.csv", VersionID: src.versionID},
		CopySourceConditions:  s3client.CopySourceConditions{CopySourceIfNoneMatch: `"other"`, CopySourceIfModifiedSince: since},
		CopySourceSSECustomer: s3client.SSECustomer{SSECustomerKey: bytes.Repeat([]byte{1}, 32)},
	}
	if _, err := c.Copy(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, pc := range f.partCopies {
		if pc.CopySource != in.Source || pc.CopySourceIfMatch != "" || pc.CopySourceIfNoneMatch != `"other"` ||
			!pc.CopySourceIfModifiedSince.Equal(since) || len(pc.CopySourceSSECustomer.SSECustomerKey) != 32 {
			t.Errorf("part %d: %+v", pc.PartNumber, pc)
		}
	}
	// A failed condition fails the copy and aborts it.
	in.CopySourceIfNoneMatch = src.etag
	_, err := c.Copy(context.Background(), in)
	var ue *UploadError
	if !errors.Is(err, s3client.ErrPreconditionFailed) || !errors.As(err, &ue) || !ue.Aborted {
		t.Errorf("failed condition: %v", err)
	}
}

func TestCopyOver5GiBIsMultipart(t *testing.T) {
	f := newFake()
	f.lazy = true
	size := 6 * gib
	f.putObject("src", "big", &fakeObject{size: size, etag: `"big"`})
	c := &Copier{Client: f, Threshold: 100 * gib} // the threshold cannot exceed CopyObject's limit
	out, err := c.Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "big", Source: s3client.CopySource{Bucket: "src", Key: "big"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Parts != 96 || f.callCount("CopyObject") != 0 || f.object("dst", "big").size != size {
		t.Errorf("output %+v, calls %v", out, f.calls)
	}
}

func TestCopyFailures(t *testing.T) {
	t.Run("part fails", func(t *testing.T) {
		checkGoroutines(t)
		f := newFake()
		seedSource(f, 3*ps)
		f.fault = func(op string, part, _ int) error {
			if op == "UploadPartCopy" && part == 2 {
				return s3err(op, http.StatusForbidden, "AccessDenied")
			}
			return nil
		}
		_, err := (&Copier{Client: f, Threshold: ps, PartSize: ps}).Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy",
			Source: s3client.CopySource{Bucket: "src", Key: "data.csv"}})
		var ue *UploadError
		if !errors.As(err, &ue) || ue.PartNumber != 2 || ue.Op != "Copy" || !ue.Aborted || !errors.Is(err, s3client.ErrForbidden) {
			t.Fatalf("error = %v", err)
		}
		if len(f.openUploads()) != 0 || f.object("dst", "copy") != nil {
			t.Error("failed copy left an upload or an object")
		}
	})
	t.Run("source overwritten during the copy", func(t *testing.T) {
		f := newFake()
		seedSource(f, 3*ps)
		f.hold = func(ctx context.Context, op string, part int) error {
			if part == 1 {
				f.putObject("src", "data.csv", &fakeObject{data: patternBytes(3 * ps)[1:], size: 3*ps - 1})
			}
			return nil
		}
		_, err := (&Copier{Client: f, Threshold: ps, PartSize: ps, Concurrency: 1}).Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy",
			Source: s3client.CopySource{Bucket: "src", Key: "data.csv"}})
		if !errors.Is(err, s3client.ErrPreconditionFailed) {
			t.Fatalf("error = %v, want the pinned ETag to fail", err)
		}
	})
	t.Run("missing source", func(t *testing.T) {
		f := newFake()
		_, err := (&Copier{Client: f}).Copy(context.Background(), &CopyInput{Bucket: "dst", Key: "copy",
			Source: s3client.CopySource{Bucket: "src", Key: "nope"}})
		if !s3client.IsNotFound(err) || f.callCount("CreateMultipartUpload")+f.callCount("CopyObject") != 0 {
			t.Fatalf("error = %v, calls %v", err, f.calls)
		}
	})
	t.Run("bad part size", func(t *testing.T) {
		realMinPartSize(t)
		_, err := (&Copier{Client: newFake(), PartSize: mib}).Copy(context.Background(), &CopyInput{})
		var pse *PartSizeError
		if !errors.As(err, &pse) {
			t.Fatalf("error = %v", err)
		}
	})
}

func TestEncodeTags(t *testing.T) {
	got := s3client.EncodeTagging([]s3client.Tag{{Key: "a b", Value: "c+d"}, {Key: "é", Value: "="}, {Key: "empty", Value: ""}})
	if want := "a%20b=c%2Bd&%C3%A9=%3D&empty="; got != want {
		t.Errorf("encodeTags = %q, want %q", got, want)
	}
	if s3client.EncodeTagging(nil) != "" {
		t.Error("no tags should encode to nothing")
	}
}
