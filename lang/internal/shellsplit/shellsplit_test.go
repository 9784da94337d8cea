package shellsplit

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   \t\n ", nil},
		{"sleep 10", []string{"sleep", "10"}},
		{"  a   b\tc\nd  ", []string{"a", "b", "c", "d"}},
		{"sh -c 'while true; do date; sleep 5; done'", []string{"sh", "-c", "while true; do date; sleep 5; done"}},
		{`echo "a b" c`, []string{"echo", "a b", "c"}},
		{`echo 'a "b" c'`, []string{"echo", `a "b" c`}},
		{`echo "it's"`, []string{"echo", "it's"}},
		{`echo 'back\slash'`, []string{"echo", `back\slash`}},
		{`echo "q\"uote" "back\\slash" "\$HOME" "\x"`, []string{"echo", `q"uote`, `back\slash`, `$HOME`, `\x`}},
		{`a\ b c\\d \'e`, []string{"a b", `c\d`, "'e"}},
		{"a\\\nb", []string{"ab"}},
		{"\"a\\\nb\"", []string{"ab"}},
		{`x"y z"'w'`, []string{"xy zw"}},
		{`'' ""`, []string{"", ""}},
		{`a '' b`, []string{"a", "", "b"}},
		{"--port=${PORT} $HOME *.txt ~", []string{"--port=${PORT}", "$HOME", "*.txt", "~"}},
		{"a;b|c", []string{"a;b|c"}}, // no operators: no shell
		{"héllo wörld", []string{"héllo", "wörld"}},
	}
	for _, c := range cases {
		got, err := Split(c.in)
		if err != nil {
			t.Errorf("Split(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	cases := []struct {
		in     string
		offset int
		msg    string
	}{
		{"echo 'hi", 5, `unterminated ' quote at offset 5: "echo 'hi"`},
		{`echo "hi`, 5, `unterminated " quote at offset 5: "echo \"hi"`},
		{`echo "hi\"`, 5, `unterminated " quote at offset 5: "echo \"hi\\\""`},
		{`a 'b' "c`, 6, `unterminated " quote at offset 6: "a 'b' \"c"`},
		{`echo \`, 5, `trailing backslash at offset 5: "echo \\"`},
	}
	for _, c := range cases {
		_, err := Split(c.in)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("Split(%q) error = %v, want *Error", c.in, err)
			continue
		}
		if se.Offset != c.offset || se.Error() != c.msg {
			t.Errorf("Split(%q) = offset %d %q, want offset %d %q", c.in, se.Offset, se.Error(), c.offset, c.msg)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a 'b c' \"d\\\"e\"", `x\ y`, "'", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := Split(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset >= len(s) {
				t.Fatalf("Split(%q): bad error %v", s, err)
			}
			return
		}
		// Quoting every word with single quotes must split back the same.
		var line string
		for i, w := range words {
			if i > 0 {
				line += " "
			}
			line += quote(w)
		}
		again, err := Split(line)
		if err != nil || !reflect.DeepEqual(again, words) {
			t.Fatalf("round trip of %q via %q = %q, %v", words, line, again, err)
		}
	})
}

func quote(w string) string {
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
