package s3client

// CreateMultipartUpload's checksum algorithm: the client's choice when the
// caller names none, and an answer that tells the parts what to carry.

import (
	"context"
	"net/http"
	"testing"
)

func TestCreateMultipartUploadChecksumAlgorithm(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy ChecksumPolicy
		asked  ChecksumAlgorithm
		echo   string // the server's x-amz-checksum-algorithm; "" none
		sent   string // the request's
		want   ChecksumAlgorithm
	}{
		{"custom endpoint, none asked", ChecksumAuto, "", "", "", ChecksumNone},
		{"policy when supported", ChecksumWhenSupported, "", "", "CRC32C", ChecksumCRC32C},
		{"policy when supported, store echoes", ChecksumWhenSupported, "", "CRC32C", "CRC32C", ChecksumCRC32C},
		{"asked, store silent", ChecksumAuto, "sha256", "", "SHA256", ChecksumSHA256},
		{"asked, store says null", ChecksumWhenRequired, ChecksumCRC32, "null", "CRC32", ChecksumCRC32},
		{"store answers another", ChecksumWhenSupported, "", "CRC64NVME", "CRC32C", ChecksumCRC64NVME},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []byte) {
				if tc.echo != "" {
					w.Header().Set("X-Amz-Checksum-Algorithm", tc.echo)
				}
				writeXML(w, `<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>`)
			})
			c := newClient(t, f.URL, func(c *Config) { c.ChecksumPolicy = tc.policy })
			out, err := c.CreateMultipartUpload(context.Background(), &CreateMultipartUploadInput{Bucket: "bkt", Key: "k", ChecksumAlgorithm: tc.asked})
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
