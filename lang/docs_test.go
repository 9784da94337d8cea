package lang

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// docExample is a code block of docs/language.md marked to be evaluated.
type docExample struct {
	name    string // the config is evaluated as name + ".star"
	line    int    // where the block starts in the document
	src     string
	wantErr string // for error examples: the "# error: " lines
}

// docExamples extracts the ```python blocks whose first line is
// "# example: NAME" (must evaluate) or "# error-example: NAME" (must fail
// with the block's "# error: " lines).
func docExamples(doc string) ([]docExample, error) {
	var out []docExample
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```python" {
			continue
		}
		indent := lines[i][:strings.Index(lines[i], "```")]
		start := i + 1
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		body := make([]string, 0, end-start)
		for _, l := range lines[start:end] {
			body = append(body, strings.TrimPrefix(l, indent))
		}
		i = end
		if len(body) == 0 {
			continue
		}
		ex := docExample{line: start, src: strings.Join(body, "\n") + "\n"}
		if name, ok := strings.CutPrefix(body[0], "# example: "); ok {
			ex.name = name
		} else if name, ok := strings.CutPrefix(body[0], "# error-example: "); ok {
			ex.name = name
			ex.wantErr = expectedErrors([]byte(ex.src))
		} else {
			continue
		}
		out = append(out, ex)
	}
	return out, nil
}

// TestDocs evaluates every marked example of docs/language.md.
func TestDocs(t *testing.T) {
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := docExamples(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 10 {
		t.Fatalf("found %d examples in docs/language.md; the markers may have changed", len(examples))
	}
	for _, ex := range examples {
		file := ex.name + ".star"
		read := func(name string) ([]byte, error) {
			if name == file {
				return []byte(ex.src), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		_, err := Load(context.Background(), file, Options{ReadFile: read})
		switch {
		case ex.wantErr == "" && err != nil:
			t.Errorf("docs/language.md:%d: example %s: %v", ex.line, ex.name, err)
		case ex.wantErr != "" && err == nil:
			t.Errorf("docs/language.md:%d: error example %s evaluated without error, want %s", ex.line, ex.name, ex.wantErr)
		case ex.wantErr != "" && err.Error() != ex.wantErr:
			t.Errorf("docs/language.md:%d: error example %s:\n got: %v\nwant: %s", ex.line, ex.name, err, ex.wantErr)
		}
	}
}
