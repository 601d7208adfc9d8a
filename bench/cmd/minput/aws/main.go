// Command aws is the binary-size probe for aws-sdk-go-v2: one PutObject to
// the endpoint given as the only argument, with service/s3 alone (no
// config package).
package main

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	c := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(os.Args[1]),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBINSIZE", "binsize-secret", ""),
	})
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("bench"), Key: aws.String("binsize/aws"), Body: strings.NewReader("hello"),
	})
	if err != nil {
		log.Fatal(err)
	}
}
