package spec

import (
	"fmt"
	"strings"
)

// Lookup resolves a template variable; ok is false when the name is unknown.
type Lookup func(name string) (value string, ok bool)

// UnresolvedError reports a ${NAME} that no source defines. An unresolved
// name is an error on the job, never a silent empty string.
type UnresolvedError struct {
	Name     string
	Template string
}

func (e *UnresolvedError) Error() string {
	return fmt.Sprintf("${%s} is not defined (in %q)", e.Name, e.Template)
}

// Expand replaces every ${NAME} in s using lookup. "$$" stands for a literal
// "$"; a "$" not followed by "{" or "$" is kept as it is, so shell-like
// strings such as "cost: $5" survive. An unterminated "${" is an error.
func Expand(s string, lookup Lookup) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ in %q", s)
			}
			name := s[i+2 : i+2+end]
			if name == "" {
				return "", fmt.Errorf("empty ${} in %q", s)
			}
			v, ok := lookup(name)
			if !ok {
				return "", &UnresolvedError{Name: name, Template: s}
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// TemplateNames lists the ${NAME} references in s, in order, for checks that
// run before spawn time (a template naming nothing known is reported early).
func TemplateNames(s string) []string {
	var names []string
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if s[i+1] == '$' {
			i++
			continue
		}
		if s[i+1] != '{' {
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end <= 0 {
			return names
		}
		names = append(names, s[i+2:i+2+end])
		i += 2 + end
	}
	return names
}
