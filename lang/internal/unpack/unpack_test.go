package unpack

import (
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	startime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
)

func TestDuration(t *testing.T) {
	cases := []struct {
		in   starlark.Value
		want time.Duration
		err  string
	}{
		{starlark.String("1.5s"), 1500 * time.Millisecond, ""},
		{starlark.String("15m"), 15 * time.Minute, ""},
		{starlark.String("1h30m"), 90 * time.Minute, ""},
		{starlark.String("500ms"), 500 * time.Millisecond, ""},
		{starlark.String(" 10s "), 10 * time.Second, ""},
		{starlark.String("0"), 0, ""},
		{starlark.MakeInt(10), 10 * time.Second, ""},
		{starlark.MakeInt(0), 0, ""},
		{starlark.Float(0.25), 250 * time.Millisecond, ""},
		{startime.Duration(3 * time.Second), 3 * time.Second, ""},
		{starlark.String("5x"), 0, `"5x" is not a duration`},
		{starlark.String(""), 0, `"" is not a duration`},
		{starlark.String("5"), 0, `"5" is not a duration (missing unit: "5s", "5m", ...)`},
		{starlark.String("-1s"), 0, `"-1s" must not be negative`},
		{starlark.MakeInt(-3), 0, `-3 must not be negative`},
		{starlark.MakeInt64(math.MaxInt64), 0, `9223372036854775807 seconds is out of range`},
		{starlark.Float(math.Inf(1)), 0, `+inf seconds is out of range`},
		{starlark.Float(math.NaN()), 0, `nan seconds is out of range`},
		{starlark.None, 0, `got NoneType, want a duration such as "1.5s" or "15m", or a number of seconds`},
		{starlark.True, 0, `got bool, want a duration such as "1.5s" or "15m", or a number of seconds`},
	}
	for _, c := range cases {
		got, err := Duration(c.in)
		check(t, "Duration", c.in, got, c.want, err, c.err)
	}
}

func TestSize(t *testing.T) {
	cases := []struct {
		in   starlark.Value
		want int64
		err  string
	}{
		{starlark.String("50MB"), 50_000_000, ""},
		{starlark.String("1GiB"), 1 << 30, ""},
		{starlark.String("10KB"), 10_000, ""},
		{starlark.String("10KiB"), 10_240, ""},
		{starlark.String("10kb"), 10_000, ""},
		{starlark.String("1.5 GiB"), 3 << 29, ""},
		{starlark.String("512"), 512, ""},
		{starlark.String("512B"), 512, ""},
		{starlark.String("2TB"), 2e12, ""},
		{starlark.String("0.5KiB"), 512, ""},
		{starlark.MakeInt(4096), 4096, ""},
		{starlark.String("50XB"), 0, `"50XB" is not a size (use a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`},
		{starlark.String("MB"), 0, `"MB" is not a size (use a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`},
		{starlark.String("-5MB"), 0, `"-5MB" is not a size (use a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`},
		{starlark.String("1.2.3MB"), 0, `"1.2.3MB" is not a size`},
		{starlark.String("99999999999PiB"), 0, `"99999999999PiB" is too large`},
		{starlark.MakeInt(-1), 0, `-1 must not be negative`},
		{starlark.Float(1.5), 0, `got float, want a size such as "50MB" or "1GiB", or a number of bytes`},
	}
	for _, c := range cases {
		got, err := Size(c.in)
		check(t, "Size", c.in, got, c.want, err, c.err)
	}
}

func TestSignal(t *testing.T) {
	cases := []struct {
		in   starlark.Value
		want syscall.Signal
		err  string
	}{
		{starlark.String("TERM"), 15, ""},
		{starlark.String("SIGTERM"), 15, ""},
		{starlark.String("term"), 15, ""},
		{starlark.String("sigHup"), 1, ""},
		{starlark.String("KILL"), 9, ""},
		{starlark.String("USR2"), 12, ""},
		{starlark.String("IOT"), 6, ""},
		{starlark.String("WINCH"), 28, ""},
		{starlark.MakeInt(15), 15, ""},
		{starlark.MakeInt(31), 31, ""},
		{starlark.String("TREM"), 0, `"TREM" is not a signal (did you mean "TERM"?)`},
		{starlark.String("SIGFOO"), 0, `"SIGFOO" is not a signal`},
		{starlark.String(""), 0, `"" is not a signal`},
		{starlark.MakeInt(0), 0, `0 is not a signal number (1 to 31)`},
		{starlark.MakeInt(64), 0, `64 is not a signal number (1 to 31)`},
		{starlark.Float(15), 0, `got float, want a signal name such as "TERM" or a number`},
	}
	for _, c := range cases {
		got, err := Signal(c.in)
		check(t, "Signal", c.in, got, c.want, err, c.err)
	}
}

