package presignpost

// The kinds of bucket S3 takes no POST upload for are refused with
// ErrUnsupportedBucket; the global endpoint is signed for us-east-1.

import (
	"errors"
	"strings"
	"testing"
)

func TestSignUnsupportedBuckets(t *testing.T) {
	tests := []struct {
		name, bucket, bucketURL string
		why                     string // "" when Sign accepts
	}{
		{"Multi-Region Access Point", "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap", "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/", "Multi-Region"},
		{"Multi-Region Access Point alias", "mfzwi23gnjvgw.mrap", "", "Multi-Region"},
		{"Outposts access point", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/ap", "", "Outposts"},
		{"Outposts alias", "ap-o0b1d075431d83bebde8xz5w8ijx1qzlbp3i3kuse10--op-s3", "https://x.example/", "Outposts"},
		{"Object Lambda access point", "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/ol", "https://x.example/", "Object Lambda"},
		{"Object Lambda alias", "ol-alias-xyz--ol-s3", "", "Object Lambda"},
		{"directory bucket", "bucket--usw2-az1--x-s3", "", "directory bucket"},
		{"directory bucket with its zonal URL", "bucket--usw2-az1--x-s3", "https://bucket--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/", "directory bucket"},
		{"directory bucket access point", "ap--usw2-az1--xa-s3", "", "directory bucket"},
		{"access point ARN without its URL", "arn:aws:s3:us-west-2:123456789012:accesspoint/ap", "", "URL"},
		{"access point ARN with its URL", "arn:aws:s3:us-west-2:123456789012:accesspoint/ap", "https://ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/", ""},
		{"general purpose bucket", "photos", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Policy{Bucket: tt.bucket, Key: "k"}
			s, err := p.Sign(testCreds, "us-west-2", tt.bucketURL, testNow)
			if tt.why == "" {
				if err != nil {
					t.Fatalf("Sign: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnsupportedBucket) || !strings.Contains(err.Error(), tt.why) || s != nil {
				t.Errorf("Sign: %v, want ErrUnsupportedBucket naming %q", err, tt.why)
			}
		})
	}
}

// TestSignGlobalEndpoint: the region aws-global posts to s3.amazonaws.com
// and is signed for us-east-1, with or without a URL given.
func TestSignGlobalEndpoint(t *testing.T) {
	for _, bucketURL := range []string{"", "https://photos.s3.amazonaws.com/"} {
		p := Policy{Bucket: "photos", Key: "k"}
		s, err := p.Sign(testCreds, "aws-global", bucketURL, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if s.URL != "https://photos.s3.amazonaws.com/" || !strings.HasSuffix(s.Fields["x-amz-credential"], "/us-east-1/s3/aws4_request") {
			t.Errorf("URL %s, credential %s", s.URL, s.Fields["x-amz-credential"])
		}
		if err := Verify(s.Fields, testCreds, "us-east-1"); err != nil {
			t.Errorf("Verify for us-east-1: %v", err)
		}
	}
}
