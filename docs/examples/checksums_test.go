package examples_test

// Checksums: S3's additional checksums on uploads, checked by the server,
// and on downloads, checked by the client as the bytes arrive.

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

func Example_checksums() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	// The client computes the CRC32C as it sends the body; S3 stores the
	// object only if it computes the same (BadDigest otherwise).
	_, err = s3.PutObject(ctx, &s3client.PutObjectInput{
		Bucket: "bucket-name", Key: "checked.txt",
		Body:              strings.NewReader("checked end to end\n"),
		ChecksumAlgorithm: s3client.ChecksumCRC32C,
	})
	if err != nil {
		log.Fatal(err)
	}

	// ChecksumMode asks S3 for the checksum; reading the body to its end
	// verifies it, with an error wrapping ErrChecksumMismatch if the
	// bytes differ.
	out, err := s3.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "checked.txt", ChecksumMode: true})
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(body))
	fmt.Println("CRC32C:", out.Checksums.CRC32C)

	// The transfer manager does the same for files: a checksum on every
	// part, and downloads verified unless ChecksumMode is "DISABLED".
	mgr, err := transfer.New(s3, transfer.Config{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = mgr.UploadFile(ctx, "tmp.txt", "bucket-name", "tmp.txt",
		transfer.UploadArgs{ChecksumAlgorithm: s3client.ChecksumSHA256})
	if err != nil {
		log.Fatal(err)
	}
	res, err := mgr.DownloadFile(ctx, "bucket-name", "tmp.txt", "copy.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SHA256:", res.Checksums.SHA256)
	// Output:
	// checked end to end
	// CRC32C: 5g7/VQ==
	// SHA256: kRFY1paPcf3MXfiZsZd7thax0kvoXPu2mennBvA0hsM=
}
