package transfer_test

// The transfer manager on an S3 Express One Zone directory bucket,
// unchanged: a multipart upload, a ranged download and a multipart copy
// through internal/testkit/s3test's ExpressServer, which verifies every request's
// signature with the session credentials CreateSession issued.

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
	"github.com/s3kit/s3kit/transfer"
)

func TestExpressDirectoryBucket(t *testing.T) {
	const bucket = "data--usw2-az1--x-s3"
	const part = 5 << 20         // S3's smallest part
	data := make([]byte, part+7) // two parts
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXPRESS", SecretAccessKey: "express-secret"}
	for _, custom := range []bool{false, true} {
		name := "zonal host"
		if custom {
			name = "custom endpoint"
		}
		t.Run(name, func(t *testing.T) {
			clock := s3test.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
			var received atomic.Int32
			srv := s3test.NewExpress(t, s3test.ExpressConfig{Credentials: creds, Clock: clock,
				Options: []s3test.Option{s3test.WithRequestRecorder(func(*http.Request) { received.Add(1) })}})
			srv.CreateBucket(t, bucket)
			cfg := s3client.Config{Region: "us-west-2", Credentials: sigv4.StaticProvider{Credentials: creds},
				HTTPClient: srv.HTTPClient(), Now: clock.Now}
			if custom {
				cfg.Endpoint = srv.URL
			}
			c, err := s3client.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m, err := transfer.New(c, transfer.Config{MultipartThreshold: part, MultipartChunkSize: part})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			up, err := m.Upload(ctx, bytes.NewReader(data), bucket, "in/data")
			if err != nil {
				t.Fatal(err)
			}
			if up.Parts != 2 || up.Size != int64(len(data)) {
				t.Errorf("upload: %d parts, %d bytes; want 2 parts", up.Parts, up.Size)
			}
			cp, err := m.Copy(ctx, transfer.CopySource{Bucket: bucket, Key: "in/data"}, bucket, "out/copy")
			if err != nil {
				t.Fatal(err)
			}
			if cp.Parts != 2 {
				t.Errorf("copy: %d parts, want 2 (UploadPartCopy)", cp.Parts)
			}
			for _, key := range []string{"in/data", "out/copy"} {
				var got bytes.Buffer
				if _, err := m.Download(ctx, bucket, key, &got); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), data) {
					t.Errorf("%s: downloaded %d bytes that differ from the %d uploaded", key, got.Len(), len(data))
				}
			}
			st := srv.Stats()
			if st.Sessions != 1 || st.Rejected != 0 || st.Data < 13 || st.Sessions+st.Data != int(received.Load()) {
				t.Errorf("server stats %+v for %d requests, want one session and every request verified; refused: %v",
					st, received.Load(), srv.Rejections())
			}
		})
	}
}
