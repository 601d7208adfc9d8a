package s3test

// Tests of WithPOSTPolicies: browser uploads checked against their policy
// and, with WithCredentials, their signature.

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"testing"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

func TestPOSTPolicies(t *testing.T) {
	checked := New(t, WithPOSTPolicies(), WithCredentials(goodCreds))
	open := New(t, WithPOSTPolicies())
	for _, s := range []*Server{checked, open} {
		s.CreateBucket(t, "bkt")
	}
	sign := func(s *Server, creds sigv4.Credentials, p presignpost.Policy, at time.Time) *presignpost.Signed {
		p.Bucket = "bkt"
		signed, err := p.Sign(creds, "us-east-1", s.URL+"/bkt", at)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	ranged := presignpost.Policy{Key: "uploads/${filename}",
		Fields:     map[string]string{"acl": "public-read", "Content-Type": "text/plain"},
		Conditions: []presignpost.Condition{presignpost.ContentLengthRange(10, 100)}}
	created := ranged
	created.Fields = map[string]string{"success_action_status": "201"}
	created.Conditions = nil
	tests := []struct {
		name     string
		srv      *Server
		form     *presignpost.Signed
		extra    map[string]string // fields added after signing
		size     int
		status   int
		code     string
		storedAs string
	}{
		{name: "within the policy", srv: checked, form: sign(checked, goodCreds, ranged, time.Now()), size: 50, status: 204, storedAs: "uploads/avatar.txt"},
		{name: "success_action_status 201", srv: checked, form: sign(checked, goodCreds, created, time.Now()), size: 5, status: 201, storedAs: "uploads/avatar.txt"},
		{name: "too large", srv: checked, form: sign(checked, goodCreds, ranged, time.Now()), size: 1000, status: 400, code: "EntityTooLarge"},
		{name: "too small", srv: checked, form: sign(checked, goodCreds, ranged, time.Now()), size: 5, status: 400, code: "EntityTooSmall"},
		{name: "field outside the policy", srv: checked, form: sign(checked, goodCreds, ranged, time.Now()), extra: map[string]string{"x-amz-meta-extra": "1"}, size: 50, status: 403, code: "AccessDenied"},
		{name: "field changed", srv: checked, form: sign(checked, goodCreds, ranged, time.Now()), extra: map[string]string{"acl": "private"}, size: 50, status: 403, code: "AccessDenied"},
		{name: "expired", srv: checked, form: sign(checked, goodCreds, ranged, time.Now().Add(-2*time.Hour)), size: 50, status: 403, code: "AccessDenied"},
		{name: "wrong secret", srv: checked, form: sign(checked, wrongCreds, ranged, time.Now()), size: 50, status: 403, code: "SignatureDoesNotMatch"},
		{name: "wrong access key", srv: checked, form: sign(checked, otherKey, ranged, time.Now()), size: 50, status: 403, code: "InvalidAccessKeyId"},
		{name: "open server: any secret, policy checked", srv: open, form: sign(open, wrongCreds, ranged, time.Now()), size: 50, status: 204, storedAs: "uploads/avatar.txt"},
		{name: "open server: too large", srv: open, form: sign(open, wrongCreds, ranged, time.Now()), size: 1000, status: 400, code: "EntityTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]string{}
			for k, v := range tt.form.Fields {
				fields[k] = v
			}
			for k, v := range tt.extra {
				fields[k] = v
			}
			file := bytes.Repeat([]byte("f"), tt.size)
			var body bytes.Buffer
			ct, err := presignpost.Signed{Fields: fields}.MultipartBody(&body, "C:\\photos\\avatar.txt", bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPost, tt.form.URL, &body)
			req.Header.Set("Content-Type", ct)
			status, resp := send(t, tt.srv, req)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, resp)
			}
			if tt.code != "" {
				if c := errorCode(t, resp); c != tt.code {
					t.Errorf("code %s, want %s", c, tt.code)
				}
				return
			}
			if status == 201 {
				var doc struct {
					XMLName xml.Name `xml:"PostResponse"`
					Key     string
				}
				if err := xml.Unmarshal(resp, &doc); err != nil || doc.Key != tt.storedAs {
					t.Errorf("PostResponse %s: %v", resp, err)
				}
			}
			got, _ := tt.srv.GetObject(t, "bkt", tt.storedAs)
			if !bytes.Equal(got, file) {
				t.Errorf("stored %q", got)
			}
			tt.srv.Backend().DeleteObject("bkt", tt.storedAs)
		})
	}
	for _, s := range []*Server{checked, open} {
		if _, err := s.Backend().HeadObject("bkt", "uploads/${filename}"); err == nil {
			t.Errorf("an object was stored under the unexpanded key")
		}
	}
}
