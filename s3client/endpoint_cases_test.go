package s3client

// The 393 endpoint-ruleset cases of testdata/endpoints, run through the
// client's operations: the request that leaves the client, caught by a
// transport, must have the case's URL, signing name, region or region set
// and scheme; a case that expects an error must be refused, typed, with
// nothing sent.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

type endpointCase struct {
	Name   string `json:"name"`
	Index  int    `json:"index"`
	Doc    string `json:"doc"`
	Params struct {
		Bucket, Region, Endpoint, Key, Prefix, CopySource string
		UseFIPS, UseDualStack, Accelerate, ForcePathStyle bool
		UseArnRegion                                      *bool
		DisableMultiRegionAccessPoints, UseGlobalEndpoint bool
		UseObjectLambdaEndpoint, DisableAccessPoints      bool
		DisableS3ExpressSessionAuth                       bool
		UseS3ExpressControlEndpoint                       bool
	} `json:"params"`
	Expect struct {
		Error       string `json:"error"`
		URL         string `json:"url"`
		AuthSchemes []struct {
			Name             string   `json:"name"`
			SigningName      string   `json:"signingName"`
			SigningRegion    string   `json:"signingRegion"`
			SigningRegionSet []string `json:"signingRegionSet"`
		} `json:"authSchemes"`
	} `json:"expect"`
}

