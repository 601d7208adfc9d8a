package credentials_test

import (
	"context"
	"fmt"

	"github.com/s3kit/s3kit/credentials"
)

// The default chain finds credentials where the program runs. Here the
// environment is given as a map; leave Getenv nil to read the real one.
func ExampleNewDefaultChain() {
	vars := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"HOME":                  "/nonexistent",
	}
	chain := credentials.NewDefaultChain(credentials.Options{
		Getenv: func(k string) string { return vars[k] },
	})
	creds, err := chain.Retrieve(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(chain.Source())
	fmt.Println(creds) // the secret is redacted
	// Output:
	// environment
	// sigv4.Credentials{AccessKeyID: AKIDEXAMPLE, SecretAccessKey: <redacted>, SessionToken: ""}
}

// When no source has credentials, the error says what each one said.
func ExampleChainError() {
	vars := map[string]string{"HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}
	chain := credentials.NewDefaultChain(credentials.Options{Getenv: func(k string) string { return vars[k] }})
	_, err := chain.Retrieve(context.Background())
	fmt.Println(err)
	// Output:
	// credentials: no credentials found (static: not configured: no credentials in Options; environment: not configured: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; shared config: not configured: profile "default" is in neither /nonexistent/.aws/config nor /nonexistent/.aws/credentials; web identity: not configured: AWS_WEB_IDENTITY_TOKEN_FILE is not set; container: not configured: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set; imds: not configured: AWS_EC2_METADATA_DISABLED is true)
}
