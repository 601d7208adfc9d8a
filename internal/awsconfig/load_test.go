package awsconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// env returns a getenv over m, so that no test sees the machine's AWS_*
// variables or home directory.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func write(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFilePaths(t *testing.T) {
	sep := string(filepath.Separator)
	tests := []struct {
		name      string
		env       map[string]string
		cfg, cred string
	}{
		{"no home, no variables", nil, "", ""},
		{"HOME", map[string]string{"HOME": "/h"}, filepath.Join("/h", ".aws", "config"), filepath.Join("/h", ".aws", "credentials")},
		{"USERPROFILE", map[string]string{"USERPROFILE": "/w"}, filepath.Join("/w", ".aws", "config"), filepath.Join("/w", ".aws", "credentials")},
		{"variables win", map[string]string{"HOME": "/h", "AWS_CONFIG_FILE": "/c", "AWS_SHARED_CREDENTIALS_FILE": "/k"}, "/c", "/k"},
		{"tilde expanded", map[string]string{"HOME": "/h", "AWS_CONFIG_FILE": "~" + sep + "cfg"}, filepath.Join("/h", "cfg"), filepath.Join("/h", ".aws", "credentials")},
		{"tilde kept without home", map[string]string{"AWS_CONFIG_FILE": "~/cfg"}, "~/cfg", ""},
		{"tilde-user not expanded", map[string]string{"HOME": "/h", "AWS_CONFIG_FILE": "~bob/cfg"}, "~bob/cfg", filepath.Join("/h", ".aws", "credentials")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, cred := FilePaths(env(tt.env))
			if cfg != tt.cfg || cred != tt.cred {
				t.Errorf("got %q, %q; want %q, %q", cfg, cred, tt.cfg, tt.cred)
			}
		})
	}
}

func TestProfileName(t *testing.T) {
	tests := []struct {
		arg      string
		env      map[string]string
		want     string
		explicit bool
	}{
		{"", nil, "default", false},
		{"", map[string]string{"AWS_DEFAULT_PROFILE": "old"}, "old", true},
		{"", map[string]string{"AWS_PROFILE": "p", "AWS_DEFAULT_PROFILE": "old"}, "p", true},
		{"arg", map[string]string{"AWS_PROFILE": "p"}, "arg", true},
		{" ", map[string]string{"AWS_PROFILE": " "}, "default", false},
	}
	for _, tt := range tests {
		got, explicit := ProfileName(env(tt.env), tt.arg)
		if got != tt.want || explicit != tt.explicit {
			t.Errorf("ProfileName(%q, %v) = %q, %v; want %q, %v", tt.arg, tt.env, got, explicit, tt.want, tt.explicit)
		}
	}
}

func TestLoad(t *testing.T) {
	home := t.TempDir()
	write(t, filepath.Join(home, ".aws", "config"), `[default]
region = us-west-2
output = json
s3 =
  addressing_style = path

[profile dev]
region = eu-west-1
services = local

[services local]
s3 =
  endpoint_url = http://localhost:9000
`)
	write(t, filepath.Join(home, ".aws", "credentials"), `[default]
aws_access_key_id = AKDEFAULT
aws_secret_access_key = secretdefault
region = ap-south-1

[only-creds]
aws_access_key_id = AKONLY
aws_secret_access_key = secretonly
`)
	e := map[string]string{"HOME": home}

	p, err := Load(env(e), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "default" || !p.Found() {
		t.Fatalf("profile %q found=%v", p.Name, p.Found())
	}
	// The credentials file wins for every key, region included.
	if v, where, _ := p.Lookup("region"); v != "ap-south-1" || !strings.HasSuffix(where, "credentials:4") {
		t.Errorf("region = %q at %q", v, where)
	}
	if v := p.Get("output"); v != "json" {
		t.Errorf("output = %q", v)
	}
	if v, where, ok := p.LookupSub("s3", "addressing_style"); !ok || v != "path" || !strings.HasSuffix(where, "config:5") {
		t.Errorf("s3.addressing_style = %q at %q", v, where)
	}
	if p.Services != nil {
		t.Errorf("default has no services section")
	}

	p, err = Load(env(e), "dev")
	if err != nil {
		t.Fatal(err)
	}
	if p.Credentials != nil || p.Get("region") != "eu-west-1" {
		t.Errorf("dev: creds=%v region=%q", p.Credentials, p.Get("region"))
	}
	if v, where, ok := p.LookupService("s3", "endpoint_url"); !ok || v != "http://localhost:9000" || !strings.HasSuffix(where, "config:13") {
		t.Errorf("services s3.endpoint_url = %q at %q", v, where)
	}

	e["AWS_PROFILE"] = "only-creds"
	p, err = Load(env(e), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Config != nil || p.Get("aws_access_key_id") != "AKONLY" {
		t.Errorf("only-creds: config=%v key=%q", p.Config, p.Get("aws_access_key_id"))
	}

	_, err = Load(env(e), "nope")
	if !errors.Is(err, ErrProfileNotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("missing profile: %v", err)
	}
}

func TestLoadMissingFilesAreFine(t *testing.T) {
	p, err := Load(env(map[string]string{"HOME": t.TempDir()}), "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Found() || p.Get("region") != "" {
		t.Errorf("empty home gave %+v", p)
	}
	// Asking for "default" by name is fine too: it always exists, empty.
	if _, err := Load(env(map[string]string{"HOME": t.TempDir(), "AWS_PROFILE": "default"}), ""); err != nil {
		t.Error(err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, filepath.Join(dir, "bad"), "[default]\nregion = r\nthis line is wrong\n")
	good := write(t, filepath.Join(dir, "good"), "[default]\nservices = gone\n")
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"malformed config", map[string]string{"AWS_CONFIG_FILE": bad}, bad + ":3:"},
		{"malformed credentials", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": bad}, bad + ":3:"},
		{"directory", map[string]string{"AWS_CONFIG_FILE": dir}, dir},
		{"services section missing", map[string]string{"AWS_CONFIG_FILE": good}, good + ":2: services section \"gone\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
