package spec

import (
	"reflect"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	src := "# comment\n\nA=1\nexport B = two words \nC=\"q \\\"x\\\" \\$HOME\\n\"\nD='it''s'\nE='lit $x \\n'\nF=\n G=a=b\r\n"
	_, err := ParseEnvFile(src)
	if err == nil || err.Error() != "line 6: D: a ' inside a '...' value" {
		t.Fatalf("err = %v", err)
	}
	src = "# comment\n\nA=1\nexport B = two words \nC=\"q \\\"x\\\" \\$HOME\\n\"\nE='lit $x \\n'\nF=\n G=a=b\r\n"
	got, err := ParseEnvFile(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "two words"}, {Name: "C", Value: "q \"x\" $HOME\n"},
		{Name: "E", Value: `lit $x \n`}, {Name: "F", Value: ""}, {Name: "G", Value: "a=b"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	for src, msg := range map[string]string{
		"just words":     `line 1: want NAME=VALUE, got "just words"`,
		"1X=2":           `line 1: want NAME=VALUE, got "1X=2"`,
		"A=\"open":       `line 1: A: unterminated " quote`,
		"A=1\nB=\"\\q\"": `line 2: B: unknown escape \q`,
	} {
		if _, err := ParseEnvFile(src); err == nil || err.Error() != msg {
			t.Errorf("%q: err = %v, want %s", src, err, msg)
		}
	}
}
