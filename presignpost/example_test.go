package presignpost_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"strings"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// The documentation's example credentials, and a fixed clock, so that the
// output is deterministic.
var (
	exampleCreds = sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	exampleNow   = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
)

func examplePolicy() presignpost.Policy {
	return presignpost.Policy{
		Bucket: "photos",
		Key:    "uploads/alice/${filename}",
		Fields: map[string]string{
			"acl":                   "private",
			"success_action_status": "201",
		},
		Conditions: []presignpost.Condition{
			presignpost.StartsWith("Content-Type", "image/"),
			presignpost.ContentLengthRange(1, 10<<20),
		},
		Expires: 15 * time.Minute,
	}
}

func ExamplePolicy_Sign() {
	p := examplePolicy()
	// "" posts to the bucket's regional AWS URL; s3client's PresignPost
	// passes the URL of the client's endpoint and addressing style.
	signed, err := p.Sign(exampleCreds, "eu-west-1", "", exampleNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("POST", signed.URL)
	for _, f := range signed.FormFields() {
		if f.Name == "policy" {
			doc, _ := base64.StdEncoding.DecodeString(f.Value)
			fmt.Printf("policy (decoded): %s\n", doc)
			continue
		}
		fmt.Printf("%s: %s\n", f.Name, f.Value)
	}
	// Output:
	// POST https://photos.s3.eu-west-1.amazonaws.com/
	// key: uploads/alice/${filename}
	// acl: private
	// success_action_status: 201
	// x-amz-algorithm: AWS4-HMAC-SHA256
	// x-amz-credential: AKIAIOSFODNN7EXAMPLE/20250314/eu-west-1/s3/aws4_request
	// x-amz-date: 20250314T092653Z
	// policy (decoded): {"expiration":"2025-03-14T09:41:53.000Z","conditions":[{"bucket":"photos"},["starts-with","$key","uploads/alice/"],{"acl":"private"},{"success_action_status":"201"},["starts-with","$Content-Type","image/"],["content-length-range",1,10485760],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIAIOSFODNN7EXAMPLE/20250314/eu-west-1/s3/aws4_request"},{"x-amz-date":"20250314T092653Z"}]}
	// x-amz-signature: db4ffcf3eecb22d9b74fa4bf8dd12e15646aeac897e4ec2a6b8ef32710ddc477
}

func ExampleCheck() {
	p := examplePolicy()
	signed, err := p.Sign(exampleCreds, "eu-west-1", "", exampleNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	// What a browser would submit: the signed fields plus the Content-Type
	// the uploader chose, for the starts-with condition that stands without
	// a field.
	fields := map[string]string{"Content-Type": "image/png"}
	for name, value := range signed.Fields {
		fields[name] = value
	}
	upload := presignpost.Form{Bucket: "photos", Fields: fields, Filename: "cat.png", FileSize: 48213}
	fmt.Println("as signed:", presignpost.Check(signed.Policy, upload, exampleNow.Add(time.Minute)))

	upload.FileSize = 20 << 20
	err = presignpost.Check(signed.Policy, upload, exampleNow.Add(time.Minute))
	var ce *presignpost.CheckError
	if errors.As(err, &ce) {
		fmt.Println("too large:", ce.Condition, "-", ce.Reason)
	}

	upload.FileSize = 48213
	fields["acl"] = "public-read"
	fmt.Println("acl changed:", presignpost.Check(signed.Policy, upload, exampleNow.Add(time.Minute)))

	fields["acl"] = "private"
	fmt.Println("late:", presignpost.Check(signed.Policy, upload, exampleNow.Add(time.Hour)))
	// Output:
	// as signed: <nil>
	// too large: ["content-length-range",1,10485760] - file of 20971520 bytes is larger than the maximum 10485760
	// acl changed: presignpost: policy condition failed: ["eq","$acl","private"]: "public-read" does not equal "private"
	// late: presignpost: policy expired: expired at 2025-03-14T09:41:53.000Z
}

func ExampleVerify() {
	p := examplePolicy()
	signed, err := p.Sign(exampleCreds, "eu-west-1", "", exampleNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(presignpost.Verify(signed.Fields, exampleCreds, "eu-west-1"))
	fmt.Println(presignpost.Verify(signed.Fields, exampleCreds, "us-east-1"))
	// Output:
	// <nil>
	// presignpost: signature does not match: x-amz-credential is for region "eu-west-1", not "us-east-1"
}

func ExampleSigned_MultipartBody() {
	p := presignpost.Policy{Bucket: "photos", Key: "notes/${filename}", Fields: map[string]string{"Content-Type": "text/plain"}}
	signed, err := p.Sign(exampleCreds, "eu-west-1", "", exampleNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	var body bytes.Buffer
	contentType, err := signed.MultipartBody(&body, "hello.txt", strings.NewReader("hello, world\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The body would go out as
	//   http.Post(signed.URL, contentType, &body)
	// Here it is read back to show its parts: fields first, the file last.
	_, params, _ := mime.ParseMediaType(contentType)
	r := multipart.NewReader(&body, params["boundary"])
	for {
		part, err := r.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(part)
		if part.FormName() == "file" {
			fmt.Printf("file %s (%s): %q\n", part.FileName(), part.Header.Get("Content-Type"), data)
		} else {
			fmt.Println(part.FormName())
		}
	}
	// Output:
	// key
	// Content-Type
	// x-amz-algorithm
	// x-amz-credential
	// x-amz-date
	// policy
	// x-amz-signature
	// file hello.txt (text/plain): "hello, world\n"
}

func ExampleSigned_HTML() {
	p := presignpost.Policy{
		Bucket:     "photos",
		Key:        "uploads/${filename}",
		Conditions: []presignpost.Condition{presignpost.StartsWith("x-amz-meta-note", "")},
	}
	signed, err := p.Sign(exampleCreds, "eu-west-1", "", exampleNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Shorten the long values so that the page fits here.
	signed.Fields["policy"] = "eyJ..."
	signed.Fields["x-amz-signature"] = "5e1f..."
	if err := signed.HTML(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <!DOCTYPE html>
	// <html>
	// <head>
	// <meta charset="utf-8">
	// <title>Upload</title>
	// </head>
	// <body>
	// <form action="https://photos.s3.eu-west-1.amazonaws.com/" method="post" enctype="multipart/form-data">
	// <input type="hidden" name="key" value="uploads/${filename}">
	// <input type="hidden" name="x-amz-algorithm" value="AWS4-HMAC-SHA256">
	// <input type="hidden" name="x-amz-credential" value="AKIAIOSFODNN7EXAMPLE/20250314/eu-west-1/s3/aws4_request">
	// <input type="hidden" name="x-amz-date" value="20250314T092653Z">
	// <input type="hidden" name="policy" value="eyJ...">
	// <input type="hidden" name="x-amz-signature" value="5e1f...">
	// <label>x-amz-meta-note <input type="text" name="x-amz-meta-note" value=""></label><br>
	// <input type="file" name="file"><br>
	// <input type="submit" value="Upload">
	// </form>
	// </body>
	// </html>
}
