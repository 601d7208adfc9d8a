// Command testreport reads `go test -json` on its standard input and
// prints what a person needs from a long run: a line per package (ok or
// FAIL, time, tests passed and skipped), the whole output of every failed
// test and of every build failure, each skipped test with its reason, and a
// closing line "N passed, N failed, N skipped". It exits 1 if anything
// failed, so that `go test -json ./... | testreport` can stand for `go test`
// in a script with pipefail.
//
// Usage:
//
//	go test -json ./... | go run ./internal/testkit/cmd/testreport -step race
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	step := flag.String("step", "test", "the name of the step, printed before every line")
	flag.Parse()
	r := newReport(*step, os.Stdout)
	if err := r.read(os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "%s: reading go test -json: %v\n", *step, err)
		os.Exit(1)
	}
	if !r.finish() {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (test2json's TestEvent, and the
// build events of Go 1.24+).
type event struct {
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

type testKey struct{ pkg, test string }

type report struct {
	step string
	w    io.Writer

	output   map[testKey][]string // output so far of each running test (and package: test "")
	build    map[string][]string  // build output by import path
	pkgs     map[string]*pkgCount
	order    []string
	skips    []string
	passed   int
	failed   int
	skipped  int
	failures []string // package or test names that failed, for the summary
}

type pkgCount struct{ passed, failed, skipped int }

func newReport(step string, w io.Writer) *report {
	return &report{step: step, w: w, output: map[testKey][]string{}, build: map[string][]string{}, pkgs: map[string]*pkgCount{}}
}

func (r *report) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			// Not an event (go vet's or the toolchain's own words): as is.
			fmt.Fprintf(r.w, "%s\n", line)
			continue
		}
		r.event(ev)
	}
	return sc.Err()
}

func (r *report) count(pkg string) *pkgCount {
	c, ok := r.pkgs[pkg]
	if !ok {
		c = &pkgCount{}
		r.pkgs[pkg] = c
		r.order = append(r.order, pkg)
	}
	return c
}

func (r *report) event(ev event) {
	switch ev.Action {
	case "build-output":
		r.build[ev.ImportPath] = append(r.build[ev.ImportPath], ev.Output)
		return
	case "build-fail":
		fmt.Fprintf(r.w, "%s: build of %s failed:\n", r.step, ev.ImportPath)
		for _, l := range r.build[ev.ImportPath] {
			fmt.Fprint(r.w, l)
		}
		r.failures = append(r.failures, "build "+ev.ImportPath)
		return
	}
	if ev.Package == "" {
		return
	}
	k := testKey{ev.Package, ev.Test}
	switch ev.Action {
	case "output":
		r.output[k] = append(r.output[k], ev.Output)
	case "pass", "fail", "skip":
		out := r.output[k]
		delete(r.output, k)
		if ev.Test == "" {
			r.endPackage(ev, out)
			return
		}
		c := r.count(ev.Package)
		switch ev.Action {
		case "pass":
			c.passed++
			r.passed++
		case "fail":
			c.failed++
			r.failed++
			r.failures = append(r.failures, ev.Package+" "+ev.Test)
			fmt.Fprintf(r.w, "%s: --- FAIL: %s %s (%.2fs)\n", r.step, ev.Package, ev.Test, ev.Elapsed)
			for _, l := range out {
				fmt.Fprint(r.w, l)
			}
		case "skip":
			c.skipped++
			r.skipped++
			r.skips = append(r.skips, fmt.Sprintf("%s %s: %s", ev.Package, ev.Test, skipReason(out)))
		}
	}
}

// endPackage prints the package's line, and its own output when it failed
// outside any test (a panic, a TestMain, a timeout).
func (r *report) endPackage(ev event, out []string) {
	c := r.count(ev.Package)
	status := "ok  "
	switch {
	case ev.Action == "fail":
		status = "FAIL"
		if c.failed == 0 {
			r.failures = append(r.failures, ev.Package)
			if ev.FailedBuild == "" {
				for _, l := range out {
					fmt.Fprint(r.w, l)
				}
			}
		}
	case ev.Action == "skip" || c.passed+c.failed+c.skipped == 0:
		fmt.Fprintf(r.w, "%s: ?   \t%s\t[no tests]\n", r.step, ev.Package)
		return
	}
	fmt.Fprintf(r.w, "%s: %s\t%s\t%.1fs\t%d passed, %d failed, %d skipped\n", r.step, status, ev.Package, ev.Elapsed, c.passed, c.failed, c.skipped)
}

// finish prints the skips and the closing line, and reports success.
func (r *report) finish() bool {
	for _, s := range r.skips {
		fmt.Fprintf(r.w, "%s: skipped %s\n", r.step, s)
	}
	for _, f := range r.failures {
		fmt.Fprintf(r.w, "%s: failed %s\n", r.step, f)
	}
	fmt.Fprintf(r.w, "%s: %d passed, %d failed, %d skipped\n", r.step, r.passed, r.failed, r.skipped)
	return len(r.failures) == 0 && r.failed == 0
}

// skipReason is the last line a skipped test logged before "--- SKIP".
func skipReason(out []string) string {
	reason := "(no reason given)"
	for _, l := range out {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		reason = l
	}
	return reason
}
