package s3client

// Header mapping shared by the operations: the properties an object is
// written with, SSE-C keys, and the metadata read back from a response.

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// SSECKey is a customer-provided encryption key (SSE-C): the raw key bytes,
// 32 for AES256. The client base64-encodes it and computes its MD5. It
// always prints as "<redacted>", so an input struct holding one can be
// logged.
type SSECKey []byte

// String redacts the key.
func (k SSECKey) String() string { return "<redacted>" }

// GoString redacts the key.
func (k SSECKey) GoString() string { return "<redacted>" }

// Format redacts the key for every verb.
func (k SSECKey) Format(f fmt.State, verb rune) { f.Write([]byte("<redacted>")) }

// SSECustomer holds the SSE-C parameters of a request (boto3's
// SSECustomerAlgorithm, SSECustomerKey and SSECustomerKeyMD5). KeyMD5 is
// computed from Key when empty.
type SSECustomer struct {
	SSECustomerAlgorithm string // "AES256"; defaults to AES256 when a key is set
	SSECustomerKey       SSECKey
	SSECustomerKeyMD5    string
}

func (s *SSECustomer) apply(h http.Header, prefix string) {
	if len(s.SSECustomerKey) == 0 && s.SSECustomerAlgorithm == "" {
		return
	}
	alg := s.SSECustomerAlgorithm
	if alg == "" {
		alg = "AES256"
	}
	h.Set(prefix+"Server-Side-Encryption-Customer-Algorithm", alg)
	if len(s.SSECustomerKey) > 0 {
		h.Set(prefix+"Server-Side-Encryption-Customer-Key", base64.StdEncoding.EncodeToString(s.SSECustomerKey))
		md := s.SSECustomerKeyMD5
		if md == "" {
			sum := md5.Sum(s.SSECustomerKey)
			md = base64.StdEncoding.EncodeToString(sum[:])
		}
		h.Set(prefix+"Server-Side-Encryption-Customer-Key-Md5", md)
	}
}

// ObjectProperties are what an object is written with: system and user
// metadata, ACL and grants, encryption, storage class, tags and object lock
// settings. They are s3transfer's ALLOWED_UPLOAD_ARGS without the checksum
// and condition arguments, which belong to each request. Zero fields are
// not sent.
type ObjectProperties struct {
	ACL                       string // canned ACL: private, public-read, bucket-owner-full-control...
	CacheControl              string
	ContentDisposition        string
	ContentEncoding           string
	ContentLanguage           string
	ContentType               string
	Expires                   time.Time
	GrantFullControl          string
	GrantRead                 string
	GrantReadACP              string
	GrantWriteACP             string
	Metadata                  map[string]string // user metadata, sent as x-amz-meta-<name>
	ObjectLockLegalHoldStatus string            // ON or OFF
	ObjectLockMode            string            // GOVERNANCE or COMPLIANCE
	ObjectLockRetainUntilDate time.Time
	ServerSideEncryption      string // AES256, aws:kms, aws:kms:dsse
	SSEKMSKeyID               string
	SSEKMSEncryptionContext   string // base64-encoded JSON, as S3 wants it
	BucketKeyEnabled          bool
	StorageClass              string
	Tagging                   string // URL-encoded query form "k1=v1&k2=v2" (EncodeTagging), checked against S3's tag rules
	WebsiteRedirectLocation   string
}

func setIf(h http.Header, name, v string) {
	if v != "" {
		h.Set(name, v)
	}
}

