//go:build stress

package proc

// manyChildren is the R11 load (see count_test.go).
const manyChildren = 10000
