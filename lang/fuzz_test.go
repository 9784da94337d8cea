package lang

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var positionedLine = regexp.MustCompile(`^fuzz\.star:[0-9]+:[0-9]+: |^(lib/[^:]+|@sup//[^:]+):[0-9]+:[0-9]+: `)

// FuzzLoad: whatever the config, Load terminates, does not panic, and
// every error line starts with file:line:col.
func FuzzLoad(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/*/*.star", "testdata/*/lib/*.star", "../examples/*.star"} {
		files, _ := filepath.Glob(pattern)
		seeds = append(seeds, files...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seeds")
	}
	for _, file := range seeds {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Fuzz(func(t *testing.T, src string) {
		files := map[string]string{
			"fuzz.star":       src,
			"lib/assert.star": "def _eq(a, b, w = ''):\n    pass\nassert = struct(eq = _eq, true = _eq)\n",
			"lib/a.star":      "load('../fuzz.star', 'x')\n",
		}
		read := func(name string) ([]byte, error) {
			if s, ok := files[name]; ok {
				return []byte(s), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := Load(ctx, "fuzz.star", Options{ReadFile: read, MaxSteps: 100_000})
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not a *lang.Error: %v", err, err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !positionedLine.MatchString(line) {
				t.Fatalf("error line without file:line:col: %q", line)
			}
		}
	})
}
