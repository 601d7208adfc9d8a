package s3client

// What each operation puts on the wire: method, path, query, the headers it
// signs, and a signature that verifies. The signature is recomputed here
// from the request as the server received it, with sigv4's canonical
// request and string to sign and this file's own HMAC chain, the way S3
// checks it.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// verifySignature checks r's Authorization as S3 would and returns its
// signed header names.
func verifySignature(t *testing.T, r *http.Request, body []byte) []string {
	t.Helper()
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, sigv4.Algorithm+" ")
	if !ok {
		t.Fatalf("Authorization %q", auth)
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[0] != testAccessKey || scope[3] != "s3" || scope[4] != "aws4_request" {
		t.Fatalf("credential %q", fields["Credential"])
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("X-Amz-Date: %v", err)
	}
	if when.Format("20060102") != scope[1] {
		t.Errorf("scope date %s, X-Amz-Date %s", scope[1], r.Header.Get("X-Amz-Date"))
	}

	// The request as the server sees it, with only the signed headers.
	sr := &http.Request{Method: r.Method, Host: r.Host, Header: http.Header{},
		URL: &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}}
	for _, name := range signed {
		if name == "host" {
			continue
		}
		v, ok := r.Header[http.CanonicalHeaderKey(name)]
		if !ok {
			t.Errorf("signed header %s not received", name)
		}
		sr.Header[http.CanonicalHeaderKey(name)] = v
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		t.Fatal("no X-Amz-Content-Sha256")
	}
	if len(payload) == 64 {
		sum := sha256.Sum256(body)
		if payload != hex.EncodeToString(sum[:]) {
			t.Errorf("payload hash %s does not match the body", payload)
		}
	}
	var s sigv4.Signer
	cr, err := s.CanonicalRequest(sr, payload)
	if err != nil {
		t.Fatalf("CanonicalRequest: %v", err)
	}
	lines := strings.Split(cr, "\n")
	if got := lines[len(lines)-2]; got != fields["SignedHeaders"] {
		t.Errorf("canonical request signs %q, Authorization says %q", got, fields["SignedHeaders"])
	}
	sts := s.StringToSign(cr, when, scope[2])
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+testSecretKey), scope[1])
	k = mac(k, scope[2])
	k = mac(k, "s3")
	k = mac(k, "aws4_request")
	if want := hex.EncodeToString(mac(k, sts)); fields["Signature"] != want {
		t.Errorf("signature %s does not verify (want %s)\ncanonical request:\n%s", fields["Signature"], want, cr)
	}
	return signed
}

