package unpack

import (
	"fmt"
	"math"
	"regexp"

	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

// String accepts a string.
func String(v starlark.Value) (string, error) {
	s, ok := v.(starlark.String)
	if !ok {
		return "", fmt.Errorf("got %s, want string", v.Type())
	}
	return string(s), nil
}

// Bool accepts True or False.
func Bool(v starlark.Value) (bool, error) {
	b, ok := v.(starlark.Bool)
	if !ok {
		return false, fmt.Errorf("got %s, want True or False", v.Type())
	}
	return bool(b), nil
}

// Int accepts an int that fits in a Go int32 (counts and codes are small).
func Int(v starlark.Value) (int, error) {
	i, ok := v.(starlark.Int)
	if !ok {
		return 0, fmt.Errorf("got %s, want int", v.Type())
	}
	n, ok := i.Int64()
	if !ok || n > math.MaxInt32 || n < math.MinInt32 {
		return 0, fmt.Errorf("%s is out of range", i)
	}
	return int(n), nil
}

// Float accepts an int or a float.
func Float(v starlark.Value) (float64, error) {
	switch x := v.(type) {
	case starlark.Float:
		return float64(x), nil
	case starlark.Int:
		return float64(x.Float()), nil
	}
	return 0, fmt.Errorf("got %s, want a number", v.Type())
}

// Choice accepts one of the given strings, with a did-you-mean otherwise.
func Choice(v starlark.Value, choices ...string) (string, error) {
	s, err := String(v)
	if err != nil {
		return "", err
	}
	for _, c := range choices {
		if s == c {
			return s, nil
		}
	}
	list := ""
	for i, c := range choices {
		if i > 0 {
			list += ", "
		}
		list += fmt.Sprintf("%q", c)
	}
	return "", fmt.Errorf("%q is not one of %s%s", s, list, suggest.Hint(s, choices))
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// MaxNameLen bounds job and group names, which become file names.
const MaxNameLen = 128

// Name checks a job or group name: a letter or digit, then letters,
// digits, "_", "." or "-". ":" is excluded: it separates a job from its
// instance number ("web:0").
func Name(s string) error {
	if len(s) > MaxNameLen {
		return fmt.Errorf("name %q is longer than %d characters", s, MaxNameLen)
	}
	if !nameRE.MatchString(s) {
		return fmt.Errorf("name %q is not valid (use letters, digits, \"_\", \".\" and \"-\", starting with a letter or digit)", s)
	}
	return nil
}

// Template checks that the ${NAME} templates in s are well formed; they are
// expanded only when a process is spawned.
func Template(s string) error {
	_, err := spec.Expand(s, func(string) (string, bool) { return "", true })
	return err
}
