// Package awsconfig reads the AWS shared configuration and credentials files
// (~/.aws/config and ~/.aws/credentials) the way the AWS CLI and boto3 read
// them. (The credentials package runs their credential_process commands.)
//
// It sits below s3client, whose LoadConfig turns a Profile into a Config,
// and is meant to serve the credentials package (the full credential chain)
// the same way; it imports only the standard library and sigv4.
package awsconfig

// This file is the INI parser; load.go finds the files and the profile.

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParseError reports a malformed line of a configuration file. Its message
// never quotes the line, which may hold a secret.
type ParseError struct {
	File string // the file name given to Parse
	Line int    // 1-based
	Msg  string
}

// Error formats as "awsconfig: FILE:LINE: MSG".
func (e *ParseError) Error() string {
	return "awsconfig: " + e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Section is one section of a file: a profile, or a [services NAME] section.
// Keys are lower-cased, as the AWS CLI does; values are kept as written,
// without surrounding blanks or an inline comment.
type Section struct {
	Name string
	File string
	// Values holds the section's properties. A property that opens a
	// sub-section ("s3 =" followed by indented lines) has the value "".
	Values map[string]string
	// Sub holds the sub-sections: Sub["s3"]["addressing_style"].
	Sub map[string]map[string]string

	lines map[string]int // "key" or "sub\x00key" → line number
}

func newSection(name, file string) *Section {
	return &Section{Name: name, File: file, Values: map[string]string{}, Sub: map[string]map[string]string{}, lines: map[string]int{}}
}

// Get returns the value of key, or "" when s is nil or has no such key.
func (s *Section) Get(key string) string {
	v, _ := s.Lookup(key)
	return v
}

// Lookup returns the value of key and whether it is set.
func (s *Section) Lookup(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	v, ok := s.Values[strings.ToLower(key)]
	return v, ok
}

// LookupSub returns the value of key in the sub-section sub and whether it
// is set.
func (s *Section) LookupSub(sub, key string) (string, bool) {
	if s == nil {
		return "", false
	}
	v, ok := s.Sub[strings.ToLower(sub)][strings.ToLower(key)]
	return v, ok
}

// Where returns "FILE:LINE" of key, for error messages. It returns the
// file name alone when the key is not set, and "" for a nil section.
func (s *Section) Where(key string) string { return s.where(strings.ToLower(key)) }

// WhereSub returns "FILE:LINE" of key in the sub-section sub.
func (s *Section) WhereSub(sub, key string) string {
	return s.where(subID(strings.ToLower(sub), strings.ToLower(key)))
}

func (s *Section) where(id string) string {
	if s == nil {
		return ""
	}
	if n, ok := s.lines[id]; ok {
		return s.File + ":" + strconv.Itoa(n)
	}
	return s.File
}

func subID(sub, key string) string { return sub + "\x00" + key }

// String names the section, its file and its keys, never a value: values
// include aws_secret_access_key, aws_session_token and credential_process
// command lines. The formatting methods have value receivers so that a
// Section prints so by value, by pointer and inside another struct.
func (s Section) String() string {
	keys := make([]string, 0, len(s.Values)+len(s.Sub))
	for k := range s.Values {
		keys = append(keys, k)
	}
	for sub, m := range s.Sub {
		for k := range m {
			keys = append(keys, sub+"."+k)
		}
	}
	slices.Sort(keys)
	return "awsconfig.Section{" + s.Name + " in " + s.File + ", keys: " + strings.Join(keys, " ") + "}"
}

// GoString is used by %#v; it says what String says.
func (s Section) GoString() string { return s.String() }

// Format prints String for every verb (%q quotes it).
func (s Section) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	fmt.Fprint(f, s.String())
}

// File is a parsed configuration or credentials file.
type File struct {
	Name string
	// Profiles by name. In a config file, [default] and [profile NAME]
	// sections are profiles (when both [default] and [profile default]
	// exist, they are merged and [profile default] wins); other sections
	// are ignored, as the CLI ignores them. In a credentials file every
	// section is a profile, named exactly as written.
	Profiles map[string]*Section
	// Services holds the [services NAME] sections of a config file.
	Services map[string]*Section
	// SSOSessions holds the [sso-session NAME] sections of a config file.
	SSOSessions map[string]*Section
}