func (p *ObjectProperties) apply(h http.Header) error {
	setIf(h, "X-Amz-Acl", p.ACL)
	setIf(h, "Cache-Control", p.CacheControl)
	setIf(h, "Content-Disposition", p.ContentDisposition)
	setIf(h, "Content-Encoding", p.ContentEncoding)
	setIf(h, "Content-Language", p.ContentLanguage)
	setIf(h, "Content-Type", p.ContentType)
	if !p.Expires.IsZero() {
		h.Set("Expires", p.Expires.UTC().Format(http.TimeFormat))
	}
	setIf(h, "X-Amz-Grant-Full-Control", p.GrantFullControl)
	setIf(h, "X-Amz-Grant-Read", p.GrantRead)
	setIf(h, "X-Amz-Grant-Read-Acp", p.GrantReadACP)
	setIf(h, "X-Amz-Grant-Write-Acp", p.GrantWriteACP)
	if err := setMetadata(h, p.Metadata); err != nil {
		return err
	}
	setIf(h, "X-Amz-Object-Lock-Legal-Hold", p.ObjectLockLegalHoldStatus)
	setIf(h, "X-Amz-Object-Lock-Mode", p.ObjectLockMode)
	if !p.ObjectLockRetainUntilDate.IsZero() {
		h.Set("X-Amz-Object-Lock-Retain-Until-Date", p.ObjectLockRetainUntilDate.UTC().Format(time.RFC3339))
	}
	setIf(h, "X-Amz-Server-Side-Encryption", p.ServerSideEncryption)
	setIf(h, "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", p.SSEKMSKeyID)
	setIf(h, "X-Amz-Server-Side-Encryption-Context", p.SSEKMSEncryptionContext)
	if p.BucketKeyEnabled {
		h.Set("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "true")
	}
	setIf(h, "X-Amz-Storage-Class", p.StorageClass)
	if p.Tagging != "" {
		if err := checkTagging(p.Tagging); err != nil {
			return err
		}
		h.Set("X-Amz-Tagging", p.Tagging)
	}
	setIf(h, "X-Amz-Website-Redirect-Location", p.WebsiteRedirectLocation)
	return nil
}

// setMetadata sends user metadata. Names are case-insensitive in S3 (it
// lowercases them); values must be printable: a line break would end the
// header, so it is refused rather than sent.
func setMetadata(h http.Header, md map[string]string) error {
	for k, v := range md {
		if k == "" || strings.ContainsAny(k, " \t\r\n:") {
			return fmt.Errorf("s3client: invalid metadata name %q", k)
		}
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("s3client: metadata %q: value contains a line break", k)
		}
		h["X-Amz-Meta-"+http.CanonicalHeaderKey(k)] = []string{v}
	}
	return nil
}

// Common holds request parameters every operation shares.
type Common struct {
	ExpectedBucketOwner string // account ID; the request fails if another account owns the bucket
	RequestPayer        string // "requester" for requester-pays buckets
	// ExtraQuery and ExtraHeader add query parameters and headers S3
	// accepts that the operation does not model. Neither may repeat one the
	// operation sets, nor name one the client or the signer sets
	// (Authorization, X-Amz-Date, X-Amz-Checksum-*...; see Request.Header);
	// header values may not hold line breaks. Such input is an error
	// wrapping ErrInvalidInput, before anything is sent.
	ExtraQuery  url.Values
	ExtraHeader http.Header
}

func (c *Common) apply(h http.Header) {
	setIf(h, "X-Amz-Expected-Bucket-Owner", c.ExpectedBucketOwner)
	setIf(h, "X-Amz-Request-Payer", c.RequestPayer)
}

// ObjectMeta is what S3 says about an object in a GET or HEAD answer.
type ObjectMeta struct {
	ContentLength           int64
	ContentType             string
	ContentEncoding         string
	ContentDisposition      string
	ContentLanguage         string
	ContentRange            string // for a range request: "bytes 0-9/1234"
	CacheControl            string
	Expires                 string // as sent; S3 does not validate it
	ETag                    string
	LastModified            time.Time
	VersionID               string
	DeleteMarker            bool
	Metadata                map[string]string // user metadata, names lowercased
	StorageClass            string
	ServerSideEncryption    string
	SSEKMSKeyID             string
	BucketKeyEnabled        bool
	SSECustomerAlgorithm    string
	SSECustomerKeyMD5       string
	WebsiteRedirectLocation string
	TagCount                int
	PartsCount              int
	ObjectLockMode          string
	ObjectLockRetainUntil   time.Time
	ObjectLockLegalHold     string
	ReplicationStatus       string
	Restore                 string
	Checksums               Checksums
	RequestCharged          string
}

