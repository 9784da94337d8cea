package proc

import (
	"os"
	"testing"
)

// BenchmarkSpawn measures start-to-reaped of /bin/true: ForkExec, exec and
// the SIGCHLD-driven reap.
func BenchmarkSpawn(b *testing.B) {
	path, err := lookPath("true", os.Getenv("PATH"))
	if err != nil {
		b.Skip("no true in PATH")
	}
	r, err := NewReaper(nil, ReaperOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for b.Loop() {
		p, err := r.Start(Attr{Argv: []string{path}})
		if err != nil {
			b.Fatal(err)
		}
		if e := <-p.Done(); !e.Success() {
			b.Fatal(e)
		}
	}
}
