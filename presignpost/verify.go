// This file holds Verify, which checks the signature of a submitted form as
// S3 does before it reads the policy. The policy's conditions are Check's.

package presignpost

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// Verify checks that form, the fields of a submitted upload (names
// case-insensitive in ASCII, as in Check), carries a valid SigV4 signature of its policy by creds
// for region: x-amz-algorithm is AWS4-HMAC-SHA256, x-amz-credential names
// creds' access key and the scope <date>/<region>/s3/aws4_request, the date
// is x-amz-date's day, the session token matches when creds has one, and
// x-amz-signature is the policy's signature. It does not evaluate the
// policy; Check does.
//
// Failures wrap ErrSignature. Messages never hold the secret key, the
// session token or the expected signature.
func Verify(form map[string]string, creds sigv4.Credentials, region string) error {
	fields := make(map[string]string, len(form))
	for name, value := range form {
		lower := asciiLower(name)
		if _, dup := fields[lower]; dup {
			return sigErr("field %s given twice", lower)
		}
		fields[lower] = value
	}
	get := func(name string) (string, error) {
		v, ok := fields[name]
		if !ok || v == "" {
			return "", sigErr("the form has no %s field", name)
		}
		return v, nil
	}
	var vals [5]string
	for i, name := range []string{"policy", "x-amz-signature", "x-amz-algorithm", "x-amz-credential", "x-amz-date"} {
		v, err := get(name)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	pol, sig, algorithm, credential, date := vals[0], vals[1], vals[2], vals[3], vals[4]

	if algorithm != sigv4.Algorithm {
		return sigErr("x-amz-algorithm %q is not %s", algorithm, sigv4.Algorithm)
	}
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return sigErr("x-amz-date %q is not in the form 20060102T150405Z", date)
	}
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[3] != "s3" || parts[4] != "aws4_request" {
		return sigErr("x-amz-credential %q is not <access key>/<date>/<region>/s3/aws4_request", credential)
	}
	if parts[0] != creds.AccessKeyID {
		return sigErr("x-amz-credential is for access key %q, not %q", parts[0], creds.AccessKeyID)
	}
	if parts[2] != region {
		return sigErr("x-amz-credential is for region %q, not %q", parts[2], region)
	}
	if parts[1] != t.Format("20060102") {
		return sigErr("x-amz-credential date %q is not the day of x-amz-date %q", parts[1], date)
	}
	token := fields["x-amz-security-token"]
	if creds.SessionToken != "" || token != "" {
		if subtle.ConstantTimeCompare([]byte(token), []byte(creds.SessionToken)) != 1 {
			return sigErr("x-amz-security-token does not match the credentials")
		}
	}
	want, err := signPolicy(pol, creds, region, t)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if subtle.ConstantTimeCompare([]byte(asciiLower(sig)), []byte(want)) != 1 {
		return sigErr("x-amz-signature is not the signature of the policy")
	}
	return nil
}

func sigErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSignature, fmt.Sprintf(format, args...))
}
