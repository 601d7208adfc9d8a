package conformance

// The failure paths a strict server exercises: a wrong secret, an unknown
// key, a skewed clock, a wrong region.

import (
	"errors"
	"strings"
	"time"

	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

func init() {
	register("WrongSecret", testWrongSecret)
	register("UnknownAccessKey", testUnknownAccessKey)
	register("ClockSkew", testClockSkew)
	register("WrongRegion", testWrongRegion)
}

func testWrongSecret(e *env) {
	e.need(e.tg.Caps.VerifiesSignatures, "signature verification")
	c := e.client(func(cfg *s3client.Config) {
		cfg.Credentials = sigv4.NewStaticProvider(e.tg.AccessKey, "not-the-secret-"+strings.Repeat("x", 20), "")
	})
	_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: "wrong/secret", Body: strings.NewReader("x")})
	var se *s3client.Error
	if !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" {
		e.t.Fatalf("err = %v, want SignatureDoesNotMatch", err)
	}
	if se.Attempts != 1 {
		e.t.Errorf("a signature error was retried: %d attempts", se.Attempts)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		e.t.Errorf("the error reveals the secret: %v", err)
	}
	e.t.Logf("server's canonical request:\n%s", se.CanonicalRequest)
}

func testUnknownAccessKey(e *env) {
	e.need(e.tg.Caps.VerifiesSignatures, "signature verification")
	c := e.client(func(cfg *s3client.Config) {
		cfg.Credentials = sigv4.NewStaticProvider("AKIDUNKNOWN0000000", "whatever-secret", "")
	})
	_, err := c.HeadBucket(e.ctx, &s3client.HeadBucketInput{Bucket: e.bucket})
	var se *s3client.Error
	if !errors.As(err, &se) || se.StatusCode != 403 {
		e.t.Fatalf("err = %v, want a 403", err)
	}
	_, err = c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: "unknown/key", Body: strings.NewReader("x")})
	if got := s3client.ErrorCode(err); got != "InvalidAccessKeyId" {
		e.t.Errorf("code = %q (%v), want InvalidAccessKeyId", got, err)
	}
}

func testClockSkew(e *env) {
	e.need(e.tg.Caps.ClockSkew, "clock-skew checks")
	c := e.client(func(cfg *s3client.Config) {
		cfg.Now = func() time.Time { return time.Now().Add(-20 * time.Minute) }
	})
	if _, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: "skew/object", Body: strings.NewReader("x")}); err != nil {
		e.t.Fatalf("PutObject with a clock 20 minutes slow: %v", err)
	}
	if d := c.ClockSkew(); d < 19*time.Minute || d > 21*time.Minute {
		e.t.Errorf("learned skew %v, want about 20m", d)
	}
	// The correction is kept: the next request is right the first time.
	if _, err := c.HeadObject(e.ctx, &s3client.GetObjectInput{Bucket: e.bucket, Key: "skew/object"}); err != nil {
		e.t.Fatalf("HeadObject after correction: %v", err)
	}
}

func testWrongRegion(e *env) {
	e.need(e.tg.Caps.VerifiesSignatures, "signature verification")
	e.need(!e.tg.Caps.AnyRegion, "region checks")
	c := e.client(func(cfg *s3client.Config) { cfg.Region = "eu-west-3" })
	_, err := c.PutObject(e.ctx, &s3client.PutObjectInput{Bucket: e.bucket, Key: "region/object", Body: strings.NewReader("x")})
	if err == nil {
		// The server named the bucket's region and the client followed it.
		if r, ok := c.BucketRegion(e.bucket); !ok || r != e.tg.Region {
			e.t.Errorf("succeeded, but learned region %q (%v), want %q", r, ok, e.tg.Region)
		}
		return
	}
	var se *s3client.Error
	if !errors.As(err, &se) || se.StatusCode == 0 {
		e.t.Fatalf("err = %v, want an answer from the server", err)
	}
	e.t.Logf("wrong region answered with %s (%d): %s", se.Code, se.StatusCode, se.Message)
}
