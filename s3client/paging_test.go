package s3client

// Listings that would not end: hostile servers that repeat a continuation
// token, cycle through a few, or say a page is truncated without a way on,
// against the iterators and the Pager of callers that page by hand; and a
// fuzz target that feeds any sequence of pages to every listing.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// markerFake serves the pages of a listing by the values of its marker
// query parameters, joined by "|" ("" and "" first: "|"); an unknown
// marker fails the test, and so does a listing that goes on past 20 pages
// (answered then with a final error, so that it ends).
func markerFake(t *testing.T, params []string, pages map[string]string) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request, n int, _ []byte) {
		if n > 20 {
			t.Errorf("request %d: the listing does not end", n)
			writeError(w, http.StatusBadRequest, "InvalidArgument", "enough")
			return
		}
		vals := make([]string, len(params))
		for i, p := range params {
			vals[i] = r.URL.Query().Get(p)
		}
		k := strings.Join(vals, "|")
		doc, ok := pages[k]
		if !ok {
			t.Errorf("unexpected markers %q", k)
			writeError(w, http.StatusBadRequest, "InvalidArgument", "bad marker")
			return
		}
		writeXML(w, doc)
	})
}

func objectsPage(truncated bool, next string, keys ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<ListBucketResult><IsTruncated>%v</IsTruncated>", truncated)
	if next != "" {
		fmt.Fprintf(&b, "<NextContinuationToken>%s</NextContinuationToken>", next)
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "<Contents><Key>%s</Key></Contents>", k)
	}
	return b.String() + "</ListBucketResult>"
}

func versionsPage(truncated bool, key, version string) string {
	return fmt.Sprintf(`<ListVersionsResult><IsTruncated>%v</IsTruncated><NextKeyMarker>%s</NextKeyMarker><NextVersionIdMarker>%s</NextVersionIdMarker>`+
		`<Version><Key>k</Key><VersionId>v</VersionId></Version></ListVersionsResult>`, truncated, key, version)
}

func uploadsPage(truncated bool, key, upload string) string {
	return fmt.Sprintf(`<ListMultipartUploadsResult><IsTruncated>%v</IsTruncated><NextKeyMarker>%s</NextKeyMarker><NextUploadIdMarker>%s</NextUploadIdMarker>`+
		`<Upload><Key>k</Key><UploadId>u</UploadId></Upload></ListMultipartUploadsResult>`, truncated, key, upload)
}

func partsPage(truncated bool, next int) string {
	return fmt.Sprintf(`<ListPartsResult><IsTruncated>%v</IsTruncated><NextPartNumberMarker>%d</NextPartNumberMarker>`+
		`<Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></ListPartsResult>`, truncated, next)
}

func bucketsPage(next string) string {
	return `<ListAllMyBucketsResult><Buckets><Bucket><Name>b</Name></Bucket></Buckets><ContinuationToken>` + next + `</ContinuationToken></ListAllMyBucketsResult>`
}

