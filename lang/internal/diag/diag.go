// Package diag holds the positioned error that every part of the language
// layer reports, so that all of them print as "file:line:col: msg".
package diag

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/syntax"
)

// Error is a user error at a place in a configuration file.
type Error struct {
	Pos spec.Pos
	Msg string
	// Err is the underlying cause, if any (for errors.Is / errors.As).
	Err error
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error at pos. A %w verb records its operand as the cause.
func Errorf(pos spec.Pos, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Pos: pos, Msg: err.Error(), Err: errors.Unwrap(err)}
}

// List is several errors, the primary one first; it prints one per line.
type List []*Error

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes the members, so errors.As finds the primary error.
func (l List) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Join returns nil for no errors, the error itself for one, else a List.
func Join(errs []*Error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return List(errs)
}

// Pos converts a Starlark position.
func Pos(p syntax.Position) spec.Pos {
	if !p.IsValid() {
		return spec.Pos{}
	}
	return spec.Pos{File: p.Filename(), Line: int(p.Line), Col: int(p.Col)}
}
