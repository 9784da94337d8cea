package unpack

import (
	"fmt"
	"strings"
	"syscall"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/internal/suggest"
	"go.starlark.net/starlark"
)

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
	if sig, ok := signals.Lookup(s); ok {
		return sig, nil
	}
	hint := ""
	name := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")
	if n := suggest.Nearest(name, signals.Names()); n != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", n)
	}
	return 0, fmt.Errorf("%q is not a signal%s", s, hint)
}
