package examples_test

// The README's quick start.

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func Example_quickStart() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil) // the environment and ~/.aws, as the AWS CLI reads them
	if err != nil {
		log.Fatal(err)
	}
	client, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	s3, _ := transfer.New(client, transfer.Config{}) // boto3's defaults
	if _, err := s3.UploadFile(ctx, "tmp.txt", "bucket-name", "key-name"); err != nil {
		log.Fatal(err)
	}
	if _, err := s3.DownloadFile(ctx, "bucket-name", "key-name", "copy.txt"); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile("copy.txt")
	fmt.Print(string(data))
	// Output: Hello, S3!
}
