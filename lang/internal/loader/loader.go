// Package loader executes the files of one configuration: the top-level
// file and everything it load()s, from disk or from the embedded standard
// library. It caches modules, detects cycles, and turns every failure into
// a positioned diag.Error.
package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/lang/internal/callsite"
	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Config is what a Loader needs.
type Config struct {
	// ReadFile reads a file named by a path relative to the process's
	// working directory, or absolute.
	ReadFile func(name string) ([]byte, error)
	// Stdlib holds the modules load("@sup//x.star") finds.
	Stdlib fs.FS
	// FileOptions are the dialect options for every file.
	FileOptions *syntax.FileOptions
	// Predeclared are the names every module sees.
	Predeclared starlark.StringDict
	// Index receives every parsed file, for error positions.
	Index *callsite.Index
	// Interrupted explains a cancelled evaluation (step limit, context),
	// or returns nil.
	Interrupted func() error
}

// Loader runs the files of one evaluation. It is not safe for concurrent
// use: one evaluation runs on one thread.
type Loader struct {
	cfg     Config
	modules map[string]*mod // by cleaned file name
	loading []string        // files being executed, outermost first
}

// mod is one executed (or executing) file.
type mod struct {
	globals starlark.StringDict
	err     error
	done    bool
}

// New returns a Loader with an empty cache.
func New(cfg Config) *Loader {
	return &Loader{cfg: cfg, modules: make(map[string]*mod)}
}

// Main executes the top-level file. Its name, as given, names it in errors.
func (l *Loader) Main(thread *starlark.Thread, name string) (starlark.StringDict, error) {
	src, err := l.cfg.ReadFile(name)
	if err != nil {
		return nil, &diag.Error{Pos: spec.Pos{File: name}, Msg: fmt.Sprintf("cannot read config: %v", err), Err: err}
	}
	return l.exec(thread, name, src)
}

// Load implements starlark.Thread.Load: module is the string in the load
// statement of the file running on top of thread.
func (l *Loader) Load(thread *starlark.Thread, module string) (starlark.StringDict, error) {
	from := thread.CallFrame(0).Pos
	at := diag.Pos(from)
	name, read, err := l.resolve(from.Filename(), module)
	if err != nil {
		return nil, &diag.Error{Pos: at, Msg: fmt.Sprintf("cannot load %q: %v", module, err), Err: err}
	}
	if m, ok := l.modules[filepath.Clean(name)]; ok {
		if !m.done {
			return nil, &diag.Error{Pos: at, Msg: "load cycle: " + l.cycle(name)}
		}
		return m.globals, m.err
	}
	src, err := read()
	if err != nil {
		msg := fmt.Sprintf("cannot load %q: %v", module, err)
		if errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("cannot load %q: file %q does not exist", module, name)
		}
		err = &diag.Error{Pos: at, Msg: msg, Err: err}
		l.modules[filepath.Clean(name)] = &mod{err: err, done: true}
		return nil, err
	}
	return l.exec(thread, name, src)
}

// resolve names the file a load statement in file `from` refers to, and
// returns how to read it.
func (l *Loader) resolve(from, module string) (string, func() ([]byte, error), error) {
	if strings.HasPrefix(module, "@") {
		repo, rel, ok := strings.Cut(module[1:], "//")
		if !ok || repo != "sup" {
			return "", nil, fmt.Errorf("unknown repository %q (the standard library is \"@sup//\")", "@"+repo)
		}
		return l.stdlib(rel)
	}
	if rel, ok := strings.CutPrefix(from, callsite.Stdlib); ok {
		// Inside the standard library, paths stay inside it.
		return l.stdlib(path.Join(path.Dir(rel), module))
	}
	name := module
	if !filepath.IsAbs(module) {
		name = filepath.Join(filepath.Dir(from), module)
	}
	return name, func() ([]byte, error) { return l.cfg.ReadFile(name) }, nil
}

func (l *Loader) stdlib(rel string) (string, func() ([]byte, error), error) {
	rel = path.Clean(rel)
	if !fs.ValidPath(rel) {
		return "", nil, fmt.Errorf("%q is outside the standard library", rel)
	}
	if _, err := fs.Stat(l.cfg.Stdlib, rel); err != nil {
		names, _ := fs.Glob(l.cfg.Stdlib, "*.star")
		hint := suggest.Hint(rel, names)
		return "", nil, fmt.Errorf("no module %q in the standard library%s", rel, hint)
	}
	return callsite.Stdlib + rel, func() ([]byte, error) { return fs.ReadFile(l.cfg.Stdlib, rel) }, nil
}

