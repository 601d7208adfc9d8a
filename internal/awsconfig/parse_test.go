package awsconfig

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// flat renders a File as "section/key=value" and "section/sub.key=value"
// lines, sorted, for compact expectations.
func flat(f *File) []string {
	var out []string
	add := func(prefix string, secs map[string]*Section) {
		for name, s := range secs {
			for k, v := range s.Values {
				if _, isSub := s.Sub[k]; isSub {
					continue
				}
				out = append(out, prefix+name+"/"+k+"="+v)
			}
			for sub, m := range s.Sub {
				for k, v := range m {
					out = append(out, prefix+name+"/"+sub+"."+k+"="+v)
				}
			}
		}
	}
	add("", f.Profiles)
	add("services:", f.Services)
	sort.Strings(out)
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		config bool
		in     string
		want   []string
	}{
		{"empty", true, "", nil},
		{"comments only", true, "# a\n; b\n   # c\n\n", nil},
		{"default and profile", true, "[default]\nregion = us-west-2\n[profile dev]\nregion=eu-west-1\n",
			[]string{"default/region=us-west-2", "dev/region=eu-west-1"}},
		{"non-profile sections of a config file are ignored", true, "[dev]\nregion = x\n[sso-session s]\nsso_region = y\n[profile]\nk = v\n", nil},
		{"credentials file takes names as written", false, "[default]\naws_access_key_id = AK\n[profile dev]\nk = v\n",
			[]string{"default/aws_access_key_id=AK", "profile dev/k=v"}},
		{"keys are lower-cased, values kept", true, "[default]\nRegion = US-West-2\n", []string{"default/region=US-West-2"}},
		{"colon separator", true, "[default]\nregion: us-east-2\n", []string{"default/region=us-east-2"}},
		{"first separator wins", true, "[default]\nendpoint_url = http://h:9000/p?a=b\n", []string{"default/endpoint_url=http://h:9000/p?a=b"}},
		{"inline comments after a blank", true, "[default] # hdr\nregion = us-west-2 # oregon\nx = a;b\ny = a ;b\nz =#v\n",
			[]string{"default/region=us-west-2", "default/x=a;b", "default/y=a", "default/z=#v"}},
		{"empty value", true, "[default]\nregion =\n", []string{"default/region="}},
		{"sub-section", true, "[default]\ns3 =\n  addressing_style = path\n  use_dualstack_endpoint=true\nregion = r\n",
			[]string{"default/region=r", "default/s3.addressing_style=path", "default/s3.use_dualstack_endpoint=true"}},
		{"sub-section with comments and blank lines", true, "[default]\ns3 =\n  # c\n\n  addressing_style = virtual ; v\n",
			[]string{"default/s3.addressing_style=virtual"}},
		{"continuation of a value", true, "[default]\nk = a\n  b\n\tc\n", []string{"default/k=a\nb\nc"}},
		{"uniformly indented section", true, "[default]\n  region = r\n  output = json\n",
			[]string{"default/output=json", "default/region=r"}},
		{"indented section with sub-section", true, "[default]\n  s3 =\n    addressing_style = path\n  region = r\n",
			[]string{"default/region=r", "default/s3.addressing_style=path"}},
		{"profile default overrides default", true, "[default]\nregion = a\noutput = json\n[profile default]\nregion = b\n",
			[]string{"default/output=json", "default/region=b"}},
		{"whitespace in headers", true, "[  profile   dev  ]\nk = v\n", []string{"dev/k=v"}},
		{"services section", true, "[profile dev]\nservices = s\n[services s]\ns3 =\n  endpoint_url = http://localhost:9000\n",
			[]string{"dev/services=s", "services:s/s3.endpoint_url=http://localhost:9000"}},
		{"CRLF and BOM", true, "\xef\xbb\xbf[default]\r\nregion = r\r\n", []string{"default/region=r"}},
		{"value with equals signs", false, "[a]\naws_secret_access_key = abc/def+g==\n", []string{"a/aws_secret_access_key=abc/def+g=="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("f", []byte(tt.in), tt.config)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := flat(f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name   string
		config bool
		in     string
		line   int
		msg    string
	}{
		{"property before header", true, "# c\nregion = r\n", 2, "before the first"},
		{"no separator", false, "[default]\naws_access_key_id = AK\naws_secret_access_key " + secret + "\n", 3, "expected"},
		{"unclosed header", true, "[default\n", 1, "closing"},
		{"text after header", true, "[default] x\n", 1, "after the section header"},
		{"empty header", true, "\n\n[ ]\n", 3, "empty section name"},
		{"empty key", true, "[default]\n= v\n", 2, "without a name"},
		{"duplicate section", true, "[default]\na = 1\n[profile x]\n[default]\n", 4, "already defined on line 1"},
		{"duplicate profile spelled differently", true, "[profile x]\n[profile  x]\n", 2, "already defined on line 1"},
		{"duplicate key", true, "[default]\nregion = a\nregion = b\n", 3, "already set on line 2"},
		{"duplicate sub key", true, "[default]\ns3 =\n  a = 1\n  a = 2\n", 4, "already set on line 3"},
		{"sub-section line without separator", true, "[default]\ns3 =\n  " + secret + "\n", 3, "sub-section"},
		{"bad line in an ignored section", true, "[sso-session s]\noops\n", 2, "expected"},
		{"NUL in key", true, "[default]\na\x00b = c\n", 2, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/home/u/.aws/config", []byte(tt.in), tt.config)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != tt.line || pe.File != "/home/u/.aws/config" {
				t.Errorf("at %s:%d, want line %d", pe.File, pe.Line, tt.line)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if want := "awsconfig: /home/u/.aws/config:"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the secret: %q", err)
			}
		})
	}
}