// metaFromHeader reads ObjectMeta from a response.
func metaFromHeader(resp *http.Response) ObjectMeta {
	// One pass over the answer's headers (a GET's has about ten), each
	// name matched by a switch on its canonical form (net/http
	// canonicalizes response header names): thirty map lookups, one per
	// field, cost more than the pass.
	m := ObjectMeta{ContentLength: resp.ContentLength}
	const meta = "x-amz-meta-"
	for k, vs := range resp.Header {
		if len(vs) == 0 {
			continue
		}
		v := vs[0]
		switch k {
		case "Content-Type":
			m.ContentType = v
		case "Content-Encoding":
			m.ContentEncoding = v
		case "Content-Disposition":
			m.ContentDisposition = v
		case "Content-Language":
			m.ContentLanguage = v
		case "Content-Range":
			m.ContentRange = v
		case "Cache-Control":
			m.CacheControl = v
		case "Expires":
			m.Expires = v
		case "Etag":
			m.ETag = v
		case "X-Amz-Version-Id":
			m.VersionID = v
		case "X-Amz-Delete-Marker":
			m.DeleteMarker = v == "true"
		case "X-Amz-Storage-Class":
			m.StorageClass = v
		case "X-Amz-Server-Side-Encryption":
			m.ServerSideEncryption = v
		case "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id":
			m.SSEKMSKeyID = v
		case "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled":
			m.BucketKeyEnabled = v == "true"
		case "X-Amz-Server-Side-Encryption-Customer-Algorithm":
			m.SSECustomerAlgorithm = v
		case "X-Amz-Server-Side-Encryption-Customer-Key-Md5":
			m.SSECustomerKeyMD5 = v
		case "X-Amz-Website-Redirect-Location":
			m.WebsiteRedirectLocation = v
		case "X-Amz-Object-Lock-Mode":
			m.ObjectLockMode = v
		case "X-Amz-Object-Lock-Legal-Hold":
			m.ObjectLockLegalHold = v
		case "X-Amz-Replication-Status":
			m.ReplicationStatus = v
		case "X-Amz-Restore":
			m.Restore = v
		case "X-Amz-Request-Charged":
			m.RequestCharged = v
		case "Content-Length":
			if resp.ContentLength < 0 {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					m.ContentLength = n
				}
			}
		// A value that does not parse is left zero.
		case "Last-Modified":
			if t, err := http.ParseTime(v); err == nil {
				m.LastModified = t
			}
		case "X-Amz-Object-Lock-Retain-Until-Date":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				m.ObjectLockRetainUntil = t
			}
		case "X-Amz-Tagging-Count":
			m.TagCount, _ = strconv.Atoi(v)
		case "X-Amz-Mp-Parts-Count":
			m.PartsCount, _ = strconv.Atoi(v)
		default:
			if m.Checksums.fromHeader(k, v) {
				continue
			}
			// Compared without lowercasing every header name.
			if len(k) >= len(meta) && strings.EqualFold(k[:len(meta)], meta) {
				if m.Metadata == nil {
					m.Metadata = make(map[string]string)
				}
				m.Metadata[strings.ToLower(k[len(meta):])] = v
			}
		}
	}
	return m
}

// Conditions are the preconditions of a read (If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since).
type Conditions struct {
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
}

func (c *Conditions) apply(h http.Header) {
	setIf(h, "If-Match", c.IfMatch)
	setIf(h, "If-None-Match", c.IfNoneMatch)
	if !c.IfModifiedSince.IsZero() {
		h.Set("If-Modified-Since", c.IfModifiedSince.UTC().Format(http.TimeFormat))
	}
	if !c.IfUnmodifiedSince.IsZero() {
		h.Set("If-Unmodified-Since", c.IfUnmodifiedSince.UTC().Format(http.TimeFormat))
	}
}

// checkObject validates a bucket and key before any request; the endpoint
// rules check the bucket further when they resolve it.
func checkObject(op, bucket, key string) error {
	if err := checkBucketParam(bucket); err != nil {
		return inputError(op, bucket, key, err)
	}
	if err := ValidateKey(key); err != nil {
		return inputError(op, bucket, key, err)
	}
	return nil
}

