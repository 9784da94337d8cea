package suggest

import "testing"

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"cmd", "cmd", 0},
		{"comand", "cmd", 3},
		{"retsart", "restart", 1}, // a transposition
		{"on-failur", "on-failure", 1},
		{"kitten", "sitting", 3},
		{"wrk", "worker", 3},
		{"héllo", "hello", 1}, // runes, not bytes
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestNearest(t *testing.T) {
	jobParams := []string{"name", "cmd", "dir", "env", "autostart", "numprocs", "restart",
		"exit_codes", "start_secs", "start_retries", "stop_signal", "stop_timeout",
		"kill_group", "stdout", "stderr", "kind", "backoff"}
	cases := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"comand", jobParams, "cmd"},
		{"command", jobParams, "cmd"},
		{"numproc", jobParams, "numprocs"},
		{"stoptimeout", jobParams, "stop_timeout"},
		{"exitcodes", jobParams, "exit_codes"},
		{"Cmd", jobParams, "cmd"},
		{"user", jobParams, ""},
		{"script", jobParams, ""},
		{"wrk", []string{"web", "worker", "migrate"}, "worker"},
		{"alway", []string{"always", "on-failure", "never"}, "always"},
		{"onfailure", []string{"always", "on-failure", "never"}, "on-failure"},
		{"sometimes", []string{"always", "on-failure", "never"}, ""},
		{"x", []string{"y"}, ""},
		{"ab", []string{"ac"}, "ac"},
		{"environment", jobParams, "env"},
		{"e", jobParams, ""},
		{"x", nil, ""},
		{"web", []string{"web"}, ""}, // the name itself is not a suggestion
	}
	for _, c := range cases {
		if got := Nearest(c.name, c.candidates); got != c.want {
			t.Errorf("Nearest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestHint(t *testing.T) {
	if got := Hint("wrk", []string{"worker"}); got != ` (did you mean "worker"?)` {
		t.Errorf("Hint = %q", got)
	}
	if got := Hint("zzz", []string{"worker"}); got != "" {
		t.Errorf("Hint = %q, want empty", got)
	}
}
