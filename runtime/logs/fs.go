package logs

import (
	"errors"
	"os"
	"syscall"
)

// FS is the part of the filesystem a File writes through. Tests inject
// faults (ENOSPC, EIO, deletion) by wrapping OSFS.
type FS interface {
	// OpenAppend opens path for appending, creating it (mode 0644).
	OpenAppend(path string) (WFile, error)
	Stat(path string) (os.FileInfo, error)
	Rename(from, to string) error
	Remove(path string) error
}

// WFile is an open log file.
type WFile interface {
	Write(p []byte) (int, error)
	Stat() (os.FileInfo, error)
	Truncate(size int64) error
	Close() error
}

// OSFS is the real filesystem.
type OSFS struct{}

// OpenAppend implements FS.
func (OSFS) OpenAppend(path string) (WFile, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

// Stat implements FS.
func (OSFS) Stat(path string) (os.FileInfo, error) { return os.Stat(path) }

// Rename implements FS.
func (OSFS) Rename(from, to string) error { return os.Rename(from, to) }

// Remove implements FS.
func (OSFS) Remove(path string) error { return os.Remove(path) }

// inode identifies a file on disk, to tell "the same file" from "a new file
// at the same path" (deleted or moved away from outside).
func inode(fi os.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}

// full reports whether a write error means the disk cannot take more now
// (full, quota, I/O error): the on_full policy applies.
func full(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		errors.Is(err, syscall.EIO) || errors.Is(err, syscall.EFBIG)
}
