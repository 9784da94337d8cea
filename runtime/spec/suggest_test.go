package spec

import "testing"

func TestSuggest(t *testing.T) {
	cands := []string{"cmd", "dir", "env", "web", "worker", "migrate", "stop_timeout"}
	cases := map[string]string{
		"comand":      "cmd",
		"wbe":         "web",
		"workr":       "worker",
		"stop_timout": "stop_timeout",
		"zzzzzz":      "",
		"web":         "",
	}
	for in, want := range cases {
		if got := Suggest(in, cands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
