package spec

import (
	"errors"
	"reflect"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"process_num": "3", "PORT": "8080"}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	cases := []struct {
		in, want, err string
	}{
		{"plain", "plain", ""},
		{"--port=${PORT}", "--port=8080", ""},
		{"w${process_num}-${PORT}", "w3-8080", ""},
		{"cost $5 and $$HOME", "cost $5 and $HOME", ""},
		{"trailing $", "trailing $", ""},
		{"${MISSING}", "", `${MISSING} is not defined (in "${MISSING}")`},
		{"${PORT", "", `unterminated ${ in "${PORT"`},
		{"${}", "", `empty ${} in "${}"`},
	}
	for _, c := range cases {
		got, err := Expand(c.in, lookup)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Expand(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	_, err := Expand("${X}", lookup)
	var ue *UnresolvedError
	if !errors.As(err, &ue) || ue.Name != "X" {
		t.Errorf("want UnresolvedError for X, got %v", err)
	}
}

func TestTemplateNames(t *testing.T) {
	got := TemplateNames("a ${x} $$ ${y}z ${")
	if want := []string{"x", "y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TemplateNames = %v, want %v", got, want)
	}
}

func TestInstanceName(t *testing.T) {
	j := &Job{Name: "web", Numprocs: 1}
	if j.InstanceName(0) != "web" {
		t.Errorf("single instance name = %q", j.InstanceName(0))
	}
	j.Numprocs = 3
	if j.InstanceName(2) != "web:2" {
		t.Errorf("instance name = %q", j.InstanceName(2))
	}
}
