package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const vectorDir = "../testdata/sigv4"

// indexRow is one row of testdata/sigv4/index.json.
type indexRow struct {
	Suite        string `json:"suite"`
	Case         string `json:"case"`
	S3Applicable bool   `json:"s3_applicable"`
}

func loadIndex(t *testing.T) []indexRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []indexRow
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// parseRawRequest reads the raw HTTP requests of the suites: the path is
// written unescaped, header lines may be folded (obs-fold, joined with a
// space as RFC 9112 says), and header names may repeat.
func parseRawRequest(t *testing.T, raw []byte) *http.Request {
	t.Helper()
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	sc := bufio.NewScanner(bytes.NewReader(head))
	if !sc.Scan() {
		t.Fatal("empty request")
	}
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	target := strings.TrimSuffix(rest, " HTTP/1.1")
	p, q, _ := strings.Cut(target, "?")
	req := &http.Request{Method: method, URL: &url.URL{Scheme: "https", Path: p, RawQuery: q}, Header: http.Header{}}
	var lastName string
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			vals := req.Header[lastName]
			vals[len(vals)-1] += " " + strings.TrimSpace(l)
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		if strings.EqualFold(name, "host") {
			req.Host = value
			req.URL.Host = value
			continue
		}
		lastName = http.CanonicalHeaderKey(name)
		req.Header[lastName] = append(req.Header[lastName], value)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type vectorContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Expiration int    `json:"expiration_in_seconds"`
	Region     string `json:"region"`
	Service    string `json:"service"`
	SignBody   bool   `json:"sign_body"`
	Timestamp  string `json:"timestamp"`
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestAWSCAuthSuite runs every S3-applicable case of aws-c-auth's v4 suite,
// in header and in query (presign) form.
func TestAWSCAuthSuite(t *testing.T) {
	ran := 0
	for _, row := range loadIndex(t) {
		if row.Suite != "aws-c-auth/v4" || !row.S3Applicable {
			continue
		}
		ran++
		t.Run(row.Case, func(t *testing.T) {
			dir := filepath.Join(vectorDir, "aws-c-auth/v4", row.Case)
			var vc vectorContext
			if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "context.json"))), &vc); err != nil {
				t.Fatal(err)
			}
			tm, err := time.Parse(time.RFC3339, vc.Timestamp)
			if err != nil {
				t.Fatal(err)
			}
			creds := Credentials{AccessKeyID: vc.Credentials.AccessKeyID, SecretAccessKey: vc.Credentials.SecretAccessKey, SessionToken: vc.Credentials.Token}
			raw := []byte(readFile(t, filepath.Join(dir, "request.txt")))
			s := &Signer{Service: vc.Service}

			t.Run("header", func(t *testing.T) {
				req := parseRawRequest(t, raw)
				body, _ := io.ReadAll(req.Body)
				hash := EmptyPayloadHash
				if vc.SignBody {
					hash = sha256Hex(body)
					req.Header.Set("X-Amz-Content-Sha256", hash)
				}
				if err := s.Sign(req, creds, vc.Region, hash, tm); err != nil {
					t.Fatal(err)
				}
				cr, err := s.CanonicalRequest(req, hash)
				if err != nil {
					t.Fatal(err)
				}
				if want := readFile(t, filepath.Join(dir, "header-canonical-request.txt")); cr != want {
					t.Errorf("canonical request:\n%s\nwant:\n%s", cr, want)
				}
				if got, want := s.StringToSign(cr, tm, vc.Region), readFile(t, filepath.Join(dir, "header-string-to-sign.txt")); got != want {
					t.Errorf("string to sign:\n%s\nwant:\n%s", got, want)
				}
				auth := req.Header.Get("Authorization")
				if want := readFile(t, filepath.Join(dir, "header-signature.txt")); !strings.HasSuffix(auth, "Signature="+want) {
					t.Errorf("Authorization %q, want signature %s", auth, want)
				}
				// aws-c-auth writes ", " between the Authorization parts;
				// S3's documentation and botocore write ",". Both are accepted.
				signed := strings.ReplaceAll(readFile(t, filepath.Join(dir, "header-signed-request.txt")), ", ", ",")
				if !strings.Contains(signed, "Authorization:"+auth+"\n") && !strings.HasSuffix(signed, "Authorization:"+auth) {
					t.Errorf("Authorization %q not in the signed request:\n%s", auth, signed)
				}
			})

			t.Run("query", func(t *testing.T) {
				req := parseRawRequest(t, raw)
				body, _ := io.ReadAll(req.Body)
				hash := EmptyPayloadHash
				if vc.SignBody {
					hash = sha256Hex(body)
				}
				u, hdr, err := s.Presign(req, creds, vc.Region, hash, time.Duration(vc.Expiration)*time.Second, tm)
				if err != nil {
					t.Fatal(err)
				}
				pu, err := url.Parse(u)
				if err != nil {
					t.Fatal(err)
				}
				if want := readFile(t, filepath.Join(dir, "query-signature.txt")); pu.Query().Get("X-Amz-Signature") != want {
					t.Errorf("signature %q, want %q (url %s)", pu.Query().Get("X-Amz-Signature"), want, u)
				}
				// What a server canonicalizes from the URL and the headers sent.
				sreq := &http.Request{Method: req.Method, URL: pu, Host: req.Host, Header: hdr}
				cr, err := s.CanonicalRequest(sreq, hash)
				if err != nil {
					t.Fatal(err)
				}
				if want := readFile(t, filepath.Join(dir, "query-canonical-request.txt")); cr != want {
					t.Errorf("canonical request:\n%s\nwant:\n%s", cr, want)
				}
			})
		})
	}
	if ran != 31 {
		t.Errorf("ran %d aws-c-auth cases, want the 31 S3-applicable ones", ran)
	}
}

