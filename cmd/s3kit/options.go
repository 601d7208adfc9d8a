package main

// This file holds the options of every command, registered by group, and
// the parsers of their values: sizes ("8MB"), bandwidths ("50MB/s"),
// expiries ("3600" or "15m"), metadata ("k=v,k2=v2" or JSON), form fields
// and POST policy conditions.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/s3kit/s3kit/presignpost"
	"github.com/s3kit/s3kit/s3client"
)

// options holds every option of every command; a command registers only
// the groups it takes, so the others keep their zero values.
type options struct {
	// optConnection
	endpointURL     string
	region          string
	profile         string
	addressingStyle string
	noSignRequest   bool
	noVerifySSL     bool
	caBundle        string
	debug           bool
	requestPayer    string
	pageSize        int

	// optTransfer: unset (-1) leaves the transfer manager's default.
	threshold      sizeValue
	chunkSize      sizeValue
	maxConcurrency int
	maxBandwidth   sizeValue

	// optProgress, optQuiet, optErrorsOnly
	quiet          bool
	onlyShowErrors bool
	noProgress     bool
	forceProgress  bool

	recursive bool
	force     bool

	// optFilter, optSymlinks
	filters        filterList
	dryrun         bool
	followSymlinks bool

	// optSync
	delete          bool
	sizeOnly        bool
	exactTimestamps bool

	// optObject
	contentType       string
	acl               string
	cacheControl      string
	storageClass      string
	sse               string
	metadata          metadataValue
	metadataDirective string
	expectedSize      sizeValue
	contentDisp       string
	contentEncoding   string
	contentLanguage   string
	expires           timeValue
	sseKMSKeyID       string
	grants            grantsValue
	checksumAlgorithm string

	// optSSEC
	sseC    string
	sseCKey sseKeyValue

	// optList
	humanReadable bool
	summarize     bool

	// optPresign, optPost
	expiresIn    expiresValue
	method       string
	fields       fieldList
	conditions   conditionList
	contentRange string
	html         bool

	// optServe
	addr             string
	dir              string
	verifySignatures bool
}

