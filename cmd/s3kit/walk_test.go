package main

// Listings of directory buckets, which come in no particular key order.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// unorderedLister answers ListObjectsV2 with keys in the order given, two
// a page.
func unorderedLister(t *testing.T, keys []string) *s3client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := 0
		if tok := r.URL.Query().Get("continuation-token"); tok != "" {
			fmt.Sscan(tok, &start)
		}
		end := min(start+2, len(keys))
		var b strings.Builder
		b.WriteString(`<ListBucketResult>`)
		for _, k := range keys[start:end] {
			fmt.Fprintf(&b, `<Contents><Key>%s</Key><Size>1</Size></Contents>`, k)
		}
		if end < len(keys) {
			fmt.Fprintf(&b, `<IsTruncated>true</IsTruncated><NextContinuationToken>%d</NextContinuationToken>`, end)
		}
		b.WriteString(`</ListBucketResult>`)
		w.Write([]byte(b.String()))
	}))
	t.Cleanup(srv.Close)
	c, err := s3client.New(s3client.Config{Region: "us-west-2", Endpoint: srv.URL, AddressingStyle: s3client.AddressingPath,
		DisableS3ExpressSessionAuth: true, Credentials: sigv4.NewStaticProvider("AKID", "SECRET", "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWalkS3DirectoryBucketOrder(t *testing.T) {
	keys := []string{"p/c", "p/a", "p/d/e", "p/b"}
	const dir, general = "dir--usw2-az1--x-s3", "general"
	ctx := context.Background()
	collect := func(bucket string, sorted bool) ([]string, error) {
		var got []string
		for e, err := range walkS3(ctx, unorderedLister(t, keys), bucket, "p/", 0, "", false, sorted) {
			if err != nil {
				return got, err
			}
			got = append(got, e.rel)
		}
		return got, nil
	}
	// cp and mv take a directory bucket's keys as they come...
	if got, err := collect(dir, false); err != nil || !slices.Equal(got, []string{"c", "a", "d/e", "b"}) {
		t.Errorf("unsorted walk: %v, %v", got, err)
	}
	// ...sync gets them sorted...
	if got, err := collect(dir, true); err != nil || !slices.Equal(got, []string{"a", "b", "c", "d/e"}) {
		t.Errorf("sorted walk: %v, %v", got, err)
	}
	// ...within a bound...
	defer func(n int) { maxUnsortedListing = n }(maxUnsortedListing)
	maxUnsortedListing = 3
	if got, err := collect(dir, true); err == nil || !strings.Contains(err.Error(), "more than 3 keys") || len(got) != 0 {
		t.Errorf("sorted walk over the bound: %v, %v", got, err)
	}
	maxUnsortedListing = 100
	// ...and a general purpose bucket that breaks S3's order is refused.
	if _, err := collect(general, false); err == nil || !strings.Contains(err.Error(), "not in key order") {
		t.Errorf("general bucket out of order: %v", err)
	}
}
