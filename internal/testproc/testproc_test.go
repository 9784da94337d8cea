package testproc

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// This package has no Reaper, so its tests may use os/exec for the helpers.
func TestMain(m *testing.M) {
	if IsHelper() {
		os.Exit(Main(os.Args[2:]))
	}
	os.Exit(m.Run())
}

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"0": 0, "12345": 12345, "7B": 7, "2kB": 2000, "2KB": 2000,
		"100MB": 100 * 1000 * 1000, "1GB": 1e9, "3KiB": 3072, "2MiB": 2 << 20, "1GiB": 1 << 30,
	}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1", "1.5MB", "10XB", "1 MB", "99999999999GB", "1mb"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestPattern(t *testing.T) {
	all, err := io.ReadAll(Pattern(250))
	if err != nil || len(all) != 250 {
		t.Fatalf("ReadAll(Pattern(250)) = %d bytes, %v", len(all), err)
	}
	lines := strings.SplitAfter(string(all), "\n")
	if len(lines) != 3 || len(lines[0]) != LineLen || len(lines[1]) != LineLen || len(lines[2]) != 50 {
		t.Fatalf("lines: %q", lines)
	}
	if !strings.HasPrefix(lines[0], "line 0000000001 ") || !strings.HasPrefix(lines[1], "line 0000000002 ") {
		t.Errorf("line prefixes: %q, %q", lines[0][:20], lines[1][:20])
	}
	if lines[0][16:] == lines[1][16:] {
		t.Errorf("consecutive lines share their letters: %q", lines[0])
	}
	if strings.Contains(lines[2], "\n") {
		t.Errorf("truncated last line has a newline: %q", lines[2])
	}
	// The stream does not depend on how it is read.
	for _, chunk := range []int{1, 7, 99, 100, 101, 4096} {
		var got bytes.Buffer
		r, buf := Pattern(250), make([]byte, chunk)
		for {
			n, err := r.Read(buf)
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
		}
		if !bytes.Equal(got.Bytes(), all) {
			t.Errorf("chunk %d: stream differs", chunk)
		}
	}
}

func TestRunInProcess(t *testing.T) {
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"exit", "7"}, 7, "", ""},
		{[]string{"exit", "256"}, 2, "", "testproc: exit: bad exit code \"256\"\n"},
		{[]string{"exit"}, 2, "", "testproc: exit: wrong number of arguments (0)\n"},
		{nil, 2, "", "testproc: missing subcommand\n"},
		{[]string{"frob"}, 2, "", "testproc: unknown subcommand \"frob\"\n"},
		{[]string{"sleep", "1ms"}, 0, "", ""},
		{[]string{"sleep", "soon"}, 2, "", "testproc: sleep: time: invalid duration \"soon\"\n"},
		{[]string{"crash-after", "1ms"}, 3, "", ""},
		{[]string{"write", "3", "stderr"}, 0, "", "lin"},
		{[]string{"write", "5"}, 0, "line ", ""},
		{[]string{"write", "5", "stdin"}, 2, "", "testproc: write: bad stream \"stdin\"\n"},
		{[]string{"echo-env", "TESTPROC_SET", "TESTPROC_UNSET"}, 0, "TESTPROC_SET=a b\nTESTPROC_UNSET unset\n", ""},
	}
	t.Setenv("TESTPROC_SET", "a b")
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || stdout.String() != tt.stdout || stderr.String() != tt.stderr {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}

func TestArgv(t *testing.T) {
	argv := Argv("exit", "3")
	if !filepath.IsAbs(argv[0]) || argv[1] != Marker || argv[2] != "exit" || argv[3] != "3" {
		t.Fatalf("Argv = %q", argv)
	}
}

func helper(args ...string) *exec.Cmd {
	argv := Argv(args...)
	return exec.Command(argv[0], argv[1:]...)
}

func TestHelperExitCodes(t *testing.T) {
	for args, want := range map[string]int{"exit 0": 0, "exit 7": 7, "exit 255": 255, "crash-after 5ms": 3, "sleep 1ms": 0} {
		err := helper(strings.Fields(args)...).Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", args, err)
		}
		if code != want {
			t.Errorf("%s: exit code %d, want %d", args, code, want)
		}
	}
}

