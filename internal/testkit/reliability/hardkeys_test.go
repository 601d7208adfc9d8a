package reliability

// Keys that are valid but hard — unicode, spaces, +, %, ?, #, //, ./, ../,
// a trailing /, control characters, 1024 bytes — round-trip byte-exact
// through put, get, head, list, copy, delete, presigned GET and PUT
// (checked by an independent verifier), the multipart engine and the
// transfer manager, in path and virtual-host style.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/multipart"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// hardKeys are valid S3 keys that encodings, normalisations and parsers
// like to break.
func hardKeys() map[string]string {
	k1024 := strings.Repeat("€", 341) + "a" // 341×3 + 1 = 1024 bytes
	return map[string]string{
		"unicode":            "ü/ключ/日本語/😀/ﬁ",
		"combining":          "e\u0301 vs é", // NFD and NFC side by side, never normalised
		"spaces":             " lead  double trail ",
		"plus":               "a+b+",
		"percent":            "100%/%2F/%25/%zz",
		"question and hash":  "what?#fragment?a=b&c",
		"double slash":       "//double//slash//",
		"dot segments":       "./a/../b/./",
		"dot dot":            "../../etc/passwd",
		"trailing slash":     "folder/",
		"only slash":         "/",
		"only dots":          "..",
		"reserved":           "!*'();:@&=+$,[]",
		"unsafe":             "\"<>\\^`{|}",
		"tilde and dash":     "~user/-_.",
		"1024 bytes":         k1024,
		"tab newline return": "a\tb\nc\rd",
		"control":            "ctl\x01\x02\x1b\x7f",
		"nul":                "nul\x00byte",
		"bom":                "\ufeffbom",
		"line separators":    "a\u2028b\u2029c\u0085",
		"emoji zwj":          "👩‍👩‍👧",
	}
}

// listable reports whether gofakes3 can list key: it ignores
// encoding-type=url and writes keys raw into XML, which cannot carry most
// control characters (S3 url-encodes them).
func listable(key string) bool {
	for _, r := range key {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == '\r' || r == 0x85 {
			return false
		}
	}
	return true
}

func TestHardKeys(t *testing.T) {
	for _, virtual := range []bool{false, true} {
		t.Run(fmt.Sprintf("virtual=%v", virtual), func(t *testing.T) {
			e := newEnv(t, options{virtual: virtual})
			ctx := context.Background()
			plain := &http.Client{Transport: e.clientTransport}
			for name, key := range hardKeys() {
				body := []byte("content of " + name)

				if _, err := e.client.PutObject(ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
					t.Errorf("%s: PutObject: %v", name, err)
					continue
				}
				// The server stored it under exactly this key.
				if got, _ := e.srv.GetObject(t, e.bucket, key); !bytes.Equal(got, body) {
					t.Errorf("%s: stored %q", name, got)
				}
				out, err := e.client.GetObject(ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key})
				if err != nil {
					t.Errorf("%s: GetObject: %v", name, err)
				} else if err := readAll(out, int64(len(body)), sum(body)); err != nil {
					t.Errorf("%s: GetObject: %v", name, err)
				}
				if m, err := e.client.HeadObject(ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key}); err != nil || m.ContentLength != int64(len(body)) {
					t.Errorf("%s: HeadObject: %v", name, err)
				}
				if listable(key) {
					lo, err := e.client.ListObjectsV2(ctx, &s3client.ListObjectsV2Input{Bucket: e.bucket, Prefix: key})
					if err != nil {
						t.Errorf("%s: ListObjectsV2: %v", name, err)
					} else if !containsKey(lo.Contents, key) {
						t.Errorf("%s: not listed under its own prefix: %v", name, keysOf(lo.Contents))
					}
				}

				dst := copyKey(name, key)
				if len(key) == 1024 {
					// gofakes3 keeps the x-amz-copy-source header as metadata,
					// and 1024 url-encoded bytes of it exceed its 2 KiB
					// metadata limit (MetadataTooLarge); S3 copies it.
				} else if _, err := e.client.CopyObject(ctx, &s3client.CopyObjectInput{Bucket: e.bucket, Key: dst,
					CopySource: s3client.CopySource{Bucket: e.bucket, Key: key}}); err != nil {
					t.Errorf("%s: CopyObject: %v", name, err)
				} else if got, _ := e.srv.GetObject(t, e.bucket, dst); !bytes.Equal(got, body) {
					t.Errorf("%s: copy holds %q", name, got)
				}

				// Presigned GET: the URL verifies independently and fetches
				// the object with a plain HTTP client.
				now := time.Now()
				pg, err := e.client.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: key}, time.Hour)
				if err != nil {
					t.Errorf("%s: PresignGetObject: %v", name, err)
				} else {
					if err := verifyPresigned("GET", pg.URL, pg.Header, presignedWant{method: "GET", accessKey: accessKey,
						secretKey: secretKey, sessionToken: sessionToken, region: testRegion, now: now}); err != nil {
						t.Errorf("%s: presigned GET does not verify: %v", name, err)
					}
					if got, err := fetch(plain, "GET", pg.URL, pg.Header, nil); err != nil || !bytes.Equal(got, body) {
						t.Errorf("%s: presigned GET fetched %q, %v", name, got, err)
					}
				}
				// Presigned PUT writes under exactly the key.
				pbody := []byte("presigned " + name)
				pp, err := e.client.PresignPutObject(ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: key,
					ObjectProperties: s3client.ObjectProperties{ContentType: "text/plain"}}, time.Hour)
				if err != nil {
					t.Errorf("%s: PresignPutObject: %v", name, err)
				} else {
					if err := verifyPresigned("PUT", pp.URL, pp.Header, presignedWant{method: "PUT", accessKey: accessKey,
						secretKey: secretKey, sessionToken: sessionToken, region: testRegion, now: now}); err != nil {
						t.Errorf("%s: presigned PUT does not verify: %v", name, err)
					}
					if _, err := fetch(plain, "PUT", pp.URL, pp.Header, pbody); err != nil {
						t.Errorf("%s: presigned PUT: %v", name, err)
					} else if got, _ := e.srv.GetObject(t, e.bucket, key); !bytes.Equal(got, pbody) {
						t.Errorf("%s: presigned PUT stored %q", name, got)
					}
				}

				if _, err := e.client.DeleteObject(ctx, &s3client.DeleteObjectInput{Bucket: e.bucket, Key: key}); err != nil {
					t.Errorf("%s: DeleteObject: %v", name, err)
				}
				if _, _, ok := e.object(key); ok {
					t.Errorf("%s: still there after DeleteObject", name)
				}
			}

			// DeleteObjects names the keys in an XML body: the ones XML
			// can carry are deleted exactly, the others refused.
			var ids []s3client.ObjectIdentifier
			for name, key := range hardKeys() {
				if listable(key) && len(key) < 1024 {
					ids = append(ids, s3client.ObjectIdentifier{Key: copyKey(name, key)})
				}
			}
			do, err := e.client.DeleteObjects(ctx, &s3client.DeleteObjectsInput{Bucket: e.bucket, Objects: ids})
			if err != nil || len(do.Errors) > 0 {
				t.Errorf("DeleteObjects: %v %+v", err, do)
			}
			for _, id := range ids {
				if _, _, ok := e.object(id.Key); ok {
					t.Errorf("DeleteObjects left %q", id.Key)
				}
			}
		})
	}
}

