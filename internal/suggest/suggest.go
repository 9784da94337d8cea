// Package suggest finds the candidate closest to a misspelled name, for
// "did you mean" hints.
package suggest

import (
	"fmt"
	"strings"
)

// Nearest returns the candidate closest to name, or "" when none is close
// enough to be a plausible misspelling. Case is ignored when comparing.
// Ties go to a candidate that contains name's letters in order (or whose
// letters name contains, as "cmd" in "comand"), then to the earlier one.
func Nearest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	best, bestDist, bestSub := "", -1, false
	for _, c := range candidates {
		if c == name {
			continue
		}
		lc := strings.ToLower(c)
		d := Distance(lname, lc)
		sub := subsequence(lname, lc) || subsequence(lc, lname)
		if d > threshold(lname, lc, sub) {
			continue
		}
		if bestDist < 0 || d < bestDist || (d == bestDist && sub && !bestSub) {
			best, bestDist, bestSub = c, d, sub
		}
	}
	return best
}

// Hint renders " (did you mean "x"?)" for the nearest candidate, or "".
func Hint(name string, candidates []string) string {
	if n := Nearest(name, candidates); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// threshold is the largest distance still taken for a misspelling: half
// the longer name, so "comand" finds "cmd" and "wrk" finds "worker", but
// "env" does not find "dir". An abbreviation (the shorter name's letters
// appear in order in the longer) may drop up to three quarters of the letters:
// "command" finds "cmd", "environment" finds "env".
func threshold(a, b string, sub bool) int {
	la, lb := len([]rune(a)), len([]rune(b))
	long, short := max(la, lb), min(la, lb)
	if sub && short >= 3 && 4*short >= long {
		return long - short
	}
	return long / 2
}

// subsequence reports whether the runes of a appear in b in order.
func subsequence(a, b string) bool {
	br := []rune(b)
	j := 0
	for _, r := range a {
		for j < len(br) && br[j] != r {
			j++
		}
		if j == len(br) {
			return false
		}
		j++
	}
	return true
}

// Distance is the optimal-string-alignment edit distance: insertions,
// deletions, substitutions and transpositions of adjacent runes cost one.
func Distance(a, b string) int {
	ar, br := []rune(a), []rune(b)
	// Three rows suffice: the current one, and two back for transpositions.
	prev2 := make([]int, len(br)+1)
	prev := make([]int, len(br)+1)
	cur := make([]int, len(br)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ar); i++ {
		cur[0] = i
		for j := 1; j <= len(br); j++ {
			cost := 1
			if ar[i-1] == br[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ar[i-1] == br[j-2] && ar[i-2] == br[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(br)]
}