func TestChoice(t *testing.T) {
	cases := []struct {
		in   starlark.Value
		want string
		err  string
	}{
		{starlark.String("always"), "always", ""},
		{starlark.String("never"), "never", ""},
		{starlark.String("alwys"), "", `"alwys" is not one of "always", "on-failure", "never" (did you mean "always"?)`},
		{starlark.String("onfailure"), "", `"onfailure" is not one of "always", "on-failure", "never" (did you mean "on-failure"?)`},
		{starlark.String("sometimes"), "", `"sometimes" is not one of "always", "on-failure", "never"`},
		{starlark.MakeInt(1), "", `got int, want string`},
	}
	for _, c := range cases {
		got, err := Choice(c.in, "always", "on-failure", "never")
		check(t, "Choice", c.in, got, c.want, err, c.err)
	}
}

func TestScalars(t *testing.T) {
	if _, err := Int(starlark.MakeInt64(1 << 40)); err == nil || err.Error() != "1099511627776 is out of range" {
		t.Errorf("Int(1<<40) error = %v", err)
	}
	if _, err := Int(starlark.String("3")); err == nil || err.Error() != "got string, want int" {
		t.Errorf("Int(\"3\") error = %v", err)
	}
	if n, err := Int(starlark.MakeInt(-7)); err != nil || n != -7 {
		t.Errorf("Int(-7) = %d, %v", n, err)
	}
	if _, err := Bool(starlark.MakeInt(1)); err == nil || err.Error() != "got int, want True or False" {
		t.Errorf("Bool(1) error = %v", err)
	}
	if _, err := String(starlark.None); err == nil || err.Error() != "got NoneType, want string" {
		t.Errorf("String(None) error = %v", err)
	}
	if f, err := Float(starlark.MakeInt(2)); err != nil || f != 2 {
		t.Errorf("Float(2) = %v, %v", f, err)
	}
	if _, err := Float(starlark.String("2")); err == nil || err.Error() != "got string, want a number" {
		t.Errorf("Float(\"2\") error = %v", err)
	}
}

func TestName(t *testing.T) {
	good := []string{"web", "w", "0", "web-1", "my_app.v2", "A9"}
	for _, n := range good {
		if err := Name(n); err != nil {
			t.Errorf("Name(%q) = %v", n, err)
		}
	}
	bad := map[string]string{
		"":       `name "" is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		"web:1":  `name "web:1" is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		"-web":   `name "-web" is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		".":      `name "." is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		"a b":    `name "a b" is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		"a/b":    `name "a/b" is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		"wéb":    `name "wéb" is not valid (use letters, digits, "_", "." and "-", starting with a letter or digit)`,
		longName: `name "` + longName + `" is longer than 128 characters`,
	}
	for n, want := range bad {
		if err := Name(n); err == nil || err.Error() != want {
			t.Errorf("Name(%q) = %v, want %s", n, err, want)
		}
	}
}

var longName = strings.Repeat("a", 129)

func TestTemplate(t *testing.T) {
	for _, s := range []string{"plain", "${PORT}", "a $b $$ ${x}${y}", "cost $5"} {
		if err := Template(s); err != nil {
			t.Errorf("Template(%q) = %v", s, err)
		}
	}
	bad := map[string]string{
		"${PORT":  `unterminated ${ in "${PORT"`,
		"x ${} y": `empty ${} in "x ${} y"`,
	}
	for s, want := range bad {
		if err := Template(s); err == nil || err.Error() != want {
			t.Errorf("Template(%q) = %v, want %s", s, err, want)
		}
	}
}

func check[T comparable](t *testing.T, fn string, in starlark.Value, got, want T, err error, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || err.Error() != wantErr {
			t.Errorf("%s(%s) error = %v, want %s", fn, in, err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("%s(%s) = %v, %v; want %v", fn, in, got, err, want)
	}
}
