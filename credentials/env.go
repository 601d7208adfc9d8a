package credentials

// Credentials from environment variables.

import (
	"context"
	"fmt"
	"time"

	"github.com/s3kit/s3kit/sigv4"
)

// EnvProvider reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the
// optional AWS_SESSION_TOKEN (else AWS_SECURITY_TOKEN, the boto2 name that
// botocore still reads) and AWS_CREDENTIAL_EXPIRATION (RFC 3339, as boto3
// reads it) on every Retrieve. With neither key set its error matches
// ErrNotConfigured; with only one set it is a configuration error.
type EnvProvider struct {
	// Getenv looks up a variable; nil means os.Getenv.
	Getenv func(string) string
}

// Retrieve returns the credentials in the environment.
func (p EnvProvider) Retrieve(context.Context) (sigv4.Credentials, error) {
	getenv := orGetenv(p.Getenv)
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	switch {
	case id == "" && secret == "":
		return sigv4.Credentials{}, notConfigured("environment", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	case id == "":
		return sigv4.Credentials{}, fmt.Errorf("credentials: environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
	case secret == "":
		return sigv4.Credentials{}, fmt.Errorf("credentials: environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
	}
	token := getenv("AWS_SESSION_TOKEN")
	if token == "" {
		token = getenv("AWS_SECURITY_TOKEN")
	}
	c := sigv4.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}
	if exp := getenv("AWS_CREDENTIAL_EXPIRATION"); exp != "" {
		t, err := time.Parse(time.RFC3339, exp)
		if err != nil {
			return sigv4.Credentials{}, fmt.Errorf("credentials: environment: AWS_CREDENTIAL_EXPIRATION %q is not an RFC 3339 time", exp)
		}
		c.Expires = t
	}
	return c, nil
}

// String names the provider.
func (p EnvProvider) String() string { return "credentials.EnvProvider" }

// describe is empty: the chain's source name, "environment", says it all.
func (p EnvProvider) describe() string { return "" }

// Format prints String for every verb, %#v included.
func (p EnvProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
