package stdlib_test

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/sup-run/sup/lang"
	"github.com/sup-run/sup/stdlib"
)

// TestModules loads every module of the standard library into a config,
// and checks that docs/language.md documents it.
func TestModules(t *testing.T) {
	names, err := fs.Glob(stdlib.FS(), "*.star")
	if err != nil || len(names) == 0 {
		t.Fatalf("no modules: %v", err)
	}
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		mod := "@sup//" + name
		if !strings.Contains(string(doc), "### "+mod) {
			t.Errorf("docs/language.md has no section %q", "### "+mod)
		}
		src := `load("` + mod + `", m = "` + strings.TrimSuffix(name, ".star") + `")` + "\n"
		read := func(n string) ([]byte, error) {
			if n == "site.star" {
				return []byte(src), nil
			}
			return nil, fs.ErrNotExist
		}
		if _, err := lang.Load(context.Background(), "site.star", lang.Options{ReadFile: read}); err != nil {
			t.Errorf("%s: %v", mod, err)
		}
	}
}

func TestPool(t *testing.T) {
	src := `load("@sup//pool.star", "pool")
w = pool("worker", "./worker --queue q", 3, env = {"QUEUE": "q"}, stop_timeout = "20s")
`
	read := func(n string) ([]byte, error) { return []byte(src), nil }
	s, err := lang.Load(context.Background(), "site.star", lang.Options{ReadFile: read})
	if err != nil {
		t.Fatal(err)
	}
	j := s.Job("worker")
	if j == nil || j.Numprocs != 3 || j.Restart != "always" || j.StopTimeout.String() != "20s" {
		t.Fatalf("worker = %+v", j)
	}
	if len(j.Env) != 2 || j.Env[0].Name != "WORKER_INDEX" || j.Env[0].Value != "${process_num}" || j.Env[1].Name != "QUEUE" {
		t.Errorf("env = %+v", j.Env)
	}
	if j.Pos.String() != "site.star:2:5" {
		t.Errorf("pos = %v, want the user's call of pool()", j.Pos)
	}
}
