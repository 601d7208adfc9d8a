package examples_test

// TestMain gives the examples what a program finds on a developer's
// machine: an S3 endpoint, keys and a region in the environment (and
// nothing else of the real machine's AWS settings), the guide's buckets,
// and a tmp.txt in the working directory.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3kit/s3kit/internal/testkit/s3test"
)

// server is the examples' S3 server.
var server *s3test.Server

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	srv, err := s3test.NewServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	server = srv
	for _, b := range []string{"bucket-name", "mybucket", "otherbucket"} {
		if err := srv.Backend().CreateBucket(b); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	dir, err := os.MkdirTemp("", "s3kit-docs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The docs live in ../; their paths are taken before the move.
	docsDir, err = filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoDir = filepath.Dir(docsDir)
	if err := os.WriteFile(filepath.Join(dir, "tmp.txt"), []byte("Hello, S3!\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_") {
			os.Unsetenv(name)
		}
	}
	for name, value := range map[string]string{
		"AWS_ENDPOINT_URL":            srv.URL,
		"AWS_ACCESS_KEY_ID":           "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY":       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_REGION":                  "us-east-1",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		os.Setenv(name, value)
	}
	return m.Run()
}

// docsDir and repoDir are docs/ and the repository, absolute.
var docsDir, repoDir string
