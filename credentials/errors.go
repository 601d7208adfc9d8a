package credentials

// The package's sentinel and error types, in one place; the providers that
// return them are in their own files.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrNotConfigured is matched (with errors.Is) by the error of a provider
// that has nothing to go on: no variables set, no profile with credentials,
// metadata disabled. A Chain moves on to its next source after such an
// error, and stops at any other.
var ErrNotConfigured = errors.New("credentials: not configured")

// notConfiguredError says why a source has nothing to go on.
type notConfiguredError struct {
	source string
	reason string
}

func notConfigured(source, reason string) error {
	return &notConfiguredError{source: source, reason: reason}
}

func (e *notConfiguredError) Error() string {
	return "credentials: " + e.source + ": not configured: " + e.reason
}

func (e *notConfiguredError) Is(target error) bool { return target == ErrNotConfigured }

// STSError is an error answer of AWS STS. Code and Message are STS's
// (AccessDenied, ExpiredTokenException, InvalidIdentityToken, ...).
type STSError struct {
	// Op is the STS action: "AssumeRole" or "AssumeRoleWithWebIdentity".
	Op string
	// RoleARN is the role that was asked for.
	RoleARN    string
	StatusCode int
	Code       string
	Message    string
	RequestID  string
}

// Error formats as "credentials: sts AssumeRole ROLE: AccessDenied (403): MESSAGE".
func (e *STSError) Error() string {
	var b strings.Builder
	b.WriteString("credentials: sts ")
	b.WriteString(e.Op)
	if e.RoleARN != "" {
		b.WriteByte(' ')
		b.WriteString(e.RoleARN)
	}
	b.WriteString(": ")
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteByte(' ')
	}
	b.WriteString("(")
	b.WriteString(strconv.Itoa(e.StatusCode))
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// SourceError is what one source of a Chain said.
type SourceError struct {
	Source string
	Err    error
}

// Error formats as "SOURCE: ERROR", without repeating the source when the
// error already names it.
func (e *SourceError) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), "credentials: ")
	if strings.HasPrefix(msg, e.Source+":") {
		return msg
	}
	return e.Source + ": " + msg
}

// Unwrap returns the source's error.
func (e *SourceError) Unwrap() error { return e.Err }

// ChainError is returned by a Chain that found no credentials. Attempts
// holds what each source tried said, in chain order: every source before
// the last said it was not configured (ErrNotConfigured); the last one
// either said so too or failed.
type ChainError struct {
	Attempts []SourceError
}

// Error lists what every source said.
func (e *ChainError) Error() string {
	var b strings.Builder
	b.WriteString("credentials: no credentials found")
	if n := len(e.Attempts); n > 0 && !errors.Is(e.Attempts[n-1].Err, ErrNotConfigured) {
		b.WriteString(": ")
		b.WriteString(e.Attempts[n-1].Source)
		b.WriteString(" failed")
	}
	b.WriteString(" (")
	for i := range e.Attempts {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Attempts[i].Error())
	}
	b.WriteString(")")
	return b.String()
}

// Unwrap returns the errors of the sources, so that errors.As finds, for
// example, an *STSError.
func (e *ChainError) Unwrap() []error {
	errs := make([]error, len(e.Attempts))
	for i := range e.Attempts {
		errs[i] = &e.Attempts[i]
	}
	return errs
}

// redact replaces every occurrence of the secrets in s (a message from a
// server, which might echo what it was sent) with "<redacted>".
func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "<redacted>")
		}
	}
	return s
}

// formatAs prints s for every verb (%q quotes it): the providers' Format
// methods use it so that %#v cannot print a field that holds a secret.
func formatAs(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}
