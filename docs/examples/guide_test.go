package examples_test

// The guide's sections that are not the transfer manager's: addressing
// styles, presigned URLs and presigned POSTs. Each program reads its
// configuration as a real one would (s3client.LoadConfig: here the
// environment TestMain sets, pointing at the in-process server).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/sigv4"
)

// Where each addressing style puts the bucket. Presigning sends nothing,
// so this runs without a network.
func Example_addressingStyles() {
	ctx := context.Background()
	styles := []s3client.AddressingStyle{s3client.AddressingAuto, s3client.AddressingVirtual, s3client.AddressingPath}
	for _, style := range styles {
		s3, err := s3client.New(s3client.Config{
			Region:          "us-west-2",
			AddressingStyle: style,
			Credentials:     sigv4.NewStaticProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		})
		if err != nil {
			log.Fatal(err)
		}
		req, err := s3.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "key-name"}, 0)
		if err != nil {
			log.Fatal(err)
		}
		u, _ := url.Parse(req.URL)
		fmt.Printf("%-7s %s://%s%s\n", style, u.Scheme, u.Host, u.Path)
	}

	// On AWS a request needs a region ("aws-global" is S3's global
	// endpoint); without one it is refused before anything is sent.
	s3, _ := s3client.New(s3client.Config{AddressingStyle: s3client.AddressingPath,
		Credentials: sigv4.NewStaticProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")})
	_, err := s3.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "key-name"}, 0)
	fmt.Println(errors.Is(err, s3client.ErrInvalidConfig))
	// Output:
	// auto    https://bucket-name.s3.us-west-2.amazonaws.com/key-name
	// virtual https://bucket-name.s3.us-west-2.amazonaws.com/key-name
	// path    https://s3.us-west-2.amazonaws.com/bucket-name/key-name
	// true
}

// s3 = boto3.client('s3', 'us-west-2', config=Config(s3={'addressing_style': 'path'}))
func Example_pathStyle() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	// Other valid options here are AddressingAuto (the default) and
	// AddressingVirtual.
	cfg.Region = "us-west-2"
	cfg.AddressingStyle = s3client.AddressingPath
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	_, err = s3.PutObject(ctx, &s3client.PutObjectInput{
		Bucket: "bucket-name", Key: "key-name", Body: strings.NewReader("path style"),
	})
	if err != nil {
		log.Fatal(err)
	}
	req, err := s3.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "key-name"}, 0)
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(req.URL)
	fmt.Println(u.Path)
	// Output: /bucket-name/key-name
}

// url = s3.generate_presigned_url(ClientMethod='get_object', Params={...})
// response = requests.get(url)
func Example_presignedURL() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	_, err = s3.PutObject(ctx, &s3client.PutObjectInput{
		Bucket: "bucket-name", Key: "key-name", Body: strings.NewReader("Hello from a presigned URL\n"),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Generate the URL to get 'key-name' from 'bucket-name'. It is signed
	// with Signature Version 4, the only version s3kit speaks, and valid
	// for 15 minutes (0 means an hour, as in boto3).
	req, err := s3.PresignGetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "key-name"}, 15*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	// Use the URL to perform the GET operation, with any HTTP client:
	// whoever holds it needs no credentials.
	resp, err := http.Get(req.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Print(string(body))
	// Output:
	// 200 OK
	// Hello from a presigned URL
}

// Beyond the guide: a presigned PUT. The headers that were signed must be
// sent as they are.
func Example_presignedPUT() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	req, err := s3.PresignPutObject(ctx, &s3client.PutObjectInput{
		Bucket: "bucket-name", Key: "uploaded.txt",
		ObjectProperties: s3client.ObjectProperties{ContentType: "text/plain"},
	}, time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	put, err := http.NewRequest(req.Method, req.URL, strings.NewReader("sent by the URL's holder\n"))
	if err != nil {
		log.Fatal(err)
	}
	for name, values := range req.Header {
		put.Header[name] = values // Content-Type: text/plain
	}
	resp, err := http.DefaultClient.Do(put)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)

	out, err := s3.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "uploaded.txt"})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Body.Close()
	io.Copy(os.Stdout, out.Body)
	// Output:
	// 200 OK
	// sent by the URL's holder
}

// post = s3.generate_presigned_post(Bucket='bucket-name', Key='key-name')
// requests.post(post["url"], data=post["fields"], files={"file": "file_content"})
func Example_presignedPOST() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	// Generate the POST attributes.
	post, err := s3.PresignPost(ctx, &presignpost.Policy{Bucket: "bucket-name", Key: "key-name"})
	if err != nil {
		log.Fatal(err)
	}
	// Use ALL of the returned fields in your post, the file last.
	// MultipartBody writes them so; a browser form does the same.
	var body bytes.Buffer
	contentType, err := post.MultipartBody(&body, "file.txt", strings.NewReader("file_content"))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.Post(post.URL, contentType, &body)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("uploaded:", resp.StatusCode/100 == 2)

	out, err := s3.GetObject(ctx, &s3client.GetObjectInput{Bucket: "bucket-name", Key: "key-name"})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Body.Close()
	data, _ := io.ReadAll(out.Body)
	fmt.Println(string(data))
	// Output:
	// uploaded: true
	// file_content
}

// fields = {"acl": "public-read"}
// conditions = [{"acl": "public-read"}, ["content-length-range", 10, 100]]
// post = s3.generate_presigned_post(Bucket=..., Key=..., Fields=fields, Conditions=conditions)
func Example_presignedPOSTConditions() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	// Make sure everything posted is publicly readable: a fixed field
	// becomes an exact-match condition by itself.
	fields := map[string]string{"acl": "public-read"}
	// Ensure that the ACL isn't changed and restrict the user to a length
	// between 10 and 100 bytes.
	conditions := []presignpost.Condition{
		presignpost.Eq("acl", "public-read"),
		presignpost.ContentLengthRange(10, 100),
	}
	post, err := s3.PresignPost(ctx, &presignpost.Policy{
		Bucket:     "bucket-name",
		Key:        "key-name",
		Fields:     fields,
		Conditions: conditions,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range post.Conditions[:4] {
		fmt.Println(c)
	}

	// S3 refuses a form that breaks a condition; so can the web backend
	// that handed it out, before the upload, with presignpost.Check.
	form := presignpost.Form{Bucket: "bucket-name", Fields: post.Fields, Filename: "big.bin", FileSize: 1000}
	fmt.Println(presignpost.Check(post.Policy, form, time.Now()))
	// Output:
	// ["eq","$bucket","bucket-name"]
	// ["eq","$key","key-name"]
	// ["eq","$acl","public-read"]
	// ["content-length-range",10,100]
	// presignpost: policy condition failed: ["content-length-range",10,100]: file of 1000 bytes is larger than the maximum 100
}
