//go:build !stress

package daemon

// crashLoopRestarts is R10's size in the default run; -tags stress runs
// the full 1000.
const crashLoopRestarts = 150
