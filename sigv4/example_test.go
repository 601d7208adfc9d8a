package sigv4_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// The key pair of the Amazon S3 documentation's examples.
var exampleCreds = sigv4.Credentials{
	AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}

// A fixed time keeps the output stable; a client passes time.Now() corrected
// by the clock skew it has seen.
var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func ExampleSigner_Sign() {
	var signer sigv4.Signer // share one: it caches derived signing keys

	body := "Welcome to Amazon S3."
	req, err := http.NewRequest(http.MethodPut, "https://examplebucket.s3.amazonaws.com/photos/my cat.txt", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	sum := sha256.Sum256([]byte(body))
	if err := signer.Sign(req, exampleCreds, "us-east-1", hex.EncodeToString(sum[:]), exampleTime); err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.URL.EscapedPath())
	fmt.Println(req.Header.Get("X-Amz-Date"))
	fmt.Println(req.Header.Get("Authorization"))
	// Output:
	// /photos/my%20cat.txt
	// 20130524T000000Z
	// AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,Signature=a97816cab21ddcc5fe856c32d4cb5a5b16c38da5d76f9c10606a784ad73f98f2
}

func ExampleSigner_Presign() {
	var signer sigv4.Signer
	req, err := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	u, headers, err := signer.Presign(req, exampleCreds, "us-east-1", sigv4.UnsignedPayload, 24*time.Hour, exampleTime)
	if err != nil {
		log.Fatal(err)
	}
	// The signature is the one the Amazon S3 API Reference publishes for
	// this request.
	fmt.Println(u)
	fmt.Println("headers to send:", len(headers))
	// Output:
	// https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404
	// headers to send: 0
}

func ExampleSigner_SignStreaming() {
	var signer sigv4.Signer
	data := strings.Repeat("a", 70000)
	req, err := http.NewRequest(http.MethodPut, "https://examplebucket.s3.amazonaws.com/big.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	opts := sigv4.StreamingOptions{
		Payload:        sigv4.StreamingPayloadTrailer,
		Checksum:       crc32.New(crc32.MakeTable(crc32.Castagnoli)),
		ChecksumHeader: "x-amz-checksum-crc32c",
	}
	err = signer.SignStreaming(req, strings.NewReader(data), int64(len(data)), exampleCreds, "us-east-1", opts, exampleTime)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Content-Length:", req.ContentLength)
	for _, h := range []string{"Content-Encoding", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Content-Sha256"} {
		fmt.Printf("%s: %s\n", h, req.Header.Get(h))
	}
	// net/http reads req.Body when it sends the request; here, the chunk
	// headers and the trailer.
	sc := bufio.NewScanner(req.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := strings.TrimSuffix(sc.Text(), "\r"); !strings.HasPrefix(line, "aaaa") {
			fmt.Printf("%q\n", line)
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Content-Length: 70387
	// Content-Encoding: aws-chunked
	// X-Amz-Decoded-Content-Length: 70000
	// X-Amz-Trailer: x-amz-checksum-crc32c
	// X-Amz-Content-Sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
	// "10000;chunk-signature=8cb9b6ba45a2ded811aa5cbff80369b376a3cfa78f5deca224747c4bed80ce30"
	// "1170;chunk-signature=c54d30634080abb60dd1dc6e2d2cca44da24b355ee63e82a56beee5e850a5ba0"
	// "0;chunk-signature=41dd59b48b0964d07cf46467fc0b490fc477fd192d3ad446dbf63ed46316338d"
	// "x-amz-checksum-crc32c:Nrprhw=="
	// "x-amz-trailer-signature:9feccc2fa56f19c6603ee58e39ede2b370b233d37bdf5f01e06081c8cd6c2313"
	// ""
}

func ExampleSigner_SignPOSTPolicy() {
	var signer sigv4.Signer
	policy := `{"expiration":"2013-05-25T00:00:00Z","conditions":[{"bucket":"examplebucket"},["starts-with","$key","user/"],` +
		`{"x-amz-credential":"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-date":"20130524T000000Z"}]}`
	b64 := base64.StdEncoding.EncodeToString([]byte(policy))
	sig, err := signer.SignPOSTPolicy(b64, exampleCreds, "us-east-1", exampleTime)
	if err != nil {
		log.Fatal(err)
	}
	// The form fields of the upload, besides key and file.
	fmt.Println("x-amz-algorithm:", sigv4.Algorithm)
	fmt.Println("x-amz-credential:", exampleCreds.AccessKeyID+"/"+sigv4.CredentialScope(exampleTime, "us-east-1", "s3"))
	fmt.Println("x-amz-date:", sigv4.FormatTime(exampleTime))
	fmt.Println("x-amz-signature:", sig)
	// Output:
	// x-amz-algorithm: AWS4-HMAC-SHA256
	// x-amz-credential: AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request
	// x-amz-date: 20130524T000000Z
	// x-amz-signature: ef6a00644702dbe5863f24ef158188cbf9ff627711a6f796b098ad45a9c32203
}

func ExampleCredentials() {
	creds := sigv4.Credentials{
		AccessKeyID:     "ASIAIOSFODNN7EXAMPLE",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		SessionToken:    "FwoGZXIvYXdzEXAMPLE",
		Expires:         time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC),
	}
	// Every fmt verb prints the redacted form, so credentials can be
	// logged and wrapped in errors.
	fmt.Println(creds)
	fmt.Printf("%+v\n", creds)
	fmt.Println(fmt.Errorf("cannot sign with %v", creds))
	fmt.Println(sigv4.NewStaticProvider("AKIAIOSFODNN7EXAMPLE", "secret", ""))
	// Output:
	// sigv4.Credentials{AccessKeyID: ASIAIOSFODNN7EXAMPLE, SecretAccessKey: <redacted>, SessionToken: <redacted>, Expires: 2030-01-01T12:00:00Z}
	// sigv4.Credentials{AccessKeyID: ASIAIOSFODNN7EXAMPLE, SecretAccessKey: <redacted>, SessionToken: <redacted>, Expires: 2030-01-01T12:00:00Z}
	// cannot sign with sigv4.Credentials{AccessKeyID: ASIAIOSFODNN7EXAMPLE, SecretAccessKey: <redacted>, SessionToken: <redacted>, Expires: 2030-01-01T12:00:00Z}
	// sigv4.StaticProvider{sigv4.Credentials{AccessKeyID: AKIAIOSFODNN7EXAMPLE, SecretAccessKey: <redacted>, SessionToken: ""}}
}