func TestWhere(t *testing.T) {
	in := "[default]\nregion = a\n\n[profile default]\ns3 =\n  addressing_style = path\n"
	f, err := Parse("cfg", []byte(in), true)
	if err != nil {
		t.Fatal(err)
	}
	d := f.Profiles["default"]
	for _, c := range []struct{ got, want string }{
		{d.Where("region"), "cfg:2"},
		{d.Where("REGION"), "cfg:2"},
		{d.WhereSub("s3", "addressing_style"), "cfg:6"},
		{d.Where("missing"), "cfg"},
		{(*Section)(nil).Where("x"), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if v, ok := d.LookupSub("S3", "Addressing_Style"); !ok || v != "path" {
		t.Errorf("LookupSub = %q, %v", v, ok)
	}
}

// format writes f back as text that Parse reads as the same File.
func format(f *File, config bool) string {
	var b strings.Builder
	write := func(header string, s *Section) {
		b.WriteString("[" + header + "]\n")
		keys := make([]string, 0, len(s.Values))
		for k := range s.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if sub, ok := s.Sub[k]; ok {
				b.WriteString(k + " =\n")
				subKeys := make([]string, 0, len(sub))
				for sk := range sub {
					subKeys = append(subKeys, sk)
				}
				sort.Strings(subKeys)
				for _, sk := range subKeys {
					b.WriteString("  " + sk + " =" + sub[sk] + "\n")
				}
				continue
			}
			lines := strings.Split(s.Values[k], "\n")
			// No blank before the value: a value may begin with '#'.
			b.WriteString(k + " =" + lines[0] + "\n")
			for _, l := range lines[1:] {
				b.WriteString("  " + l + "\n")
			}
		}
	}
	for name, s := range f.Profiles {
		if config {
			write("profile "+name, s)
		} else {
			write(name, s)
		}
	}
	for name, s := range f.Services {
		write("services "+name, s)
	}
	return b.String()
}

func TestFormatRoundTrip(t *testing.T) {
	in := "[default]\nregion = r # c\nk = a\n  b\ns3 =\n  addressing_style = path\nz =#v\n[services s]\ns3 =\n  endpoint_url = http://x\n"
	f, err := Parse("a", []byte(in), true)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse("b", []byte(format(f, true)), true)
	if err != nil {
		t.Fatalf("reparse: %v\n%s", err, format(f, true))
	}
	if !reflect.DeepEqual(flat(f), flat(g)) {
		t.Errorf("round trip changed the file:\n%q\n%q", flat(f), flat(g))
	}
}

// FuzzParse checks that Parse never panics, that errors carry a line inside
// the input, and that whatever it accepts survives format → Parse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[default]\nregion = us-west-2\n",
		"[profile a]\ns3 =\n  addressing_style = path\n  use_accelerate_endpoint = true\n",
		"[default]\nk = a\n  b ; c\n[services s]\ns3 =\n  endpoint_url = http://h\n",
		"[default] ; x\n  region: r\n  output = json\n[profile default]\nregion = q\n",
		"\xef\xbb\xbf[a]\r\nk==v\r\n",
		"[default]\nx = #y\nz =;w\n",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, config bool) {
		file, err := Parse("fuzz", []byte(in), config)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if lines := strings.Count(in, "\n") + 1; pe.Line < 1 || pe.Line > lines {
				t.Fatalf("error line %d outside 1..%d", pe.Line, lines)
			}
			return
		}
		out := format(file, config)
		again, err := Parse("fuzz", []byte(out), config)
		if err != nil {
			t.Fatalf("formatted file does not parse: %v\n%q", err, out)
		}
		if a, b := flat(file), flat(again); !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the file:\n%q\n%q\nformatted: %q", a, b, out)
		}
	})
}
