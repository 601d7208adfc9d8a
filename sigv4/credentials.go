package sigv4

import (
	"context"
	"fmt"
	"time"
)

// Credentials are an AWS access key pair, with an optional session token and
// expiry for temporary credentials.
//
// The formatting methods (String, GoString, Format) never print the secret
// access key or the session token, so a Credentials value can be logged or
// wrapped in an error without leaking them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expires is when temporary credentials stop working; the zero time means
	// they do not expire.
	Expires time.Time
}

// HasKeys reports whether both the access key ID and the secret are set.
func (c Credentials) HasKeys() bool { return c.AccessKeyID != "" && c.SecretAccessKey != "" }

// Expired reports whether the credentials have an expiry at or before now.
func (c Credentials) Expired(now time.Time) bool {
	return !c.Expires.IsZero() && !now.Before(c.Expires)
}

// String describes the credentials with the secret and the token redacted.
func (c Credentials) String() string {
	s := "sigv4.Credentials{AccessKeyID: " + c.AccessKeyID + ", SecretAccessKey: " + redacted(c.SecretAccessKey) +
		", SessionToken: " + redacted(c.SessionToken)
	if !c.Expires.IsZero() {
		s += ", Expires: " + c.Expires.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// GoString is used by %#v; it redacts like String.
func (c Credentials) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb (%v, %+v, %#v, %s, %q,
// %x ...) prints the redacted form.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	fmt.Fprint(f, c.String())
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// CredentialsProvider supplies credentials for each request. Implementations
// must be safe for concurrent use; they are called once per signed request,
// so a provider that fetches credentials remotely should cache them.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// StaticProvider is a CredentialsProvider that always returns the same
// credentials. Its zero value returns empty credentials, which the signer
// rejects.
type StaticProvider struct {
	Credentials Credentials
}

// NewStaticProvider returns a provider of fixed credentials.
func NewStaticProvider(accessKeyID, secretAccessKey, sessionToken string) StaticProvider {
	return StaticProvider{Credentials: Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey, SessionToken: sessionToken}}
}

// Retrieve returns the static credentials.
func (p StaticProvider) Retrieve(context.Context) (Credentials, error) { return p.Credentials, nil }

// String redacts the secret, as Credentials.String does.
func (p StaticProvider) String() string {
	return "sigv4.StaticProvider{" + p.Credentials.String() + "}"
}

// GoString redacts the secret, as Credentials.String does.
func (p StaticProvider) GoString() string { return p.String() }

// Format redacts the secret for every verb.
func (p StaticProvider) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", p.String())
		return
	}
	fmt.Fprint(f, p.String())
}
