package examples_test

// Configuration and credentials: LoadConfig reads what the AWS CLI and
// boto3 read; the credentials package finds keys where programs run.

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/s3kit/s3kit/credentials"
	"github.com/s3kit/s3kit/s3client"
)

// LoadConfig with a profile of the shared config file. Getenv stands in
// for the environment here; leave it nil to read the real one.
func Example_loadConfig() {
	dir, err := os.MkdirTemp("", "aws")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	configFile := filepath.Join(dir, "config")
	os.WriteFile(configFile, []byte(`
[profile dev]
region = eu-west-1
endpoint_url = http://localhost:9000
s3 =
    addressing_style = path
max_attempts = 5
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`), 0o600)
	env := map[string]string{
		"AWS_CONFIG_FILE":           configFile,
		"HOME":                      dir,
		"AWS_EC2_METADATA_DISABLED": "true",
	}

	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, &s3client.LoadOptions{
		Profile: "dev",
		Getenv:  func(name string) string { return env[name] },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Region, cfg.Endpoint, cfg.AddressingStyle, cfg.MaxAttempts)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds) // the secret is never printed
	// Output:
	// eu-west-1 http://localhost:9000 path 5
	// sigv4.Credentials{AccessKeyID: AKIAIOSFODNN7EXAMPLE, SecretAccessKey: <redacted>, SessionToken: ""}
}

// Credentials from the default chain of the credentials package: the
// environment, the shared files, web identity, the container endpoint,
// then EC2 instance metadata.
func Example_credentialsChain() {
	ctx := context.Background()
	cfg, err := s3client.LoadConfig(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	chain := credentials.NewDefaultChain(credentials.Options{})
	cfg.Credentials = chain
	s3, err := s3client.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	out, err := s3.ListBuckets(ctx, &s3client.ListBucketsInput{})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range out.Buckets {
		fmt.Println(b.Name)
	}
	fmt.Println("credentials from:", chain.Source())
	// Unordered output:
	// bucket-name
	// mybucket
	// otherbucket
	// credentials from: environment
}
