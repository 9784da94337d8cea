// Package stdlib is sup's standard library: Starlark modules embedded in
// the binary and loaded from a config with load("@sup//name.star", ...).
// docs/language.md documents every module.
package stdlib

import "embed"

//go:embed *.star
var files embed.FS

// FS returns the modules, named "pool.star" and so on.
func FS() embed.FS { return files }
