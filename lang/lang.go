// Package lang evaluates sup's Starlark configuration files into the plain
// model of runtime/spec. Evaluation is hermetic: it runs no process, opens
// no connection and reads no file other than the config and what it
// load()s. docs/language.md is the reference of the language.
package lang

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	startime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/sup-run/sup/lang/internal/callsite"
	"github.com/sup-run/sup/lang/internal/loader"
	"github.com/sup-run/sup/lang/jobs"
	"github.com/sup-run/sup/runtime/spec"
	"github.com/sup-run/sup/stdlib"
)

// DefaultMaxSteps bounds an evaluation when Options.MaxSteps is zero: far
// more than any config needs, and a second or so of an endless loop.
const DefaultMaxSteps = 100_000_000

// ErrStepLimit is the cause (errors.Is) of the error of an evaluation that
// ran out of steps.
var ErrStepLimit = errors.New("evaluation exceeded its step limit")

// Options tune Load. The zero value is ready to use.
type Options struct {
	// ReadFile reads the config and the files it loads, by their paths as
	// given to Load and joined from load() statements. Default: os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// MaxSteps bounds the evaluation (see starlark.Thread.Steps).
	// Default: DefaultMaxSteps.
	MaxSteps uint64
	// Print receives what print() prints, with the position of the call.
	// Default: discard it.
	Print func(pos spec.Pos, msg string)
}

// fileOptions is the Starlark dialect of configs: top-level if/for/while,
// reassignable globals and sets. Recursion stays off: a runaway recursion
// would exhaust the Go stack before the step limit stops it.
func fileOptions() *syntax.FileOptions {
	return &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true}
}

// Load evaluates the config file at path and returns what it declares.
// Relative paths in the config are resolved against the directory of
// path (made absolute). Cancelling ctx stops the evaluation.
//
// Every error is an *Error, or an ErrorList whose first member is the
// primary error; both print as "file:line:col: msg", one per line.
func Load(ctx context.Context, path string, opts Options) (*spec.Spec, error) {
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	if opts.MaxSteps == 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Pos: spec.Pos{File: path}, Msg: err.Error(), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Pos: spec.Pos{File: path}, Msg: "evaluation cancelled: " + err.Error(), Err: err}
	}

	sites := callsite.New()
	decls := jobs.New(jobs.Env{Config: abs, Sites: sites})
	thread := &starlark.Thread{Name: "config " + path}
	thread.Print = func(t *starlark.Thread, msg string) {
		if opts.Print != nil {
			opts.Print(sites.Caller(t).Pos(), msg)
		}
	}
	startime.SetNow(thread, func() (time.Time, error) {
		return time.Time{}, errors.New("time.now() is not available while loading a config: it must evaluate the same every time")
	})
	outOfSteps := false
	thread.SetMaxExecutionSteps(opts.MaxSteps)
	thread.OnMaxSteps = func(t *starlark.Thread) {
		outOfSteps = true
		t.Cancel("too many steps")
	}
	stop := context.AfterFunc(ctx, func() { thread.Cancel("context done") })
	defer stop()

	ld := loader.New(loader.Config{
		ReadFile:    opts.ReadFile,
		Stdlib:      stdlib.FS(),
		FileOptions: fileOptions(),
		Predeclared: predeclared(decls),
		Index:       sites,
		Interrupted: func() error {
			if outOfSteps {
				return fmt.Errorf("%w (%d steps; is there an endless loop?)", ErrStepLimit, opts.MaxSteps)
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("evaluation cancelled: %w", err)
			}
			return nil
		},
	})
	thread.Load = ld.Load
	if _, err := ld.Main(thread, path); err != nil {
		return nil, convert(path, err)
	}
	s, err := decls.Spec()
	if err != nil {
		return nil, convert(path, err)
	}
	return s, nil
}
