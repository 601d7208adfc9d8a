package presignpost_test

import (
	"bytes"
	"io"
	"math/rand"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/sigv4"
)

// testCreds are the credentials the round trips sign with (an external
// test package: internal/testkit/s3test, the server, imports presignpost).
var testCreds = sigv4.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret/KEY+for+tests"}

// testFile returns bytes that stress multipart framing: CRLFs, dashes and
// every byte value.
func testFile(n int) []byte {
	rng := rand.New(rand.NewSource(1))
	b := make([]byte, n)
	rng.Read(b)
	copy(b[n/2:], "\r\n--\r\n\r\n--boundary--\r\n")
	return b
}

// post sends a signed form with plain net/http, as a holder of the form
// (with no AWS credentials and no SDK) would.
func post(t *testing.T, client *http.Client, s *presignpost.Signed, filename string, data []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	ct, err := s.MultipartBody(&body, filename, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Post(s.URL, ct, &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

func get(t *testing.T, client *http.Client, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// TestRoundTripGofakes3 posts forms straight to gofakes3's browser-upload
// route, path style and virtual-host style, and reads the objects back.
// gofakes3 checks neither the policy nor the signature; the framing of the
// body, the key field and the file are what it tests.
func TestRoundTripGofakes3(t *testing.T) {
	srv := s3test.New(t)
	srv.CreateBucket(t, "photos")
	client := srv.HTTPClient()
	data := testFile(200 << 10)
	host := strings.TrimPrefix(srv.VirtualHostEndpoint(), "http://")

	tests := []struct {
		name      string
		bucketURL string
		objectURL string
	}{
		{"path style", srv.URL + "/photos", srv.URL + "/photos/"},
		{"virtual host", "http://photos." + host + "/", "http://photos." + host + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "uploads/" + strings.ReplaceAll(tt.name, " ", "-") + "/cat.bin"
			p := presignpost.Policy{Bucket: "photos", Key: key, Fields: map[string]string{"Content-Type": "application/x-cat"},
				Conditions: []presignpost.Condition{presignpost.ContentLengthRange(1, 1<<20)}}
			s, err := p.Sign(testCreds, "us-east-1", tt.bucketURL, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if status, msg := post(t, client, s, "cat.bin", data); status/100 != 2 {
				t.Fatalf("POST: %d %s", status, msg)
			}
			status, hdr, got := get(t, client, tt.objectURL+key)
			if status != http.StatusOK || !bytes.Equal(got, data) {
				t.Fatalf("GET: %d, %d bytes, equal %v", status, len(got), bytes.Equal(got, data))
			}
			if ct := hdr.Get("Content-Type"); ct != "application/x-cat" {
				t.Errorf("Content-Type %q, want the form's", ct)
			}
		})
	}
}

// enforcer is an S3 stand-in's front door for POST uploads: it reads the
// form as S3 does (fields up to the file), verifies the signature and checks
// the policy with this package, expands ${filename}, and passes the upload
// on to gofakes3. It lets the round trip prove that the body MultipartBody
// writes satisfies the policy Sign wrote.
func enforcer(backend *s3test.Server, creds sigv4.Credentials, region string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket := strings.Trim(r.URL.Path, "/")
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), http.StatusPreconditionFailed)
			return
		}
		var names []string
		fields := map[string]string{}
		var filename string
		var data []byte
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			b, err := io.ReadAll(part)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if data != nil {
				// S3 would ignore it; MultipartBody must never write one.
				http.Error(w, "part "+part.FormName()+" after the file", http.StatusBadRequest)
				return
			}
			if part.FormName() == "file" {
				filename, data = part.FileName(), b
				continue
			}
			names = append(names, part.FormName())
			fields[part.FormName()] = string(b)
		}
		if data == nil {
			http.Error(w, "no file", http.StatusBadRequest)
			return
		}
		if err := presignpost.Verify(fields, creds, region); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		form := presignpost.Form{Bucket: bucket, Fields: fields, Filename: filename, FileSize: int64(len(data))}
		if err := presignpost.Check(fields["policy"], form, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}

		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, name := range names {
			if err := mw.WriteField(name, strings.ReplaceAll(fields[name], "${filename}", filename)); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		fw, err := mw.CreateFormFile("file", filename)
		if err == nil {
			_, err = fw.Write(data)
		}
		if err == nil {
			err = mw.Close()
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := backend.HTTPClient().Post(backend.URL+"/"+url.PathEscape(bucket), mw.FormDataContentType(), &body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body) // the test reads what arrives
	})
}

