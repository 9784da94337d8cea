package spec

import (
	"fmt"
	"strings"
)

// ParseEnvFile reads the KEY=VALUE lines of an env_file: blank lines and
// lines starting with # are skipped, a leading "export " is allowed, and a
// value may be quoted: "..." with \n, \t, \", \\ and \$ escapes, or '...'
// taken literally. An unquoted value is trimmed of surrounding blanks.
// Values are not templates: they are used as written. Errors name the line.
func ParseEnvFile(data string) ([]EnvVar, error) {
	var out []EnvVar
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !validEnvName(k) {
			return nil, fmt.Errorf("line %d: want NAME=VALUE, got %q", n+1, line)
		}
		v = strings.TrimSpace(v)
		val, err := unquoteEnv(v)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n+1, k, err)
		}
		out = append(out, EnvVar{Name: k, Value: val})
	}
	return out, nil
}

func validEnvName(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		if c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

func unquoteEnv(v string) (string, error) {
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return v, nil
	}
	q := v[0]
	if len(v) < 2 || v[len(v)-1] != q {
		return "", fmt.Errorf("unterminated %c quote", q)
	}
	body := v[1 : len(v)-1]
	if q == '\'' {
		if strings.ContainsRune(body, '\'') {
			return "", fmt.Errorf("a ' inside a '...' value")
		}
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '"' {
			return "", fmt.Errorf(`an unescaped " inside a "..." value`)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", fmt.Errorf("a trailing backslash")
		}
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '"', '\\', '$', '\'':
			b.WriteByte(body[i])
		default:
			return "", fmt.Errorf(`unknown escape \%c`, body[i])
		}
	}
	return b.String(), nil
}
