package main

import (
	"fmt"
	"io"
	"strings"
)

// printTable prints one row per workload and N: each system's median with
// [min-max], then the ratio sup/supervisord when both ran.
func printTable(w io.Writer, rs []*result, systems []system) {
	type key struct {
		w string
		n int
	}
	var order []key
	by := map[key]map[string]*result{}
	for _, r := range rs {
		k := key{r.workload, r.n}
		if by[k] == nil {
			by[k] = map[string]*result{}
			order = append(order, k)
		}
		by[k][r.system] = r
	}
	cols := []string{"sup"}
	peer := false
	for _, s := range systems {
		if s.name() == "supervisord" {
			cols = append(cols, "supervisord")
			peer = true
		}
	}
	fmt.Fprintf(w, "| %-28s | %5s | %-6s |", "workload", "N", "unit")
	for _, c := range cols {
		fmt.Fprintf(w, " %-28s |", c+" median [range]")
	}
	if peer {
		fmt.Fprintf(w, " %-9s |", "sup/peer")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "|%s|%s|%s|", strings.Repeat("-", 30), strings.Repeat("-", 7), strings.Repeat("-", 8))
	for range cols {
		fmt.Fprintf(w, "%s|", strings.Repeat("-", 30))
	}
	if peer {
		fmt.Fprintf(w, "%s|", strings.Repeat("-", 11))
	}
	fmt.Fprintln(w)
	for _, k := range order {
		m := by[k]
		unit := ""
		for _, r := range m {
			unit = r.unit
		}
		n := "-"
		if k.n > 0 {
			n = fmt.Sprint(k.n)
		}
		fmt.Fprintf(w, "| %-28s | %5s | %-6s |", k.w, n, unit)
		for _, c := range cols {
			r := m[c]
			if c == "sup" && r == nil {
				r = m["direct"]
				if r != nil {
					fmt.Fprintf(w, " %-28s |", "direct to file: "+cell(r))
					continue
				}
			}
			fmt.Fprintf(w, " %-28s |", cell(r))
		}
		if peer {
			a, b := m["sup"], m["supervisord"]
			ratio := ""
			if a != nil && b != nil {
				x, _, _ := median(a.samples)
				y, _, _ := median(b.samples)
				if y != 0 {
					ratio = fmt.Sprintf("%.3g", x/y)
				}
			}
			fmt.Fprintf(w, " %-9s |", ratio)
		}
		fmt.Fprintln(w)
	}
}

func cell(r *result) string {
	if r == nil || len(r.samples) == 0 {
		return ""
	}
	m, lo, hi := median(r.samples)
	if lo == hi {
		return num(m)
	}
	return fmt.Sprintf("%s [%s-%s]", num(m), num(lo), num(hi))
}

func num(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.3g", x)
	}
}
