package s3client

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// TestSecretsRedactedPresignedRequest prints a presigned request that
// carries every kind of bearer secret (signature, session token, SSE-C
// keys in headers and in the query), and the other types of the package
// that hold one, by value, by pointer and inside a struct and a slice,
// with every verb.
func TestSecretsRedactedPresignedRequest(t *testing.T) {
	const token = "FwoGZXIvYXdzSESSIONTOKENSECRET"
	key := SSECKey(strings.Repeat("K", 32))
	keyB64 := base64.StdEncoding.EncodeToString(key)
	creds := sigv4.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey, SessionToken: token, Expires: fixedNow.Add(24 * time.Hour)}
	c := awsClient(t, "eu-west-1", creds)
	ssec := SSECustomer{SSECustomerKey: key}
	pr, err := c.PresignGetObject(context.Background(), &GetObjectInput{Bucket: "photos", Key: "cat.jpg", SSECustomer: ssec}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pr.URL)
	if err != nil {
		t.Fatal(err)
	}
	signature := u.Query().Get("X-Amz-Signature")
	if signature == "" || u.Query().Get("X-Amz-Security-Token") != token || pr.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key") != keyB64 {
		t.Fatalf("the presigned request lacks a secret to hide: %s %v", pr.URL, pr.Header)
	}
	// One built by hand, with the secrets where a caller could put them:
	// SSE-C keys as query parameters (any case), a password in the URL,
	// header names not in canonical form.
	hand := PresignedRequest{
		Method: http.MethodPut,
		URL: "https://user:hunter2password@photos.s3.amazonaws.com/k?x-amz-server-side-encryption-customer-key=" + url.QueryEscape(keyB64) +
			"&X-AMZ-COPY-SOURCE-SERVER-SIDE-ENCRYPTION-CUSTOMER-KEY=" + url.QueryEscape(keyB64) + "&x-amz-security-token=" + token +
			"&X-Amz-Signature=" + signature + "#" + token,
		Header: http.Header{
			"x-amz-copy-source-server-side-encryption-customer-key": {keyB64},
			"Authorization": {"AWS4-HMAC-SHA256 Credential=x, Signature=" + signature},
			"X-Amz-Server-Side-Encryption-Customer-Key-Md5": {"md5-is-not-secret"},
		},
	}
	cfg := Config{Credentials: sigv4.StaticProvider{Credentials: creds}}
	secrets := []string{testSecretKey, "hunter2password", token, signature, keyB64, url.QueryEscape(keyB64), string(key), hex.EncodeToString(key)}

	values := []struct {
		name string
		v    any
	}{
		{"PresignedRequest", *pr},
		{"*PresignedRequest", pr},
		{"hand-made PresignedRequest", hand},
		{"hand-made *PresignedRequest", &hand},
		{"in a struct", struct {
			Req  PresignedRequest
			Ptr  *PresignedRequest
			Note string
		}{*pr, &hand, "n"}},
		{"in a slice", []PresignedRequest{*pr, hand}},
		{"in a map", map[string]PresignedRequest{"a": *pr}},
		{"SSECKey", key},
		{"SSECustomer", ssec},
		{"*SSECustomer", &ssec},
		{"GetObjectInput", GetObjectInput{Bucket: "b", Key: "k", SSECustomer: ssec}},
		{"CopyObjectInput", CopyObjectInput{Bucket: "b", Key: "k", SSECustomer: ssec, CopySourceSSECustomer: ssec}},
		{"Config", cfg},
		{"*Config", &cfg},
		{"*Client", c},
	}
	for _, tt := range values {
		outs := map[string]string{"Sprint": fmt.Sprint(tt.v), "Sprintln": fmt.Sprintln(tt.v)}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			outs[verb] = fmt.Sprintf(verb, tt.v)
		}
		for how, s := range outs {
			for _, sec := range secrets {
				if strings.Contains(s, sec) {
					t.Errorf("%s of %s shows a secret (%.12s...): %s", how, tt.name, sec, s)
				}
			}
		}
	}

	// What is not secret stays readable.
	s := fmt.Sprint(hand)
	for _, want := range []string{"PUT https://user:xxxxx@photos.s3.amazonaws.com/k?", "X-Amz-Signature=REDACTED", "x-amz-security-token=REDACTED",
		"x-amz-server-side-encryption-customer-key=REDACTED", "X-Amz-Server-Side-Encryption-Customer-Key-Md5: md5-is-not-secret;",
		"Authorization: <redacted>;", "x-amz-copy-source-server-side-encryption-customer-key: <redacted>;"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %s\nlacks %q", s, want)
		}
	}
	if got := fmt.Sprintf("%q", *pr); !strings.HasPrefix(got, `"s3client.PresignedRequest{GET https://photos.s3.eu-west-1.amazonaws.com/cat.jpg?`) {
		t.Errorf("%%q = %s", got)
	}
	var nilReq *PresignedRequest
	if got := fmt.Sprint(nilReq); got != "<nil>" {
		t.Errorf("a nil *PresignedRequest prints %q", got)
	}
}
