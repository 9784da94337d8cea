package logs

import (
	"errors"
	"os"
)

// Access modes for syscall.Access (unistd.h).
const (
	accessW = 0x2
	accessX = 0x1
)

// absent reports whether the live file does not exist (so a lazy File
// need not create it yet).
func (l *File) absent() bool {
	_, err := l.o.FS.Stat(l.path)
	return errors.Is(err, os.ErrNotExist)
}

// scanLocked finds the retained backups of a lazily opened File the first
// time its layout is looked at. Called with mu held.
func (l *File) scanLocked() {
	if l.unscanned {
		l.unscanned = false
		l.segs = l.scan()
	}
}
