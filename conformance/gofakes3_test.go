package conformance

import (
	"testing"

	"github.com/s3kit/s3kit/internal/testkit/conformance"
	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
)

// gofakes3 checks no signature and lacks some operations; what it does
// implement must behave the same as on the strict server.
var gofakes3Caps = conformance.Capabilities{
	ChecksumHeaders: true, // checked by s3test's body filter
	AWSChunked:      true, // decoded by s3test's body filter
	UploadPartCopy:  true, // served by s3test in front of gofakes3 (partcopy.go)
	// gofakes3 takes a PUT to a bucket's sub-resource for CreateBucket and
	// a GET for a listing: of the configuration operations it has only
	// versioning.
	Lacks: lacks("not implemented by gofakes3",
		"PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "DeleteObjectTagging",
		"PutBucketCors", "GetBucketCors", "DeleteBucketCors",
		"PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "GetBucketPolicyStatus",
		"PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
		"PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle",
		"PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
		"PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls",
		"PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
		"GetBucketAcl", "PutBucketAcl", "GetObjectAcl", "PutObjectAcl",
		"PutObjectLockConfiguration", "GetObjectLockConfiguration", "PutObjectRetention", "GetObjectRetention",
		"PutObjectLegalHold", "GetObjectLegalHold", "GetObjectAttributes",
		"PutBucketRequestPayment", "GetBucketRequestPayment", "GetBucketLogging",
		"GetBucketNotificationConfiguration", "GetBucketAccelerateConfiguration", "GetBucketReplication"),
}

// lacks is a Capabilities.Lacks of ops, all for one reason.
func lacks(why string, ops ...string) map[string]string {
	m := make(map[string]string, len(ops))
	for _, op := range ops {
		m[op] = why
	}
	return m
}

// TestGoFakeS3 runs the suite against the in-process server in both
// addressing styles; under the race detector in path style only
// (gofakes3Styles, race_test.go): the suite moves tens of MiB, every byte
// of which the detector checks, and the two styles differ only in the
// URLs the client builds. make test runs both styles without -race too
// (its norace step), and the virtual style against versitygw; under
// the race detector its parts are also 1 MiB (smallParts).
func TestGoFakeS3(t *testing.T) {
	smallParts(t)
	srv := s3test.New(t)
	for _, style := range gofakes3Styles {
		endpoint := srv.Endpoint()
		if style == s3client.AddressingVirtual {
			endpoint = srv.VirtualHostEndpoint()
		}
		t.Run(style.String(), func(t *testing.T) {
			tg := conformance.Target{
				Name: "gofakes3/" + style.String(), Endpoint: endpoint, Region: "us-east-1",
				AccessKey: "AKIDGOFAKES3", SecretKey: "gofakes3-secret", Style: style,
				HTTPClient: srv.HTTPClient(), Caps: gofakes3Caps,
			}
			conformance.Run(t, tg)
			t.Run("Unconfigured", func(t *testing.T) { runUnconfigured(t, tg) })
		})
	}
}
