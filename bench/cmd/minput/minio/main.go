// Command minio is the binary-size probe for minio-go: one PutObject to the
// endpoint given as the only argument.
package main

import (
	"context"
	"log"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func main() {
	u, err := url.Parse(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4("AKIDBINSIZE", "binsize-secret", ""),
		Secure:       u.Scheme == "https",
		Region:       "us-east-1",
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.PutObject(context.Background(), "bench", "binsize/minio", strings.NewReader("hello"), 5, minio.PutObjectOptions{})
	if err != nil {
		log.Fatal(err)
	}
}
