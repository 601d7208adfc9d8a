package sigv4_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// Signing a request to a Multi-Region Access Point: SigV4a for the region
// set "*", and checking the signature with the public key, as a server
// does. The ECDSA signature differs on every run, so only what precedes it
// is printed.
func ExampleSignerV4a_Sign() {
	var signer sigv4.SignerV4a // share one: it caches the derived keys

	req, err := http.NewRequest(http.MethodGet, "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/photos/cat.jpg", nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := signer.Sign(req, exampleCreds, "*", sigv4.UnsignedPayload, exampleTime); err != nil {
		log.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	head, sig, _ := strings.Cut(auth, "Signature=")
	fmt.Println(req.Header.Get("X-Amz-Region-Set"))
	fmt.Println(head + "Signature=...")

	pub, err := signer.PublicKey(exampleCreds)
	if err != nil {
		log.Fatal(err)
	}
	cr, err := signer.CanonicalRequest(req, sigv4.UnsignedPayload)
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte(signer.StringToSign(cr, exampleTime)))
	der, err := hex.DecodeString(sig)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verifies:", ecdsa.VerifyASN1(pub, digest[:], der))
	// Output:
	// *
	// AWS4-ECDSA-P256-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=...
	// verifies: true
}

func ExampleSignerV4a_Presign() {
	var signer sigv4.SignerV4a
	req, err := http.NewRequest(http.MethodGet, "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/test.txt", nil)
	if err != nil {
		log.Fatal(err)
	}
	u, headers, err := signer.Presign(req, exampleCreds, "*", sigv4.UnsignedPayload, time.Hour, exampleTime)
	if err != nil {
		log.Fatal(err)
	}
	head, _, _ := strings.Cut(u, "&X-Amz-Signature=")
	fmt.Println(head)
	fmt.Println(len(headers), "headers to send")
	// Output:
	// https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=3600&X-Amz-Region-Set=%2A&X-Amz-SignedHeaders=host
	// 0 headers to send
}