// Parse parses the text of a shared config file (isConfigFile) or shared
// credentials file. name is used in errors only.
//
// The format is the AWS CLI's (Python configparser with botocore's nesting):
//   - comment lines start with '#' or ';'; a '#' or ';' preceded by a blank
//     also starts a comment at the end of a property or header line (as the
//     other AWS SDKs read it; the CLI would keep it in the value);
//   - a property is "key = value" or "key: value" (the first '=' or ':'
//     separates);
//   - a line indented deeper than the property above continues it: after an
//     empty value ("s3 =") the indented lines are a sub-section of
//     "key = value" lines, otherwise they are appended to the value with
//     "\n";
//   - a section or a key given twice in one file is an error, as in the CLI.
//
// Errors are *ParseError values naming the file and the line.
func Parse(name string, data []byte, isConfigFile bool) (*File, error) {
	p := parser{
		file: &File{Name: name, Profiles: map[string]*Section{}, Services: map[string]*Section{}, SSOSessions: map[string]*Section{}},
		seen: map[string]int{},
		cfg:  isConfigFile,
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM left by Windows editors
	for n := 1; len(data) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimRight(line, "\r")
		if err := p.line(n, string(line)); err != nil {
			return nil, err
		}
	}
	p.finish()
	return p.file, nil
}

// parser holds the state between lines.
type parser struct {
	file *File
	cfg  bool
	// seen maps a section's identity to the line of its header.
	seen map[string]int
	// sections in the order found; a config file's [default] is kept apart
	// so that [profile default] can override it in finish.
	cur         *Section // nil before the first header
	plainDef    *Section // [default] of a config file
	profileDef  *Section // [profile default] of a config file
	key         string   // the property that indented lines continue
	keyIndent   int
	subSection  bool // key's value was empty: indented lines are a sub-section
	haveSection bool
}

func (p *parser) errorf(n int, msg string) error {
	return &ParseError{File: p.file.Name, Line: n, Msg: msg}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func (p *parser) line(n int, line string) error {
	trimmed := strings.Trim(line, " \t\r")
	if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
		return nil
	}
	indent := len(line) - len(strings.TrimLeft(line, " \t\r"))
	if p.key != "" && indent > p.keyIndent {
		return p.continuation(n, trimmed)
	}
	p.key = ""
	if trimmed[0] == '[' {
		return p.header(n, trimmed)
	}
	if !p.haveSection {
		return p.errorf(n, "property before the first [section] header")
	}
	k, v, ok := splitProperty(trimmed)
	if !ok {
		return p.errorf(n, "expected \"key = value\", a [section] header or a comment")
	}
	if k == "" {
		return p.errorf(n, "property without a name")
	}
	if strings.IndexByte(k, 0) >= 0 {
		return p.errorf(n, "NUL byte in a property name")
	}
	if p.cur != nil { // nil: a section the parser checks but does not keep
		if first, dup := p.cur.lines[k]; dup {
			return p.errorf(n, "property "+strconv.Quote(k)+" already set on line "+strconv.Itoa(first))
		}
		p.cur.Values[k] = v
		p.cur.lines[k] = n
	}
	p.key, p.keyIndent, p.subSection = k, indent, v == ""
	return nil
}

func (p *parser) continuation(n int, trimmed string) error {
	if !p.subSection {
		v := trimComment(trimmed)
		if v != "" && p.cur != nil {
			p.cur.Values[p.key] += "\n" + v
		}
		return nil
	}
	k, v, ok := splitProperty(trimmed)
	if !ok {
		return p.errorf(n, "expected \"key = value\" in the "+strconv.Quote(p.key)+" sub-section")
	}
	if k == "" {
		return p.errorf(n, "property without a name in the "+strconv.Quote(p.key)+" sub-section")
	}
	if strings.IndexByte(k, 0) >= 0 {
		return p.errorf(n, "NUL byte in a property name")
	}
	if p.cur == nil {
		return nil
	}
	id := subID(p.key, k)
	if first, dup := p.cur.lines[id]; dup {
		return p.errorf(n, "property "+strconv.Quote(p.key+"."+k)+" already set on line "+strconv.Itoa(first))
	}
	sub := p.cur.Sub[p.key]
	if sub == nil {
		sub = map[string]string{}
		p.cur.Sub[p.key] = sub
	}
	sub[k] = v
	p.cur.lines[id] = n
	return nil
}

