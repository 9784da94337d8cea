package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/sup-run/sup/cmd/sup/internal/cli"
	"github.com/sup-run/sup/internal/testproc"
	"github.com/sup-run/sup/runtime/cgroup"
)

// The test binary doubles as `sup` and as `supchild`, the small helper
// children (see internal/testproc) that scripts supervise.
func TestMain(m *testing.M) {
	// The helpers' own children (testproc.Argv) run the binary with a
	// marker argument instead of a command name.
	if testproc.IsHelper() {
		os.Exit(testproc.Main(os.Args[2:]))
	}
	testscript.Main(m, map[string]func(){
		"sup":      func() { os.Exit(cli.Main()) },
		"supchild": func() { os.Exit(testproc.Main(os.Args[1:])) },
	})
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: false,
		Setup: func(env *testscript.Env) error {
			// Scripts find the daemon by searching from $WORK; make sure
			// nothing from the caller's environment redirects them.
			env.Setenv("SUP_SERVER", "")
			examples, err := filepath.Abs("../../examples")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", examples)
			return nil
		},
		// [cgroup]: sup can track jobs with cgroups v2 here.
		Condition: func(cond string) (bool, error) {
			if cond != "cgroup" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			r, err := cgroup.Open(fmt.Sprintf("sup-%d", os.Getpid()))
			if err != nil {
				return false, nil
			}
			return true, r.Remove(time.Second)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"dead":     cmdDead,
			"filesize": cmdFilesize,
			"pattern":  cmdPattern,
			"until":    cmdUntil,
		},
	})
}

// exitcode N PROG ARGS... runs PROG and checks it exits with status N; its
// stdout and stderr are then what `stdout` and `stderr` match.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

var pidRE = regexp.MustCompile(`\b(\d+)\b`)

// dead FILE waits (up to 10s) until every pid in FILE (every number in it)
// is gone, and fails naming the survivors.
func cmdDead(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: dead FILE")
	}
	var pids []int
	for _, m := range pidRE.FindAllStringSubmatch(ts.ReadFile(args[0]), -1) {
		n, _ := strconv.Atoi(m[1])
		pids = append(pids, n)
	}
	if len(pids) == 0 {
		ts.Fatalf("dead: no pids in %s", args[0])
	}
	deadline := time.Now().Add(10 * time.Second)
	var alive []int
	for _, p := range pids {
		if !waitGone(p, time.Until(deadline)) {
			alive = append(alive, p)
			syscall.Kill(p, syscall.SIGKILL) // do not leak it past the test
		}
	}
	if len(alive) > 0 {
		ts.Fatalf("still alive after 10s: %v", alive)
	}
}

// waitGone waits until pid has exited (a zombie counts as gone), using a
// pidfd, which becomes readable when the process terminates.
func waitGone(pid int, d time.Duration) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return true // ESRCH: already gone and reaped
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, int(max(d, 0)/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		return n > 0 || !procAlive(pid)
	}
}

// procAlive: the pid exists and is not a zombie.
func procAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
}

// filesize FILE N checks the file's size in bytes.
func cmdFilesize(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filesize FILE N")
	}
	st, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	if (st.Size() == want) == neg {
		ts.Fatalf("%s is %d bytes, want %d", args[0], st.Size(), want)
	}
}

// pattern FILE N checks the file holds exactly the first N bytes of the
// stream `supchild write N` emits.
func cmdPattern(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pattern FILE N")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	got, want := sha256.New(), sha256.New()
	_, err = io.Copy(got, f)
	ts.Check(err)
	_, err = io.Copy(want, testproc.Pattern(n))
	ts.Check(err)
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		ts.Fatalf("%s differs from the %d-byte pattern", args[0], n)
	}
}

// until [-stdin FILE] REGEX PROG ARGS... runs PROG (with FILE as its
// standard input) until its stdout matches REGEX (within 30s), then
// interrupts it as Ctrl-C would and checks that it ends cleanly: for
// commands that never end by themselves, like tail -f and fg. What it
// printed is left in until.stdout and until.stderr.
func cmdUntil(ts *testscript.TestScript, neg bool, args []string) {
	var stdin string
	if len(args) > 2 && args[0] == "-stdin" {
		stdin, args = args[1], args[2:]
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: until [-stdin FILE] REGEX prog [args...]")
	}
	re, err := regexp.Compile(args[0])
	ts.Check(err)
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = os.Environ()
	for _, kv := range []string{"PATH", "HOME", "SUP_SERVER"} {
		cmd.Env = append(cmd.Env, kv+"="+ts.Getenv(kv))
	}
	if stdin != "" {
		f, err := os.Open(ts.MkAbs(stdin))
		ts.Check(err)
		defer f.Close()
		cmd.Stdin = f
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	got := make(chan []byte)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := out.Read(buf)
			all = append(all, buf[:n]...)
			if re.Match(all) || err != nil {
				got <- all
				io.Copy(io.Discard, out)
				return
			}
		}
	}()
	select {
	case all := <-got:
		if !re.Match(all) {
			cmd.Process.Kill()
			cmd.Wait()
			ts.Fatalf("%s ended without matching %q; output:\n%s", args[1], args[0], all)
		}
		ts.Logf("%s", all)
		ts.Check(os.WriteFile(ts.MkAbs("until.stdout"), all, 0o644))
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		ts.Fatalf("%s: no output matching %q within 30s", args[1], args[0])
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ts.Logf("[stderr]\n%s", stderr.String())
		ts.Check(os.WriteFile(ts.MkAbs("until.stderr"), stderr.Bytes(), 0o644))
		// A command that finished by itself may take the interrupt while
		// exiting, after its handler is gone: that is an end too.
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT {
			err = nil
		}
		if err != nil {
			ts.Fatalf("%s did not end cleanly on interrupt: %v", args[1], err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		ts.Fatalf("%s did not end within 10s of an interrupt", args[1])
	}
}

// TestDocs runs the ```txtar sessions of docs/*.md as test scripts, so the
// documentation's examples stay true.
func TestDocs(t *testing.T) {
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range fencedBlocks(string(b), "txtar") {
			name := fmt.Sprintf("%s-%d.txtar", strings.TrimSuffix(filepath.Base(page), ".md"), i+1)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(block), 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no ```txtar sessions found in docs/")
	}
	testscript.Run(t, testscript.Params{
		Dir:   dir,
		Setup: func(env *testscript.Env) error { env.Setenv("SUP_SERVER", ""); return nil },
		Cmds:  map[string]func(ts *testscript.TestScript, neg bool, args []string){"exitcode": cmdExitcode},
	})
}

// fencedBlocks returns the bodies of the ```lang blocks of a markdown page.
func fencedBlocks(md, lang string) []string {
	var out []string
	var cur *strings.Builder
	for _, line := range strings.SplitAfter(md, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case cur == nil && trim == "```"+lang:
			cur = &strings.Builder{}
		case cur != nil && trim == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line)
		}
	}
	return out
}
