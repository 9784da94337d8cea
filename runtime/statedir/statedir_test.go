package statedir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// R14: the lock is held per open file, so a second Acquire fails even in
// the same process, naming the holder's pid; Release frees it.
func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".sup")
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir)
	want := fmt.Sprintf("sup is already running for this config (pid %d, state dir %s)", os.Getpid(), dir)
	if !errors.Is(err, ErrLocked) || err.Error() != want {
		t.Fatalf("second Acquire: %v, want %s", err, want)
	}
	l.Release()
	l, err = Acquire(dir)
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	l.Release()
}

func TestWriteFileAndSurvivors(t *testing.T) {
	dir := t.TempDir()
	st, err := StartTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// This process stands for a live child; a wrong start time is a pid
	// reused by another process; pid 1 is never a survivor.
	recs := []Child{{Name: "live", PID: os.Getppid()}, {Name: "reused", PID: os.Getppid(), Start: 1}, {Name: "init", PID: 1}}
	recs[0].Start, _ = StartTime(os.Getppid())
	if err := WriteFile(filepath.Join(dir, PidsFile), EncodePids(recs)); err != nil {
		t.Fatal(err)
	}
	got, err := Survivors(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "live" {
		t.Fatalf("survivors %+v", got)
	}
	_ = st
	if got, err := Survivors(t.TempDir()); err != nil || len(got) != 0 {
		t.Fatalf("no record: %v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
}
