package main

// This file holds --exclude and --include, with the AWS CLI's rules: every
// path is included unless a filter says otherwise, filters are applied in
// the order given and the last one that matches wins, and patterns are
// Unix shell patterns (fnmatch) matched against the path relative to the
// directory or prefix being copied, where "*" crosses "/".

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type filter struct {
	exclude bool
	pattern string
}

// filterList is the ordered list of --exclude and --include options.
type filterList []filter

// included reports whether rel, a path relative to the source root with
// "/" separators, passes the filters.
func (l filterList) included(rel string) bool {
	in := true
	for _, f := range l {
		if fnmatch(f.pattern, rel) {
			in = !f.exclude
		}
	}
	return in
}

type excludeValue struct{ l *filterList }

func (v *excludeValue) String() string { return "" }
func (v *excludeValue) Set(s string) error {
	if err := checkPattern(s); err != nil {
		return err
	}
	*v.l = append(*v.l, filter{exclude: true, pattern: s})
	return nil
}

type includeValue struct{ l *filterList }

func (v *includeValue) String() string { return "" }
func (v *includeValue) Set(s string) error {
	if err := checkPattern(s); err != nil {
		return err
	}
	*v.l = append(*v.l, filter{exclude: false, pattern: s})
	return nil
}

// checkPattern refuses a pattern with an unterminated "[" class, which
// fnmatch would otherwise treat as a literal and so never match as meant.
func checkPattern(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] == '[' {
			j := classEnd(p, i)
			if j < 0 {
				return fmt.Errorf("pattern %q has an unterminated [", p)
			}
			i = j
		}
	}
	return nil
}

// classEnd returns the index of the "]" closing the class that opens at
// p[i], or -1. A "]" right after "[" or "[!" is a member, as in fnmatch.
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && (p[j] == '!' || p[j] == '^') {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		if p[j] == ']' {
			return j
		}
	}
	return -1
}

// fnmatch reports whether name matches the shell pattern p, as Python's
// fnmatch (which the AWS CLI uses) does: "*" matches any run of
// characters, "/" included; "?" one character; "[abc]", "[a-z]" and
// "[!abc]" one character of (or not of) a set. Matching is byte-wise for
// the literal parts and rune-wise for "?" and classes.
func fnmatch(p, name string) bool {
	// Backtracking over the last "*" only: linear in practice, and
	// never exponential, since a later "*" subsumes an earlier one.
	px, nx := 0, 0
	starP, starN := -1, 0
	for nx < len(name) || px < len(p) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					_, size := decodeRune(name[nx:])
					px++
					nx += size
					continue
				}
			case '[':
				if end := classEnd(p, px); end >= 0 && nx < len(name) {
					r, size := decodeRune(name[nx:])
					if matchClass(p[px+1:end], r) {
						px = end + 1
						nx += size
						continue
					}
				} else if end < 0 && nx < len(name) && name[nx] == '[' {
					px++
					nx++
					continue
				}
			default:
				if nx < len(name) && name[nx] == c {
					px++
					nx++
					continue
				}
			}
		}
		if starP >= 0 && starN < len(name) {
			_, size := decodeRune(name[starN:])
			starN += size
			px, nx = starP+1, starN
			continue
		}
		return false
	}
	return true
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// matchClass reports whether r is in the class body (between "[" and "]").
func matchClass(body string, r rune) bool {
	negate := false
	if strings.HasPrefix(body, "!") || strings.HasPrefix(body, "^") {
		negate, body = true, body[1:]
	}
	rs := []rune(body)
	in := false
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && rs[i+1] == '-' {
			if rs[i] <= r && r <= rs[i+2] {
				in = true
			}
			i += 2
			continue
		}
		if rs[i] == r {
			in = true
		}
	}
	return in != negate
}
