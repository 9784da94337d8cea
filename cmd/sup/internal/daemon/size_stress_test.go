//go:build stress

package daemon

// crashLoopRestarts is R10's full size (RELIABILITY.md).
const crashLoopRestarts = 1000
