package callsite

import (
	"testing"

	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/syntax"
)

func pos(line int) spec.Pos { return spec.Pos{File: "f.star", Line: line, Col: 1} }

func TestDistinguish(t *testing.T) {
	cases := []struct {
		a, b     []spec.Pos
		wa, wb   spec.Pos
		scenario string
	}{
		{[]spec.Pos{pos(3)}, []spec.Pos{pos(1)}, pos(3), pos(1), "different calls"},
		{[]spec.Pos{pos(3), pos(9)}, []spec.Pos{pos(3), pos(7)}, pos(9), pos(7), "same helper, different callers"},
		{[]spec.Pos{pos(3), pos(9)}, []spec.Pos{pos(3), pos(9)}, pos(3), pos(3), "a loop calling the same line"},
		{[]spec.Pos{pos(3)}, []spec.Pos{pos(3), pos(9)}, pos(3), pos(3), "traces of different depth"},
		{nil, []spec.Pos{pos(3)}, spec.Pos{}, spec.Pos{}, "no trace"},
	}
	for _, c := range cases {
		a, b := Distinguish(c.a, c.b)
		if a != c.wa || b != c.wb {
			t.Errorf("%s: Distinguish = %v, %v; want %v, %v", c.scenario, a, b, c.wa, c.wb)
		}
	}
}

func TestSite(t *testing.T) {
	src := "job(\"web\", cmd = \"x\",\n    stop_timeout = \"5x\", *rest)\nf(a, b)\n"
	f, err := (&syntax.FileOptions{}).Parse("f.star", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	ix := New()
	ix.Add(f)
	file := "f.star"
	lparen := syntax.MakePosition(&file, 1, 4)
	call := ix.Call(lparen)
	if call == nil {
		t.Fatal("no call at 1:4")
	}
	site := Site{pos: ix.Pos(lparen), call: call}
	checks := []struct {
		what string
		got  spec.Pos
		want string
	}{
		{"call", site.Pos(), "f.star:1:1"},
		{"keyword", site.Keyword("stop_timeout"), "f.star:2:5"},
		{"missing keyword", site.Keyword("dir"), "f.star:1:1"},
		{"positional", site.Arg(0), "f.star:1:5"},
		{"after *args", site.Arg(1), "f.star:1:1"},
		{"not a call", ix.Pos(syntax.MakePosition(&file, 1, 2)), "f.star:1:2"},
		{"second call", ix.Pos(syntax.MakePosition(&file, 3, 2)), "f.star:3:1"},
		{"no syntax", At(pos(5)).Keyword("cmd"), "f.star:5:1"},
	}
	for _, c := range checks {
		if c.got.String() != c.want {
			t.Errorf("%s: %v, want %s", c.what, c.got, c.want)
		}
	}
	if !IsUser("site.star") || IsUser("@sup//pool.star") || IsUser("<builtin>") {
		t.Error("IsUser")
	}
}
