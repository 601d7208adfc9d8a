package awsconfig

// Finding the two files and the profile in them; the parser is parse.go.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrProfileNotFound is wrapped when a profile that was asked for by name
// (argument, AWS_PROFILE or AWS_DEFAULT_PROFILE) is in neither file.
var ErrProfileNotFound = errors.New("awsconfig: profile not found")

// Profile is one profile of the shared files: its section in the config
// file and its section in the credentials file, either of which may be nil.
type Profile struct {
	Name string
	// ConfigFile and CredentialsFile are the paths that were read (or
	// tried: a missing file is not an error); "" when no path could be
	// made, for lack of a home directory.
	ConfigFile      string
	CredentialsFile string
	Config          *Section
	Credentials     *Section
	// Services is the [services NAME] section that the profile's
	// "services" property names, or nil.
	Services *Section
	// SSOSession is the [sso-session NAME] section of the config file that
	// the profile's "sso_session" property names, or nil.
	SSOSession *Section
}

// Found reports whether either file has the profile.
func (p *Profile) Found() bool { return p.Config != nil || p.Credentials != nil }

// Lookup returns the value of key and where it is set ("FILE:LINE"). As in
// the CLI, the credentials file wins over the config file for every key.
func (p *Profile) Lookup(key string) (value, where string, ok bool) {
	for _, s := range [...]*Section{p.Credentials, p.Config} {
		if v, ok := s.Lookup(key); ok {
			return v, s.Where(key), true
		}
	}
	return "", "", false
}

// Get returns the value of key, or "".
func (p *Profile) Get(key string) string {
	v, _, _ := p.Lookup(key)
	return v
}

// LookupSub returns the value of key in the profile's sub-section sub
// ("s3 =" followed by indented lines), the credentials file winning.
func (p *Profile) LookupSub(sub, key string) (value, where string, ok bool) {
	for _, s := range [...]*Section{p.Credentials, p.Config} {
		if v, ok := s.LookupSub(sub, key); ok {
			return v, s.WhereSub(sub, key), true
		}
	}
	return "", "", false
}

// LookupService returns the value of key for service in the profile's
// [services NAME] section.
func (p *Profile) LookupService(service, key string) (value, where string, ok bool) {
	if v, ok := p.Services.LookupSub(service, key); ok {
		return v, p.Services.WhereSub(service, key), true
	}
	return "", "", false
}

// FilePaths returns the paths of the shared config and credentials files:
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, by default
// ~/.aws/config and ~/.aws/credentials. A leading "~" is expanded.
//
// The home directory is found as os.UserHomeDir finds it ($HOME, or
// %USERPROFILE% on Windows) but through getenv, so that a caller that
// injects the environment controls it completely; without one, the
// default paths are "".
func FilePaths(getenv func(string) string) (configFile, credentialsFile string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	home := homeDir(getenv)
	path := func(env, def string) string {
		p := getenv(env)
		if p == "" {
			if home == "" {
				return ""
			}
			return filepath.Join(home, ".aws", def)
		}
		if home != "" && (p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~`+string(filepath.Separator))) {
			return filepath.Join(home, p[1:])
		}
		return p
	}
	return path("AWS_CONFIG_FILE", "config"), path("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

func homeDir(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	if h := getenv("USERPROFILE"); h != "" { // Windows
		return h
	}
	if d, p := getenv("HOMEDRIVE"), getenv("HOMEPATH"); d != "" && p != "" {
		return d + p
	}
	return ""
}

// ProfileName returns the profile to use: name if not empty, else
// AWS_PROFILE, else AWS_DEFAULT_PROFILE (which older CLIs read), else
// "default". explicit reports whether the name came from the caller or the
// environment.
func ProfileName(getenv func(string) string, name string) (profile string, explicit bool) {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, n := range [...]string{name, getenv("AWS_PROFILE"), getenv("AWS_DEFAULT_PROFILE")} {
		if n = strings.TrimSpace(n); n != "" {
			return n, true
		}
	}
	return "default", false
}

// Load reads both shared files and returns the profile named by profile (see
// ProfileName). getenv nil means os.Getenv. Missing files are not an error;
// unreadable or malformed ones are, and so is a profile asked for by name
// (other than "default") that neither file has, or a "services" property
// naming a section the config file lacks. (An sso_session naming a missing
// section leaves SSOSession nil, for the credentials to report when they
// are needed.)
func Load(getenv func(string) string, profile string) (*Profile, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	name, explicit := ProfileName(getenv, profile)
	cfgPath, credPath := FilePaths(getenv)
	p := &Profile{Name: name, ConfigFile: cfgPath, CredentialsFile: credPath}
	cfg, err := readFile(cfgPath, true)
	if err != nil {
		return nil, err
	}
	creds, err := readFile(credPath, false)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		p.Config = cfg.Profiles[name]
	}
	if creds != nil {
		p.Credentials = creds.Profiles[name]
	}
	if explicit && name != "default" && !p.Found() {
		return nil, fmt.Errorf("%w: %q (looked in %s and %s)", ErrProfileNotFound, name, orNone(cfgPath), orNone(credPath))
	}
	if svc, where, ok := p.Lookup("services"); ok && svc != "" {
		if cfg != nil {
			p.Services = cfg.Services[svc]
		}
		if p.Services == nil {
			return nil, fmt.Errorf("awsconfig: %s: services section %q not found in %s", where, svc, orNone(cfgPath))
		}
	}
	if sess := p.Get("sso_session"); sess != "" && cfg != nil {
		p.SSOSession = cfg.SSOSessions[sess]
	}
	return p, nil
}

// SSOCacheDir returns the AWS CLI's SSO token cache, ~/.aws/sso/cache, or
// "" without a home directory.
func SSOCacheDir(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	home := homeDir(getenv)
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".aws", "sso", "cache")
}

func orNone(path string) string {
	if path == "" {
		return "(no file)"
	}
	return path
}

// maxFileSize bounds what is read of a configuration file; real ones are a
// few kilobytes.
const maxFileSize = 16 << 20

func readFile(path string, isConfig bool) (*File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("awsconfig: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil { // reading a directory fails here
		return nil, fmt.Errorf("awsconfig: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("awsconfig: %s is larger than %d bytes", path, maxFileSize)
	}
	return Parse(path, data, isConfig)
}
