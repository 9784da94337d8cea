package unpack

import (
	"fmt"
	"slices"
	"strings"
	"syscall"

	"github.com/sup-run/sup/internal/suggest"
	"go.starlark.net/starlark"
)

// linuxSignals are the standard Linux signal numbers (the generic ABI of
// x86, arm and riscv). They are spelled out rather than taken from
// syscall so that a config checks the same on every build platform.
var linuxSignals = []struct {
	name string
	num  int
}{
	{"HUP", 1}, {"INT", 2}, {"QUIT", 3}, {"ILL", 4}, {"TRAP", 5}, {"ABRT", 6},
	{"BUS", 7}, {"FPE", 8}, {"KILL", 9}, {"USR1", 10}, {"SEGV", 11}, {"USR2", 12},
	{"PIPE", 13}, {"ALRM", 14}, {"TERM", 15}, {"STKFLT", 16}, {"CHLD", 17},
	{"CONT", 18}, {"STOP", 19}, {"TSTP", 20}, {"TTIN", 21}, {"TTOU", 22},
	{"URG", 23}, {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27},
	{"WINCH", 28}, {"IO", 29}, {"PWR", 30}, {"SYS", 31},
	// Aliases: numbers already named above.
	{"IOT", 6}, {"CLD", 17}, {"POLL", 29},
}

// Signal accepts a name ("TERM", "SIGTERM", "term") or a number (15) of a
// standard Linux signal.
func Signal(v starlark.Value) (syscall.Signal, error) {
	switch x := v.(type) {
	case starlark.String:
		return ParseSignal(string(x))
	case starlark.Int:
		n, ok := x.Int64()
		if ok && n >= 1 && n <= 31 {
			return syscall.Signal(n), nil
		}
		return 0, fmt.Errorf("%s is not a signal number (1 to 31)", x)
	}
	return 0, fmt.Errorf("got %s, want a signal name such as \"TERM\" or a number", v.Type())
}

// ParseSignal parses a signal name, with or without "SIG", in any case.
func ParseSignal(s string) (syscall.Signal, error) {
	name := strings.ToUpper(strings.TrimSpace(s))
	name = strings.TrimPrefix(name, "SIG")
	for _, sig := range linuxSignals {
		if sig.name == name {
			return syscall.Signal(sig.num), nil
		}
	}
	names := make([]string, 0, len(linuxSignals))
	for _, sig := range linuxSignals {
		names = append(names, sig.name)
	}
	hint := ""
	if n := suggest.Nearest(name, names); n != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", n)
	}
	return 0, fmt.Errorf("%q is not a signal%s", s, hint)
}

// SignalName is the conventional name of a signal number ("TERM"), or its
// number when it has none.
func SignalName(sig syscall.Signal) string {
	i := slices.IndexFunc(linuxSignals, func(s struct {
		name string
		num  int
	}) bool {
		return s.num == int(sig)
	})
	if i < 0 {
		return fmt.Sprint(int(sig))
	}
	return linuxSignals[i].name
}