// TestBotocoreSuite runs every S3-applicable case of botocore's packaging of
// the suite (header signing; the requests already carry X-Amz-Date).
func TestBotocoreSuite(t *testing.T) {
	tm := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	ran := 0
	for _, row := range loadIndex(t) {
		if row.Suite != "botocore-aws4_testsuite" || !row.S3Applicable {
			continue
		}
		ran++
		t.Run(row.Case, func(t *testing.T) {
			base := filepath.Join(vectorDir, "botocore-aws4_testsuite", row.Case, filepath.Base(row.Case))
			req := parseRawRequest(t, []byte(readFile(t, base+".req")))
			body, _ := io.ReadAll(req.Body)
			hash := sha256Hex(body)
			creq := readFile(t, base+".creq")
			var token string
			for _, l := range strings.Split(creq, "\n") {
				if v, ok := strings.CutPrefix(l, "x-amz-security-token:"); ok {
					token = v
				}
			}
			creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: token}
			s := &Signer{Service: "service"}
			if err := s.Sign(req, creds, "us-east-1", hash, tm); err != nil {
				t.Fatal(err)
			}
			cr, err := s.CanonicalRequest(req, hash)
			if err != nil {
				t.Fatal(err)
			}
			if cr != creq {
				t.Errorf("canonical request:\n%s\nwant:\n%s", cr, creq)
			}
			if got, want := s.StringToSign(cr, tm, "us-east-1"), readFile(t, base+".sts"); got != want {
				t.Errorf("string to sign:\n%s\nwant:\n%s", got, want)
			}
			// botocore writes ", " between the parts; S3's documentation ",".
			if got, want := req.Header.Get("Authorization"), strings.ReplaceAll(readFile(t, base+".authz"), ", ", ","); got != want {
				t.Errorf("Authorization:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	if ran != 27 {
		t.Errorf("ran %d botocore cases, want the 27 S3-applicable ones", ran)
	}
}

type docExample struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Input struct {
		Method       string      `json:"method"`
		Host         string      `json:"host"`
		Path         string      `json:"path"`
		RawQuery     string      `json:"raw_query"`
		Headers      [][2]string `json:"headers"`
		Body         string      `json:"body"`
		PayloadHash  string      `json:"payload_hash"`
		XAmzDate     string      `json:"x_amz_date"`
		Region       string      `json:"region"`
		Expires      int         `json:"expires"`
		ChunkSize    int         `json:"chunk_size"`
		PolicyJSON   string      `json:"policy_json"`
		Credential   string      `json:"credential"`
		DecodedBytes int
	} `json:"input"`
	Expected struct {
		CanonicalRequest     string `json:"canonical_request"`
		StringToSign         string `json:"string_to_sign"`
		Signature            string `json:"signature"`
		Authorization        string `json:"authorization"`
		URL                  string `json:"url"`
		SeedCanonicalRequest string `json:"seed_canonical_request"`
		SeedSignature        string `json:"seed_signature"`
		Chunks               []struct {
			DataLen     int    `json:"data_len"`
			Signature   string `json:"signature"`
			ChunkHeader string `json:"chunk_header"`
		} `json:"chunks"`
		PolicyBase64 string `json:"policy_base64"`
	} `json:"expected"`
}

func loadDocExamples(t *testing.T) (Credentials, []docExample) {
	t.Helper()
	var f struct {
		Credentials struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
		} `json:"credentials"`
		Examples []docExample `json:"examples"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(vectorDir, "s3-doc-examples.json"))), &f); err != nil {
		t.Fatal(err)
	}
	return Credentials{AccessKeyID: f.Credentials.AccessKeyID, SecretAccessKey: f.Credentials.SecretAccessKey}, f.Examples
}

// TestS3DocExamples checks the worked examples of the Amazon S3 API
// Reference give their published signatures.
func TestS3DocExamples(t *testing.T) {
	creds, examples := loadDocExamples(t)
	kinds := map[string]int{}
	for _, ex := range examples {
		kinds[ex.Kind]++
		t.Run(ex.ID, func(t *testing.T) {
			in := ex.Input
			tm, err := time.Parse(timeFormat, in.XAmzDate)
			if err != nil {
				t.Fatal(err)
			}
			var s Signer
			req := &http.Request{Method: in.Method, Host: in.Host, URL: &url.URL{Scheme: "https", Host: in.Host, Path: in.Path, RawQuery: in.RawQuery}, Header: http.Header{}}
			for _, h := range in.Headers {
				req.Header.Add(h[0], h[1])
			}
			switch ex.Kind {
			case "header":
				if err := s.Sign(req, creds, in.Region, in.PayloadHash, tm); err != nil {
					t.Fatal(err)
				}
				cr, _ := s.CanonicalRequest(req, in.PayloadHash)
				if cr != ex.Expected.CanonicalRequest {
					t.Errorf("canonical request:\n%s\nwant:\n%s", cr, ex.Expected.CanonicalRequest)
				}
				if got := s.StringToSign(cr, tm, in.Region); got != ex.Expected.StringToSign {
					t.Errorf("string to sign:\n%s\nwant:\n%s", got, ex.Expected.StringToSign)
				}
				if got := req.Header.Get("Authorization"); got != ex.Expected.Authorization {
					t.Errorf("Authorization:\n%s\nwant:\n%s", got, ex.Expected.Authorization)
				}
				// The wire path is the canonical one ($ → %24).
				if got, want := req.URL.EscapedPath(), strings.Split(ex.Expected.CanonicalRequest, "\n")[1]; got != want {
					t.Errorf("wire path %q, want %q", got, want)
				}
			case "presign":
				u, hdr, err := s.Presign(req, creds, in.Region, in.PayloadHash, time.Duration(in.Expires)*time.Second, tm)
				if err != nil {
					t.Fatal(err)
				}
				if u != ex.Expected.URL {
					t.Errorf("URL:\n%s\nwant:\n%s", u, ex.Expected.URL)
				}
				if len(hdr) != 0 {
					t.Errorf("headers to send = %v, want none", hdr)
				}
			case "streaming":
				// The doc signs Content-Length as a header; keep it as given.
				var decoded int64 = 66560
				body := bytes.Repeat([]byte{'a'}, int(decoded))
				err := s.SignStreaming(req, bytes.NewReader(body), decoded, creds, in.Region, StreamingOptions{Payload: StreamingPayload, ChunkSize: in.ChunkSize}, tm)
				if err != nil {
					t.Fatal(err)
				}
				if got := req.Header.Get("Authorization"); got != ex.Expected.Authorization {
					t.Errorf("Authorization:\n%s\nwant:\n%s", got, ex.Expected.Authorization)
				}
				if got, _ := s.CanonicalRequest(req, StreamingPayload); got != ex.Expected.SeedCanonicalRequest {
					t.Errorf("seed canonical request:\n%s\nwant:\n%s", got, ex.Expected.SeedCanonicalRequest)
				}
				enc, err := io.ReadAll(req.Body)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(enc)) != req.ContentLength || req.ContentLength != 66824 {
					t.Errorf("encoded %d bytes, Content-Length %d, doc says 66824", len(enc), req.ContentLength)
				}
				var want []byte
				for _, c := range ex.Expected.Chunks {
					want = append(want, strings.ReplaceAll(c.ChunkHeader, `\r\n`, "\r\n")...)
					want = append(want, bytes.Repeat([]byte{'a'}, c.DataLen)...)
					want = append(want, "\r\n"...)
				}
				if !bytes.Equal(enc, want) {
					t.Errorf("aws-chunked body differs from the documented chunks")
				}
			case "post_policy":
				if got := b64(in.PolicyJSON); got != ex.Expected.PolicyBase64 {
					t.Fatalf("base64 policy differs")
				}
				sig, err := s.SignPOSTPolicy(ex.Expected.PolicyBase64, creds, in.Region, tm)
				if err != nil {
					t.Fatal(err)
				}
				if sig != ex.Expected.Signature {
					t.Errorf("signature %s, want %s", sig, ex.Expected.Signature)
				}
				if got := creds.AccessKeyID + "/" + CredentialScope(tm, in.Region, "s3"); got != in.Credential {
					t.Errorf("credential %s, want %s", got, in.Credential)
				}
			default:
				t.Fatalf("unknown kind %q", ex.Kind)
			}
		})
	}
	if kinds["header"] != 4 || kinds["presign"] != 1 || kinds["streaming"] != 1 || kinds["post_policy"] != 1 {
		t.Errorf("example kinds = %v", kinds)
	}
}
