package signals

import (
	"syscall"
	"testing"
)

func TestParseAndNames(t *testing.T) {
	for in, want := range map[string]syscall.Signal{
		"TERM": syscall.SIGTERM, "sigterm": syscall.SIGTERM, " hup ": syscall.SIGHUP,
		"15": syscall.SIGTERM, "40": 40, "IOT": syscall.SIGABRT, "CLD": syscall.SIGCHLD,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"NOPE", "0", "65", "-1", "", "SIG"} {
		if _, err := Parse(bad); err == nil || err.Error() != `"`+bad+`" is not a signal` {
			t.Errorf("Parse(%q) error = %v", bad, err)
		}
	}
	if String(syscall.SIGKILL) != "SIGKILL" || String(syscall.SIGABRT) != "SIGABRT" || String(40) != "signal 40" {
		t.Errorf("String: %s %s %s", String(syscall.SIGKILL), String(syscall.SIGABRT), String(40))
	}
	if Name(syscall.SIGCHLD) != "CHLD" || Name(40) != "" {
		t.Errorf("Name: %q %q", Name(syscall.SIGCHLD), Name(40))
	}
	if n := Names(); len(n) != 34 || n[0] != "HUP" {
		t.Errorf("Names: %d %v", len(n), n[:1])
	}
}
