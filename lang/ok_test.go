package lang

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sup-run/sup/runtime/spec"
)

var update = flag.Bool("update", false, "rewrite the .json golden files of testdata/ok")

// TestOK loads every testdata/ok/*.star: each must evaluate (its own
// assertions pass) and produce the spec in the .json file beside it, with
// the absolute directory of the test data written as $DIR.
func TestOK(t *testing.T) {
	files, err := filepath.Glob("testdata/ok/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	absDir, err := filepath.Abs("testdata/ok")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".star"), func(t *testing.T) {
			t.Parallel()
			s, err := Load(context.Background(), file, Options{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := specJSON(t, s, absDir)
			golden := strings.TrimSuffix(file, ".star") + ".json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("spec of %s differs from %s (go test -update rewrites it):\n%s", file, golden, got)
			}
		})
	}
}

func specJSON(t *testing.T, s *spec.Spec, absDir string) []byte {
	t.Helper()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(bytes.ReplaceAll(b, []byte(absDir), []byte("$DIR")), '\n')
}
