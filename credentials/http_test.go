package credentials

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultClients(t *testing.T) {
	md := sharedMetadataClient()
	if md != sharedMetadataClient() {
		t.Error("the metadata client is not shared")
	}
	if tr, ok := md.Transport.(*http.Transport); !ok || tr.Proxy != nil || md.Timeout == 0 {
		t.Errorf("metadata client: a proxy or no timeout: %+v", md)
	}
	sts := sharedSTSClient()
	if tr, ok := sts.Transport.(*http.Transport); !ok || tr.Proxy == nil || sts.Timeout == 0 || tr.ResponseHeaderTimeout == 0 {
		t.Errorf("STS client: %+v", sts)
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:80/creds", "http://127.0.0.1:80/creds"},
		{"https://user:pass@host/x?token=abc#f", "https://host/x"},
		{"http://host/p@q", "http://host/p@q"},
		{"not a url?x", "not a url"},
	}
	for _, tt := range tests {
		if got := safeURL(tt.in); got != tt.want {
			t.Errorf("safeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", maxTokenFile+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readTokenFile(big); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("big file: err = %v", err)
	}
	if _, err := readTokenFile(dir); err == nil {
		t.Error("a directory: no error")
	}
	tok := writeFile(t, "tok", "\n "+testWebToken+" \n")
	if got, err := readTokenFile(tok); err != nil || got != testWebToken {
		t.Errorf("readTokenFile = %q, %v", got, err)
	}
}
