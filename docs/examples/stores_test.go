package examples_test

// S3-compatible stores (docs/stores.md): a client for a store is a
// Config with its endpoint, region and keys.

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"strings"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// A client for Cloudflare R2, set in code. Presigning sends nothing, so
// this runs without a network.
func Example_compatibleStore() {
	ctx := context.Background()
	s3, err := s3client.New(s3client.Config{
		Endpoint: "https://0123456789abcdef.r2.cloudflarestorage.com",
		Region:   "auto",
		// AddressingAuto is path style on a custom endpoint; set
		// AddressingVirtual for https://BUCKET.HOST/ where the store serves it.
		Credentials: sigv4.NewStaticProvider("R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", ""),
		// ChecksumAuto sends no x-amz-checksum-* to a custom endpoint unless
		// an upload asks for one; this says so explicitly.
		ChecksumPolicy: s3client.ChecksumWhenRequired,
	})
	if err != nil {
		log.Fatal(err)
	}
	req, err := s3.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "photos", Key: "2024/a.jpg"}, time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(req.URL)
	scope := strings.Split(u.Query().Get("X-Amz-Credential"), "/")
	fmt.Println(u.Host + u.Path)
	fmt.Println("signed for", scope[2], scope[3])
	// Output:
	// 0123456789abcdef.r2.cloudflarestorage.com/photos/2024/a.jpg
	// signed for auto s3
}
