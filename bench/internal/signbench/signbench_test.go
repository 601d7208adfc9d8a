package signbench

import (
	"strings"
	"testing"

	"github.com/s3kit/s3kit/sigv4"
)

// BenchmarkSign runs every signing micro-benchmark under go test -bench,
// for profiling one of them (-bench 'Sign/s3kit').
func BenchmarkSign(b *testing.B) {
	for _, bm := range All() {
		b.Run(bm.Lib+"/"+strings.ReplaceAll(bm.Op, " ", "_"), bm.F)
	}
}

// TestSignersAgree checks that s3kit and aws-sdk-go-v2 produce the same
// signature for the benchmark's PutObject and presigned GetObject, so that
// the benchmark compares equal work. (minio-go reads the clock itself and
// cannot be compared at a fixed time.)
func TestSignersAgree(t *testing.T) {
	var s sigv4.Signer
	kitReq, awsReq := putRequest(t), putRequest(t)
	if err := s.Sign(kitReq, s3kitCreds, region, payloadHash, signTime); err != nil {
		t.Fatal(err)
	}
	if err := awsSigner().SignHTTP(t.Context(), awsCreds, awsReq, payloadHash, "s3", region, signTime); err != nil {
		t.Fatal(err)
	}
	sigOf := func(auth string) string { _, s, _ := strings.Cut(auth, "Signature="); return s }
	if got, want := kitReq.Header.Get("Authorization"), awsReq.Header.Get("Authorization"); sigOf(got) == "" || sigOf(got) != sigOf(want) {
		t.Errorf("sign PutObject:\n s3kit %s\n aws   %s", got, want)
	}

	kitURL, _, err := s.Presign(getRequest(t), s3kitCreds, region, sigv4.UnsignedPayload, expires, signTime)
	if err != nil {
		t.Fatal(err)
	}
	req := getRequest(t)
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "900")
	req.URL.RawQuery = q.Encode()
	awsURL, _, err := awsSigner().PresignHTTP(t.Context(), awsCreds, req, "UNSIGNED-PAYLOAD", "s3", region, signTime)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(u string) string { _, s, _ := strings.Cut(u, "X-Amz-Signature="); return s }
	if sig(kitURL) == "" || sig(kitURL) != sig(awsURL) {
		t.Errorf("presign GetObject:\n s3kit %s\n aws   %s", kitURL, awsURL)
	}
}
