package lang

import (
	"errors"

	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/runtime/spec"
)

// Error is an error in a config, at a place: it prints as
// "file:line:col: msg". File is the path as given to Load, or for a loaded
// file the path load() resolved ("lib/common.star", "@sup//pool.star").
// An error not tied to a line (the config cannot be read) has Line 0 and
// prints as "file: msg". Err is the cause, if any: ErrStepLimit, a context
// error, a file system error.
type Error = diag.Error

// ErrorList is several errors found at once (as in group membership),
// primary first. It prints one per line; errors.As finds the first.
type ErrorList = diag.List

// convert turns the internal error of evaluating path into the public type.
func convert(path string, err error) error {
	var dl diag.List
	if errors.As(err, &dl) {
		return dl
	}
	var de *diag.Error
	if errors.As(err, &de) {
		return de
	}
	return &Error{Pos: spec.Pos{File: path, Line: 1, Col: 1}, Msg: err.Error(), Err: err}
}
