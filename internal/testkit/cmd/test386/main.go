// Command test386 is `make test-386`: the 32-bit guarantee on every machine.
// Where this kernel can execute a 386 binary, it runs the whole suite for
// GOARCH=386 (without -race, which 386 lacks). Where it cannot — found out
// by running a tiny 386 program, not guessed from uname — it still vets and
// compiles every package and every test file for GOARCH=386, so that an int
// overflow or a constant too large for 32 bits fails the build, and says in
// one line that the tests were compiled but not executed, and why.
//
// Usage (from the module's root):
//
//	go run ./internal/testkit/cmd/test386 [-mode auto|run|compile]
//
// -mode run or compile skips the probe (to show either path works).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

func main() {
	mode := flag.String("mode", "auto", "auto (probe the kernel), run, or compile")
	flag.Parse()
	if err := run(*mode); err != nil {
		fmt.Fprintln(os.Stderr, "test-386:", err)
		os.Exit(1)
	}
}

// env386 is the environment of every 32-bit step.
func env386() []string {
	return append(os.Environ(), "GOARCH=386", "CGO_ENABLED=0")
}

func run(mode string) error {
	tmp, err := os.MkdirTemp("", "s3kit-test386-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var why string
	switch mode {
	case "auto":
		ok, reason, err := probe(tmp)
		if err != nil {
			return err
		}
		if ok {
			mode = "run"
		} else {
			mode, why = "compile", reason
		}
	case "run":
	case "compile":
		why = "-mode compile was asked for"
	default:
		return fmt.Errorf("unknown -mode %q (auto, run or compile)", mode)
	}

	if mode == "run" {
		fmt.Println("test-386: this machine executes 386 binaries: running every test for GOARCH=386")
		return step("go", "test", "-count=1", "-timeout", "15m", "./...")
	}

	fmt.Println("test-386: vetting and compiling every package and test for GOARCH=386 (go vet, then go test -c of every package with tests)")
	if err := step("go", "vet", "./..."); err != nil {
		return err
	}
	if err := step("go", "vet", "-tags", "conformance", "./conformance/..."); err != nil {
		return err
	}
	built := 0
	for _, tags := range []string{"", "conformance"} {
		pkgs, err := testPackages(tags)
		if err != nil {
			return err
		}
		// As few go commands as can be (one builds its packages in
		// parallel and shares their dependencies): `go test -c -o dir/`
		// names each binary after its package's last path element, and
		// refuses two of the same name in one command.
		for i, group := range byBinaryName(pkgs) {
			dir := filepath.Join(tmp, fmt.Sprintf("bin%s%d", tags, i)) + string(filepath.Separator)
			args := []string{"test", "-c", "-o", dir}
			if tags != "" {
				args = append(args, "-tags", tags)
			}
			if err := quiet("go", append(args, group...)...); err != nil {
				return err
			}
			built += len(group)
		}
	}
	fmt.Printf("test-386: 386 compiled, not executed: %d test binaries built and every package vetted for GOARCH=386; "+
		"the tests did not run because %s\n", built, why)
	return nil
}

// probe builds an empty 386 program and runs it: whether it runs is the
// answer, and the reason when it does not.
func probe(dir string) (ok bool, reason string, err error) {
	src := filepath.Join(dir, "probe.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		return false, "", err
	}
	bin := filepath.Join(dir, "probe386")
	build := exec.Command("go", "build", "-o", bin, src)
	build.Env = env386()
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		return false, "", fmt.Errorf("building the 386 probe: %v\n%s", err, out)
	}
	ok, reason = canExec(bin)
	return ok, reason, nil
}

// canExec runs the program at path and reports whether it ran and exited
// 0, and if not, why.
func canExec(path string) (bool, string) {
	out, err := exec.Command(path).CombinedOutput()
	if err == nil {
		return true, ""
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return false, fmt.Sprintf("a 386 program fails here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	return false, fmt.Sprintf("this kernel cannot execute a 386 program (%v)", err)
}

// testPackages lists the packages of the module that have tests, built
// with the given tags ("" for none), for GOARCH=386.
func testPackages(tags string) ([]string, error) {
	args := []string{"list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}"}
	if tags != "" {
		args = append(args, "-tags", tags, "./conformance/...")
	} else {
		args = append(args, "./...")
	}
	cmd := exec.Command("go", args...)
	cmd.Env = env386()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out)), nil
}

// byBinaryName splits pkgs into as few groups as can be with no two
// packages of one last path element in a group, in order.
func byBinaryName(pkgs []string) [][]string {
	var groups [][]string
	var names []map[string]bool
next:
	for _, p := range pkgs {
		base := path.Base(p)
		for i := range groups {
			if !names[i][base] {
				groups[i] = append(groups[i], p)
				names[i][base] = true
				continue next
			}
		}
		groups = append(groups, []string{p})
		names = append(names, map[string]bool{base: true})
	}
	return groups
}

// quiet runs one go command for GOARCH=386, and shows its output only if
// it fails.
func quiet(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = env386()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("GOARCH=386 %s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// step runs one go command for GOARCH=386, its output passed through.
func step(name string, args ...string) error {
	fmt.Printf("test-386: GOARCH=386 %s %s\n", name, strings.Join(args, " "))
	cmd := exec.Command(name, args...)
	cmd.Env = env386()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("GOARCH=386 %s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}