func TestWireRequests(t *testing.T) {
	ctx := context.Background()
	md5Base := []string{"content-md5", "host", "x-amz-content-sha256", "x-amz-date"}
	base := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	with := func(extra ...string) []string {
		out := append(append([]string(nil), base...), extra...)
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name   string
		answer string // response document
		call   func(*Client) error
		method string
		path   string // escaped
		query  string // raw, canonical
		signed []string
	}{
		{"ListBuckets", `<ListAllMyBucketsResult/>`, func(c *Client) error { _, err := c.ListBuckets(ctx, nil); return err },
			"GET", "/", "", base},
		{"CreateBucket", ``, func(c *Client) error {
			_, err := c.CreateBucket(ctx, &CreateBucketInput{Bucket: "bkt", LocationConstraint: "eu-west-1", ACL: "private"})
			return err
		}, "PUT", "/bkt", "", with("x-amz-acl")},
		{"HeadBucket", ``, func(c *Client) error {
			_, err := c.HeadBucket(ctx, &HeadBucketInput{Bucket: "bkt", Common: Common{ExpectedBucketOwner: "123456789012"}})
			return err
		}, "HEAD", "/bkt", "", with("x-amz-expected-bucket-owner")},
		{"DeleteBucket", ``, func(c *Client) error { return c.DeleteBucket(ctx, &DeleteBucketInput{Bucket: "bkt"}) },
			"DELETE", "/bkt", "", base},
		{"GetBucketLocation", `<LocationConstraint/>`, func(c *Client) error {
			_, err := c.GetBucketLocation(ctx, &GetBucketLocationInput{Bucket: "bkt"})
			return err
		}, "GET", "/bkt", "location=", base},
		{"PutObject", ``, func(c *Client) error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "dir/a b+c", Body: strings.NewReader("hello"),
				ObjectProperties: ObjectProperties{ContentType: "text/plain", Metadata: map[string]string{"k": "v"}}, ChecksumAlgorithm: ChecksumSHA256})
			return err
		}, "PUT", "/bkt/dir/a%20b%2Bc", "", with("content-type", "x-amz-checksum-sha256", "x-amz-meta-k")},
		{"GetObject", `data`, func(c *Client) error {
			out, err := c.GetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "ü/~x", VersionID: "v 1", Range: "bytes=0-1",
				ResponseContentType: "a/b", ChecksumMode: true})
			if err == nil {
				out.Body.Close()
			}
			return err
		}, "GET", "/bkt/%C3%BC/~x", "response-content-type=a%2Fb&versionId=v%201", with("range", "x-amz-checksum-mode")},
		{"HeadObject", ``, func(c *Client) error {
			_, err := c.HeadObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "k", Conditions: Conditions{IfMatch: `"e"`}})
			return err
		}, "HEAD", "/bkt/k", "", with("if-match")},
		{"DeleteObject", ``, func(c *Client) error {
			_, err := c.DeleteObject(ctx, &DeleteObjectInput{Bucket: "bkt", Key: "k", VersionID: "v1"})
			return err
		}, "DELETE", "/bkt/k", "versionId=v1", base},
		{"DeleteObjects", `<DeleteResult/>`, func(c *Client) error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "bkt", Objects: []ObjectIdentifier{{Key: "a"}}, Quiet: true})
			return err
		}, "POST", "/bkt", "delete=", md5Base},
		{"CopyObject", `<CopyObjectResult/>`, func(c *Client) error {
			_, err := c.CopyObject(ctx, &CopyObjectInput{Bucket: "bkt", Key: "dst", CopySource: CopySource{Bucket: "src", Key: "a b", VersionID: "v9"},
				MetadataDirective: "REPLACE", TaggingDirective: "COPY"})
			return err
		}, "PUT", "/bkt/dst", "", with("x-amz-copy-source", "x-amz-metadata-directive", "x-amz-tagging-directive")},
		{"GetObjectTagging", `<Tagging/>`, func(c *Client) error {
			_, err := c.GetObjectTagging(ctx, &GetObjectTaggingInput{Bucket: "bkt", Key: "k"})
			return err
		}, "GET", "/bkt/k", "tagging=", base},
		{"PutObjectTagging", ``, func(c *Client) error {
			_, err := c.PutObjectTagging(ctx, &PutObjectTaggingInput{Bucket: "bkt", Key: "k", TagSet: []Tag{{"a", "b"}}})
			return err
		}, "PUT", "/bkt/k", "tagging=", md5Base},
		{"ListObjectsV2", `<ListBucketResult/>`, func(c *Client) error {
			_, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "bkt", Prefix: "a b/", Delimiter: "/", MaxKeys: 10})
			return err
		}, "GET", "/bkt", "delimiter=%2F&encoding-type=url&list-type=2&max-keys=10&prefix=a%20b%2F", base},
		{"ListObjectVersions", `<ListVersionsResult/>`, func(c *Client) error {
			_, err := c.ListObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "bkt", KeyMarker: "k", VersionIDMarker: "v"})
			return err
		}, "GET", "/bkt", "encoding-type=url&key-marker=k&version-id-marker=v&versions=", base},
		{"CreateMultipartUpload", `<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>`, func(c *Client) error {
			_, err := c.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: "bkt", Key: "k", ChecksumAlgorithm: "crc32c", ChecksumType: "FULL_OBJECT"})
			return err
		}, "POST", "/bkt/k", "uploads=", with("x-amz-checksum-algorithm", "x-amz-checksum-type")},
		{"UploadPart", ``, func(c *Client) error {
			_, err := c.UploadPart(ctx, &UploadPartInput{Bucket: "bkt", Key: "k", UploadID: "u/1", PartNumber: 3, Body: bytes.NewReader([]byte("part")), ChecksumAlgorithm: ChecksumCRC32C})
			return err
		}, "PUT", "/bkt/k", "partNumber=3&uploadId=u%2F1", with("x-amz-checksum-crc32c")},
		{"UploadPartCopy", `<CopyPartResult/>`, func(c *Client) error {
			_, err := c.UploadPartCopy(ctx, &UploadPartCopyInput{Bucket: "bkt", Key: "k", UploadID: "u", PartNumber: 1, CopySource: CopySource{Bucket: "src", Key: "s"}, CopySourceRange: "bytes=0-9"})
			return err
		}, "PUT", "/bkt/k", "partNumber=1&uploadId=u", with("x-amz-copy-source", "x-amz-copy-source-range")},
		{"CompleteMultipartUpload", `<CompleteMultipartUploadResult/>`, func(c *Client) error {
			_, err := c.CompleteMultipartUpload(ctx, &CompleteMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u",
				Parts: []CompletedPart{{PartNumber: 1, ETag: `"a"`}}, IfNoneMatch: "*", MpuObjectSize: 10})
			return err
		}, "POST", "/bkt/k", "uploadId=u", with("if-none-match", "x-amz-mp-object-size")},
		{"AbortMultipartUpload", ``, func(c *Client) error {
			return c.AbortMultipartUpload(ctx, &AbortMultipartUploadInput{Bucket: "bkt", Key: "k", UploadID: "u"})
		}, "DELETE", "/bkt/k", "uploadId=u", base},
		{"ListParts", `<ListPartsResult/>`, func(c *Client) error {
			_, err := c.ListParts(ctx, &ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u", MaxParts: 5, PartNumberMarker: 2})
			return err
		}, "GET", "/bkt/k", "max-parts=5&part-number-marker=2&uploadId=u", base},
		{"ListMultipartUploads", `<ListMultipartUploadsResult/>`, func(c *Client) error {
			_, err := c.ListMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: "bkt", Prefix: "p", MaxUploads: 7})
			return err
		}, "GET", "/bkt", "encoding-type=url&max-uploads=7&prefix=p&uploads=", base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				if tt.answer != "" {
					writeXML(w, tt.answer)
				}
			})
			if err := tt.call(newClient(t, f.URL)); err != nil {
				t.Fatalf("call: %v", err)
			}
			r := theRequest(t, f, tt.method, tt.path, tt.query)
			signed := verifySignature(t, r, f.bodyOf(1))
			if got, want := strings.Join(signed, ";"), strings.Join(tt.signed, ";"); got != want {
				t.Errorf("signed headers %s, want %s", got, want)
			}
			if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "s3kit/") {
				t.Errorf("User-Agent %q", ua)
			}
		})
	}

	// The forms of payload signing, each verified the same way.
	t.Run("payload signing modes", func(t *testing.T) {
		for _, mode := range []struct {
			name    string
			signing PayloadSigning
			token   string
			size    int
			want    string
		}{
			{"unsigned, checksum header", PayloadSigningUnsigned, "", 1000, sigv4.UnsignedPayload},
			{"unsigned, checksum trailer", PayloadSigningUnsigned, "", 2 << 20, sigv4.StreamingUnsignedPayloadTrailer},
			{"signed with session token", PayloadSigningSigned, "session-token", 2 << 20, "hex"},
			{"streaming", PayloadSigningStreaming, "", 2 << 20, sigv4.StreamingPayloadTrailer},
		} {
			t.Run(mode.name, func(t *testing.T) {
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {})
				c := newClient(t, f.URL, func(cfg *Config) {
					cfg.PayloadSigning = mode.signing
					cfg.Credentials = sigv4.NewStaticProvider(testAccessKey, testSecretKey, mode.token)
				})
				data := bytes.Repeat([]byte("x"), mode.size)
				if _, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: bytes.NewReader(data), ChecksumAlgorithm: ChecksumCRC32C}); err != nil {
					t.Fatal(err)
				}
				r := f.rec.all()[0]
				got := r.Header.Get("X-Amz-Content-Sha256")
				if (mode.want == "hex" && len(got) != 64) || (mode.want != "hex" && got != mode.want) {
					t.Errorf("payload hash %q, want %s", got, mode.want)
				}
				signed := verifySignature(t, r, f.bodyOf(1))
				if mode.token != "" && !strings.Contains(strings.Join(signed, ";"), "x-amz-security-token") {
					t.Errorf("session token not signed: %v", signed)
				}
				if strings.HasPrefix(mode.want, "STREAMING-") {
					if r.Header.Get("X-Amz-Decoded-Content-Length") != fmt.Sprint(len(data)) || r.Header.Get("X-Amz-Trailer") != "x-amz-checksum-crc32c" {
						t.Errorf("streaming headers %v", r.Header)
					}
				}
			})
		}
	})
}
