package main

// This file formats errors on one line: for an answer from S3, its error
// code, message, operation, HTTP status and request ID (what AWS support
// asks for); for a request that got no answer, the endpoint that could not
// be reached.

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

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
// message, status and request ID.
func formatError(err error) string {
	var what []string
	for {
		oe, ok := err.(*opError)
		if !ok {
			break
		}
		what = append(what, oe.what)
		err = oe.err
	}
	// The transfer manager's error repeats the operation, object and file
	// that the context names already: its cause is what is new.
	var te *transfer.Error
	if errors.As(err, &te) {
		err = te.Err
	}
	cause := err.Error()
	var se *s3client.Error
	if errors.As(err, &se) {
		cause = formatS3Error(se)
	}
	return oneLine(strings.Join(append(what, cause), ": "))
}

func formatS3Error(e *s3client.Error) string {
	var b strings.Builder
	where := e.Op
	if e.Bucket != "" {
		where += " " + e.Bucket
		if e.Key != "" {
			where += "/" + e.Key
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
