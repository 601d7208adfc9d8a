package conformance

// Object operations with keys and metadata that are hard to sign.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/s3client"
)

func init() {
	register("HardKeys", testHardKeys)
	register("Metadata", testMetadata)
	register("ListPages", testListPages)
	register("DeleteObjects", testDeleteObjects)
	register("ConditionalWrite", testConditionalWrite)
	register("RangeAndConditions", testRangeAndConditions)
}

func testHardKeys(e *env) {
	c := e.client(nil)
	for _, key := range hardKeys() {
		e.t.Run(fmt.Sprintf("%.40q", key), func(t *testing.T) {
			if e.tg.Caps.TreeKeys && strings.Contains(key, "/./") {
				t.Skipf("%s: a tree store refuses keys with a \".\" segment", e.tg.Name)
			}
			body := []byte("data of " + key)
			fileKeys := e.tg.Caps.FileKeys && (strings.Contains(key, "//") || strings.Contains(key, "/./") || strings.HasSuffix(key, "/"))
			if e.tg.Caps.FileKeys && strings.HasSuffix(key, "/") {
				body = nil // a directory object
			}
			if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			head, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if head.ContentLength != int64(len(body)) {
				t.Errorf("HeadObject length %d, want %d", head.ContentLength, len(body))
			}
			if got := getBytes(t, c, e.bucket, key); !bytes.Equal(got, body) {
				t.Errorf("GetObject = %q, want %q", got, body)
			}
			found := false
			for obj, err := range c.AllObjects(e.ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Prefix: key}) {
				if err != nil {
					t.Fatalf("ListObjectsV2: %v", err)
				}
				if obj.Key == key {
					found = true
				}
			}
			if !found && !fileKeys {
				t.Errorf("ListObjectsV2 with the key as prefix does not list it")
			}
			if (fileKeys || e.tg.Caps.TreeKeys) && strings.HasSuffix(key, "/") {
				// A directory is not an object to copy on a file store.
				if _, err := c.DeleteObject(e.ctx, &s3client.DeleteObjectInput{Bucket: e.bucket, Key: key}); err != nil {
					t.Fatalf("DeleteObject: %v", err)
				}
				return
			}
			sum := sha256.Sum256([]byte(key))
			dst := fmt.Sprintf("copies/%x", sum[:8])
			if _, err := c.CopyObject(e.ctx, &s3client.CopyObjectInput{Bucket: e.bucket, Key: dst, CopySource: s3client.CopySource{Bucket: e.bucket, Key: key}}); err != nil {
				t.Fatalf("CopyObject: %v", err)
			}
			if got := getBytes(t, c, e.bucket, dst); !bytes.Equal(got, body) {
				t.Errorf("copy = %q, want %q", got, body)
			}
			for _, k := range []string{key, dst} {
				if _, err := c.DeleteObject(e.ctx, &s3client.DeleteObjectInput{Bucket: e.bucket, Key: k}); err != nil {
					t.Fatalf("DeleteObject %q: %v", k, err)
				}
			}
			if _, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key}); !s3client.IsNotFound(err) {
				t.Errorf("HeadObject after delete: %v, want not found", err)
			}
		})
	}
}

func getBytes(t testing.TB, c *s3client.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3client.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatalf("GetObject %q: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject %q body: %v", key, err)
	}
	return b
}

func testMetadata(e *env) {
	c := e.client(nil)
	key := "meta/object"
	md := map[string]string{"MixedCase": "Inner  Spaces  Kept", "plain": "v"}
	_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: strings.NewReader("x"),
		ObjectProperties: s3client.ObjectProperties{Metadata: md, ContentType: "text/plain; charset=utf-8", CacheControl: "max-age=60", ContentDisposition: `attachment; filename="a b.txt"`}})
	if err != nil {
		e.t.Fatalf("PutObject: %v", err)
	}
	head, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key})
	if err != nil {
		e.t.Fatalf("HeadObject: %v", err)
	}
	if got := head.Metadata["mixedcase"]; got != md["MixedCase"] {
		e.t.Errorf("metadata mixedcase = %q, want %q (all: %v)", got, md["MixedCase"], head.Metadata)
	}
	if head.ContentType != "text/plain; charset=utf-8" || (e.tg.Caps.StoresCacheControl && head.CacheControl != "max-age=60") {
		e.t.Errorf("content headers = %q, %q", head.ContentType, head.CacheControl)
	}
}

