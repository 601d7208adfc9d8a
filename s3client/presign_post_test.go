package s3client

// PresignPost follows the endpoint rules as presigned URLs do (FIPS,
// dual-stack, the global endpoint, access points), and refuses, typed and
// with nothing sent, the kinds of bucket S3 takes no POST upload for
// (see package presignpost).

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

func TestPresignPostEndpoints(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		bucket string
		url    string // "" when refused
		region string // of the credential scope
	}{
		{"FIPS", Config{Region: "us-west-2", UseFIPS: true}, "photos", "https://photos.s3-fips.us-west-2.amazonaws.com/", "us-west-2"},
		{"dual-stack", Config{Region: "us-west-2", UseDualStack: true}, "photos", "https://photos.s3.dualstack.us-west-2.amazonaws.com/", "us-west-2"},
		{"global endpoint", Config{Region: "aws-global"}, "photos", "https://photos.s3.amazonaws.com/", "us-east-1"},
		{"access point", Config{Region: "us-west-2"}, "arn:aws:s3:us-west-2:123456789012:accesspoint:ap",
			"https://ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/", "us-west-2"},
		{"access point in another region", Config{Region: "us-east-1"}, "arn:aws:s3:eu-west-1:123456789012:accesspoint:ap",
			"https://ap-123456789012.s3-accesspoint.eu-west-1.amazonaws.com/", "eu-west-1"},
		{"Multi-Region Access Point", Config{Region: "us-west-2"}, "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap", "", ""},
		{"Outposts access point", Config{Region: "us-west-2"}, "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/ap", "", ""},
		{"Outposts alias", Config{Region: "us-west-2"}, "test-accessp-o0b1d075431d83bebde8xz5w8ijx1qzlbp3i3kuse10--op-s3", "", ""},
		{"Object Lambda access point", Config{Region: "us-west-2"}, "arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/ol", "", ""},
		{"directory bucket", Config{Region: "us-west-2"}, expressBucket, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &fuzzTransport{}
			cfg := tt.cfg
			cfg.Credentials = sigv4.NewStaticProvider(testAccessKey, testSecretKey, "")
			cfg.HTTPClient = &http.Client{Transport: rt}
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.PresignPost(context.Background(), &presignpost.Policy{Bucket: tt.bucket, Key: "uploads/${filename}"})
			if len(rt.reqs) != 0 {
				t.Errorf("%d requests sent", len(rt.reqs))
			}
			if tt.url == "" {
				if !errors.Is(err, ErrInvalidEndpoint) || !errors.Is(err, presignpost.ErrUnsupportedBucket) || !errors.Is(err, ErrInvalidInput) {
					t.Errorf("PresignPost: %v, want an input error wrapping ErrInvalidEndpoint and presignpost.ErrUnsupportedBucket", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.URL != tt.url || !strings.HasSuffix(s.Fields["x-amz-credential"], "/"+tt.region+"/s3/aws4_request") {
				t.Errorf("URL %s, credential %s; want %s in %s", s.URL, s.Fields["x-amz-credential"], tt.url, tt.region)
			}
			if err := presignpost.Verify(s.Fields, sigv4.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, tt.region); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}