// drainSeq runs an iterator to its end and returns how many items it
// yielded and its error.
func drainSeq[T any](seq func(func(T, error) bool)) (int, error) {
	n := 0
	var last error
	for _, err := range seq {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	return n, last
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("t", maxPageToken+1)
	objects := func(start string) func(c *Client) (int, error) {
		return func(c *Client) (int, error) {
			return drainSeq(c.AllObjects(ctx, &ListObjectsV2Input{Bucket: "bkt", ContinuationToken: start}))
		}
	}
	versions := func(c *Client) (int, error) {
		return drainSeq(c.AllObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "bkt"}))
	}
	uploads := func(c *Client) (int, error) {
		return drainSeq(c.AllMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: "bkt"}))
	}
	parts := func(c *Client) (int, error) {
		return drainSeq(c.AllParts(ctx, &ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u"}))
	}
	// The loops of callers that page by hand (transfer's DownloadDirectory,
	// the CLI's ls), with a Pager.
	objectsByHand := func(c *Client) (int, error) {
		var pager Pager
		in := &ListObjectsV2Input{Bucket: "bkt"}
		n := 0
		for {
			out, err := c.ListObjectsV2(ctx, in)
			if err != nil {
				return n, err
			}
			n += len(out.Contents)
			more, err := pager.NextObjects(in, out)
			if err != nil || !more {
				return n, err
			}
		}
	}
	bucketsByHand := func(c *Client) (int, error) {
		var pager Pager
		in := &ListBucketsInput{MaxBuckets: 1}
		n := 0
		for {
			out, err := c.ListBuckets(ctx, in)
			if err != nil {
				return n, err
			}
			n += len(out.Buckets)
			more, err := pager.NextBuckets(in, out)
			if err != nil || !more {
				return n, err
			}
		}
	}
	tokens := []string{"continuation-token"}
	tests := []struct {
		name     string
		params   []string
		pages    map[string]string
		list     func(*Client) (int, error)
		op       string
		requests int
		items    int
		ok       bool
	}{
		{"objects end", tokens, map[string]string{"": objectsPage(true, "A", "a"), "A": objectsPage(true, "B", "b"), "B": objectsPage(false, "", "c")},
			objects(""), "ListObjectsV2", 3, 3, true},
		{"objects repeat a token", tokens, map[string]string{"": objectsPage(true, "A", "a"), "A": objectsPage(true, "A", "b")},
			objects(""), "ListObjectsV2", 2, 2, false},
		{"objects cycle through two tokens", tokens, map[string]string{"": objectsPage(true, "A", "a"), "A": objectsPage(true, "B", "b"), "B": objectsPage(true, "A", "c")},
			objects(""), "ListObjectsV2", 3, 3, false},
		{"objects truncated without a token", tokens, map[string]string{"": objectsPage(true, "", "a")},
			objects(""), "ListObjectsV2", 1, 1, false},
		{"objects token over the bound", tokens, map[string]string{"": objectsPage(true, long, "a")},
			objects(""), "ListObjectsV2", 1, 1, false},
		{"objects give back the starting token", tokens, map[string]string{"S": objectsPage(true, "S", "a")},
			objects("S"), "ListObjectsV2", 1, 1, false},
		{"objects by hand end", tokens, map[string]string{"": objectsPage(true, "A", "a"), "A": objectsPage(false, "", "b")},
			objectsByHand, "ListObjectsV2", 2, 2, true},
		{"objects by hand cycle", tokens, map[string]string{"": objectsPage(true, "A", "a"), "A": objectsPage(true, "B", "b"), "B": objectsPage(true, "A", "c")},
			objectsByHand, "ListObjectsV2", 3, 3, false},
		{"objects by hand truncated without a token", tokens, map[string]string{"": objectsPage(true, "", "a")},
			objectsByHand, "ListObjectsV2", 1, 1, false},
		// Versions of one key: the version marker alone moves, which is progress.
		{"versions of one key end", []string{"key-marker", "version-id-marker"},
			map[string]string{"|": versionsPage(true, "k", "v1"), "k|v1": versionsPage(true, "k", "v2"), "k|v2": versionsPage(false, "", "")},
			versions, "ListObjectVersions", 3, 3, true},
		{"versions cycle through marker pairs", []string{"key-marker", "version-id-marker"},
			map[string]string{"|": versionsPage(true, "k", "v1"), "k|v1": versionsPage(true, "k", "v2"), "k|v2": versionsPage(true, "k", "v1")},
			versions, "ListObjectVersions", 3, 3, false},
		{"versions truncated without a key marker", []string{"key-marker", "version-id-marker"},
			map[string]string{"|": versionsPage(true, "", "v1")},
			versions, "ListObjectVersions", 1, 1, false},
		{"uploads repeat a marker pair", []string{"key-marker", "upload-id-marker"},
			map[string]string{"|": uploadsPage(true, "k", "u1"), "k|u1": uploadsPage(true, "k", "u1")},
			uploads, "ListMultipartUploads", 2, 2, false},
		{"parts end", []string{"part-number-marker"}, map[string]string{"": partsPage(true, 1), "1": partsPage(false, 0)},
			parts, "ListParts", 2, 2, true},
		{"parts marker does not rise", []string{"part-number-marker"}, map[string]string{"": partsPage(true, 2), "2": partsPage(true, 2)},
			parts, "ListParts", 2, 2, false},
		{"parts marker beyond the last part number", []string{"part-number-marker"}, map[string]string{"": partsPage(true, MaxPartNumber+1)},
			parts, "ListParts", 1, 1, false},
		{"buckets end", tokens, map[string]string{"": bucketsPage("A"), "A": bucketsPage("")},
			bucketsByHand, "ListBuckets", 2, 2, true},
		{"buckets cycle", tokens, map[string]string{"": bucketsPage("A"), "A": bucketsPage("B"), "B": bucketsPage("A")},
			bucketsByHand, "ListBuckets", 3, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := markerFake(t, tt.params, tt.pages)
			items, err := tt.list(newClient(t, f.URL))
			if f.count() != tt.requests || items != tt.items {
				t.Errorf("%d requests, %d items; want %d, %d", f.count(), items, tt.requests, tt.items)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var e *Error
			if !errors.Is(err, ErrPagination) || !errors.As(err, &e) || e.Op != tt.op {
				t.Fatalf("err = %v, want an *Error of %s wrapping ErrPagination", err, tt.op)
			}
			if strings.Contains(err.Error(), long) {
				t.Error("the error quotes the hostile token")
			}
		})
	}
}

// TestPagerStartsFresh checks that each range over an iterator has a Pager
// of its own: a second listing of the same bucket is not refused for the
// tokens of the first.
func TestPagerStartsFresh(t *testing.T) {
	f := markerFake(t, []string{"continuation-token"}, map[string]string{"": objectsPage(true, "A", "a"), "A": objectsPage(false, "", "b")})
	seq := newClient(t, f.URL).AllObjects(context.Background(), &ListObjectsV2Input{Bucket: "bkt"})
	for range 2 {
		if n, err := drainSeq(seq); n != 2 || err != nil {
			t.Fatalf("%d items, %v", n, err)
		}
	}
	if f.count() != 4 {
		t.Errorf("%d requests, want 4", f.count())
	}
}

// pageTransport answers every request with the next page of a script, and
// repeats the last page once the script is done, as a stuck server would.
// It refuses to go on past limit requests, so that a listing that does not
// end fails the fuzz target instead of hanging it.
type pageTransport struct {
	pages []string
	limit int
	n     atomic.Int32
}

var errOverrun = errors.New("the listing went on past its bound")

func (p *pageTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := int(p.n.Add(1))
	if n > p.limit {
		return nil, errOverrun
	}
	doc := p.pages[min(n, len(p.pages))-1]
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(doc)),
		ContentLength: int64(len(doc)), Request: r}, nil
}

