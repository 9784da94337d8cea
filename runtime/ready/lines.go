package ready

import (
	"bytes"
	"regexp"
	"sync"
)

// maxLine bounds the bytes a LineMatcher keeps of one line; a longer line
// is matched on its first maxLine bytes.
const maxLine = 64 << 10

// LineMatcher is an io.Writer that calls fn once, the first time a line
// written to it matches re. It never fails and never blocks the writer:
// after the match (or Stop) it only counts bytes. One LineMatcher may be
// shared by stdout and stderr; writes are serialized.
type LineMatcher struct {
	mu   sync.Mutex
	re   *regexp.Regexp
	fn   func(line string)
	line []byte
	done bool
}

// NewLineMatcher returns a matcher of re that calls fn on the first match.
func NewLineMatcher(re *regexp.Regexp, fn func(line string)) *LineMatcher {
	return &LineMatcher{re: re, fn: fn}
}

// Write scans p for a matching line.
func (m *LineMatcher) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(p)
	for !m.done && len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
			p = p[i+1:]
		} else {
			p = nil
		}
		if room := maxLine - len(m.line); room > 0 {
			m.line = append(m.line, chunk[:min(len(chunk), room)]...)
		}
		if i < 0 {
			// A partial line may already match: "listening" with no newline.
			if m.re.Match(m.line) {
				m.hit()
			}
			break
		}
		if m.re.Match(m.line) {
			m.hit()
		}
		m.line = m.line[:0]
	}
	return n, nil
}

func (m *LineMatcher) hit() {
	m.done = true
	line := string(bytes.TrimRight(m.line, "\r"))
	m.line = nil
	m.fn(line)
}

// Stop makes the matcher ignore what is written from now on.
func (m *LineMatcher) Stop() {
	m.mu.Lock()
	m.done = true
	m.line = nil
	m.mu.Unlock()
}
