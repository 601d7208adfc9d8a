package s3client

// This file holds the error type of every operation and its sentinels;
// do.go classifies an error as worth another attempt or not.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors, matched with errors.Is against an *Error by its status
// code and S3 error code.
var (
	// ErrNotFound matches a missing bucket, key, version or upload (404).
	ErrNotFound = errors.New("s3client: not found")
	// ErrForbidden matches an access denial (403).
	ErrForbidden = errors.New("s3client: forbidden")
	// ErrPreconditionFailed matches a failed If-Match / If-None-Match (412)
	// and a conditional write that lost (409 ConditionalRequestConflict).
	ErrPreconditionFailed = errors.New("s3client: precondition failed")
	// ErrNotModified matches a 304 answer to If-None-Match / If-Modified-Since.
	ErrNotModified = errors.New("s3client: not modified")
	// ErrInvalidInput is wrapped by every error about an input rejected
	// before any request is sent.
	ErrInvalidInput = errors.New("s3client: invalid input")
	// ErrBodyNotRewindable is wrapped when a request failed in a way that
	// would have been retried, but its body was a stream that cannot be
	// read again.
	ErrBodyNotRewindable = errors.New("s3client: request body cannot be rewound for a retry")
	// ErrPagination is wrapped when a listing would not end: a page that
	// is truncated but gives no continuation token or marker, or gives one
	// the listing has already used (a server repeating a token, or cycling
	// through a few), or one longer than 8 KiB. See Pager.
	ErrPagination = errors.New("s3client: listing does not progress")
	// ErrResponseTooLarge is wrapped when a response document is over one
	// of the bounds the client reads it within: its size (32 MiB), its
	// nesting depth (32 elements), the entries of one list (10,000) or its
	// elements in all (524,288).
	ErrResponseTooLarge = errors.New("s3client: response document over a limit")
	// ErrUnexpectedResponse is wrapped when a successful answer carries a
	// document other than the one the operation expects (a
	// CompleteMultipartUpload answered with neither
	// <CompleteMultipartUploadResult> nor <Error>). It is a server fault,
	// retried like a broken answer.
	ErrUnexpectedResponse = errors.New("s3client: unexpected response document")
)

// Error is the error of an S3 operation: an answer from the server, or a
// transport failure (StatusCode 0, Err set). It never contains credentials.
type Error struct {
	Op         string // operation, e.g. "PutObject"
	Bucket     string
	Key        string
	StatusCode int    // HTTP status, 0 when no answer was received
	Code       string // S3 error code, e.g. "NoSuchKey"; for HEAD, derived from the status
	Message    string
	RequestID  string
	HostID     string
	// Region is the bucket's region when the server tells it
	// (x-amz-bucket-region, or the Region of a redirect error).
	Region string
	// CanonicalRequest and StringToSign are what the server computed, sent
	// with SignatureDoesNotMatch; compare them with the client's
	// (sigv4.Signer.CanonicalRequest) to find the difference.
	CanonicalRequest string
	StringToSign     string
	// Attempts is how many times the request was sent.
	Attempts int
	Err      error // underlying transport or decoding error, if any

	date string // the answer's Date header, for clock-skew correction
}

// Error formats as "s3client: Op bucket/key: Code (status): message (request ID ...)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("s3client: ")
	b.WriteString(e.Op)
	if e.Bucket != "" {
		b.WriteString(" ")
		b.WriteString(e.Bucket)
		if e.Key != "" {
			b.WriteString("/")
			b.WriteString(e.Key)
		}
	}
	b.WriteString(": ")
	if e.StatusCode != 0 {
		if e.Code != "" {
			b.WriteString(e.Code)
			b.WriteString(" ")
		}
		b.WriteString("(")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(")")
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
		if e.Region != "" && isRedirectCode(e.Code) {
			b.WriteString(" [bucket region ")
			b.WriteString(e.Region)
			b.WriteString("]")
		}
		if e.RequestID != "" {
			b.WriteString(" (request ID ")
			b.WriteString(e.RequestID)
			b.WriteString(")")
		}
		if e.Err != nil {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		}
	} else if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		b.WriteString(" (after ")
		b.WriteString(strconv.Itoa(e.Attempts))
		b.WriteString(" attempts)")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel errors of this package.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed || e.Code == "ConditionalRequestConflict"
	case ErrNotModified:
		return e.StatusCode == http.StatusNotModified
	}
	return false
}

// IsNotFound reports whether err is an S3 "not found" answer (NoSuchKey,
// NoSuchBucket, NoSuchUpload, a 404 to HEAD...).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsForbidden reports whether err is an access denial.
func IsForbidden(err error) bool { return errors.Is(err, ErrForbidden) }

// IsRetryable reports whether err is an *Error whose failure is transient:
// no answer (a reset, a cut body, a timeout), a 5xx, or a throttling code —
// the failures the client itself retries. An error that is still
// retryable after the client's attempts may succeed if sent again later.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.retryable()
}

