package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		ok    bool
		want  []string // lines the report must hold
		avoid []string // text it must not hold
	}{
		{
			name: "pass and skip",
			in: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"noise of a passing test\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.5}
{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:9: no browser here\n"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"pass","Package":"p","Elapsed":1.25}
{"Action":"skip","Package":"q"}
`,
			ok:    true,
			want:  []string{"s: ok  \tp\t1.2s\t1 passed, 0 failed, 1 skipped", "s: ?   \tq\t[no tests]", "s: skipped p TestB: b_test.go:9: no browser here", "s: 1 passed, 0 failed, 1 skipped"},
			avoid: []string{"noise of a passing test"},
		},
		{
			name: "a failed test shows its output",
			in: `{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: object differs\n"}
{"Action":"fail","Package":"p","Test":"TestC","Elapsed":2}
{"Action":"fail","Package":"p","Elapsed":2}
`,
			want: []string{"s: --- FAIL: p TestC (2.00s)", "c_test.go:3: object differs", "s: FAIL\tp\t2.0s\t0 passed, 1 failed, 0 skipped", "s: failed p TestC", "s: 0 passed, 1 failed, 0 skipped"},
		},
		{
			name: "a package that panics outside a test",
			in: `{"Action":"output","Package":"p","Output":"panic: boom\n"}
{"Action":"fail","Package":"p","Elapsed":0.1}
`,
			want: []string{"panic: boom", "s: failed p"},
		},
		{
			name: "a build failure",
			in: `{"ImportPath":"p [p.test]","Action":"build-output","Output":"p/x.go:1: undefined: y\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"fail","Package":"p","Elapsed":0,"FailedBuild":"p [p.test]"}
`,
			want: []string{"s: build of p [p.test] failed:", "p/x.go:1: undefined: y", "s: failed build p [p.test]"},
		},
		{
			name: "words that are not events pass through",
			in:   "go: downloading example.com/m v1.0.0\n",
			ok:   true,
			want: []string{"go: downloading example.com/m v1.0.0", "s: 0 passed, 0 failed, 0 skipped"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			r := newReport("s", &b)
			if err := r.read(strings.NewReader(tt.in)); err != nil {
				t.Fatal(err)
			}
			if ok := r.finish(); ok != tt.ok {
				t.Errorf("finish() = %v, want %v", ok, tt.ok)
			}
			out := b.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(out, a) {
					t.Errorf("report holds %q:\n%s", a, out)
				}
			}
		})
	}
}
