//go:build conformance

package conformance

import (
	"os"
	"testing"

	"github.com/s3kit/s3kit/internal/testkit/conformance"
	"github.com/s3kit/s3kit/s3client"
)

// versitygw verifies SigV4 the way AWS does; scripts/versitygw.sh starts it
// and prints the S3KIT_CONFORMANCE_* variables this test reads.
var versitygwCaps = conformance.Capabilities{
	VerifiesSignatures: true,
	ChecksumHeaders:    true,
	AWSChunked:         true,
	UploadPartCopy:     true,
	ConditionalWrites:  true,
	ClockSkew:          true,
	PostPolicy:         true,
	StoresChecksums:    true,
	StoresCacheControl: true,
	ReadConditions:     true,
	MultipartETags:     true,
	ReplacesMetadata:   true,
	FileKeys:           true,
	Lacks: lacks("NotImplemented (501) in versitygw v1.8.0",
		"PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle",
		"PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
		"PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
		"GetObjectAcl", "PutObjectAcl",
		"PutBucketRequestPayment", "GetBucketLogging", "GetBucketNotificationConfiguration",
		"GetBucketAccelerateConfiguration", "GetBucketReplication"),
}

func mustEnv(t *testing.T, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the suite with `make conformance`, which starts versitygw (scripts/versitygw.sh)", name)
	}
	return v
}

func TestVersitygw(t *testing.T) {
	targets := []struct{ scheme, endpointVar string }{
		{"http", "S3KIT_CONFORMANCE_ENDPOINT"},
		{"https", "S3KIT_CONFORMANCE_HTTPS_ENDPOINT"},
	}
	for _, tg := range targets {
		endpoint := mustEnv(t, tg.endpointVar)
		hc, err := conformance.LoopbackClient(os.Getenv("S3KIT_CONFORMANCE_CA_FILE"))
		if err != nil {
			t.Fatal(err)
		}
		for _, style := range []s3client.AddressingStyle{s3client.AddressingPath, s3client.AddressingVirtual} {
			ep := endpoint
			if style == s3client.AddressingVirtual {
				ep = conformance.LocalhostEndpoint(endpoint)
			}
			t.Run(tg.scheme+"/"+style.String(), func(t *testing.T) {
				target := conformance.Target{
					Name: "versitygw/" + tg.scheme + "/" + style.String(), Endpoint: ep,
					Region:    mustEnv(t, "S3KIT_CONFORMANCE_REGION"),
					AccessKey: mustEnv(t, "S3KIT_CONFORMANCE_ACCESS_KEY"),
					SecretKey: mustEnv(t, "S3KIT_CONFORMANCE_SECRET_KEY"),
					Style:     style, HTTPClient: hc, Caps: versitygwCaps,
				}
				conformance.Run(t, target)
				t.Run("Unconfigured", func(t *testing.T) { runUnconfigured(t, target) })
			})
		}
	}
}
