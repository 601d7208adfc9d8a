package s3client

// The door (Do, PresignRequest) and the extra query parameters and headers
// of typed inputs: what goes on the wire for operations s3kit does not
// type, signature verified; what is refused before sending; and that the
// pipeline's retries and typed errors apply.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestDoUntypedOperations(t *testing.T) {
	ctx := context.Background()
	const inventory = `<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Id>report1</Id><IsEnabled>true</IsEnabled>` +
		`<Destination><S3BucketDestination><Format>CSV</Format><Bucket>arn:aws:s3:::dst</Bucket></S3BucketDestination></Destination>` +
		`<Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`
	tests := []struct {
		name   string
		req    Request
		answer string
		query  string // raw, canonical
		path   string
		signed []string // besides host, x-amz-content-sha256, x-amz-date
		decode any      // the answer decodes into it, when set
	}{
		{"PutBucketInventoryConfiguration", Request{Method: "PUT", Bucket: "bkt", Query: url.Values{"inventory": {""}, "id": {"report1"}},
			Body: strings.NewReader(inventory), ContentMD5: true}, "", "id=report1&inventory=", "/bkt", []string{"content-md5"}, nil},
		{"GetBucketInventoryConfiguration", Request{Method: "GET", Bucket: "bkt", Query: url.Values{"inventory": {""}, "id": {"report1"}}},
			inventory, "id=report1&inventory=", "/bkt", nil, &struct {
				ID string `xml:"Id"`
			}{}},
		{"ListBucketInventoryConfigurations", Request{Method: "GET", Bucket: "bkt", Query: url.Values{"inventory": {""}, "continuation-token": {"t/1"}}},
			`<ListInventoryConfigurationsResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationsResult>`,
			"continuation-token=t%2F1&inventory=", "/bkt", nil, &struct {
				IsTruncated bool `xml:"IsTruncated"`
			}{}},
		{"DeleteBucketInventoryConfiguration", Request{Method: "DELETE", Bucket: "bkt", Query: url.Values{"inventory": {""}, "id": {"report1"}}},
			"", "id=report1&inventory=", "/bkt", nil, nil},
		{"PutBucketMetricsConfiguration", Request{Method: "PUT", Bucket: "bkt", Query: url.Values{"metrics": {""}, "id": {"EntireBucket"}},
			Body: strings.NewReader(`<MetricsConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Id>EntireBucket</Id></MetricsConfiguration>`)},
			"", "id=EntireBucket&metrics=", "/bkt", nil, nil},
		{"GetBucketMetricsConfiguration", Request{Method: "GET", Bucket: "bkt", Query: url.Values{"metrics": {""}, "id": {"EntireBucket"}},
			Header: http.Header{"x-amz-expected-bucket-owner": {"111122223333"}}},
			`<MetricsConfiguration><Id>EntireBucket</Id></MetricsConfiguration>`, "id=EntireBucket&metrics=", "/bkt",
			[]string{"x-amz-expected-bucket-owner"}, &struct {
				ID string `xml:"Id"`
			}{}},
		{"GetBucketAnalyticsConfiguration", Request{Method: "GET", Bucket: "bkt", Query: url.Values{"analytics": {""}, "id": {"a1"}}},
			`<AnalyticsConfiguration><Id>a1</Id></AnalyticsConfiguration>`, "analytics=&id=a1", "/bkt", nil, nil},
		{"PutBucketIntelligentTieringConfiguration", Request{Method: "PUT", Bucket: "bkt", Query: url.Values{"intelligent-tiering": {""}, "id": {"it"}},
			Body: strings.NewReader(`<IntelligentTieringConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Id>it</Id><Status>Enabled</Status>` +
				`<Tiering><Days>90</Days><AccessTier>ARCHIVE_ACCESS</AccessTier></Tiering></IntelligentTieringConfiguration>`)},
			"", "id=it&intelligent-tiering=", "/bkt", nil, nil},
		{"ListBucketMetricsConfigurations", Request{Method: "GET", Bucket: "bkt", Query: url.Values{"metrics": {""}}},
			`<ListMetricsConfigurationsResult/>`, "metrics=", "/bkt", nil, nil},
		{"PutBucketAbac", Request{Method: "PUT", Bucket: "bkt", Query: url.Values{"abac": {""}}, ChecksumAlgorithm: ChecksumSHA256,
			Body: strings.NewReader(`<AbacStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></AbacStatus>`)},
			"", "abac=", "/bkt", []string{"x-amz-checksum-sha256"}, nil},
		{"GetBucketAbac", Request{Method: "GET", Bucket: "bkt", Query: url.Values{"abac": {""}}},
			`<AbacStatus><Status>Enabled</Status></AbacStatus>`, "abac=", "/bkt", nil, nil},
		{"UpdateObjectEncryption", Request{Method: "PUT", Bucket: "bkt", Key: "dir/a b", Query: url.Values{"encryption": {""}, "versionId": {"v1"}},
			Header: http.Header{"X-Amz-Request-Payer": {"requester"}}, ContentMD5: true,
			Body: strings.NewReader(`<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:1:key/k</KMSKeyArn></SSE-KMS></ObjectEncryption>`)},
			"", "encryption=&versionId=v1", "/bkt/dir/a%20b", []string{"content-md5", "x-amz-request-payer"}, nil},
		{"RenameObject", Request{Method: "PUT", Bucket: "bkt", Key: "new", Query: url.Values{"renameObject": {""}},
			Header: http.Header{"X-Amz-Rename-Source": {"old"}}}, "", "renameObject=", "/bkt/new", []string{"x-amz-rename-source"}, nil},
		{"GetObjectTorrent", Request{Method: "GET", Bucket: "bkt", Key: "k", Query: url.Values{"torrent": {""}}, Stream: true},
			"d8:announce", "torrent=", "/bkt/k", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
				w.Header().Set("X-Amz-Request-Id", "req-1")
				if strings.HasPrefix(tt.answer, "<") {
					writeXML(w, tt.answer)
				} else {
					io.WriteString(w, tt.answer)
				}
			})
			c := newClient(t, f.URL)
			tt.req.Operation = tt.name
			resp, err := c.Do(context.Background(), &tt.req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Amz-Request-Id") != "req-1" {
				t.Errorf("response %d %v", resp.StatusCode, resp.Header)
			}
			if tt.decode != nil {
				if err := resp.DecodeXML(tt.decode); err != nil {
					t.Errorf("DecodeXML: %v", err)
				}
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.HasPrefix(tt.answer, "<") && string(b) != tt.answer {
					t.Errorf("body %q, want %q", b, tt.answer)
				}
			}
			r := theRequest(t, f, tt.req.Method, tt.path, tt.query)
			body := f.bodyOf(1)
			signed := verifySignature(t, r, body)
			for _, h := range tt.signed {
				if !slices.Contains(signed, h) {
					t.Errorf("%s not signed: %v", h, signed)
				}
			}
			if tt.req.Body != nil && len(body) == 0 {
				t.Error("no body sent")
			}
		})
	}
	// A decoded document is checked as every answer is.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) { writeXML(w, `<A><B>`) })
	resp, err := newClient(t, f.URL).Do(ctx, &Request{Method: "GET", Bucket: "bkt", Query: url.Values{"x": {""}}})
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if err := resp.DecodeXML(&struct{}{}); !errors.As(err, &e) || e.Op != "Do" {
		t.Errorf("malformed document: %v", err)
	}
}

