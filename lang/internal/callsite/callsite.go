// Package callsite maps the positions the Starlark interpreter reports back
// to syntax, so that errors point where a person looks: at the start of a
// call (`job(` rather than its parenthesis) and at the keyword argument
// that is wrong.
package callsite

import (
	"strings"

	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Stdlib prefixes the names of the embedded standard library files. Errors
// are reported at the user's call into the library, not inside it.
const Stdlib = "@sup//"

// builtinFile is the file name the interpreter gives frames of Go builtins.
const builtinFile = "<builtin>"

// IsUser reports whether a file name is the user's code: not a builtin and
// not the standard library.
func IsUser(file string) bool {
	return file != builtinFile && !strings.HasPrefix(file, Stdlib)
}

// Index holds the syntax trees of the files of one evaluation.
type Index struct {
	files map[string]*file
}

type file struct {
	ast   *syntax.File
	calls map[lineCol]*syntax.CallExpr // by Lparen; built on first use
}

type lineCol struct{ line, col int32 }

// New returns an empty index.
func New() *Index { return &Index{files: make(map[string]*file)} }

// Add records a parsed file under its name (f.Path).
func (ix *Index) Add(f *syntax.File) { ix.files[f.Path] = &file{ast: f} }

// Call returns the call expression whose opening parenthesis is at p, the
// position the interpreter reports for a call, or nil.
func (ix *Index) Call(p syntax.Position) *syntax.CallExpr {
	f := ix.files[p.Filename()]
	if f == nil {
		return nil
	}
	if f.calls == nil {
		f.calls = make(map[lineCol]*syntax.CallExpr)
		syntax.Walk(f.ast, func(n syntax.Node) bool {
			if c, ok := n.(*syntax.CallExpr); ok {
				f.calls[lineCol{c.Lparen.Line, c.Lparen.Col}] = c
			}
			return true
		})
	}
	return f.calls[lineCol{p.Line, p.Col}]
}

// Pos converts an interpreter position, moving a call's parenthesis to the
// start of the call.
func (ix *Index) Pos(p syntax.Position) spec.Pos {
	if c := ix.Call(p); c != nil {
		start, _ := c.Span()
		return diag.Pos(start)
	}
	return diag.Pos(p)
}

// UserFrame returns the innermost frame of stack (outermost first) that is
// in user code, else the innermost frame that is not a builtin.
func UserFrame(stack starlark.CallStack) (syntax.Position, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		if IsUser(stack[i].Pos.Filename()) {
			return stack[i].Pos, true
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].Pos.Filename() != builtinFile {
			return stack[i].Pos, true
		}
	}
	return syntax.Position{}, false
}

// Site is the place a builtin was called from in user code.
type Site struct {
	pos  spec.Pos
	call *syntax.CallExpr // nil when the syntax is not known
	// outer are the positions of the enclosing calls in user code,
	// innermost first: the calls of the functions that led to this one.
	outer []spec.Pos
}

// Caller returns the site, in user code, of the call of the builtin that
// is running on thread: the caller itself, or the user's call into the
// standard library that led to it.
func (ix *Index) Caller(thread *starlark.Thread) Site {
	depth := thread.CallStackDepth()
	if depth < 2 {
		return Site{}
	}
	found := 1
	for d := 1; d < depth; d++ {
		if IsUser(thread.CallFrame(d).Pos.Filename()) {
			found = d
			break
		}
	}
	p := thread.CallFrame(found).Pos
	site := Site{pos: ix.Pos(p), call: ix.Call(p)}
	for d := found + 1; d < depth; d++ {
		if fp := thread.CallFrame(d).Pos; IsUser(fp.Filename()) {
			site.outer = append(site.outer, ix.Pos(fp))
		}
	}
	return site
}

// Trace is the site's position followed by those of the enclosing calls.
func (s Site) Trace() []spec.Pos {
	return append([]spec.Pos{s.pos}, s.outer...)
}

// Distinguish picks, from two traces, the first level at which they differ,
// so that two declarations made by the same helper function are told apart
// by the calls of the helper. Traces that never differ give their first
// positions.
func Distinguish(a, b []spec.Pos) (spec.Pos, spec.Pos) {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i], b[i]
		}
	}
	if len(a) == 0 || len(b) == 0 {
		return spec.Pos{}, spec.Pos{}
	}
	return a[0], b[0]
}

// At returns a site for a known position (without syntax).
func At(pos spec.Pos) Site { return Site{pos: pos} }

// Pos is the start of the call.
func (s Site) Pos() spec.Pos { return s.pos }

// Keyword returns the position of the keyword argument name=..., or the
// call's position when the call does not spell it out.
func (s Site) Keyword(name string) spec.Pos {
	if s.call == nil {
		return s.pos
	}
	for _, a := range s.call.Args {
		if b, ok := a.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ {
			if id, ok := b.X.(*syntax.Ident); ok && id.Name == name {
				return diag.Pos(id.NamePos)
			}
		}
	}
	return s.pos
}

// Arg returns the position of the i-th positional argument, or the call's
// position when it cannot be told (as after a *args).
func (s Site) Arg(i int) spec.Pos {
	if s.call == nil {
		return s.pos
	}
	n := 0
	for _, a := range s.call.Args {
		switch a := a.(type) {
		case *syntax.BinaryExpr:
			if a.Op == syntax.EQ {
				continue
			}
		case *syntax.UnaryExpr:
			if a.Op == syntax.STAR || a.Op == syntax.STARSTAR {
				return s.pos
			}
		}
		if n == i {
			start, _ := a.Span()
			return diag.Pos(start)
		}
		n++
	}
	return s.pos
}
