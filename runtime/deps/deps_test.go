package deps

import (
	"reflect"
	"testing"
)

func g(pairs ...any) *Graph {
	var nodes []Node
	for i := 0; i < len(pairs); i += 2 {
		nodes = append(nodes, Node{Name: pairs[i].(string), Requires: pairs[i+1].([]string)})
	}
	return New(nodes)
}

func TestOrder(t *testing.T) {
	cases := []struct {
		name  string
		g     *Graph
		start []string
	}{
		{"none", g("a", []string(nil), "b", []string(nil)), []string{"a", "b"}},
		{"web before db declared", g("web", []string{"db", "migrate"}, "migrate", []string{"db"}, "db", []string(nil)),
			[]string{"db", "migrate", "web"}},
		{"diamond", g("top", []string{"l", "r"}, "l", []string{"base"}, "r", []string{"base"}, "base", []string(nil)),
			[]string{"base", "l", "r", "top"}},
		{"unknown skipped", g("a", []string{"ghost"}), []string{"a"}},
	}
	for _, c := range cases {
		got, err := c.g.StartOrder()
		if err != nil || !reflect.DeepEqual(got, c.start) {
			t.Errorf("%s: start %v %v, want %v", c.name, got, err, c.start)
		}
	}
}

func TestCycles(t *testing.T) {
	cases := []struct {
		g    *Graph
		want string
	}{
		{g("a", []string{"a"}), "dependency cycle: a -> a"},
		{g("a", []string{"b"}, "b", []string{"c"}, "c", []string{"a"}), "dependency cycle: a -> b -> c -> a"},
		{g("x", []string{"b"}, "a", []string(nil), "b", []string{"c"}, "c", []string{"b"}), "dependency cycle: b -> c -> b"},
		{g("a", []string{"b"}, "b", []string(nil)), ""},
	}
	for _, c := range cases {
		got := ""
		if e := c.g.Cycle(); e != nil {
			got = e.Error()
		}
		if got != c.want {
			t.Errorf("cycle %q, want %q", got, c.want)
		}
		if _, err := c.g.StartOrder(); (err != nil) != (c.want != "") {
			t.Errorf("StartOrder error %v, want cycle %q", err, c.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	gr := g("web", []string{"db", "cahce"}, "worker", []string{"db"}, "db", []string(nil), "cache", []string(nil))
	if got, want := gr.Unknown(), []Unknown{{"web", "cahce"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("unknown %v", got)
	}
}
