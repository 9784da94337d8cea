package unpack

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"go.starlark.net/starlark"
)

// sizeUnits maps a lower-cased unit to its factor: KB = 1000, KiB = 1024.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50,
}

// Size accepts "50MB", "1GiB", "10KB", "1.5 GB" (units are case-insensitive;
// KB = 1000 bytes, KiB = 1024), or an int meaning bytes.
func Size(v starlark.Value) (int64, error) {
	switch x := v.(type) {
	case starlark.String:
		return ParseSize(string(x))
	case starlark.Int:
		n, ok := x.Int64()
		if !ok {
			return 0, fmt.Errorf("%s bytes is out of range", x)
		}
		if n < 0 {
			return 0, fmt.Errorf("%d must not be negative", n)
		}
		return n, nil
	}
	return 0, fmt.Errorf("got %s, want a size such as \"50MB\" or \"1GiB\", or a number of bytes", v.Type())
}

// ParseSize parses the string form of a size.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	factor, ok := sizeUnits[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("%q is not a size (use a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s)
	}
	// big.Rat keeps "1.5GiB" exact and catches overflow.
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(factor))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !n.IsInt64() || n.Int64() > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n.Int64(), nil
}
