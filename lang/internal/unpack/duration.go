// Package unpack converts Starlark values written by people into Go values:
// durations, sizes, signals, names and the like. Each error message reads
// well after a "field: " prefix, e.g. `"5x" is not a duration`.
package unpack

import (
	"fmt"
	"math"
	"strings"
	"time"

	startime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
)

// Duration accepts "1.5s", "15m", "1h30m", "500ms" (Go duration syntax),
// an int or float meaning seconds, or a time.duration value. Negative
// durations are refused.
func Duration(v starlark.Value) (time.Duration, error) {
	var d time.Duration
	switch x := v.(type) {
	case starlark.String:
		var err error
		d, err = ParseDuration(string(x))
		if err != nil {
			return 0, err
		}
	case starlark.Int:
		secs, ok := x.Int64()
		if !ok || secs > math.MaxInt64/int64(time.Second) || secs < math.MinInt64/int64(time.Second) {
			return 0, fmt.Errorf("%s seconds is out of range", x)
		}
		d = time.Duration(secs) * time.Second
	case starlark.Float:
		f := float64(x) * float64(time.Second)
		if math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
			return 0, fmt.Errorf("%s seconds is out of range", x)
		}
		d = time.Duration(f)
	case startime.Duration:
		d = time.Duration(x)
	default:
		return 0, fmt.Errorf("got %s, want a duration such as \"1.5s\" or \"15m\", or a number of seconds", v.Type())
	}
	if d < 0 {
		return 0, fmt.Errorf("%s must not be negative", v)
	}
	return d, nil
}

// ParseDuration parses the string form of a duration.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err == nil {
		return d, nil
	}
	if strings.Contains(err.Error(), "missing unit") {
		return 0, fmt.Errorf("%q is not a duration (missing unit: \"%ss\", \"%sm\", ...)", s, s, s)
	}
	return 0, fmt.Errorf("%q is not a duration", s)
}
