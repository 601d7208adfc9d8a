// Package signbench holds the signing micro-benchmarks: the same two
// requests signed by s3kit's sigv4, aws-sdk-go-v2's v4 signer (configured
// as its S3 client configures it) and minio-go's signer. cmd/signbench runs
// them for the runner; signbench_test.go exposes them to go test -bench for
// profiling.
//
// Each benchmark re-signs one request in a loop (every signer replaces its
// earlier headers), so that what is measured is the signature alone, not
// building the request. The signing time is fixed where the API takes one
// (s3kit, aws); minio-go reads the clock itself.
package signbench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	miniosigner "github.com/minio/minio-go/v7/pkg/signer"

	"github.com/s3kit/s3kit/sigv4"
)

const (
	accessKey = "AKIDEXAMPLE0000000000"
	secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	region    = "us-east-1"
	objectURL = "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2024/08/cat%20on%20a%20mat.jpg"
	// payloadHash is the hex SHA-256 of the PutObject body, computed by the
	// caller in every library (it is the payload's cost, not the signer's).
	payloadHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
	expires     = 15 * time.Minute
)

var signTime = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Bench is one micro-benchmark.
type Bench struct {
	Lib string // "s3kit", "aws-sdk-go-v2", "minio-go"
	Op  string // "sign PutObject", "presign GetObject"
	F   func(b *testing.B)
}

// putRequest is a PutObject as a program sends it: a content type, user
// metadata, the payload hash header S3 requires, a length.
func putRequest(b testing.TB) *http.Request {
	req, err := http.NewRequest(http.MethodPut, objectURL, http.NoBody)
	if err != nil {
		b.Fatal(err)
	}
	// The length is in the header map too, so that every signer signs it
	// (aws-sdk-go-v2 signs ContentLength; s3kit and minio-go sign the
	// headers present).
	req.ContentLength = 1 << 20
	req.Header.Set("Content-Length", "1048576")
	req.Header.Set("Content-Type", "image/jpeg")
	req.Header.Set("X-Amz-Meta-Owner", "benchmark")
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	return req
}

func getRequest(b testing.TB) *http.Request {
	req, err := http.NewRequest(http.MethodGet, objectURL, nil)
	if err != nil {
		b.Fatal(err)
	}
	return req
}

// All returns every benchmark, grouped by operation.
func All() []Bench {
	return []Bench{
		{"s3kit", "sign PutObject", s3kitSign},
		{"aws-sdk-go-v2", "sign PutObject", awsSign},
		{"minio-go", "sign PutObject", minioSign},
		{"s3kit", "presign GetObject", s3kitPresign},
		{"aws-sdk-go-v2", "presign GetObject", awsPresign},
		{"minio-go", "presign GetObject", minioPresign},
	}
}

var s3kitCreds = sigv4.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}

func s3kitSign(b *testing.B) {
	var s sigv4.Signer
	req := putRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(req, s3kitCreds, region, payloadHash, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

func s3kitPresign(b *testing.B) {
	var s sigv4.Signer
	req := getRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Presign(req, s3kitCreds, region, sigv4.UnsignedPayload, expires, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

// awsSigner is the signer as service/s3 builds it: S3 paths are escaped
// once, not twice.
func awsSigner() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

var awsCreds = aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}

func awsSign(b *testing.B) {
	s := awsSigner()
	req := putRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.SignHTTP(ctx, awsCreds, req, payloadHash, "s3", region, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

func awsPresign(b *testing.B) {
	s := awsSigner()
	req := getRequest(b)
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "900")
	req.URL.RawQuery = q.Encode()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.PresignHTTP(ctx, awsCreds, req, "UNSIGNED-PAYLOAD", "s3", region, signTime); err != nil {
			b.Fatal(err)
		}
	}
}

func minioSign(b *testing.B) {
	req := putRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := miniosigner.SignV4(*req, accessKey, secretKey, "", region); r == nil {
			b.Fatal("nil request")
		}
	}
}

func minioPresign(b *testing.B) {
	req := getRequest(b)
	// PreSignV4 takes the request by value but writes the query of the
	// shared *url.URL: put the original query back before each call, or
	// the URL would grow with every iteration.
	query := req.URL.RawQuery
	b.ReportAllocs()
	for b.Loop() {
		req.URL.RawQuery = query
		if r := miniosigner.PreSignV4(*req, accessKey, secretKey, "", region, int64(expires/time.Second)); r == nil {
			b.Fatal("nil request")
		}
	}
}
