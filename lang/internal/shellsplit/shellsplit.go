// Package shellsplit splits a command line into argv the way a POSIX shell
// splits words, without running a shell: no expansion of variables,
// globs, tildes or command substitutions, no operators.
package shellsplit

import (
	"fmt"
	"strings"
)

// Error reports a command line that cannot be split.
type Error struct {
	// Offset is the byte offset in the input of the offending character.
	Offset int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Split splits s into words:
//   - spaces, tabs and newlines separate words;
//   - '...' keeps everything up to the next ' literally;
//   - "..." keeps its content, except that a backslash escapes ", \, $, `
//     and a newline (which is then dropped);
//   - outside quotes, a backslash escapes the next character, and a
//     backslash before a newline joins the lines;
//   - quoted and unquoted parts next to each other form one word, and ""
//     or ” alone is an empty word.
//
// An unterminated quote or a trailing backslash is an *Error.
func Split(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case '\\':
			if i+1 >= len(s) {
				return nil, &Error{Offset: i, Msg: fmt.Sprintf("trailing backslash at offset %d: %q", i, s)}
			}
			i++
			if s[i] == '\n' {
				continue // line continuation
			}
			w.WriteByte(s[i])
			inWord = true
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, unterminated(s, i)
			}
			w.WriteString(s[i+1 : i+1+end])
			i += 1 + end
			inWord = true
		case '"':
			j, err := doubleQuoted(s, i, &w)
			if err != nil {
				return nil, err
			}
			i = j
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// doubleQuoted copies the "..." starting at s[open] into w and returns the
// offset of the closing quote.
func doubleQuoted(s string, open int, w *strings.Builder) (int, error) {
	for i := open + 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i, nil
		case '\\':
			if i+1 < len(s) {
				switch s[i+1] {
				case '"', '\\', '$', '`':
					w.WriteByte(s[i+1])
					i++
					continue
				case '\n':
					i++
					continue
				}
			}
			w.WriteByte(c)
		default:
			w.WriteByte(c)
		}
	}
	return 0, unterminated(s, open)
}

func unterminated(s string, at int) *Error {
	return &Error{Offset: at, Msg: fmt.Sprintf("unterminated %c quote at offset %d: %q", s[at], at, s)}
}
