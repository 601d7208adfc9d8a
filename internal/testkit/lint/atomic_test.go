// Package lint holds checks over the module's own source that the compiler
// does not make: faults that only show on a 32-bit machine, which this
// project's CI may not be able to execute.
package lint

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// atomic64 are the sync/atomic functions on 64-bit words. On 386 and
// 32-bit ARM they panic unless the word is 64-bit aligned, which Go
// guarantees only for the first word of an allocation: a field of a struct
// may not be. The atomic.Int64 and atomic.Uint64 types are always aligned,
// so the module uses them instead.
var atomic64 = map[string]bool{
	"AddInt64": true, "AddUint64": true, "LoadInt64": true, "LoadUint64": true,
	"StoreInt64": true, "StoreUint64": true, "SwapInt64": true, "SwapUint64": true,
	"CompareAndSwapInt64": true, "CompareAndSwapUint64": true,
	"AndInt64": true, "AndUint64": true, "OrInt64": true, "OrUint64": true,
}

// TestNo64BitAtomicFunctions fails on any call of atomic64 in the module
// (bench/ included), tests too.
func TestNo64BitAtomicFunctions(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, call := range atomic64Calls(f) {
			t.Errorf("%s: atomic.%s is not safe on 32-bit platforms unless the word is 64-bit aligned: use atomic.Int64 or atomic.Uint64",
				fset.Position(call.Pos()), call.Fun.(*ast.SelectorExpr).Sel.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read only %d Go files under %s: the walk is broken", files, root)
	}
}

// TestCatches64BitAtomicFunctions: the check above finds what it looks for.
func TestCatches64BitAtomicFunctions(t *testing.T) {
	src := `package p
import at "sync/atomic"
type s struct{ a int32; n int64 }
func f(x *s) { at.AddInt64(&x.n, 1) }`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if calls := atomic64Calls(f); len(calls) != 1 {
		t.Errorf("found %d calls, want the one of a renamed sync/atomic's AddInt64", len(calls))
	}
}

// atomic64Calls returns the calls of atomic64 functions in f.
func atomic64Calls(f *ast.File) []*ast.CallExpr {
	name := ""
	for _, imp := range f.Imports {
		if imp.Path.Value == `"sync/atomic"` {
			name = "atomic"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	var calls []*ast.CallExpr
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && atomic64[sel.Sel.Name] {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
					calls = append(calls, call)
				}
			}
		}
		return true
	})
	return calls
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && filepath.Base(filepath.Dir(dir)) != "" {
			b, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			if strings.Contains(string(b), "module github.com/s3kit/s3kit\n") {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod of github.com/s3kit/s3kit not found above the test")
		}
		dir = parent
	}
}