func loadEndpointCases(t *testing.T) []endpointCase {
	t.Helper()
	f, err := os.Open("../testdata/endpoints/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []endpointCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c endpointCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// family sorts a case into the families of issue 18, the first that fits.
func (c *endpointCase) family() string {
	p := &c.Params
	b := p.Bucket
	switch {
	case c.Index >= 276 || IsDirectoryBucket(b) || p.UseS3ExpressControlEndpoint || p.DisableS3ExpressSessionAuth:
		return "S3 Express"
	case strings.Contains(b, ":s3-outposts:") || strings.HasSuffix(b, "--op-s3"):
		return "Outposts"
	case strings.Contains(b, ":s3-object-lambda:") || p.UseObjectLambdaEndpoint:
		return "Object Lambda"
	case strings.HasPrefix(b, "arn:") && strings.Contains(b, ".mrap"):
		return "MRAP"
	case strings.HasPrefix(b, "arn:"):
		return "access point ARNs"
	case c.Expect.Error != "":
		return "invalid input"
	case p.UseFIPS:
		return "FIPS"
	case p.Region == "aws-global" || p.UseGlobalEndpoint:
		return "global endpoint"
	case p.Accelerate:
		return "accelerate"
	case p.UseDualStack:
		return "dual-stack"
	case p.Endpoint != "":
		return "custom endpoint"
	case p.ForcePathStyle:
		return "path style"
	}
	return "regional"
}

// unsupportedEndpointCases lists the cases s3kit does not pass, by index,
// with why. Every other case must pass, so each family's minimum is its
// size less its listed cases; a listed case that passes is an error too.
// All 393 pass: the table is empty.
var unsupportedEndpointCases = map[int]string{}

// endpointMessageDifferences are the cases whose error message deliberately
// differs from the rules' (the rules quote the endpoint URL, which may
// carry a password; s3kit never quotes it).
var endpointMessageDifferences = map[int]string{
	29: "Custom endpoint was not a valid URI",
}

// caseTransport answers every request 200, CreateSession with session
// credentials, and records what it was sent.
type caseTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

const (
	caseSessionKey    = "ASIASESSIONKEY"
	caseSessionSecret = "sessionsecret"
	caseSessionToken  = "sessiontoken"
)

func (t *caseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	t.mu.Lock()
	t.reqs = append(t.reqs, r)
	t.mu.Unlock()
	body := ""
	if _, ok := r.URL.Query()["session"]; ok {
		body = `<CreateSessionResult><Credentials><SessionToken>` + caseSessionToken + `</SessionToken><SecretAccessKey>` + caseSessionSecret +
			`</SecretAccessKey><AccessKeyId>` + caseSessionKey + `</AccessKeyId><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>`
	} else if r.URL.Query().Get("list-type") == "2" {
		body = `<ListBucketResult></ListBucketResult>`
	} else if r.URL.Query().Get("x-id") == "ListDirectoryBuckets" {
		body = `<ListAllMyDirectoryBucketsResult></ListAllMyDirectoryBucketsResult>`
	} else if r.Method == http.MethodGet {
		// ListBuckets reads it; GetObject streams it unread.
		body = `<ListAllMyBucketsResult></ListAllMyBucketsResult>`
	}
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		body = `<CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// runEndpointCase issues the case's representative operation and returns
// the URL suffix the key or operation adds to the case's endpoint.
func runEndpointCase(ctx context.Context, c *Client, tc *endpointCase) (suffix string, err error) {
	p := &tc.Params
	key := p.Key
	if key == "" {
		key = "key"
	}
	switch {
	case p.UseObjectLambdaEndpoint:
		return "/WriteGetObjectResponse", c.WriteGetObjectResponse(ctx, &WriteGetObjectResponseInput{RequestRoute: "route", RequestToken: "token"})
	case p.UseS3ExpressControlEndpoint && p.Bucket == "":
		_, err = c.ListDirectoryBuckets(ctx, nil)
		return "", err
	case p.Bucket == "":
		_, err = c.ListBuckets(ctx, nil)
		return "", err
	case p.DisableAccessPoints:
		_, err = c.CreateBucket(ctx, &CreateBucketInput{Bucket: p.Bucket})
		return "", err
	case p.UseS3ExpressControlEndpoint:
		err = c.DeleteBucket(ctx, &DeleteBucketInput{Bucket: p.Bucket})
		return "", err
	case p.CopySource != "":
		src, srcKey, _ := strings.Cut(strings.TrimPrefix(p.CopySource, "/"), "/")
		_, err = c.CopyObject(ctx, &CopyObjectInput{Bucket: p.Bucket, Key: key, CopySource: CopySource{Bucket: src, Key: srcKey}})
		return "/" + key, err
	case p.Prefix != "":
		_, err = c.ListObjectsV2(ctx, &ListObjectsV2Input{Bucket: p.Bucket, Prefix: p.Prefix})
		return "", err
	}
	out, err := c.GetObject(ctx, &GetObjectInput{Bucket: p.Bucket, Key: key})
	if err == nil {
		out.Body.Close()
	}
	return "/" + key, err
}

// authOf reads the algorithm, access key, signing region or region set and
// signing name of a signed request.
func authOf(r *http.Request) (alg, akid, region, service string) {
	a := r.Header.Get("Authorization")
	alg, rest, _ := strings.Cut(a, " ")
	cred, _, _ := strings.Cut(strings.TrimPrefix(rest, "Credential="), ",")
	parts := strings.Split(cred, "/")
	switch {
	case alg == sigv4.AlgorithmV4a && len(parts) == 4:
		return alg, parts[0], r.Header.Get(sigv4.RegionSetHeader), parts[2]
	case len(parts) == 5:
		return alg, parts[0], parts[2], parts[3]
	}
	return alg, "", "", ""
}

func TestEndpointCases(t *testing.T) {
	cases := loadEndpointCases(t)
	if len(cases) != 393 {
		t.Fatalf("%d cases, want 393", len(cases))
	}
	total := map[string]int{}
	passed := map[string]int{}
	listedIn := map[string]int{}
	for i := range cases {
		tc := &cases[i]
		fam := tc.family()
		total[fam]++
		why := checkEndpointCase(t, tc)
		_, listed := unsupportedEndpointCases[tc.Index]
		if listed {
			listedIn[fam]++
		}
		switch {
		case why == "" && listed:
			t.Errorf("case %d (%s) passes but is listed as unsupported: remove it from unsupportedEndpointCases", tc.Index, tc.Doc)
		case why == "":
			passed[fam]++
		case !listed:
			t.Errorf("case %d [%s] %s: %s", tc.Index, fam, tc.Doc, why)
		}
	}
	families := make([]string, 0, len(total))
	for f := range total {
		families = append(families, f)
	}
	sort.Strings(families)
	var report strings.Builder
	sum := 0
	for _, f := range families {
		report.WriteString(f + " " + itoa(int64(passed[f])) + "/" + itoa(int64(total[f])) + "; ")
		sum += passed[f]
		if min := total[f] - listedIn[f]; passed[f] < min {
			t.Errorf("family %s: %d cases pass, want at least %d", f, passed[f], min)
		}
	}
	if sum+len(unsupportedEndpointCases) != len(cases) {
		t.Errorf("%d pass and %d are listed unsupported: %d cases unaccounted for", sum, len(unsupportedEndpointCases), len(cases)-sum-len(unsupportedEndpointCases))
	}
	t.Logf("endpoint cases: %d/%d pass; %s", sum, len(cases), report.String())
}

// checkEndpointCase runs one case and says what is wrong, or "".
func checkEndpointCase(t *testing.T, tc *endpointCase) string {
	p := &tc.Params
	rt := &caseTransport{}
	cfg := Config{
		Region: p.Region, Endpoint: p.Endpoint, UseFIPS: p.UseFIPS, UseDualStack: p.UseDualStack, UseAccelerate: p.Accelerate,
		AddressingStyle: AddressingVirtual, UseARNRegion: p.UseArnRegion, UseGlobalEndpoint: p.UseGlobalEndpoint,
		DisableMultiRegionAccessPoints: p.DisableMultiRegionAccessPoints, DisableS3ExpressSessionAuth: p.DisableS3ExpressSessionAuth,
		Credentials: sigv4.NewStaticProvider(testAccessKey, testSecretKey, ""),
		HTTPClient:  &http.Client{Transport: rt}, MaxAttempts: 1, PayloadSigning: PayloadSigningUnsigned,
		Now: func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
	if p.ForcePathStyle {
		cfg.AddressingStyle = AddressingPath
	}
	c, err := New(cfg)
	var suffix string
	if err == nil {
		suffix, err = runEndpointCase(context.Background(), c, tc)
	}
	if tc.Expect.Error != "" {
		switch {
		case err == nil:
			return "no error, want " + tc.Expect.Error
		case len(rt.reqs) != 0:
			return "refused after sending " + itoa(int64(len(rt.reqs))) + " requests"
		case !errors.Is(err, ErrInvalidInput) && !errors.Is(err, ErrInvalidConfig):
			return "error " + err.Error() + " is not typed (ErrInvalidInput, ErrInvalidEndpoint, ErrInvalidARN)"
		}
		want := tc.Expect.Error
		if m, ok := endpointMessageDifferences[tc.Index]; ok {
			want = m
		}
		if !strings.Contains(err.Error(), want) {
			return "error " + err.Error() + ", want " + want
		}
		return ""
	}
	if err != nil {
		return "error " + err.Error()
	}
	if len(tc.Expect.AuthSchemes) == 0 {
		return "case without auth scheme"
	}
	want := tc.Expect.AuthSchemes[0]
	reqs := rt.reqs
	if want.Name == "sigv4-s3express" {
		if len(reqs) != 2 {
			return "sent " + itoa(int64(len(reqs))) + " requests, want CreateSession and the operation"
		}
		cs := reqs[0]
		if _, ok := cs.URL.Query()["session"]; !ok {
			return "first request is not CreateSession: " + cs.URL.String()
		}
		if alg, akid, region, service := authOf(cs); alg != sigv4.Algorithm || akid != testAccessKey || region != want.SigningRegion || service != "s3express" {
			return "CreateSession signed " + alg + " " + akid + " " + region + " " + service
		}
		reqs = reqs[1:]
	}
	if len(reqs) != 1 {
		return "sent " + itoa(int64(len(reqs))) + " requests, want 1"
	}
	r := reqs[0]
	got := r.URL.Scheme + "://" + r.URL.Host + r.URL.EscapedPath()
	wantURL := tc.Expect.URL + suffix
	if p.UseObjectLambdaEndpoint {
		scheme, host, _ := strings.Cut(tc.Expect.URL, "://")
		wantURL = scheme + "://route." + host + suffix
	}
	if strings.TrimSuffix(got, "/") != strings.TrimSuffix(wantURL, "/") {
		return "URL " + got + ", want " + wantURL
	}
	alg, akid, region, service := authOf(r)
	wantRegion, wantAlg, wantKey := want.SigningRegion, sigv4.Algorithm, testAccessKey
	switch want.Name {
	case "sigv4a":
		wantRegion, wantAlg = strings.Join(want.SigningRegionSet, ","), sigv4.AlgorithmV4a
	case "sigv4-s3express":
		wantKey = caseSessionKey
		if r.Header.Get(s3SessionTokenHeader) != caseSessionToken || r.Header.Get("X-Amz-Security-Token") != "" {
			return "session token not in " + s3SessionTokenHeader
		}
	}
	if alg != wantAlg || akid != wantKey || region != wantRegion || service != want.SigningName {
		return "signed " + alg + " " + akid + " " + region + " " + service + ", want " + wantAlg + " " + wantKey + " " + wantRegion + " " + want.SigningName
	}
	if !strings.Contains(r.Header.Get("Authorization"), "host;") {
		return "Host not signed"
	}
	return ""
}
