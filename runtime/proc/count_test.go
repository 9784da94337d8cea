//go:build !stress

package proc

// manyChildren is the R11 load; go test -tags stress raises it to 10 000.
const manyChildren = 2000