// TestDoPipeline: the door retries, follows region redirects and returns
// typed errors as the typed operations do.
func TestDoPipeline(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		switch n {
		case 1:
			writeError(w, http.StatusServiceUnavailable, "SlowDown", "slow down")
		case 2:
			writeError(w, http.StatusMovedPermanently, "PermanentRedirect", "elsewhere", "<Region>eu-west-1</Region>")
		default:
			writeXML(w, `<X/>`)
		}
	})
	c := newClient(t, f.URL)
	body := strings.NewReader("<Doc/>")
	if _, err := c.Do(ctx, &Request{Method: "PUT", Bucket: "bkt", Query: url.Values{"analytics": {""}, "id": {"a"}}, Body: body}); err != nil {
		t.Fatal(err)
	}
	rs := f.rec.all()
	if len(rs) != 3 || credentialRegion(rs[2]) != "eu-west-1" || string(f.bodyOf(3)) != "<Doc/>" {
		t.Errorf("%d requests, last signed for %q with body %q", len(rs), credentialRegion(rs[len(rs)-1]), f.bodyOf(3))
	}

	nf := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		writeError(w, http.StatusNotFound, "NoSuchConfiguration", "none")
	})
	_, err := newClient(t, nf.URL).Do(ctx, &Request{Operation: "GetBucketMetricsConfiguration", Method: "GET", Bucket: "bkt", Query: url.Values{"metrics": {""}}})
	var e *Error
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &e) || e.Code != "NoSuchConfiguration" || e.Op != "GetBucketMetricsConfiguration" {
		t.Errorf("error %v", err)
	}
}