func newFlagSet(c *command, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("s3kit "+c.name, flag.ContinueOnError)
	// The flag package would print its errors and usage itself; report
	// prints ours, on one line.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o.threshold, o.chunkSize, o.maxBandwidth, o.expectedSize = -1, -1, -1, -1
	if c.opts&optConnection != 0 {
		fs.StringVar(&o.endpointURL, "endpoint-url", "", "send requests to this `URL` instead of AWS (an S3-compatible store)")
		fs.StringVar(&o.region, "region", "", "the AWS `region` to sign for and send to")
		fs.StringVar(&o.profile, "profile", "", "use this `profile` of the AWS shared files")
		fs.StringVar(&o.addressingStyle, "addressing-style", "", "the addressing `style`: auto (the default), virtual (bucket in the host name) or path (bucket in the path)")
		fs.BoolVar(&o.noSignRequest, "no-sign-request", false, "send anonymous requests, without credentials")
		fs.BoolVar(&o.noVerifySSL, "no-verify-ssl", false, "do not verify the endpoint's TLS certificate (a test server with a self-signed one)")
		fs.StringVar(&o.caBundle, "ca-bundle", "", "trust the certificates of this PEM `file` for TLS, instead of the system's")
		fs.BoolVar(&o.debug, "debug", false, "log every request on stderr: its line, status and request ID, retries and redirects (never a secret)")
	}
	if c.opts&optPayer != 0 {
		fs.StringVar(&o.requestPayer, "request-payer", "", "`requester`: agree to pay for the requests to a Requester Pays bucket")
	}
	if c.opts&optPage != 0 {
		fs.IntVar(&o.pageSize, "page-size", 0, "list this `number` of keys a request, 1 to 1000 (1000 by default)")
	}
	if c.opts&optTransfer != 0 {
		fs.Var(&o.threshold, "multipart-threshold", "send files from this `size` on in parts (8MB by default)")
		fs.Var(&o.chunkSize, "multipart-chunksize", "the `size` of each part (8MB by default, 5MB at least)")
		fs.IntVar(&o.maxConcurrency, "max-concurrency", 0, "the `number` of requests that run at once (10 by default)")
		fs.Var(&o.maxBandwidth, "max-bandwidth", "cap the transfer `rate`, e.g. 10MB/s")
	}
	if c.opts&(optProgress|optQuiet) != 0 {
		fs.BoolVar(&o.quiet, "quiet", false, "print nothing but errors")
	}
	if c.opts&optErrorsOnly != 0 {
		fs.BoolVar(&o.onlyShowErrors, "only-show-errors", false, "print only errors and warnings (the same as --quiet)")
	}
	if c.opts&optProgress != 0 {
		fs.BoolVar(&o.noProgress, "no-progress", false, "draw no progress bar")
		fs.BoolVar(&o.forceProgress, "force-progress", false, "draw the progress bar on stderr even when it is not a terminal")
	}
	if c.opts&optRecursive != 0 {
		fs.BoolVar(&o.recursive, "recursive", false, "act on every file under a directory or every object under a prefix")
	}
	if c.opts&optForce != 0 {
		fs.BoolVar(&o.force, "force", false, "delete every object of the bucket first")
	}
	if c.opts&optFilter != 0 {
		fs.Var(&excludeValue{&o.filters}, "exclude", "skip paths that match this `pattern` (* ? [..]; later filters win)")
		fs.Var(&includeValue{&o.filters}, "include", "do not skip paths that match this `pattern`")
		fs.BoolVar(&o.dryrun, "dryrun", false, "print what would be done, and do nothing")
	}
	if c.opts&optSymlinks != 0 {
		o.followSymlinks = true
		fs.Var(&boolSetter{&o.followSymlinks, true}, "follow-symlinks", "follow symbolic links to files and directories (the default)")
		fs.Var(&boolSetter{&o.followSymlinks, false}, "no-follow-symlinks", "skip symbolic links")
	}
	if c.opts&optSync != 0 {
		fs.BoolVar(&o.delete, "delete", false, "delete the files or objects of the destination that the source lacks (the filters apply)")
		fs.BoolVar(&o.sizeOnly, "size-only", false, "copy only what differs in size, whatever the times say")
		fs.BoolVar(&o.exactTimestamps, "exact-timestamps", false, "from S3 to local: copy same-sized objects whose time differs from the file's at all")
	}
	if c.opts&optSSEC != 0 {
		fs.StringVar(&o.sseC, "sse-c", "", "server-side encryption with a customer key: `AES256` (the default with --sse-c-key)")
		fs.Var(&o.sseCKey, "sse-c-key", "the customer `key` of --sse-c: 32 bytes, or fileb://FILE to read them from a file")
	}
	if c.opts&optObject != 0 {
		fs.StringVar(&o.contentType, "content-type", "", "the media `type` of the object written (Content-Type; guessed from the file name by default)")
		fs.StringVar(&o.acl, "acl", "", "a canned `ACL`: private, public-read, bucket-owner-full-control...")
		fs.StringVar(&o.cacheControl, "cache-control", "", "the Cache-Control `value` of the object written")
		fs.StringVar(&o.storageClass, "storage-class", "", "the storage `class`: STANDARD, STANDARD_IA, GLACIER_IR...")
		fs.StringVar(&o.sse, "sse", "", "server-side encryption `algorithm`: AES256 or aws:kms")
		fs.Var(&o.metadata, "metadata", "user metadata, `k=v,k2=v2` or a JSON object")
		fs.StringVar(&o.metadataDirective, "metadata-directive", "", "the metadata `directive` of an S3 to S3 copy: COPY the source's or REPLACE it (REPLACE when --metadata, --content-type or --cache-control is given)")
		fs.Var(&o.expectedSize, "expected-size", "the `size` of a stream from stdin, to choose its part size")
		fs.StringVar(&o.contentDisp, "content-disposition", "", "the Content-Disposition `value` of the object written")
		fs.StringVar(&o.contentEncoding, "content-encoding", "", "the Content-Encoding `value` of the object written")
		fs.StringVar(&o.contentLanguage, "content-language", "", "the Content-Language `value` of the object written")
		if c.opts&(optPresign|optPost) == 0 { // there, --expires is --expires-in
			fs.Var(&o.expires, "expires", "the Expires `time` of the object written (RFC 3339, 2006-01-02T15:04:05Z)")
		}
		fs.StringVar(&o.sseKMSKeyID, "sse-kms-key-id", "", "the KMS key `ID` of --sse aws:kms")
		fs.Var(&o.grants, "grants", "grant a `Permission=Grantee_Type=Grantee_ID`: read, readacl, writeacl or full, to uri=, id= or emailaddress= (repeatable)")
		fs.StringVar(&o.checksumAlgorithm, "checksum-algorithm", "", "the `algorithm` of the checksum sent with the object: CRC32, CRC32C, CRC64NVME, SHA1 or SHA256")
	}
	if c.opts&optList != 0 {
		fs.BoolVar(&o.humanReadable, "human-readable", false, "print sizes in KiB, MiB, GiB...")
		fs.BoolVar(&o.summarize, "summarize", false, "print the number of objects and their total size")
	}
	if c.opts&(optPresign|optPost) != 0 {
		fs.Var(&o.expiresIn, "expires-in", "how long the signature is valid: `seconds` or a duration such as 15m (1h by default)")
		fs.Var(&o.expiresIn, "expires", "the same as --expires-in")
	}
	if c.opts&optPresign != 0 {
		fs.StringVar(&o.method, "method", "GET", "the HTTP `method` to presign: GET, PUT, HEAD or DELETE")
	}
	if c.opts&optPost != 0 {
		fs.Var(&o.fields, "field", "a fixed form field `name=value` (repeatable); each becomes an exact-match condition")
		fs.Var(&o.conditions, "condition", "a policy condition as `JSON`: {\"acl\":\"public-read\"} or [\"starts-with\",\"$Content-Type\",\"image/\"] (repeatable)")
		fs.StringVar(&o.contentRange, "content-length-range", "", "the allowed file sizes, `min,max` in bytes (or with units: 1KB,10MB)")
		fs.BoolVar(&o.html, "html", false, "print an HTML page with the upload form instead of JSON")
	}
	if c.opts&optServe != 0 {
		fs.StringVar(&o.addr, "addr", "127.0.0.1:9000", "listen on this `address` (port 0 picks a free port)")
		fs.StringVar(&o.dir, "dir", "", "keep buckets and objects as files under this `directory` (in memory by default)")
		fs.BoolVar(&o.verifySignatures, "verify-signatures", false, "check every request's SigV4 signature against the key pair the server prints, as S3 does")
	}
	return fs
}