// FuzzPaging feeds any sequence of pages to every listing (the iterators
// and a Pager by hand): each ends within one request more than the pages it
// was given (the repeat of a truncated last page is caught), with success
// or an error wrapping ErrPagination, and never panics. Two bytes make a
// page: flags (truncated, has a token, a token over the bound) and a token
// number.
func FuzzPaging(f *testing.F) {
	f.Add(byte(0), []byte{3, 1, 3, 2, 0, 0})
	f.Add(byte(1), []byte{3, 0x11, 3, 0x12, 3, 0x11})
	f.Add(byte(2), []byte{1, 0})
	f.Add(byte(3), []byte{3, 5, 3, 5})
	f.Add(byte(4), []byte{3, 1, 3, 2, 3, 1})
	f.Add(byte(5), []byte{7, 1})
	f.Fuzz(func(t *testing.T, kind byte, script []byte) {
		if len(script) > 64 {
			script = script[:64]
		}
		var pages []string
		for i := 0; i+1 < len(script); i += 2 {
			flags, id := script[i], script[i+1]
			truncated, hasToken, long := flags&1 != 0, flags&2 != 0, flags&4 != 0
			tok, sub := "", ""
			if hasToken {
				tok, sub = "t"+strconv.Itoa(int(id&15)), "s"+strconv.Itoa(int(id>>4))
				if long {
					tok += strings.Repeat("x", maxPageToken)
				}
			}
			switch kind % 6 {
			case 0, 5:
				pages = append(pages, objectsPage(truncated, tok, "k"))
			case 1:
				pages = append(pages, versionsPage(truncated, tok, sub))
			case 2:
				pages = append(pages, uploadsPage(truncated, tok, sub))
			case 3:
				next := int(id)
				if long {
					next += MaxPartNumber
				}
				pages = append(pages, partsPage(truncated, next))
			case 4:
				if !truncated {
					tok = ""
				}
				pages = append(pages, bucketsPage(tok))
			}
		}
		if len(pages) == 0 {
			pages = []string{objectsPage(false, "", "k")}
			kind = 0
		}
		tr := &pageTransport{pages: pages, limit: len(pages) + 1}
		c := newClient(t, "http://127.0.0.1:1", func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
		ctx := context.Background()
		var err error
		switch kind % 6 {
		case 0:
			_, err = drainSeq(c.AllObjects(ctx, &ListObjectsV2Input{Bucket: "bkt"}))
		case 1:
			_, err = drainSeq(c.AllObjectVersions(ctx, &ListObjectVersionsInput{Bucket: "bkt"}))
		case 2:
			_, err = drainSeq(c.AllMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: "bkt"}))
		case 3:
			_, err = drainSeq(c.AllParts(ctx, &ListPartsInput{Bucket: "bkt", Key: "k", UploadID: "u"}))
		case 4:
			var pager Pager
			in := &ListBucketsInput{}
			for {
				out, lerr := c.ListBuckets(ctx, in)
				if lerr != nil {
					err = lerr
					break
				}
				more, perr := pager.NextBuckets(in, out)
				if perr != nil || !more {
					err = perr
					break
				}
			}
		case 5:
			var pager Pager
			in := &ListObjectsV2Input{Bucket: "bkt"}
			for {
				out, lerr := c.ListObjectsV2(ctx, in)
				if lerr != nil {
					err = lerr
					break
				}
				more, perr := pager.NextObjects(in, out)
				if perr != nil || !more {
					err = perr
					break
				}
			}
		}
		if errors.Is(err, errOverrun) {
			t.Fatalf("%d pages: the listing did not end within %d requests", len(pages), tr.limit)
		}
		if err != nil && !errors.Is(err, ErrPagination) {
			t.Fatalf("err = %v, want nil or ErrPagination", err)
		}
	})
}