// TestDoBadInput: what the door refuses, before anything is sent.
func TestDoBadInput(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  *Request
	}{
		{"nil", nil},
		{"method", &Request{Method: "PATCH", Bucket: "bkt"}},
		{"key without bucket", &Request{Method: "GET", Key: "k"}},
		{"bad bucket", &Request{Method: "GET", Bucket: "Bad\x00Bucket"}},
		{"authorization header", &Request{Method: "GET", Bucket: "bkt", Header: http.Header{"Authorization": {"x"}}}},
		{"x-amz-date", &Request{Method: "GET", Bucket: "bkt", Header: http.Header{"x-amz-date": {"x"}}}},
		{"content-md5", &Request{Method: "PUT", Bucket: "bkt", Header: http.Header{"Content-MD5": {"x"}}}},
		{"checksum header", &Request{Method: "PUT", Bucket: "bkt", Header: http.Header{"X-Amz-Checksum-Crc32": {"x"}}}},
		{"header line break", &Request{Method: "GET", Bucket: "bkt", Header: http.Header{"X-Amz-Meta-A": {"v\r\nEvil: 1"}}}},
		{"header name", &Request{Method: "GET", Bucket: "bkt", Header: http.Header{"Bad Name": {"v"}}}},
		{"signature query", &Request{Method: "GET", Bucket: "bkt", Query: url.Values{"x-amz-signature": {"forged"}}}},
		{"empty query name", &Request{Method: "GET", Bucket: "bkt", Query: url.Values{"": {"v"}}}},
		{"length without body", &Request{Method: "PUT", Bucket: "bkt", ContentLength: 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {})
			c := newClient(t, f.URL)
			_, err := c.Do(context.Background(), tt.req)
			_, perr := c.PresignRequest(context.Background(), tt.req, 0)
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("Do: %v, want ErrInvalidInput", err)
			}
			if tt.name != "length without body" && !errors.Is(perr, ErrInvalidInput) {
				t.Errorf("PresignRequest: %v, want ErrInvalidInput", perr)
			}
			if f.count() != 0 {
				t.Errorf("%d requests sent", f.count())
			}
		})
	}
}

// TestPresignRequest: the door's description presigns, with the query in
// the URL and the headers signed for the holder to send.
func TestPresignRequest(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:9")
	req := &Request{Method: "GET", Bucket: "bkt", Key: "k", Query: url.Values{"torrent": {""}},
		Header: http.Header{"x-amz-expected-bucket-owner": {"111122223333"}}}
	p, err := c.PresignRequest(context.Background(), req, 0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if _, ok := q["torrent"]; !ok || u.Path != "/bkt/k" || !strings.Contains(q.Get("X-Amz-SignedHeaders"), "x-amz-expected-bucket-owner") {
		t.Errorf("URL %s", p)
	}
	if p.Header.Get("X-Amz-Expected-Bucket-Owner") != "111122223333" {
		t.Errorf("header %v", p.Header)
	}
}

// TestCommonExtra: the typed operations send the extra query parameters
// and headers of Common, signed, and presign them too.
func TestCommonExtra(t *testing.T) {
	ctx := context.Background()
	extra := Common{RequestPayer: "requester", ExtraQuery: url.Values{"x-custom": {"a b"}},
		ExtraHeader: http.Header{"x-amz-source-expected-bucket-owner": {"444455556666"}}}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		switch r.Method {
		case http.MethodGet:
			writeXML(w, `<ListBucketResult/>`)
		case http.MethodPost:
			writeXML(w, `<DeleteResult/>`)
		}
	})
	c := newClient(t, f.URL)
	calls := []func() error{
		func() error {
			_, err := c.PutObject(ctx, &PutObjectInput{Bucket: "bkt", Key: "k", Body: strings.NewReader("x"), Common: extra})
			return err
		},
		func() error {
			_, err := c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: "bkt", Common: extra})
			return err
		},
		func() error { _, err := c.HeadBucket(ctx, &HeadBucketInput{Bucket: "bkt", Common: extra}); return err },
		func() error {
			_, err := c.DeleteObjects(ctx, &DeleteObjectsInput{Bucket: "bkt", Objects: []ObjectIdentifier{{Key: "a"}}, Common: extra})
			return err
		},
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		r := f.rec.all()[i]
		signed := verifySignature(t, r, f.bodyOf(i+1))
		if r.URL.Query().Get("x-custom") != "a b" || r.Header.Get("X-Amz-Source-Expected-Bucket-Owner") != "444455556666" ||
			r.Header.Get("X-Amz-Request-Payer") != "requester" || !slices.Contains(signed, "x-amz-source-expected-bucket-owner") {
			t.Errorf("call %d: %s ?%s %v", i, r.Method, r.URL.RawQuery, r.Header)
		}
	}
	p, err := c.PresignGetObject(ctx, &GetObjectInput{Bucket: "bkt", Key: "k", Common: extra}, 0)
	if err != nil || !strings.Contains(p.URL, "x-custom=a%20b") || p.Header.Get("X-Amz-Source-Expected-Bucket-Owner") == "" {
		t.Errorf("presigned %v, %v", p, err)
	}
	// The input is not changed, and can be sent again.
	if len(extra.ExtraQuery) != 1 || len(extra.ExtraHeader) != 1 {
		t.Errorf("input changed: %+v", extra)
	}
	if err := calls[2](); err != nil {
		t.Errorf("second HeadBucket: %v", err)
	}
}
