package main

// This file formats errors on one line: for an answer from S3, its error
// code, message, operation, HTTP status and request ID (what AWS support
// asks for); for a request that got no answer, the endpoint that could not
// be reached. It also holds printable, which escapes the control
// characters of keys, paths and messages from a server before any command
// prints them, and explainDownload, which says more than a HEAD answer
// can.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/s3kit/s3kit/credentials"
	"github.com/s3kit/s3kit/s3client"
	"github.com/s3kit/s3kit/transfer"
)

// opError says what a command was doing when err happened ("upload
// ./a.txt to s3://b/a.txt"); formatError puts it in front of the cause.
type opError struct {
	what string
	err  error
}

func (e *opError) Error() string { return e.what + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// during wraps err, if any, with what the command was doing.
func during(what string, err error) error {
	if err == nil {
		return nil
	}
	return &opError{what: what, err: err}
}

// formatError returns err as one line: the commands' opError contexts,
// then the cause. An *s3client.Error in the cause replaces the text of
// the wrappers around it (the transfer manager's, which repeat the
// operation and object the context already names) with its code,
// message, status and request ID. The keys and paths of the contexts and
// of an *s3client.Error are escaped by printable; the rest has its line
// breaks and tabs joined into spaces by oneLine, then is escaped too.
func formatError(err error) string {
	var what []string
	for {
		oe, ok := err.(*opError)
		if !ok {
			break
		}
		what = append(what, printable(oe.what))
		err = oe.err
	}
	// The transfer manager's error repeats the operation, object and file
	// that the context names already: its cause is what is new.
	var he *hintError
	hinted := errors.As(err, &he)
	var te *transfer.Error
	if errors.As(err, &te) {
		err = te.Err
	}
	cause := err.Error()
	var se *s3client.Error
	if errors.As(err, &se) {
		cause = formatS3Error(se)
	}
	if hinted && se != nil {
		cause += ": " + he.hint
	}
	return printable(oneLine(strings.Join(append(what, cause), ": ")))
}

// maxKeyLen is S3's longest key, in bytes.
const maxKeyLen = 1024

func formatS3Error(e *s3client.Error) string {
	var b strings.Builder
	where := e.Op
	if e.Bucket != "" {
		where += " " + printable(e.Bucket)
		switch {
		case len(e.Key) > maxKeyLen:
			// Too long for S3, and named by the command's context
			// already: once is enough.
			where += "/(the " + strconv.Itoa(len(e.Key)) + "-byte key)"
		case e.Key != "":
			where += "/" + printable(e.Key)
		}
	}
	if e.StatusCode == 0 && isTransportError(e.Err) {
		// No answer: say where the request was going and why it did not
		// get there, without net/http's repetition of method and URL.
		b.WriteString("could not connect to the endpoint URL")
		var ue *url.Error
		if errors.As(e.Err, &ue) {
			if u, err := url.Parse(ue.URL); err == nil {
				b.WriteString(" " + u.Scheme + "://" + u.Host)
			}
		}
		b.WriteString(": ")
		b.WriteString(transportCause(e.Err))
		b.WriteString(" (" + where)
		if e.Attempts > 1 {
			b.WriteString(", after " + strconv.Itoa(e.Attempts) + " attempts")
		}
		b.WriteString(")")
		return b.String()
	}
	if e.StatusCode == 0 {
		// Refused before sending (a bad name, no credentials) or a
		// context that ended: the cause says it.
		cause := "no answer"
		if e.Err != nil {
			cause = e.Err.Error()
		}
		var ce *credentials.ChainError
		if errors.As(e.Err, &ce) {
			cause += " (--no-sign-request sends anonymous requests, for public buckets)"
		}
		return where + ": " + cause
	}
	code := e.Code
	if code == "" {
		code = "HTTP" + strconv.Itoa(e.StatusCode)
	}
	b.WriteString(code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	b.WriteString(" (" + where + ", HTTP " + strconv.Itoa(e.StatusCode))
	if e.RequestID != "" {
		b.WriteString(", request ID " + e.RequestID)
	}
	if e.Region != "" && e.StatusCode == 301 {
		b.WriteString(", bucket region " + e.Region)
	}
	if e.Attempts > 1 {
		b.WriteString(", after " + strconv.Itoa(e.Attempts) + " attempts")
	}
	b.WriteString(")")
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// isTransportError reports whether err is a failure to reach the server
// (connection refused, name not resolved, TLS, timeouts), as opposed to
// a request refused before it was sent or a context that ended.
func isTransportError(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// Credentials not found: the sources' own requests (STS, instance
	// metadata) may have failed to connect, but S3 was never asked.
	var ce *credentials.ChainError
	if errors.As(err, &ce) {
		return false
	}
	var ue *url.Error
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &ue) || errors.As(err, &op) || errors.As(err, &dns)
}

// transportCause returns the innermost useful text of a transport error:
// "dial tcp 127.0.0.1:1: connect: connection refused" rather than the
// *url.Error around it.
func transportCause(err error) string {
	if err == nil {
		return "no answer"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Error()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// oneLine joins the lines of s, so that every error is exactly one line
// of output whatever a server put in its message.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// printable returns s with every character that could move the cursor,
// restyle or rewrite a terminal, or reorder what it shows, escaped as ls
// escapes file names: the C0 controls and DEL as \n, \r, \t... or \x1b,
// the C1 controls, the line and paragraph separators and the
// bidirectional formatting characters as \u0085, \u202e..., and bytes
// that are not UTF-8 as \xff. Keys, paths and messages that came from a
// server go through it before they are printed, so that a key cannot
// forge an output line or send escape sequences. Backslashes are kept as
// they are, so that printable(printable(s)) == printable(s) and ordinary
// keys print unchanged.
func printable(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || mustEscape(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !mustEscape(r):
			b.WriteString(s[i : i+n])
		case r < 0x80:
			if e, ok := cEscapes[r]; ok {
				b.WriteString(e)
			} else {
				fmt.Fprintf(&b, `\x%02x`, r)
			}
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// printableArgs returns Printf arguments with each string and
// fmt.Stringer (an s3URI) replaced by its printable text.
func printableArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = printable(v)
		case fmt.Stringer:
			out[i] = printable(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// cEscapes are the C escapes printable writes for the controls that have
// one.
var cEscapes = map[rune]string{'\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`, '\v': `\v`, '\f': `\f`, '\r': `\r`}

// mustEscape reports whether printable escapes r: a C0 or C1 control,
// DEL, U+2028 and U+2029, or a bidirectional formatting character
// (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069).
func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// hintError adds what the user can do about err, which formatError
// prints after it.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + ": " + e.hint }
func (e *hintError) Unwrap() error { return e.err }

// explainDownload makes the answer to a download's HEAD request, which
// has no body and so no message, say what S3 would have said: for a 404,
// whether the bucket or the key is missing (one HeadBucket tells); for a
// 403, S3's own code and message, from a GET of the first byte, or else
// what to check. Other errors are returned as they are.
func explainDownload(ctx context.Context, client *s3client.Client, bucket, key string, args transfer.DownloadArgs, err error) error {
	var se *s3client.Error
	if err == nil || ctx.Err() != nil || !errors.As(err, &se) || se.Op != "HeadObject" {
		return err
	}
	common := s3client.Common{RequestPayer: args.RequestPayer}
	switch se.StatusCode {
	case http.StatusNotFound:
		_, herr := client.HeadBucket(ctx, &s3client.HeadBucketInput{Bucket: bucket, Common: common})
		var he *s3client.Error
		switch {
		case herr == nil:
			return &hintError{err, "the bucket " + bucket + " exists, but holds no key " + key}
		case errors.As(herr, &he) && he.StatusCode == http.StatusNotFound:
			return &hintError{err, "there is no bucket " + bucket + " (HeadBucket: HTTP 404)"}
		}
	case http.StatusForbidden:
		out, gerr := client.GetObject(ctx, &s3client.GetObjectInput{Bucket: bucket, Key: key, Range: "bytes=0-0", Common: common,
			SSECustomer: s3client.SSECustomer{SSECustomerAlgorithm: args.SSECustomerAlgorithm, SSECustomerKey: args.SSECustomerKey}})
		if out != nil {
			out.Body.Close()
		}
		var ge *s3client.Error
		if errors.As(gerr, &ge) && ge.Message != "" {
			return &hintError{err, "a GET says " + formatS3Error(ge)}
		}
		return &hintError{err, "check that the credentials are those meant (--profile), that they may read the object (s3:GetObject, " +
			"and kms:Decrypt for SSE-KMS) under the bucket's policy, the SSE-C key (--sse-c-key) of an object written with one, " +
			"and --request-payer for a Requester Pays bucket"}
	}
	return err
}
