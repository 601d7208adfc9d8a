package s3client

// RenameObject on the wire (the request, its headers and signature, a
// client token kept across retries) and its bad input; CreateBucket's
// configuration of directory buckets on the wire and its bad input.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// wireTransport records the requests it is sent and answers them: a
// CreateSession with session credentials, the others with status(n), n
// counting the requests that are not CreateSession from 1.
type wireTransport struct {
	mu     sync.Mutex
	reqs   []*http.Request
	bodies []string
	status func(n int) int
}

func (w *wireTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	doc, status := "", http.StatusOK
	if r.URL.Query().Has("session") {
		doc = `<CreateSessionResult><Credentials><SessionToken>` + caseSessionToken + `</SessionToken><SecretAccessKey>` + caseSessionSecret +
			`</SecretAccessKey><AccessKeyId>` + caseSessionKey + `</AccessKeyId><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>`
	} else {
		w.reqs = append(w.reqs, r)
		w.bodies = append(w.bodies, string(body))
		if w.status != nil {
			status = w.status(len(w.reqs))
		}
	}
	return &http.Response{StatusCode: status, Header: http.Header{}, ContentLength: int64(len(doc)),
		Body: io.NopCloser(strings.NewReader(doc)), Request: r}, nil
}

func (w *wireTransport) sent() []*http.Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*http.Request(nil), w.reqs...)
}

func newWireClient(t *testing.T, w *wireTransport) *Client {
	t.Helper()
	c, err := New(Config{Region: "us-west-2", Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
		HTTPClient: &http.Client{Transport: w}, RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond,
		Now: func() time.Time { return expressStart }})
	if err != nil {
		t.Fatal(err)
	}
	c.jitter = func() float64 { return 0 }
	return c
}

func TestRenameObjectWire(t *testing.T) {
	since := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name   string
		in     RenameObjectInput
		header map[string]string // "" means absent
	}{
		{"every field", RenameObjectInput{Bucket: expressBucket, Key: "new name", SourceKey: "dir/old+name",
			Conditions:             Conditions{IfMatch: `"d1"`, IfUnmodifiedSince: since},
			RenameSourceConditions: RenameSourceConditions{SourceIfMatch: `"s1"`, SourceIfNoneMatch: `"s2"`, SourceIfModifiedSince: since, SourceIfUnmodifiedSince: since},
			ClientToken:            "token-1"},
			map[string]string{
				"X-Amz-Rename-Source":                     "/" + expressBucket + "/dir/old%2Bname",
				"If-Match":                                `"d1"`,
				"If-None-Match":                           "",
				"If-Unmodified-Since":                     "Mon, 06 May 2024 07:08:09 GMT",
				"X-Amz-Rename-Source-If-Match":            `"s1"`,
				"X-Amz-Rename-Source-If-None-Match":       `"s2"`,
				"X-Amz-Rename-Source-If-Modified-Since":   "Mon, 06 May 2024 07:08:09 GMT",
				"X-Amz-Rename-Source-If-Unmodified-Since": "Mon, 06 May 2024 07:08:09 GMT",
				"X-Amz-Client-Token":                      "token-1",
			}},
		{"no overwrite", RenameObjectInput{Bucket: expressBucket, Key: "b", SourceKey: "a", Conditions: Conditions{IfNoneMatch: "*"}},
			map[string]string{"X-Amz-Rename-Source": "/" + expressBucket + "/a", "If-None-Match": "*", "If-Match": "", "X-Amz-Rename-Source-If-Match": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wireTransport{}
			c := newWireClient(t, w)
			if _, err := c.RenameObject(context.Background(), &tt.in); err != nil {
				t.Fatal(err)
			}
			reqs := w.sent()
			if len(reqs) != 1 {
				t.Fatalf("%d requests sent", len(reqs))
			}
			r := reqs[0]
			wantURL := "https://" + expressZonalHost + "/" + encodePath(tt.in.Key) + "?renameObject="
			if r.Method != http.MethodPut || r.URL.String() != wantURL {
				t.Errorf("sent %s %s, want PUT %s", r.Method, r.URL, wantURL)
			}
			for name, want := range tt.header {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			if tok := r.Header.Get("X-Amz-Client-Token"); tt.in.ClientToken == "" && len(tok) != 32 {
				t.Errorf("generated client token %q, want 32 hex digits", tok)
			}
			alg, akid, region, service := authOf(r)
			signed := r.Header.Get("Authorization")
			if alg != sigv4.Algorithm || akid != caseSessionKey || region != "us-west-2" || service != "s3express" ||
				r.Header.Get(s3SessionTokenHeader) != caseSessionToken || !strings.Contains(signed, "x-amz-rename-source;") ||
				!strings.Contains(signed, "x-amz-client-token;") || r.ContentLength != 0 {
				t.Errorf("signed %s %s %s %s: %s", alg, akid, region, service, signed)
			}
		})
	}
}