// validate checks what the flag values alone cannot: combinations and
// values that the parsers accept but the command cannot use.
func (o *options) validate(c *command) error {
	if o.endpointURL != "" {
		if err := checkEndpointURL("--endpoint-url", o.endpointURL); err != nil {
			return err
		}
	}
	if o.addressingStyle != "" {
		if _, err := s3client.ParseAddressingStyle(o.addressingStyle); err != nil {
			return usagef("--addressing-style %q: want auto, virtual or path", o.addressingStyle)
		}
	}
	if o.maxConcurrency < 0 {
		return usagef("--max-concurrency must not be negative")
	}
	if o.maxBandwidth == 0 {
		return usagef("--max-bandwidth must be positive")
	}
	switch o.metadataDirective {
	case "", "COPY", "REPLACE":
	default:
		return usagef("--metadata-directive %q: want COPY or REPLACE", o.metadataDirective)
	}
	if c.opts&optPresign != 0 {
		o.method = strings.ToUpper(o.method)
		switch o.method {
		case "GET", "PUT", "HEAD", "DELETE":
		default:
			return usagef("--method %q: want GET, PUT, HEAD or DELETE", o.method)
		}
	}
	if o.expiresIn > 0 && (time.Duration(o.expiresIn) < time.Second || time.Duration(o.expiresIn) > 7*24*time.Hour) {
		return usagef("--expires-in %s: a signature is valid from 1 second to 7 days", time.Duration(o.expiresIn))
	}
	if o.onlyShowErrors {
		o.quiet = true
	}
	if o.quiet && o.forceProgress {
		return usagef("--quiet and --force-progress contradict each other")
	}
	if o.noVerifySSL && o.caBundle != "" {
		return usagef("--no-verify-ssl and --ca-bundle contradict each other")
	}
	if o.pageSize < 0 || o.pageSize > maxPageSize {
		return usagef("--page-size %d: a page holds 1 to %d keys", o.pageSize, maxPageSize)
	}
	if o.requestPayer != "" && o.requestPayer != "requester" {
		return usagef("--request-payer %q: the only value is requester", o.requestPayer)
	}
	if o.sseC != "" && o.sseC != "AES256" {
		return usagef("--sse-c %q: the only algorithm is AES256", o.sseC)
	}
	if o.sseC != "" && o.sseCKey.key == nil {
		return usagef("--sse-c needs the key: --sse-c-key")
	}
	if o.sseKMSKeyID != "" && !strings.HasPrefix(o.sse, "aws:kms") {
		return usagef("--sse-kms-key-id names the key of --sse aws:kms (or aws:kms:dsse)")
	}
	if o.sse != "" && o.sseCKey.key != nil {
		return usagef("--sse and --sse-c are two kinds of encryption: choose one")
	}
	if o.checksumAlgorithm != "" {
		o.checksumAlgorithm = strings.ToUpper(o.checksumAlgorithm)
		if a := s3client.ChecksumAlgorithm(o.checksumAlgorithm); a == s3client.ChecksumNone || !a.Valid() {
			return usagef("--checksum-algorithm %q: want one of %s", o.checksumAlgorithm, checksumNames())
		}
	}
	return nil
}