// TestRoundTripEnforced posts through the policy-enforcing front to
// gofakes3: valid forms are stored under the expanded key, and forms the
// policy refuses are answered 403 and store nothing.
func TestRoundTripEnforced(t *testing.T) {
	srv := s3test.New(t)
	srv.CreateBucket(t, "photos")
	creds := sigv4.Credentials{AccessKeyID: "ASIAROUNDTRIP", SecretAccessKey: "round/trip+secret", SessionToken: "round-trip-token"}
	front := httptest.NewServer(enforcer(srv, creds, "eu-west-1"))
	defer front.Close()

	p := presignpost.Policy{
		Bucket:     "photos",
		Key:        "users/alice/${filename}",
		Fields:     map[string]string{"acl": "private", "Content-Type": "image/png", "success_action_status": "201"},
		Conditions: []presignpost.Condition{presignpost.ContentLengthRange(10, 64<<10)},
	}
	data := testFile(50 << 10)
	tests := []struct {
		name     string
		filename string
		data     []byte
		tamper   func(s *presignpost.Signed)
		creds    sigv4.Credentials
		wantOK   bool
		wantMsg  string
	}{
		{name: "stored", filename: "cat.png", data: data, wantOK: true},
		{name: "too large", filename: "big.png", data: testFile(64<<10 + 1), wantMsg: "content-length-range"},
		{name: "too small", filename: "tiny.png", data: data[:9], wantMsg: "content-length-range"},
		{name: "acl changed", filename: "acl.png", data: data, tamper: func(s *presignpost.Signed) { s.Fields["acl"] = "public-read" },
			wantMsg: `["eq","$acl","private"]`},
		{name: "key changed", filename: "key.png", data: data, tamper: func(s *presignpost.Signed) { s.Fields["key"] = "users/bob/${filename}" },
			wantMsg: `["starts-with","$key","users/alice/"]`},
		{name: "extra field", filename: "extra.png", data: data, tamper: func(s *presignpost.Signed) { s.Fields["x-amz-meta-sneaky"] = "1" },
			wantMsg: "x-amz-meta-sneaky"},
		{name: "other secret", filename: "forged.png", data: data,
			creds:   sigv4.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: "guessed", SessionToken: creds.SessionToken},
			wantMsg: "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.creds
			if c == (sigv4.Credentials{}) {
				c = creds
			}
			s, err := p.Sign(c, "eu-west-1", front.URL+"/photos", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				s.Fields = cloneFields(s.Fields)
				tt.tamper(s)
			}
			status, msg := post(t, front.Client(), s, tt.filename, tt.data)
			objectURL := srv.URL + "/photos/users/alice/" + tt.filename
			if !tt.wantOK {
				if status != http.StatusForbidden || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("POST: %d %q, want 403 naming %s", status, msg, tt.wantMsg)
				}
				if status, _, _ := get(t, srv.HTTPClient(), objectURL); status != http.StatusNotFound {
					t.Errorf("GET after a refused upload: %d, want 404", status)
				}
				return
			}
			if status/100 != 2 {
				t.Fatalf("POST: %d %s", status, msg)
			}
			status, hdr, got := get(t, srv.HTTPClient(), objectURL)
			if status != http.StatusOK || !bytes.Equal(got, tt.data) {
				t.Fatalf("GET %s: %d, %d bytes, equal %v", objectURL, status, len(got), bytes.Equal(got, tt.data))
			}
			if ct := hdr.Get("Content-Type"); ct != "image/png" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func cloneFields(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
