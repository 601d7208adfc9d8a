package examples_test

// The guide's code is the examples' code: every Go block of docs/*.md is
// preceded by a marker naming an Example function,
//
//	<!-- code: transfer/example_test.go ExampleManager_UploadFile -->
//
// and must be a run of consecutive lines of that function's body (one tab
// less indented). The Examples have "// Output:" comments, so go test runs
// them: the guide's code compiles and does what it says. Every Example of
// this package must be shown somewhere, and the guide's relative links
// must lead to files that exist.

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var markerRE = regexp.MustCompile(`^<!-- code: (\S+) (Example\w*) -->$`)

// codeBlock is a Go block of a doc page and the Example it quotes.
type codeBlock struct {
	page, file, fn string
	line           int
	lines          []string
}

func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in %s: %v", docsDir, err)
	}
	return append(pages, filepath.Join(repoDir, "README.md"))
}

func codeBlocks(t *testing.T, page string) []codeBlock {
	t.Helper()
	f, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []codeBlock
	var marker []string
	var cur *codeBlock
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		case strings.HasPrefix(line, "```go"):
			if marker == nil {
				t.Errorf("%s:%d: a Go block without a <!-- code: FILE ExampleName --> marker above it", rel(page), n)
			}
			cur = &codeBlock{page: page, line: n}
			if marker != nil {
				cur.file, cur.fn = marker[1], marker[2]
			}
			marker = nil
		case markerRE.MatchString(line):
			marker = markerRE.FindStringSubmatch(line)
		case strings.TrimSpace(line) != "":
			marker = nil
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Errorf("%s:%d: unterminated code block", rel(page), cur.line)
	}
	return blocks
}

func rel(p string) string {
	if r, err := filepath.Rel(repoDir, p); err == nil {
		return r
	}
	return p
}

// exampleBody returns the lines of the body of function fn in file, one
// tab less indented, and whether it has an Output comment.
func exampleBody(t *testing.T, file, fn string) ([]string, bool) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoDir, filepath.FromSlash(file)))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn || fd.Recv != nil {
			continue
		}
		start := fset.Position(fd.Body.Lbrace).Offset + 1
		end := fset.Position(fd.Body.Rbrace).Offset
		body := strings.Split(strings.Trim(string(src[start:end]), "\n"), "\n")
		hasOutput := false
		for i, l := range body {
			body[i] = strings.TrimPrefix(l, "\t")
			if l := strings.TrimSpace(l); strings.HasPrefix(l, "// Output:") || strings.HasPrefix(l, "// Unordered output:") {
				hasOutput = true
			}
		}
		return body, hasOutput
	}
	t.Fatalf("%s has no function %s", file, fn)
	return nil, false
}

// contains reports whether block is a run of consecutive lines of body; a
// block that shows an Output comment must show all of it, to the end of
// the body, so that it never shows part of what the Example prints.
func contains(body, block []string) bool {
	start := 0
	for _, l := range block {
		if l := strings.TrimSpace(l); strings.HasPrefix(l, "// Output:") || strings.HasPrefix(l, "// Unordered output:") {
			start = len(body) - len(block) // only the run that ends the body
			break
		}
	}
	for i := max(start, 0); i+len(block) <= len(body); i++ {
		ok := true
		for j, l := range block {
			if strings.TrimRight(body[i+j], " \t") != strings.TrimRight(l, " \t") {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestGuideCodeIsExampleCode(t *testing.T) {
	shown := map[string]bool{}
	total := 0
	for _, page := range docPages(t) {
		for _, b := range codeBlocks(t, page) {
			if b.fn == "" {
				continue
			}
			total++
			body, hasOutput := exampleBody(t, b.file, b.fn)
			if !hasOutput {
				t.Errorf("%s:%d: %s %s has no // Output: comment, so go test would not run it", rel(page), b.line, b.file, b.fn)
			}
			if len(b.lines) == 0 || !contains(body, b.lines) {
				t.Errorf("%s:%d: the block is not a run of lines of %s in %s:\n%s", rel(page), b.line, b.fn, b.file, strings.Join(b.lines, "\n"))
			}
			shown[b.file+" "+b.fn] = true
		}
	}
	if total < 20 {
		t.Errorf("only %d checked Go blocks in the docs", total)
	}
	// Every Example here is in the guide.
	files, _ := filepath.Glob(filepath.Join(docsDir, "examples", "*_test.go"))
	if len(files) == 0 {
		t.Fatal("no example files found")
	}
	fset := token.NewFileSet()
	for _, path := range files {
		name := filepath.Base(path)
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && strings.HasPrefix(fd.Name.Name, "Example") && !shown["docs/examples/"+name+" "+fd.Name.Name] {
				t.Errorf("%s in docs/examples/%s is shown on no page", fd.Name.Name, name)
			}
		}
	}
}

var linkRE = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

// TestContainsWholeOutput: a block is checked as the guide test checks it,
// and an Output comment shown in part is refused.
func TestContainsWholeOutput(t *testing.T) {
	body := []string{"fmt.Println(1)", "fmt.Println(2)", "// Output:", "// 1", "// 2"}
	tests := []struct {
		block []string
		want  bool
	}{
		{[]string{"fmt.Println(2)"}, true},
		{[]string{"fmt.Println(2)", "// Output:", "// 1", "// 2"}, true},
		{[]string{"fmt.Println(2)", "// Output:", "// 1"}, false},
		{[]string{"fmt.Println(3)"}, false},
	}
	for _, tt := range tests {
		if got := contains(body, tt.block); got != tt.want {
			t.Errorf("contains(%q) = %v, want %v", tt.block, got, tt.want)
		}
	}
}

func TestGuideLinks(t *testing.T) {
	for _, page := range docPages(t) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(page), filepath.FromSlash(target))); err != nil {
				t.Errorf("%s: broken link %s", rel(page), target)
			}
		}
	}
}