// checkEndpointURL refuses an endpoint that cannot be one, before any
// request: an absolute http or https URL with a host. name is where it
// came from: --endpoint-url or the environment variable.
func checkEndpointURL(name, s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return usagef("%s %q: %v", name, s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("%s %q: want an absolute http:// or https:// URL", name, s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return usagef("%s %q: a query or fragment cannot be part of an endpoint", name, s)
	}
	return nil
}

// sizeValue is a size in bytes, written as the AWS CLI's configuration
// writes them: a number of bytes, or with KB, MB, GB, TB (powers of 1024,
// as the AWS CLI reads them; KiB, MiB... too). -1 means unset.
type sizeValue int64

func (s *sizeValue) String() string {
	if s == nil || *s < 0 {
		return ""
	}
	return strconv.FormatInt(int64(*s), 10)
}

func (s *sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

// parseSize parses "1048576", "8MB", "8MiB", "1.5GB" or, for bandwidths,
// "10MB/s".
func parseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	s = strings.TrimSuffix(s, "/s")
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = strings.TrimSpace(s[:i]), strings.ToUpper(strings.TrimSpace(s[i:]))
	}
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
		"G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}[unit]
	f, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || mult == 0 || f < 0 {
		return 0, fmt.Errorf("%q is not a size (write bytes, or 64KB, 8MB, 1GB)", v)
	}
	f *= mult
	if f >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", v)
	}
	return int64(f), nil
}

// expiresValue is a signature's validity: seconds, as the AWS CLI's
// --expires-in takes them, or a Go duration ("15m", "2h").
type expiresValue time.Duration

func (e *expiresValue) String() string {
	if e == nil || *e == 0 {
		return ""
	}
	return time.Duration(*e).String()
}

func (e *expiresValue) Set(v string) error {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > 7*24*3600 {
			return fmt.Errorf("%d seconds is outside 1 second to 7 days", n)
		}
		*e = expiresValue(time.Duration(n) * time.Second)
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is neither seconds nor a duration such as 15m", v)
	}
	*e = expiresValue(d)
	return nil
}

// metadataValue is user metadata: "k=v,k2=v2" as the AWS CLI's shorthand,
// or a JSON object. Repeating the option adds keys.
type metadataValue map[string]string

func (m *metadataValue) String() string {
	if m == nil || len(*m) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]string(*m))
	return string(b)
}

func (m *metadataValue) Set(v string) error {
	if *m == nil {
		*m = metadataValue{}
	}
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		var obj map[string]string
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			return fmt.Errorf("metadata JSON must be an object of strings: %v", err)
		}
		for k, val := range obj {
			(*m)[k] = val
		}
		return nil
	}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("%q is not key=value", kv)
		}
		(*m)[strings.TrimSpace(k)] = val
	}
	return nil
}

// fieldList is the repeated --field name=value of presign-post.
type fieldList []presignpost.Field

func (f *fieldList) String() string { return fmt.Sprint(len(*f), " fields") }

func (f *fieldList) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q is not name=value", v)
	}
	*f = append(*f, presignpost.Field{Name: name, Value: value})
	return nil
}

// conditionList is the repeated --condition of presign-post, each in the
// JSON a POST policy writes it: {"field": "value"} for an exact match,
// ["eq"|"starts-with", "$field", "value"], or ["content-length-range", min, max].
type conditionList []presignpost.Condition

func (c *conditionList) String() string { return fmt.Sprint(len(*c), " conditions") }

func (c *conditionList) Set(v string) error {
	cond, err := parseCondition(v)
	if err != nil {
		return err
	}
	*c = append(*c, cond)
	return nil
}

