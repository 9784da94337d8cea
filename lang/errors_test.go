package lang

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// errorStepLimit is the step budget of the golden error tests, small so
// that the endless-loop case stops quickly and at a stable place.
const errorStepLimit = 1_000_000

// dirReader reads files relative to dir, so that configs are named as the
// user would name them ("site.star") whatever the test's working directory.
func dirReader(dir string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if filepath.IsAbs(name) {
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
		}
		return os.ReadFile(filepath.Join(dir, name))
	}
}

// expectedErrors returns the "# error: " lines of a golden file, joined.
func expectedErrors(src []byte) string {
	var want []string
	for _, line := range strings.Split(string(src), "\n") {
		if msg, ok := strings.CutPrefix(line, "# error: "); ok {
			want = append(want, msg)
		}
	}
	return strings.Join(want, "\n")
}

// TestErrors loads every testdata/errors/*.star and compares the error
// with the file's "# error: " lines, exactly.
func TestErrors(t *testing.T) {
	const dir = "testdata/errors"
	files, err := filepath.Glob(filepath.Join(dir, "*.star"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden error files: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".star"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedErrors(src)
			if want == "" {
				t.Fatalf("%s has no \"# error: \" line", file)
			}
			_, err = Load(context.Background(), name, Options{ReadFile: dirReader(dir), MaxSteps: errorStepLimit})
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want error:\n%s", name, want)
			}
			if got := err.Error(); got != want {
				t.Errorf("Load(%s) error:\n got: %s\nwant: %s", name, got, want)
			}
			checkErrorShape(t, err)
		})
	}
}

var positioned = regexp.MustCompile(`^[^\n]+:[0-9]+:[0-9]+: [^\n]+$`)

// checkErrorShape asserts that err is a *Error or ErrorList whose every
// line is "file:line:col: msg".
func checkErrorShape(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not a *lang.Error: %v", err, err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !positioned.MatchString(line) {
			t.Errorf("error line is not file:line:col: msg: %q", line)
		}
	}
	if !strings.HasPrefix(err.Error(), e.Error()) {
		t.Errorf("the primary error %q does not come first in %q", e, err)
	}
}
