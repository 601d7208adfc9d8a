package sigv4

// The core's date cache: one signer signing at times that move forward,
// back, across a day, and at the same second, gives every signature the
// X-Amz-Date and scope of its own time, as a fresh signer does.

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDateCacheFollowsTime(t *testing.T) {
	base := time.Date(2024, 5, 24, 23, 59, 59, 0, time.UTC)
	times := []time.Time{
		base,
		base.Add(999 * time.Millisecond), // the same second
		base.Add(time.Second),            // the next day
		base,                             // back
		base.Add(-time.Hour).In(time.FixedZone("UTC+5", 5*3600)),
		base.AddDate(10, 0, 0),
	}
	newReq := func() *http.Request {
		req, err := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/key", nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	var shared Signer
	var sharedV4a SignerV4a
	for _, at := range times {
		want := at.UTC().Format("20060102T150405Z")
		req := newReq()
		if err := shared.Sign(req, benchCreds, "us-east-1", UnsignedPayload, at); err != nil {
			t.Fatal(err)
		}
		var fresh Signer
		freshReq := newReq()
		if err := fresh.Sign(freshReq, benchCreds, "us-east-1", UnsignedPayload, at); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("X-Amz-Date"); got != want || req.Header.Get("Authorization") != freshReq.Header.Get("Authorization") {
			t.Errorf("at %v: X-Amz-Date %s, Authorization %s; want %s, %s", at, got, req.Header.Get("Authorization"), want, freshReq.Header.Get("Authorization"))
		}

		req = newReq()
		if err := sharedV4a.Sign(req, benchCreds, "*", UnsignedPayload, at); err != nil {
			t.Fatal(err)
		}
		scope := "/" + want[:8] + "/s3/aws4_request, "
		if got := req.Header.Get("X-Amz-Date"); got != want || !strings.Contains(req.Header.Get("Authorization"), scope) {
			t.Errorf("SigV4a at %v: X-Amz-Date %s, Authorization %s; want %s and scope %s", at, got, req.Header.Get("Authorization"), want, scope)
		}

		u, _, err := shared.Presign(newReq(), benchCreds, "us-east-1", UnsignedPayload, time.Hour, at)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(u, "X-Amz-Date="+want+"&") {
			t.Errorf("presigned at %v: %s, want X-Amz-Date=%s", at, u, want)
		}
	}
}