func parseCondition(v string) (presignpost.Condition, error) {
	var obj map[string]string
	if err := json.Unmarshal([]byte(v), &obj); err == nil {
		if len(obj) != 1 {
			return presignpost.Condition{}, fmt.Errorf("an exact-match condition names one field: %s", v)
		}
		for k, val := range obj {
			return presignpost.Eq(k, val), nil
		}
	}
	var arr []any
	if err := json.Unmarshal([]byte(v), &arr); err != nil || len(arr) != 3 {
		return presignpost.Condition{}, fmt.Errorf("%s is not a condition: want {\"field\":\"value\"}, [\"starts-with\",\"$field\",\"prefix\"] or [\"content-length-range\",min,max]", v)
	}
	op, _ := arr[0].(string)
	switch strings.ToLower(op) {
	case presignpost.OpEq, presignpost.OpStartsWith:
		field, ok1 := arr[1].(string)
		value, ok2 := arr[2].(string)
		if !ok1 || !ok2 {
			return presignpost.Condition{}, fmt.Errorf("%s: field and value must be strings", v)
		}
		if strings.ToLower(op) == presignpost.OpEq {
			return presignpost.Eq(field, value), nil
		}
		return presignpost.StartsWith(field, value), nil
	case presignpost.OpContentLengthRange:
		lo, ok1 := arr[1].(float64)
		hi, ok2 := arr[2].(float64)
		if !ok1 || !ok2 || lo != math.Trunc(lo) || hi != math.Trunc(hi) {
			return presignpost.Condition{}, fmt.Errorf("%s: the range bounds must be whole numbers", v)
		}
		return presignpost.ContentLengthRange(int64(lo), int64(hi)), nil
	}
	return presignpost.Condition{}, fmt.Errorf("%s: unknown operator %q (want eq, starts-with or content-length-range)", v, op)
}

// boolSetter is one of a pair of options that set the same bool, such as
// --follow-symlinks and --no-follow-symlinks: the last one given wins.
type boolSetter struct {
	p *bool
	v bool
}

func (b *boolSetter) IsBoolFlag() bool { return true }
func (b *boolSetter) String() string   { return "" }
func (b *boolSetter) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	*b.p = v == b.v
	return nil
}

// timeValue is the time of --expires: RFC 3339, or a date.
type timeValue struct{ time.Time }

func (t *timeValue) String() string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func (t *timeValue) Set(v string) error {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", http.TimeFormat} {
		if p, err := time.Parse(layout, v); err == nil {
			t.Time = p
			return nil
		}
	}
	return fmt.Errorf("%q is not a time: write 2006-01-02T15:04:05Z (RFC 3339) or 2006-01-02", v)
}

// grantsValue is the repeated --grants Permission=Grantee_Type=Grantee_ID,
// as the AWS CLI takes them, gathered into the x-amz-grant-* headers'
// values: id="...", uri="..." or emailAddress="...", comma-separated.
type grantsValue struct {
	fullControl, read, readACP, writeACP string
}

func (g *grantsValue) String() string { return "" }

func (g *grantsValue) Set(v string) error {
	for _, one := range strings.Fields(v) {
		perm, grantee, ok := strings.Cut(one, "=")
		typ, id, ok2 := strings.Cut(grantee, "=")
		if !ok || !ok2 || id == "" {
			return fmt.Errorf("%q is not Permission=Grantee_Type=Grantee_ID", one)
		}
		switch strings.ToLower(typ) {
		case "id":
			typ = "id"
		case "uri":
			typ = "uri"
		case "emailaddress":
			typ = "emailAddress"
		default:
			return fmt.Errorf("%q: the grantee type is id, uri or emailaddress", one)
		}
		value := typ + `="` + id + `"`
		var dst *string
		switch strings.ToLower(perm) {
		case "full":
			dst = &g.fullControl
		case "read":
			dst = &g.read
		case "readacl":
			dst = &g.readACP
		case "writeacl":
			dst = &g.writeACP
		default:
			return fmt.Errorf("%q: the permission is read, readacl, writeacl or full", one)
		}
		if *dst != "" {
			*dst += ", "
		}
		*dst += value
	}
	return nil
}

// sseKeyValue is the customer key of --sse-c-key: the 32 bytes as given,
// or read from a file with fileb://FILE. It never prints its value.
type sseKeyValue struct{ key s3client.SSECKey }

func (k *sseKeyValue) String() string { return "" }

func (k *sseKeyValue) Set(v string) error {
	key := []byte(v)
	if p, ok := strings.CutPrefix(v, "fileb://"); ok {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("reading the key: %v", err)
		}
		key = b
	}
	if len(key) != 32 {
		// The key's length only: the key is a secret.
		return fmt.Errorf("an SSE-C key is 32 bytes (AES-256), this one is %d", len(key))
	}
	k.key = key
	return nil
}

// maxPageSize is the most keys S3 lists in one page.
const maxPageSize = 1000

// checksumNames lists the checksum algorithms for a usage message.
func checksumNames() string {
	var names []string
	for _, a := range s3client.ChecksumAlgorithms() {
		names = append(names, string(a))
	}
	return strings.Join(names, ", ")
}