func testListPages(e *env) {
	c := e.client(nil)
	prefix := "pages/"
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		k := fmt.Sprintf("%sk%02d", prefix, i)
		want[k] = true
		if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: k, Body: strings.NewReader(k)}); err != nil {
			e.t.Fatal(err)
		}
	}
	got := map[string]bool{}
	for obj, err := range c.AllObjects(e.ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Prefix: prefix, MaxKeys: 3}) {
		if err != nil {
			e.t.Fatal(err)
		}
		got[obj.Key] = true
	}
	if len(got) != len(want) {
		e.t.Errorf("listed %d keys over pages of 3, want %d: %v", len(got), len(want), got)
	}
	out, err := c.ListObjectsV2(e.ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Delimiter: "/", Prefix: ""})
	if err != nil {
		e.t.Fatal(err)
	}
	hasPages := false
	for _, p := range out.CommonPrefixes {
		hasPages = hasPages || p == prefix
	}
	if !hasPages {
		e.t.Errorf("CommonPrefixes %v lack %q", out.CommonPrefixes, prefix)
	}
}

func testDeleteObjects(e *env) {
	c := e.client(nil)
	var ids []s3client.ObjectIdentifier
	for i := 0; i < 5; i++ {
		k := fmt.Sprintf("batch/%d", i)
		if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: k, Body: strings.NewReader(k)}); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, s3client.ObjectIdentifier{Key: k})
	}
	out, err := c.DeleteObjects(e.ctx, &s3client.DeleteObjectsInput{Bucket: e.bucket, Objects: ids})
	if err != nil {
		e.t.Fatalf("DeleteObjects: %v", err)
	}
	if len(out.Errors) != 0 {
		e.t.Errorf("DeleteObjects errors: %+v", out.Errors)
	}
	for obj, err := range c.AllObjects(e.ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Prefix: "batch/"}) {
		if err != nil {
			e.t.Fatal(err)
		}
		e.t.Errorf("%q still listed after DeleteObjects", obj.Key)
	}
}

func testConditionalWrite(e *env) {
	e.need(e.tg.Caps.ConditionalWrites, "conditional writes")
	c := e.client(nil)
	key := "cond/once"
	put := func() error {
		_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: strings.NewReader("v"), IfNoneMatch: "*"})
		return err
	}
	if err := put(); err != nil {
		e.t.Fatalf("first put-if-absent: %v", err)
	}
	if err := put(); !errors.Is(err, s3client.ErrPreconditionFailed) {
		e.t.Errorf("second put-if-absent: %v, want ErrPreconditionFailed", err)
	}
}

func testRangeAndConditions(e *env) {
	c := e.client(nil)
	key := "range/object"
	body := []byte("0123456789abcdef")
	put, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body)})
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := c.GetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, Range: "bytes=2-5"})
	if err != nil {
		e.t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(got) != "2345" {
		e.t.Errorf("range = %q, want 2345", got)
	}
	if !e.tg.Caps.ReadConditions {
		return
	}
	_, err = c.GetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, Conditions: s3client.Conditions{IfMatch: `"not-the-etag"`}})
	if !errors.Is(err, s3client.ErrPreconditionFailed) {
		e.t.Errorf("If-Match with a wrong ETag: %v, want ErrPreconditionFailed", err)
	}
	if put.ETag != "" {
		out, err := c.GetObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key, Conditions: s3client.Conditions{IfMatch: put.ETag}})
		if err != nil {
			e.t.Fatalf("If-Match with the right ETag: %v", err)
		}
		out.Body.Close()
	}
}
