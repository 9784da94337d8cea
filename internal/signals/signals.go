// Package signals is the one table of signal names sup uses: the language
// (stop_signal = "TERM"), the control API and CLI (sup signal HUP web) and
// the runtime's messages ("killed by SIGKILL") all read it.
package signals

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// table lists the standard Linux signal numbers (the generic ABI of x86,
// arm and riscv), spelled out rather than taken from syscall so that a
// config checks the same on every build platform. Aliases follow the name
// they stand for, so a number's first entry is its conventional name.
var table = []struct {
	name string
	num  int
}{
	{"HUP", 1}, {"INT", 2}, {"QUIT", 3}, {"ILL", 4}, {"TRAP", 5}, {"ABRT", 6},
	{"BUS", 7}, {"FPE", 8}, {"KILL", 9}, {"USR1", 10}, {"SEGV", 11}, {"USR2", 12},
	{"PIPE", 13}, {"ALRM", 14}, {"TERM", 15}, {"STKFLT", 16}, {"CHLD", 17},
	{"CONT", 18}, {"STOP", 19}, {"TSTP", 20}, {"TTIN", 21}, {"TTOU", 22},
	{"URG", 23}, {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27},
	{"WINCH", 28}, {"IO", 29}, {"PWR", 30}, {"SYS", 31},
	{"IOT", 6}, {"CLD", 17}, {"POLL", 29},
}

// Lookup finds a signal by name, with or without "SIG", in any case.
func Lookup(name string) (syscall.Signal, bool) {
	name = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "SIG")
	for _, s := range table {
		if s.name == name {
			return syscall.Signal(s.num), true
		}
	}
	return 0, false
}

// Parse reads a name ("TERM", "SIGTERM", "term") or a number ("15", up to
// the real-time signals' 64).
func Parse(s string) (syscall.Signal, error) {
	if sig, ok := Lookup(s); ok {
		return sig, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return syscall.Signal(n), nil
	}
	return 0, fmt.Errorf("%q is not a signal", s)
}

// Names lists every name Lookup accepts (without "SIG").
func Names() []string {
	names := make([]string, len(table))
	for i, s := range table {
		names[i] = s.name
	}
	return names
}

// Name is a signal's conventional name without "SIG" ("TERM"), or "" for
// a number without one.
func Name(sig syscall.Signal) string {
	for _, s := range table {
		if s.num == int(sig) {
			return s.name
		}
	}
	return ""
}

// String is "SIGTERM", or "signal 40" for a number without a name.
func String(sig syscall.Signal) string {
	if n := Name(sig); n != "" {
		return "SIG" + n
	}
	return fmt.Sprintf("signal %d", int(sig))
}