func TestHelperWriteLarge(t *testing.T) {
	const n = 10*1000*1000 + 37
	for _, stream := range []string{"stdout", "stderr"} {
		cmd := helper("write", strconv.Itoa(n), stream)
		got := sha256.New()
		var discard bytes.Buffer
		if stream == "stdout" {
			cmd.Stdout, cmd.Stderr = got, &discard
		} else {
			cmd.Stdout, cmd.Stderr = &discard, got
		}
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v", stream, err)
		}
		want := sha256.New()
		if _, err := io.Copy(want, Pattern(n)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Sum(nil), want.Sum(nil)) || discard.Len() != 0 {
			t.Errorf("%s: output differs from Pattern(%d) (other stream %d bytes)", stream, n, discard.Len())
		}
	}
}

func TestHelperPwdAndEnv(t *testing.T) {
	dir := t.TempDir()
	cmd := helper("pwd")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || string(out) != dir+"\n" {
		t.Errorf("pwd = %q, %v; want %q", out, err, dir)
	}
	cmd = helper("echo-env", "A", "PATH")
	cmd.Env = []string{"A=1"}
	out, err = cmd.Output()
	if err != nil || string(out) != "A=1\nPATH unset\n" {
		t.Errorf("echo-env = %q, %v", out, err)
	}
}

func TestHelperPrintFDsAndSigs(t *testing.T) {
	// os/exec passes on whatever this process inherited without
	// close-on-exec (sandboxes and CI runners leak such descriptors); mark
	// them, as runtime/proc's Reaper does, so that the helper must report
	// exactly 0, 1 and 2.
	if err := unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC); err != nil {
		t.Skipf("close_range: %v", err)
	}
	out, err := helper("print-fds").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(InheritedFDs(string(out))); got != "[0 1 2]" {
		t.Errorf("print-fds: inherited %s, want [0 1 2]; output:\n%s", got, out)
	}
	if !strings.HasPrefix(string(out), "fd 0 -> /dev/null\nfd 1 -> pipe:[") {
		t.Errorf("print-fds: output:\n%s", out)
	}
	out, err = helper("print-sigs").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"SigBlk:", "SigIgn:", "SigCgt:"} {
		if !strings.Contains(string(out), "\n"+prefix) && !strings.HasPrefix(string(out), prefix) {
			t.Errorf("print-sigs: no %s line in %q", prefix, out)
		}
	}
}

// startReading starts a helper in its own process group and returns its
// first stdout line.
func startReading(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := helper(args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("%q: reading the first line: %v", args, err)
	}
	return cmd, line
}

func TestHelperIgnoreTerm(t *testing.T) {
	cmd, line := startReading(t, "ignore-term")
	if line != "ready\n" {
		t.Fatalf("first line %q", line)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	ign := sigField(t, string(status), "SigIgn")
	if ign&(1<<(syscall.SIGTERM-1)) == 0 {
		t.Errorf("SIGTERM not ignored: SigIgn %x", ign)
	}
}

func sigField(t *testing.T, status, name string) uint64 {
	t.Helper()
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	t.Fatalf("no %s in status", name)
	return 0
}

func TestHelperGrandchild(t *testing.T) {
	for _, setsid := range []bool{false, true} {
		sub := "grandchild"
		if setsid {
			sub = "setsid-grandchild"
		}
		cmd, line := startReading(t, sub)
		pid, gpid, err := ParseGrandchild(line)
		if err != nil || pid != cmd.Process.Pid {
			t.Fatalf("%s: line %q (pid %d): %v", sub, line, cmd.Process.Pid, err)
		}
		pgid, err := unix.Getpgid(gpid)
		if err != nil {
			t.Fatalf("%s: getpgid(grandchild): %v", sub, err)
		}
		sid, _ := unix.Getsid(gpid)
		if !setsid && pgid != pid {
			t.Errorf("%s: grandchild pgid %d, want the child's group %d", sub, pgid, pid)
		}
		if setsid && (pgid != gpid || sid != gpid) {
			t.Errorf("%s: grandchild pgid %d sid %d, want its own %d", sub, pgid, sid, gpid)
		}
		if setsid {
			syscall.Kill(gpid, syscall.SIGKILL)
		}
	}
}
