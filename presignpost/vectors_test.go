package presignpost

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// docExample is the POST policy example of the S3 API Reference
// ("Example: Browser-Based Upload using HTTP POST (Using AWS Signature
// Version 4)"), from the repository's shared test data.
type docExample struct {
	creds        sigv4.Credentials
	policyJSON   string
	policyBase64 string
	date         time.Time
	credential   string
	region       string
	signature    string
}

func loadPostExample(t *testing.T) docExample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "sigv4", "s3-doc-examples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Credentials struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
		} `json:"credentials"`
		Examples []struct {
			ID    string `json:"id"`
			Kind  string `json:"kind"`
			Input struct {
				PolicyJSON string `json:"policy_json"`
				XAmzDate   string `json:"x_amz_date"`
				Credential string `json:"credential"`
				Region     string `json:"region"`
			} `json:"input"`
			Expected struct {
				PolicyBase64 string `json:"policy_base64"`
				StringToSign string `json:"string_to_sign"`
				Signature    string `json:"signature"`
			} `json:"expected"`
		} `json:"examples"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, ex := range f.Examples {
		if ex.ID != "post-policy-browser-upload" {
			continue
		}
		if ex.Kind != "post_policy" || ex.Expected.StringToSign != ex.Expected.PolicyBase64 {
			t.Fatalf("example %s: unexpected shape (kind %q)", ex.ID, ex.Kind)
		}
		date, err := time.Parse("20060102T150405Z", ex.Input.XAmzDate)
		if err != nil {
			t.Fatal(err)
		}
		return docExample{
			creds:        sigv4.Credentials{AccessKeyID: f.Credentials.AccessKeyID, SecretAccessKey: f.Credentials.SecretAccessKey},
			policyJSON:   ex.Input.PolicyJSON,
			policyBase64: ex.Expected.PolicyBase64,
			date:         date,
			credential:   ex.Input.Credential,
			region:       ex.Input.Region,
			signature:    ex.Expected.Signature,
		}
	}
	t.Fatal("example post-policy-browser-upload not found")
	return docExample{}
}

// exampleForm is the form of the documentation's example, with the field
// names spelled as the page spells them (X-Amz-Credential, Policy, ...).
func exampleForm(ex docExample) map[string]string {
	return map[string]string{
		"key":                          "user/user1/${filename}",
		"acl":                          "public-read",
		"success_action_redirect":      "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html",
		"Content-Type":                 "image/jpeg",
		"x-amz-meta-uuid":              "14365123651274",
		"x-amz-server-side-encryption": "AES256",
		"X-Amz-Credential":             ex.credential,
		"X-Amz-Algorithm":              "AWS4-HMAC-SHA256",
		"X-Amz-Date":                   sigv4.FormatTime(ex.date),
		"x-amz-meta-tag":               "",
		"Policy":                       ex.policyBase64,
		"X-Amz-Signature":              ex.signature,
	}
}

// TestDocExampleSignature signs the documentation's base64 policy through
// the package's signing path and gets the published signature.
func TestDocExampleSignature(t *testing.T) {
	ex := loadPostExample(t)
	if got := base64.StdEncoding.EncodeToString([]byte(ex.policyJSON)); got != ex.policyBase64 {
		t.Fatalf("test data: policy_json does not encode to policy_base64")
	}
	sig, err := signPolicy(ex.policyBase64, ex.creds, ex.region, ex.date)
	if err != nil {
		t.Fatal(err)
	}
	if sig != ex.signature {
		t.Errorf("signature\n got %s\nwant %s", sig, ex.signature)
	}
	if got := ex.creds.AccessKeyID + "/" + sigv4.CredentialScope(ex.date, ex.region, "s3"); got != ex.credential {
		t.Errorf("credential %s, want %s", got, ex.credential)
	}
}

// TestDocExampleVerifyAndCheck runs the documentation's own form through
// Verify and Check: an AWS-written policy, CRLF line ends, capitalized field
// names and all.
func TestDocExampleVerifyAndCheck(t *testing.T) {
	ex := loadPostExample(t)
	form := exampleForm(ex)
	if err := Verify(form, ex.creds, ex.region); err != nil {
		t.Errorf("Verify: %v", err)
	}
	upload := Form{Bucket: "sigv4examplebucket", Fields: form, Filename: `C:\photos\cat.jpg`, FileSize: 1234}
	if err := Check(ex.policyBase64, upload, ex.date); err != nil {
		t.Errorf("Check at the signing date: %v", err)
	}
	expiration := time.Date(2015, 12, 30, 12, 0, 0, 0, time.UTC)
	if err := Check(ex.policyBase64, upload, expiration); err != nil {
		t.Errorf("Check at the expiration instant: %v", err)
	}
	var ce *CheckError
	if err := Check(ex.policyBase64, upload, expiration.Add(time.Millisecond)); !errors.As(err, &ce) || ce.Condition != "expiration" {
		t.Errorf("Check after the expiration: %v, want an expiration CheckError", err)
	}

	bad := exampleForm(ex)
	bad["Content-Type"] = "text/html"
	err := Check(ex.policyBase64, Form{Bucket: "sigv4examplebucket", Fields: bad, Filename: "x.html"}, ex.date)
	if !errors.As(err, &ce) || ce.Condition != `["starts-with","$Content-Type","image/"]` || ce.Field != "content-type" {
		t.Errorf("Check with Content-Type text/html: %v, want the Content-Type condition named", err)
	}

	tampered := exampleForm(ex)
	tampered["X-Amz-Signature"] = "0" + ex.signature[1:]
	if err := Verify(tampered, ex.creds, ex.region); !errors.Is(err, ErrSignature) {
		t.Errorf("Verify with a changed signature: %v, want ErrSignature", err)
	}
}
