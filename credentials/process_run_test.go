package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"/bin/helper", []string{"/bin/helper"}, false},
		{"  a  b\tc ", []string{"a", "b", "c"}, false},
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}, false},
		{`a 'it''s'`, []string{"a", "its"}, false},
		{`a "it's" 'say "hi"'`, []string{"a", "it's", `say "hi"`}, false},
		{`a b\ c`, []string{"a", "b c"}, false},
		{`a "x\"y\\z\n"`, []string{"a", `x"y\z\n`}, false},
		{`a ''`, []string{"a", ""}, false},
		{`a x''y`, []string{"a", "xy"}, false},
		{`a 'b\c'`, []string{"a", `b\c`}, false},
		{"a b\\\nc", []string{"a", "bc"}, false},
		{`a 'b`, nil, true},
		{`a "b`, nil, true},
		{`a b\`, nil, true},
	}
	for _, tt := range tests {
		got, err := splitCommand(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitCommand(%q) = %q, %v; want %q, err=%v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// script writes an executable shell script into a temp dir and returns its
// path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "helper.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

const testToken = "FwoGZXIvYXdzEXAMPLETOKEN"

func TestRunProcess(t *testing.T) {
	ctx := context.Background()
	ok := script(t, `test "$1" = "--profile" && test "$2" = "my dev" || exit 9
cat <<EOF
{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "`+testSecret+`",
 "SessionToken": "`+testToken+`", "Expiration": "2030-01-02T03:04:05Z"}
EOF
`)
	c, err := runProcess(ctx, ok+` --profile "my dev"`)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if c.AccessKeyID != "AKIDPROC" || c.SecretAccessKey != testSecret || c.SessionToken != testToken || !c.Expires.Equal(want) {
		t.Errorf("got %v (expires %v)", c, c.Expires)
	}

	long := script(t, `echo '{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"S"}'`)
	c, err = runProcess(ctx, long)
	if err != nil || c.AccessKeyID != "AK" || !c.Expires.IsZero() || c.SessionToken != "" {
		t.Errorf("long-term keys: %v, %v", c, err)
	}
}

// captureStderr runs f with os.Stderr sent to a file, which a helper's
// standard error then reaches too, and returns what was written there.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	saved := os.Stderr
	os.Stderr = file
	defer func() { os.Stderr = saved }()
	f()
	b, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunProcessErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		body   string
		args   string
		want   string
		stderr string // what the helper's standard error shows, not the error
	}{
		{"exit status with stderr", `echo '{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"` + testSecret + `"}'; echo "token expired, run login" >&2; exit 3`, "", "exit status 3", "token expired, run login"},
		{"exit status without stderr", `exit 4`, "", "exit status 4", ""},
		{"not JSON", `echo 'SecretAccessKey=` + testSecret + `'`, "", "not valid JSON", ""},
		{"wrong field types", `echo '{"Version":1,"AccessKeyId":1,"SecretAccessKey":"` + testSecret + `"}'`, "", "expected JSON fields", ""},
		{"wrong version", `echo '{"Version":2,"AccessKeyId":"AK","SecretAccessKey":"` + testSecret + `"}'`, "", "unsupported Version 2", ""},
		{"missing secret", `echo '{"Version":1,"AccessKeyId":"AK","SessionToken":"` + testToken + `"}'`, "", "lacks AccessKeyId or SecretAccessKey", ""},
		{"bad expiration", `echo '{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"` + testSecret + `","Expiration":"` + testToken + `"}'`, "", "Expiration is not an RFC 3339 time", ""},
		{"secret argument not echoed", `exit 1`, " --password " + testSecret, "exit status 1", ""},
		// A helper that traces itself (set -x) or prints what it was
		// given and what it fetched, then fails.
		{"arguments and token echoed on stderr", `set -x; echo "vault login --password $2 failed" >&2; echo "partial: ` + testToken + `" >&2; exit 2`,
			" --password " + testSecret, "exit status 2", "partial: " + testToken},
		{"bad quoting", `exit 0`, ` "unterminated`, "unterminated double quote", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := script(t, tt.body)
			var err error
			stderr := captureStderr(t, func() { _, err = runProcess(ctx, path+tt.args) })
			if !errors.Is(err, ErrProcess) {
				t.Fatalf("err = %v, want ErrProcess", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if strings.Contains(msg, testSecret) || strings.Contains(msg, testToken) {
				t.Errorf("error leaks a secret: %q", msg)
			}
			if strings.Contains(msg, "--password") {
				t.Errorf("error quotes the command's arguments: %q", msg)
			}
			if tt.stderr != "" {
				if !strings.Contains(stderr, tt.stderr) {
					t.Errorf("standard error %q does not show %q", stderr, tt.stderr)
				}
				if strings.Contains(msg, tt.stderr) {
					t.Errorf("error %q quotes standard error", msg)
				}
			}
		})
	}
	if _, err := runProcess(ctx, "   "); !errors.Is(err, ErrProcess) || !strings.Contains(err.Error(), "empty command") {
		t.Errorf("empty command: %v", err)
	}
	if _, err := runProcess(ctx, filepath.Join(t.TempDir(), "missing")+" --token "+testToken); !errors.Is(err, ErrProcess) || strings.Contains(err.Error(), testToken) {
		t.Errorf("missing program: %v", err)
	}
}

func TestRunProcessLimits(t *testing.T) {
	big := script(t, `head -c 2000000 /dev/zero | tr '\0' 'x'`)
	if _, err := runProcess(context.Background(), big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized output: %v", err)
	}
	slow := script(t, `sleep 30`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := runProcess(ctx, slow)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("cancelled process took %v to return", d)
	}
}
