package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestCanExec: the detection takes both paths — a program built for this
// machine runs; a file the kernel cannot load does not, and the reason says
// so; a program that runs but fails is not taken for a working one.
func TestCanExec(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH:", err)
	}
	dir := t.TempDir()
	build := func(name, src string) string {
		t.Helper()
		file := filepath.Join(dir, name+".go")
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", bin, file)
		cmd.Env = append(os.Environ(), "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		return bin
	}
	native := build("native", "package main\n\nfunc main() {}\n")
	failing := build("failing", "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(3) }\n")
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("\x7fELF not really a program"), 0o755); err != nil {
		t.Fatal(err)
	}

	if ok, why := canExec(native); !ok {
		t.Errorf("a native program does not run: %s", why)
	}
	if ok, why := canExec(failing); ok || !strings.Contains(why, "exit status 3") {
		t.Errorf("a failing program: ok %v, reason %q", ok, why)
	}
	if ok, why := canExec(garbage); ok || !strings.Contains(why, "cannot execute") || !strings.Contains(why, "exec format error") {
		t.Errorf("an unloadable file: ok %v, reason %q", ok, why)
	}

	// The real probe: whatever this machine answers, it answers cleanly.
	ok, why, err := probe(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("386 programs run here: %v %s", ok, why)
	if !ok && why == "" {
		t.Error("the probe failed without a reason")
	}
}

func TestByBinaryName(t *testing.T) {
	for _, tc := range []struct {
		pkgs []string
		want [][]string
	}{
		{nil, nil},
		{[]string{"m/a", "m/b"}, [][]string{{"m/a", "m/b"}}},
		{[]string{"m/conformance", "m/x", "m/internal/conformance", "m/y/conformance", "m/z"},
			[][]string{{"m/conformance", "m/x", "m/z"}, {"m/internal/conformance"}, {"m/y/conformance"}}},
	} {
		if got := byBinaryName(tc.pkgs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("byBinaryName(%q) = %q, want %q", tc.pkgs, got, tc.want)
		}
	}
}