// checkBucket validates a bucket name before any request.
func checkBucket(op, bucket string) error {
	if err := checkBucketParam(bucket); err != nil {
		return inputError(op, bucket, "", err)
	}
	return nil
}

// checkRange validates a Range header value: "bytes=first-last",
// "bytes=first-" or "bytes=-suffix". S3 ignores a range it cannot parse and
// sends the whole object with a 200, so a typo would silently return the
// wrong bytes; it is refused here instead. S3 serves one range per request.
func checkRange(r string, needBoth bool) error {
	spec, ok := strings.CutPrefix(r, "bytes=")
	if !ok {
		return fmt.Errorf("range %q: want bytes=first-last", r)
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok || strings.Contains(last, ",") {
		return fmt.Errorf("range %q: want one range, bytes=first-last", r)
	}
	num := func(s string) (int64, bool) {
		if s == "" || len(s) > 19 {
			return 0, false
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	a, okA := num(first)
	b, okB := num(last)
	switch {
	case okA && okB && a <= b:
		return nil
	case needBoth:
	case okA && last == "":
		return nil
	case first == "" && okB && b > 0:
		return nil
	}
	return fmt.Errorf("range %q is not a valid byte range", r)
}

// checkSSEC validates the SSE-C parameters of a request (its own and those
// of a copy source): AES256 and a 256-bit key, which S3 would otherwise
// refuse after the body has been sent; and no key over plain http unless
// Config.AllowSSECOverHTTP, since the key would cross the network in clear.
func (c *Client) checkSSEC(r *request) error {
	// Canonical names looked up directly: this runs on every request.
	for _, names := range [...][2]string{
		{"X-Amz-Server-Side-Encryption-Customer-Algorithm", "X-Amz-Server-Side-Encryption-Customer-Key"},
		{"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm", "X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key"},
	} {
		var alg, key string
		if v := r.header[names[0]]; len(v) > 0 {
			alg = v[0]
		}
		if v := r.header[names[1]]; len(v) > 0 {
			key = v[0]
		}
		if alg == "" && key == "" {
			continue
		}
		bad := func(err error) error { return inputError(r.op, r.bucket, r.key, err) }
		if alg != "AES256" {
			return bad(fmt.Errorf("SSE-C algorithm %q: S3 supports only AES256", alg))
		}
		if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 32 {
			return bad(errors.New("SSE-C key must be 32 bytes for AES256"))
		}
		if !c.https && !c.cfg.AllowSSECOverHTTP {
			return bad(errors.New("s3client: refusing to send an SSE-C key over plain http (set Config.AllowSSECOverHTTP for a local test server)"))
		}
	}
	return nil
}

// CopyFrom sets in p what CopyObject's COPY directive carries over from a
// source object: its user metadata and content headers. A multipart copy
// (UploadPartCopy parts) carries nothing by itself, so it creates the
// upload with these. An Expires that is not an HTTP date is dropped (S3
// stores it as sent; ObjectProperties holds a time).
func (p *ObjectProperties) CopyFrom(m *ObjectMeta) {
	p.Metadata = m.Metadata
	p.ContentType = m.ContentType
	p.CacheControl = m.CacheControl
	p.ContentDisposition = m.ContentDisposition
	p.ContentEncoding = m.ContentEncoding
	p.ContentLanguage = m.ContentLanguage
	p.Expires = time.Time{}
	if t, err := http.ParseTime(m.Expires); err == nil {
		p.Expires = t
	}
}

// EncodeTagging returns tags in the URL query form ObjectProperties.Tagging
// and x-amz-tagging take ("k1=v1&k2=v2"), with spaces as %20, which every
// URL decoder reads as a space (only form decoders so read "+").
func EncodeTagging(tags []Tag) string {
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(sigv4.URIEncode(t.Key, false))
		b.WriteByte('=')
		b.WriteString(sigv4.URIEncode(t.Value, false))
	}
	return b.String()
}