// TestRenameObjectRetryKeepsToken: every attempt of one call carries the
// same client token, so that S3 takes a retry for the same rename; another
// call gets another token.
func TestRenameObjectRetryKeepsToken(t *testing.T) {
	w := &wireTransport{status: func(n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}}
	c := newWireClient(t, w)
	in := &RenameObjectInput{Bucket: expressBucket, Key: "b", SourceKey: "a"}
	for range 2 {
		if _, err := c.RenameObject(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	reqs := w.sent()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want a retried call and a second call", len(reqs))
	}
	t1, t2, t3 := reqs[0].Header.Get("X-Amz-Client-Token"), reqs[1].Header.Get("X-Amz-Client-Token"), reqs[2].Header.Get("X-Amz-Client-Token")
	if t1 == "" || t1 != t2 || t3 == t1 {
		t.Errorf("client tokens %q %q %q: want the retry's equal to its call's, the next call's new", t1, t2, t3)
	}
	if in.ClientToken != "" {
		t.Error("RenameObject wrote its token into the input")
	}
}

func TestRenameObjectBadInput(t *testing.T) {
	ok := func(mod func(*RenameObjectInput)) *RenameObjectInput {
		in := &RenameObjectInput{Bucket: expressBucket, Key: "b", SourceKey: "a"}
		mod(in)
		return in
	}
	tests := []struct {
		name string
		in   *RenameObjectInput
		want string
	}{
		{"nil input", nil, "nil input"},
		{"no bucket", ok(func(in *RenameObjectInput) { in.Bucket = "" }), "bucket name"},
		{"no key", ok(func(in *RenameObjectInput) { in.Key = "" }), "object key"},
		{"no source key", ok(func(in *RenameObjectInput) { in.SourceKey = "" }), "rename source"},
		{"source key too long", ok(func(in *RenameObjectInput) { in.SourceKey = strings.Repeat("k", 1025) }), "rename source"},
		{"source key not UTF-8", ok(func(in *RenameObjectInput) { in.SourceKey = "\xff" }), "rename source"},
		{"client token too long", ok(func(in *RenameObjectInput) { in.ClientToken = strings.Repeat("t", 65) }), "ClientToken"},
		{"client token with a space", ok(func(in *RenameObjectInput) { in.ClientToken = "a b" }), "ClientToken"},
		{"client token not ASCII", ok(func(in *RenameObjectInput) { in.ClientToken = "é" }), "ClientToken"},
		{"source header as an extra", ok(func(in *RenameObjectInput) { in.ExtraHeader = http.Header{"X-Amz-Rename-Source": {"/x/y"}} }), "set by RenameObject"},
		{"malformed ARN", ok(func(in *RenameObjectInput) { in.Bucket = "arn:aws:s3:us-west-2:123456789012:accesspoint:" }), "ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wireTransport{}
			c := newWireClient(t, w)
			_, err := c.RenameObject(context.Background(), tt.in)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an input error containing %q", err, tt.want)
			}
			if n := len(w.sent()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestCreateDirectoryBucketWire(t *testing.T) {
	const xmlHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	config := func(zone, typ, redundancy string) string {
		return xmlHead + `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location><Name>` + zone + `</Name><Type>` + typ +
			`</Type></Location><Bucket><DataRedundancy>` + redundancy + `</DataRedundancy><Type>Directory</Type></Bucket></CreateBucketConfiguration>`
	}
	tests := []struct {
		name string
		in   CreateBucketInput
		body string
	}{
		{"Availability Zone by default", CreateBucketInput{Bucket: expressBucket}, config("usw2-az1", "AvailabilityZone", "SingleAvailabilityZone")},
		{"every field given", CreateBucketInput{Bucket: "b--usw2-az12--x-s3", LocationName: "usw2-az12", LocationType: LocationAvailabilityZone,
			DataRedundancy: DataRedundancySingleAvailabilityZone}, config("usw2-az12", "AvailabilityZone", "SingleAvailabilityZone")},
		{"Local Zone by its ID", CreateBucketInput{Bucket: "b--usw2-lax1-az1--x-s3"}, config("usw2-lax1-az1", "LocalZone", "SingleLocalZone")},
		{"Local Zone named", CreateBucketInput{Bucket: "b--usw2-lax1-az1--x-s3", LocationType: LocationLocalZone}, config("usw2-lax1-az1", "LocalZone", "SingleLocalZone")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wireTransport{}
			c := newWireClient(t, w)
			if _, err := c.CreateBucket(context.Background(), &tt.in); err != nil {
				t.Fatal(err)
			}
			reqs := w.sent()
			if len(reqs) != 1 {
				t.Fatalf("%d requests sent", len(reqs))
			}
			r := reqs[0]
			if got, want := r.Method+" "+r.URL.String(), "PUT https://s3express-control.us-west-2.amazonaws.com/"+tt.in.Bucket; got != want {
				t.Errorf("sent %s, want %s", got, want)
			}
			if w.bodies[0] != tt.body {
				t.Errorf("body\n%s\nwant\n%s", w.bodies[0], tt.body)
			}
			if _, akid, _, service := authOf(r); akid != testAccessKey || service != "s3express" || r.Header.Get(s3SessionTokenHeader) != "" {
				t.Errorf("signed by %s for %s, want the long-term key for s3express", akid, service)
			}
		})
	}
}

func TestCreateDirectoryBucketBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   CreateBucketInput
		want string
	}{
		{"another zone", CreateBucketInput{Bucket: expressBucket, LocationName: "usw2-az2"}, "LocationName"},
		{"unknown location type", CreateBucketInput{Bucket: expressBucket, LocationType: "Region"}, "LocationType"},
		{"redundancy of the other type", CreateBucketInput{Bucket: expressBucket, DataRedundancy: DataRedundancySingleLocalZone}, "DataRedundancy"},
		{"Local Zone redundancy in an Availability Zone", CreateBucketInput{Bucket: "b--usw2-lax1-az1--x-s3", LocationType: LocationAvailabilityZone,
			DataRedundancy: DataRedundancySingleLocalZone}, "DataRedundancy"},
		{"directory fields on a general purpose bucket", CreateBucketInput{Bucket: "plain-bucket", LocationType: LocationAvailabilityZone}, "directory buckets"},
		{"a LocationConstraint", CreateBucketInput{Bucket: expressBucket, LocationConstraint: "eu-west-1"}, "LocationConstraint"},
		{"an access point name", CreateBucketInput{Bucket: "ap--usw2-az1--xa-s3"}, "access point"},
		{"no zone in the name", CreateBucketInput{Bucket: "b--x-s3"}, "BASE--ZONE--x-s3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wireTransport{}
			c := newWireClient(t, w)
			_, err := c.CreateBucket(context.Background(), &tt.in)
			if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an input error containing %q", err, tt.want)
			}
			if n := len(w.sent()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}