// ErrorCode returns the S3 error code of err ("NoSuchKey", "SlowDown"...),
// or "" when err is not an answer from S3.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// errorBody is the XML of an S3 error answer.
type errorBody struct {
	XMLName          xml.Name `xml:"Error"`
	Code             string   `xml:"Code"`
	Message          string   `xml:"Message"`
	RequestID        string   `xml:"RequestId"`
	HostID           string   `xml:"HostId"`
	Region           string   `xml:"Region"`
	Endpoint         string   `xml:"Endpoint"`
	CanonicalRequest string   `xml:"CanonicalRequest"`
	StringToSign     string   `xml:"StringToSign"`
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// newResponseError builds the *Error of a failed response from its status,
// headers and (possibly empty) body.
func newResponseError(op, bucket, key string, resp *http.Response, body []byte) *Error {
	e := &Error{
		Op: op, Bucket: bucket, Key: key,
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Amz-Request-Id"),
		HostID:     resp.Header.Get("X-Amz-Id-2"),
		Region:     resp.Header.Get("X-Amz-Bucket-Region"),
	}
	parseErrorBody(e, body)
	if e.Code == "" {
		e.Code = codeFromStatus(resp.StatusCode)
	}
	return e
}

// parseErrorBody fills e from an <Error> document; it reports whether body
// was one.
func parseErrorBody(e *Error, body []byte) bool {
	if len(body) == 0 {
		return false
	}
	var eb errorBody
	if newXMLDecoder(bytes.NewReader(body)).Decode(&eb) != nil || eb.Code == "" {
		return false
	}
	e.Code, e.Message = eb.Code, eb.Message
	if eb.RequestID != "" {
		e.RequestID = eb.RequestID
	}
	if eb.HostID != "" {
		e.HostID = eb.HostID
	}
	if eb.Region != "" {
		e.Region = eb.Region
	}
	e.CanonicalRequest, e.StringToSign = redactCanonical(eb.CanonicalRequest), eb.StringToSign
	return true
}

// secretHeaders are the signed headers whose values are secrets; a server
// echoes them in the CanonicalRequest of a SignatureDoesNotMatch.
var secretHeaders = []string{
	"x-amz-security-token:",
	"x-amz-server-side-encryption-customer-key:",
	"x-amz-copy-source-server-side-encryption-customer-key:",
}

// redactCanonical blanks the secrets in a server's canonical request (the
// session token and SSE-C keys, as headers or as query parameters), keeping
// everything else for debugging a signature mismatch.
func redactCanonical(cr string) string {
	if cr == "" {
		return ""
	}
	lines := strings.Split(cr, "\n")
	for i, l := range lines {
		low := strings.ToLower(l)
		for _, h := range secretHeaders {
			if strings.HasPrefix(low, h) {
				lines[i] = l[:len(h)] + "<redacted>"
			}
		}
		if i == 2 { // the canonical query
			lines[i] = redactQuery(l)
		}
	}
	return strings.Join(lines, "\n")
}

// redactQuery blanks the session token in a canonical query string.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if name, _, ok := strings.Cut(p, "="); ok && strings.EqualFold(name, "X-Amz-Security-Token") {
			parts[i] = name + "=<redacted>"
		}
	}
	return strings.Join(parts, "&")
}

// rootElement returns the local name of a document's root element, or ""
// when body holds none. It tells a 200 answer that is in fact an <Error>
// (S3 sends those for CompleteMultipartUpload, CopyObject and
// UploadPartCopy after the status line has gone out) and a document that is
// not the operation's.
func rootElement(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// codeFromStatus gives HEAD answers, which have no body, a code.
func codeFromStatus(status int) string {
	switch status {
	case http.StatusNotModified:
		return "NotModified"
	case http.StatusBadRequest:
		return "BadRequest"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusMethodNotAllowed:
		return "MethodNotAllowed"
	case http.StatusConflict:
		return "Conflict"
	case http.StatusPreconditionFailed:
		return "PreconditionFailed"
	case http.StatusRequestedRangeNotSatisfiable:
		return "InvalidRange"
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		return "PermanentRedirect"
	case http.StatusInternalServerError:
		return "InternalError"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	return http.StatusText(status)
}

func isRedirectCode(code string) bool {
	switch code {
	case "PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		return true
	}
	return false
}

// inputError reports an input rejected before any request is sent.
func inputError(op, bucket, key string, err error) *Error {
	return &Error{Op: op, Bucket: bucket, Key: key, Err: invalidInput{err}}
}

// invalidInput reads as its cause and matches both it and ErrInvalidInput.
type invalidInput struct{ err error }

func (e invalidInput) Error() string   { return e.err.Error() }
func (e invalidInput) Unwrap() []error { return []error{ErrInvalidInput, e.err} }
