// Command s3kit is the binary-size probe for s3kit: the smallest useful
// program, one PutObject to the endpoint given as the only argument.
package main

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

func main() {
	c, err := s3client.New(s3client.Config{
		Region:      "us-east-1",
		Endpoint:    os.Args[1],
		Credentials: sigv4.NewStaticProvider("AKIDBINSIZE", "binsize-secret", ""),
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.PutObject(context.Background(), &s3client.PutObjectInput{
		Bucket: "bench", Key: "binsize/s3kit", Body: strings.NewReader("hello"),
	})
	if err != nil {
		log.Fatal(err)
	}
}