// cycle renders the chain of loads from name back to itself.
func (l *Loader) cycle(name string) string {
	key := filepath.Clean(name)
	start := 0
	for i, f := range l.loading {
		if filepath.Clean(f) == key {
			start = i
		}
	}
	return strings.Join(append(l.loading[start:len(l.loading):len(l.loading)], name), " -> ")
}

func (l *Loader) exec(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error) {
	m := &mod{}
	l.modules[filepath.Clean(name)] = m
	l.loading = append(l.loading, name)
	m.globals, m.err = l.run(thread, name, src)
	l.loading = l.loading[:len(l.loading)-1]
	m.done = true
	return m.globals, m.err
}

func (l *Loader) run(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error) {
	f, err := l.cfg.FileOptions.Parse(name, src, 0)
	if err != nil {
		var se syntax.Error
		if errors.As(err, &se) && strings.HasPrefix(se.Msg, "got ") {
			se.Pos = wordStart(src, se.Pos)
			err = se
		}
		return nil, l.convert(name, err)
	}
	l.cfg.Index.Add(f)
	prog, err := starlark.FileProgram(f, l.cfg.Predeclared.Has)
	if err != nil {
		return nil, l.convert(name, err)
	}
	globals, err := prog.Init(thread, l.cfg.Predeclared)
	globals.Freeze()
	if err != nil {
		return nil, l.convert(name, err)
	}
	return globals, nil
}

// wordStart moves a position just after a word (where the parser reports
// an unexpected identifier or keyword) to the start of that word.
func wordStart(src []byte, p syntax.Position) syntax.Position {
	lines := strings.Split(string(src), "\n")
	if p.Line < 1 || int(p.Line) > len(lines) {
		return p
	}
	line := []rune(lines[p.Line-1])
	i := int(p.Col) - 1
	if i < 1 || i > len(line) || (i < len(line) && isWordRune(line[i])) {
		return p
	}
	for i > 0 && isWordRune(line[i-1]) {
		i--
	}
	p.Col = int32(i + 1)
	return p
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// cancelled starts the message of an EvalError after thread.Cancel.
const cancelled = "Starlark computation cancelled: "

// convert turns any error of running file name into a positioned one.
func (l *Loader) convert(name string, err error) error {
	var de *diag.Error
	var dl diag.List
	var se syntax.Error
	var rl resolve.ErrorList
	var ee *starlark.EvalError
	switch {
	case errors.As(err, &dl):
		return dl
	case errors.As(err, &de):
		return de
	case errors.As(err, &se):
		return &diag.Error{Pos: diag.Pos(se.Pos), Msg: se.Msg, Err: err}
	case errors.As(err, &rl):
		errs := make([]*diag.Error, len(rl))
		for i, e := range rl {
			errs[i] = &diag.Error{Pos: diag.Pos(e.Pos), Msg: e.Msg + l.undefinedHint(e.Msg), Err: e}
		}
		return diag.Join(errs)
	case errors.As(err, &ee):
		pos := spec.Pos{File: name, Line: 1, Col: 1}
		stack := ee.CallStack
		if strings.HasSuffix(ee.Msg, " called recursively") && len(stack) > 1 {
			// The innermost frame is the refused call, not yet started:
			// its position would be the function's first statement.
			stack = stack[:len(stack)-1]
		}
		if p, ok := callsite.UserFrame(stack); ok {
			pos = l.cfg.Index.Pos(p)
		}
		if strings.HasPrefix(ee.Msg, cancelled) && l.cfg.Interrupted != nil {
			if why := l.cfg.Interrupted(); why != nil {
				return &diag.Error{Pos: pos, Msg: why.Error(), Err: why}
			}
		}
		return &diag.Error{Pos: pos, Msg: ee.Msg, Err: err}
	}
	return &diag.Error{Pos: spec.Pos{File: name, Line: 1, Col: 1}, Msg: err.Error(), Err: err}
}

// undefinedHint suggests a predeclared or built-in name for the resolver's
// "undefined: jbo".
func (l *Loader) undefinedHint(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined: ")
	if !ok {
		return ""
	}
	names := append(l.cfg.Predeclared.Keys(), starlark.Universe.Keys()...)
	return suggest.Hint(name, names)
}
