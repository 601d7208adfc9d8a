package s3client

// CreateMultipartUpload's checksum algorithm: the client's choice when the
// caller names none (CRC32 for a directory bucket), and an answer that
// tells the parts what to carry.

import (
	"context"
	"net/http"
	"testing"
)

func TestCreateMultipartUploadChecksumAlgorithm(t *testing.T) {
	for _, tc := range []struct {
		name   string
		bucket string
		policy ChecksumPolicy
		asked  ChecksumAlgorithm
		echo   string // the server's x-amz-checksum-algorithm; "" none
		sent   string // the request's
		want   ChecksumAlgorithm
	}{
		{"custom endpoint, none asked", "bkt", ChecksumAuto, "", "", "", ChecksumNone},
		{"policy when supported", "bkt", ChecksumWhenSupported, "", "", "CRC32C", ChecksumCRC32C},
		{"policy when supported, store echoes", "bkt", ChecksumWhenSupported, "", "CRC32C", "CRC32C", ChecksumCRC32C},
		{"asked, store silent", "bkt", ChecksumAuto, "sha256", "", "SHA256", ChecksumSHA256},
		{"asked, store says null", "bkt", ChecksumWhenRequired, ChecksumCRC32, "null", "CRC32", ChecksumCRC32},
		{"store answers another", "bkt", ChecksumWhenSupported, "", "CRC64NVME", "CRC32C", ChecksumCRC64NVME},
		{"directory bucket: CRC32", "dir--usw2-az1--x-s3", ChecksumAuto, "", "", "CRC32", ChecksumCRC32},
		{"directory bucket, policy when supported: CRC32", "dir--usw2-az1--x-s3", ChecksumWhenSupported, "", "", "CRC32", ChecksumCRC32},
		{"directory bucket, policy when required", "dir--usw2-az1--x-s3", ChecksumWhenRequired, "", "", "", ChecksumNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
				if tc.echo != "" {
					w.Header().Set("X-Amz-Checksum-Algorithm", tc.echo)
				}
				writeXML(w, `<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>`)
			})
			c := newClient(t, f.URL, func(c *Config) { c.ChecksumPolicy, c.DisableS3ExpressSessionAuth = tc.policy, true })
			out, err := c.CreateMultipartUpload(context.Background(), &CreateMultipartUploadInput{Bucket: tc.bucket, Key: "k", ChecksumAlgorithm: tc.asked})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.rec.all()[0].Header.Get("X-Amz-Checksum-Algorithm"); got != tc.sent {
				t.Errorf("sent x-amz-checksum-algorithm %q, want %q", got, tc.sent)
			}
			if out.ChecksumAlgorithm != tc.want {
				t.Errorf("output ChecksumAlgorithm %q, want %q", out.ChecksumAlgorithm, tc.want)
			}
		})
	}
}
