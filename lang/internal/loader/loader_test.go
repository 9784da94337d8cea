package loader

import (
	"testing"

	"go.starlark.net/syntax"
)

func TestWordStart(t *testing.T) {
	file := "f.star"
	src := []byte("x = 1\nabc déf\nf(a b)\n")
	cases := []struct {
		line, col int32
		want      int32
	}{
		{2, 8, 5},   // just after "déf" (columns count runes)
		{3, 6, 5},   // just after "b"
		{3, 5, 5},   // on "b": unchanged
		{2, 4, 1},   // after "abc"
		{1, 3, 3},   // after a space: unchanged
		{9, 1, 1},   // no such line
		{2, 99, 99}, // beyond the line
	}
	for _, c := range cases {
		got := wordStart(src, syntax.MakePosition(&file, c.line, c.col))
		if got.Col != c.want || got.Line != c.line {
			t.Errorf("wordStart(%d:%d) = %d:%d, want col %d", c.line, c.col, got.Line, got.Col, c.want)
		}
	}
}
