package lang

import (
	"errors"
	"strings"

	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/runtime/spec"
)

// Error is an error in a config, at a place: it prints as
// "file:line:col: msg". File is the path as given to Load, or for a loaded
// file the path load() resolved ("lib/common.star", "@sup//pool.star").
// An error not tied to a line (the config cannot be read) has Line 0 and
// prints as "file: msg".
type Error struct {
	Pos spec.Pos
	Msg string
	// Err is the cause, if any: ErrStepLimit, a context error, a file
	// system error.
	Err error
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is several errors found at once (as in group membership),
// primary first. It prints one per line; errors.As finds the first.
type ErrorList []*Error

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the members.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// convert turns the internal error of evaluating path into the public type.
func convert(path string, err error) error {
	var dl diag.List
	if errors.As(err, &dl) {
		l := make(ErrorList, len(dl))
		for i, e := range dl {
			l[i] = &Error{Pos: e.Pos, Msg: e.Msg, Err: e.Err}
		}
		return l
	}
	var de *diag.Error
	if errors.As(err, &de) {
		return &Error{Pos: de.Pos, Msg: de.Msg, Err: de.Err}
	}
	return &Error{Pos: spec.Pos{File: path, Line: 1, Col: 1}, Msg: err.Error(), Err: err}
}