func (p *parser) header(n int, trimmed string) error {
	end := strings.IndexByte(trimmed, ']')
	if end < 0 {
		return p.errorf(n, "section header without a closing ']'")
	}
	if rest := strings.TrimLeft(trimmed[end+1:], " \t\r"); rest != "" && rest[0] != '#' && rest[0] != ';' {
		return p.errorf(n, "text after the section header")
	}
	inner := strings.Trim(trimmed[1:end], " \t\r")
	if inner == "" {
		return p.errorf(n, "empty section name")
	}
	p.haveSection = true
	kind, name := "", inner
	if i := strings.IndexAny(inner, " \t\r"); i >= 0 {
		kind, name = inner[:i], strings.Trim(inner[i:], " \t\r")
	}
	// The identity used to detect duplicates: configparser compares
	// the raw header; we compare what it means, so that "[profile  a]"
	// and "[profile a]" are the same section.
	var id string
	switch {
	case !p.cfg:
		id, kind, name = "p\x00"+inner, "profile", inner
	case kind == "profile":
		id = "p\x00" + name
	case kind == "services":
		id = "s\x00" + name
	case kind == "sso-session":
		id = "e\x00" + name
	case kind == "" && name == "default":
		id = "d\x00"
	default:
		id = "o\x00" + inner // plugins, typos: checked, not kept
	}
	if first, dup := p.seen[id]; dup {
		return p.errorf(n, "section ["+inner+"] already defined on line "+strconv.Itoa(first))
	}
	p.seen[id] = n
	sec := newSection(name, p.file.Name)
	switch id[0] {
	case 'p':
		if p.cfg && name == "default" {
			p.profileDef = sec
		} else {
			p.file.Profiles[name] = sec
		}
	case 's':
		p.file.Services[name] = sec
	case 'e':
		p.file.SSOSessions[name] = sec
	case 'd':
		p.plainDef = sec
	default:
		sec = nil
	}
	p.cur = sec
	return nil
}

// finish merges a config file's [default] and [profile default].
func (p *parser) finish() {
	def := p.plainDef
	if def == nil {
		def = p.profileDef
	} else if p.profileDef != nil {
		for k, v := range p.profileDef.Values {
			def.Values[k] = v
		}
		for k, sub := range p.profileDef.Sub {
			def.Sub[k] = sub
		}
		for k, n := range p.profileDef.lines {
			def.lines[k] = n
		}
		// A sub-section of [profile default] replaces that of [default]
		// whole; forget the lines of keys it dropped.
		for k := range def.lines {
			if sub, key, ok := strings.Cut(k, "\x00"); ok {
				if _, kept := def.Sub[sub][key]; !kept {
					delete(def.lines, k)
				}
			}
		}
	}
	if def != nil {
		p.file.Profiles["default"] = def
	}
}

// splitProperty splits "key = value # comment" at the first '=' or ':'.
func splitProperty(s string) (key, value string, ok bool) {
	i := strings.IndexAny(s, "=:")
	if i < 0 {
		return "", "", false
	}
	return strings.ToLower(strings.Trim(s[:i], " \t\r")), trimComment(s[i+1:]), true
}

// trimComment removes an inline comment (a '#' or ';' after a blank) and
// the blanks around the value.
func trimComment(s string) string {
	for i := 1; i < len(s); i++ {
		if (s[i] == '#' || s[i] == ';') && isBlank(s[i-1]) {
			s = s[:i]
			break
		}
	}
	return strings.Trim(s, " \t\r")
}
