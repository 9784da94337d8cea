package cli

import (
	"bytes"
	"context"
	"flag"
	"reflect"
	"strings"
	"testing"

	"github.com/sup-run/sup/runtime/supervisor"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	e := &env{ctx: context.Background(), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" }, cwd: "/"}
	code := e.run(args)
	return code, out.String(), errb.String()
}

// Every command explains itself with a usage line and an example.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := run(c.name, "--help")
		if code != 0 {
			t.Errorf("%s --help exited %d", c.name, code)
		}
		if !strings.HasPrefix(out, "Usage: sup "+c.name) || !strings.Contains(out, "\nExample:\n  sup ") {
			t.Errorf("%s --help:\n%s", c.name, out)
		}
		if !strings.Contains(out, c.summary) {
			t.Errorf("%s --help lacks its summary", c.name)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f := fs.Bool("f", false, "")
	timeout := fs.String("for", "", "")
	pos, err := parseInterspersed(fs, []string{"web", "--for", "running", "-f", "-1600", "stderr", "--", "-x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"web", "-1600", "stderr", "-x"}; !reflect.DeepEqual(pos, want) {
		t.Fatalf("positional %v, want %v", pos, want)
	}
	if !*f || *timeout != "running" {
		t.Fatalf("flags f=%v for=%q", *f, *timeout)
	}
}

func TestStatusExitRule(t *testing.T) {
	cases := []struct {
		p    supervisor.ProcessInfo
		want bool
	}{
		{supervisor.ProcessInfo{StateName: "RUNNING", Wanted: true}, false},
		{supervisor.ProcessInfo{StateName: "STARTING", Wanted: true}, true},
		{supervisor.ProcessInfo{StateName: "STOPPED", Wanted: false}, false},
		{supervisor.ProcessInfo{StateName: "FATAL"}, true},
		{supervisor.ProcessInfo{StateName: "BACKOFF"}, true},
		{supervisor.ProcessInfo{StateName: "EXITED", Wanted: true, ExitStatus: 0, Expected: true}, false},
		{supervisor.ProcessInfo{StateName: "EXITED", Wanted: true, ExitStatus: 1}, true},
		// A non-zero status listed in exit_codes is a success.
		{supervisor.ProcessInfo{StateName: "EXITED", Wanted: true, ExitStatus: 3, Expected: true}, false},
	}
	for _, c := range cases {
		if got := notRunningAsWanted(c.p); got != c.want {
			t.Errorf("%+v: %v, want %v", c.p, got, c.want)
		}
	}
}

func TestGlobalFlags(t *testing.T) {
	if code, _, errs := run("-s"); code != 2 || !strings.Contains(errs, "-s needs an address") {
		t.Fatalf("-s alone: %d %q", code, errs)
	}
	if code, _, errs := run("--bogus"); code != 2 || errs != "sup: unknown flag --bogus (see sup --help)\n" {
		t.Fatalf("--bogus: %d %q", code, errs)
	}
	if code, out, _ := run("--version"); code != 0 || !strings.HasPrefix(out, "sup "+Version) {
		t.Fatalf("--version: %d %q", code, out)
	}
	if code, _, errs := run("check", "a.star", "b.star"); code != 2 || errs != "sup check: give at most one config file\n" {
		t.Fatalf("check two files: %d %q", code, errs)
	}
	if code, _, errs := run("tail", "-f"); code != 2 || !strings.Contains(errs, "give one NAME") {
		t.Fatalf("tail without name: %d %q", code, errs)
	}
	if code, _, errs := run("run", "--log-format", "xml"); code != 2 || !strings.Contains(errs, `--log-format "xml": want text or json`) {
		t.Fatalf("run bad format: %d %q", code, errs)
	}
}