// TestHardKeysEngineAndManager: the multipart engine and the transfer
// manager carry hard keys as they are, through every request of an upload
// in parts and of a download in ranges.
func TestHardKeysEngineAndManager(t *testing.T) {
	te := newTransferEnv(t, options{})
	ctx := context.Background()
	body := data(5*unit+1, 51) // two parts, two ranges
	names := []string{"unicode", "percent", "question and hash", "1024 bytes", "control"}
	for _, name := range names {
		key := hardKeys()[name]
		u := &multipart.Uploader{Client: te.client, PartSize: partSize}
		if _, err := u.Upload(ctx, &multipart.UploadInput{Bucket: te.bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
			t.Errorf("%s: Upload: %v", name, err)
			continue
		}
		if got, _ := te.srv.GetObject(t, te.bucket, key); sum(got) != sum(body) {
			t.Errorf("%s: stored object differs", name)
		}
		target := filepath.Join(te.downDir, "target")
		if _, err := te.m.DownloadFile(ctx, te.bucket, key, target); err != nil {
			t.Errorf("%s: DownloadFile: %v", name, err)
		} else if got, _ := os.ReadFile(target); sum(got) != sum(body) {
			t.Errorf("%s: downloaded file differs", name)
		}
		src := filepath.Join(te.upDir, "src")
		os.WriteFile(src, body[:unit], 0o600)
		if _, err := te.m.UploadFile(ctx, src, te.bucket, key); err != nil {
			t.Errorf("%s: UploadFile: %v", name, err)
		} else if got, _ := te.srv.GetObject(t, te.bucket, key); sum(got) != sum(body[:unit]) {
			t.Errorf("%s: UploadFile stored other bytes", name)
		}
		if len(key) < 1024 { // see TestHardKeys: gofakes3's metadata limit
			if _, err := te.m.Copy(ctx, transfer.CopySource{Bucket: te.bucket, Key: key}, te.bucket, "copies/"+name); err != nil {
				t.Errorf("%s: Copy: %v", name, err)
			}
		}
		if _, err := te.m.Delete(ctx, te.bucket, key); err != nil {
			t.Errorf("%s: Delete: %v", name, err)
		}
	}
	te.checkNoUploads(t)
}

// copyKey names the copy of a hard key.
func copyKey(name, key string) string {
	if len(key)+5 > 1024 {
		return "copy-of-" + name
	}
	return key + ".copy"
}

func containsKey(objs []s3client.Object, key string) bool {
	for _, o := range objs {
		if o.Key == key {
			return true
		}
	}
	return false
}

func keysOf(objs []s3client.Object) []string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, o.Key)
	}
	return ks
}

// fetch sends a request to a presigned URL as any HTTP client would, with
// the headers the presign returned.
func fetch(c *http.Client, method, rawURL string, h http.Header, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, r)
	if err != nil {
		return nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return b, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return b, err
}
