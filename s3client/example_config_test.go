package s3client_test

// Examples of the configuration operations and of the door, run offline
// against the in-process server of internal/testkit/s3test.

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"strings"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// exampleClient starts the in-process server with a bucket and returns a
// client for it and a function that stops the server.
func exampleClient(bucket string) (*s3client.Client, func()) {
	srv, err := s3test.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	c, err := s3client.New(s3client.Config{
		Region: "us-east-1", Endpoint: srv.Endpoint(), AddressingStyle: s3client.AddressingPath,
		Credentials: sigv4.NewStaticProvider("AKIDEXAMPLE", "example-secret", ""),
		HTTPClient:  srv.HTTPClient(),
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.CreateBucket(context.Background(), &s3client.CreateBucketInput{Bucket: bucket}); err != nil {
		log.Fatal(err)
	}
	return c, srv.Close
}

func ExampleClient_PutBucketVersioning() {
	ctx := context.Background()
	c, stop := exampleClient("photos")
	defer stop()

	err := c.PutBucketVersioning(ctx, &s3client.PutBucketVersioningInput{
		Bucket:        "photos",
		Configuration: s3client.VersioningConfiguration{Status: "Enabled"},
	})
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.GetBucketVersioning(ctx, &s3client.BucketInput{Bucket: "photos"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("versioning:", v.Status)
	// Output: versioning: Enabled
}

func ExampleClient_AllObjectsV1() {
	ctx := context.Background()
	c, stop := exampleClient("old-store")
	defer stop()
	for _, k := range []string{"a.txt", "b.txt", "c.txt"} {
		if _, err := c.PutObject(ctx, &s3client.PutObjectInput{Bucket: "old-store", Key: k, Body: strings.NewReader(k)}); err != nil {
			log.Fatal(err)
		}
	}
	// Two keys a page: the iterator asks for the next page by marker.
	for o, err := range c.AllObjectsV1(ctx, &s3client.ListObjectsInput{Bucket: "old-store", MaxKeys: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Key, o.Size)
	}
	// Output:
	// a.txt 5
	// b.txt 5
	// c.txt 5
}

// The door sends an operation s3kit does not type; here GetBucketVersioning
// by hand, decoded into a struct of the caller's.
func ExampleClient_Do() {
	ctx := context.Background()
	c, stop := exampleClient("reports")
	defer stop()

	resp, err := c.Do(ctx, &s3client.Request{
		Operation: "GetBucketVersioning",
		Method:    "GET",
		Bucket:    "reports",
		Query:     url.Values{"versioning": {""}},
	})
	if err != nil {
		log.Fatal(err)
	}
	var v struct {
		Status string `xml:"Status"`
	}
	if err := resp.DecodeXML(&v); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("status %d, versioning %q\n", resp.StatusCode, v.Status)
	// Output: status 200, versioning ""
}
