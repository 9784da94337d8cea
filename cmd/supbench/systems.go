package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// system is a supervisor under test.
type system interface {
	name() string
	// start runs a daemon with n sleep children and returns once all run.
	start(dir string, n int, ignoreTerm bool) (*daemon, error)
	logRun(dir string, total int64) (logResult, error)
}

type daemon struct {
	pid            int
	coldStart      time.Duration
	status         func() (time.Duration, error)
	restartLatency func(i int) (time.Duration, error)
	stopAll        func() (time.Duration, error)
	kill           func()
}

type logResult struct {
	elapsed time.Duration
	lost    int64
	cpu     time.Duration
	peakRSS float64
}

// unixClient speaks HTTP over a unix socket.
func unixClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
}

func killAndWait(cmd *exec.Cmd) {
	if cmd.Process != nil {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
}

// ---- sup ----

type supSystem struct{ bin string }

func (s *supSystem) name() string { return "sup" }

func (s *supSystem) launch(dir, config string) (*exec.Cmd, *http.Client, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.star"), []byte(config), 0o644); err != nil {
		return nil, nil, err
	}
	out, _ := os.Create(filepath.Join(dir, "sup.log"))
	cmd := exec.Command(s.bin, "run", "bench.star")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	return cmd, unixClient(filepath.Join(dir, ".sup", "sup.sock")), nil
}

func (s *supSystem) cli(dir string, args ...string) error {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = dir
	return cmd.Run()
}

func (s *supSystem) start(dir string, n int, ignoreTerm bool) (*daemon, error) {
	cmd := `"sleep 100000"`
	stop := `"10s"`
	if ignoreTerm {
		cmd = `["sh", "-c", "trap '' TERM; exec sleep 100000"]`
		stop = `"1s"`
	}
	config := fmt.Sprintf(`job("s", cmd = %s, numprocs = %d, start_secs = "0s", restart = "always",
    backoff = backoff(initial = "1ms", factor = 1, max = "1ms"), stop_timeout = %s)
`, cmd, n, stop)
	t0 := time.Now()
	c, hc, err := s.launch(dir, config)
	if err != nil {
		return nil, err
	}
	for {
		if err := s.cli(dir, "wait", "all", "--for", "running", "--timeout", "60s"); err == nil {
			break
		}
		if time.Since(t0) > 60*time.Second {
			killAndWait(c)
			return nil, fmt.Errorf("sup did not start %d children in 60s", n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	d := &daemon{pid: c.Process.Pid, coldStart: time.Since(t0)}
	pidOf := func(name string) (int, string, error) {
		resp, err := hc.Get("http://sup/v1/status?name=" + name)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		var st struct {
			Processes []struct {
				PID       int    `json:"pid"`
				StateName string `json:"statename"`
			} `json:"processes"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || len(st.Processes) != 1 {
			return 0, "", fmt.Errorf("status %s: %v", name, err)
		}
		return st.Processes[0].PID, st.Processes[0].StateName, nil
	}
	d.status = func() (time.Duration, error) {
		t := time.Now()
		cmd := exec.Command(s.bin, "status", "-o", "json")
		cmd.Dir = dir
		cmd.Stdout = io.Discard
		cmd.Run() // exit 3 is fine
		return time.Since(t), nil
	}
	d.restartLatency = func(i int) (time.Duration, error) {
		name := fmt.Sprintf("s:%d", i)
		if n == 1 {
			name = "s"
		}
		old, _, err := pidOf(name)
		if err != nil || old == 0 {
			return 0, fmt.Errorf("no pid for %s: %v", name, err)
		}
		t := time.Now()
		syscall.Kill(old, syscall.SIGKILL)
		for {
			pid, state, err := pidOf(name)
			if err != nil {
				return 0, err
			}
			if pid != 0 && pid != old && state == "RUNNING" {
				return time.Since(t), nil
			}
			if time.Since(t) > 10*time.Second {
				return 0, fmt.Errorf("%s not restarted in 10s", name)
			}
		}
	}
	d.stopAll = func() (time.Duration, error) {
		t := time.Now()
		err := s.cli(dir, "stop", "all")
		return time.Since(t), err
	}
	d.kill = func() {
		s.cli(dir, "shutdown")
		c.Wait()
	}
	return d, nil
}

func (s *supSystem) logRun(dir string, total int64) (logResult, error) {
	config := fmt.Sprintf("job(%q, kind = \"task\", autostart = False, cmd = [\"sh\", \"-c\", %q])\n", "gen", generator(total))
	c, _, err := s.launch(dir, config)
	if err != nil {
		return logResult{}, err
	}
	defer func() { s.cli(dir, "shutdown"); c.Wait() }()
	for i := 0; s.cli(dir, "status") != nil && s.cli(dir, "pid") != nil; i++ {
		if i > 5000 {
			return logResult{}, fmt.Errorf("sup did not come up")
		}
		time.Sleep(2 * time.Millisecond)
	}
	c0, _ := cpuTime(c.Process.Pid)
	t := time.Now()
	if err := s.cli(dir, "start", "gen"); err != nil {
		return logResult{}, fmt.Errorf("start gen: %w", err)
	}
	if err := s.cli(dir, "wait", "gen", "--for", "exited", "--timeout", "600s"); err != nil {
		return logResult{}, fmt.Errorf("wait gen: %w", err)
	}
	res := logResult{elapsed: time.Since(t)}
	c1, _ := cpuTime(c.Process.Pid)
	res.cpu = c1 - c0
	m, _ := memory(c.Process.Pid)
	res.peakRSS = m.hwm
	res.lost = total - logBytes(filepath.Join(dir, ".sup", "logs"), "gen.out")
	return res, nil
}

// logBytes sums a log and its rotated backups.
func logBytes(dir, base string) int64 {
	var sum int64
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() == base || strings.HasPrefix(e.Name(), base+".") && !strings.HasSuffix(e.Name(), ".ts") {
			if fi, err := e.Info(); err == nil {
				sum += fi.Size()
			}
		}
	}
	return sum
}

// ---- supervisord ----

type supervisordSystem struct{ bin string }

func (s *supervisordSystem) name() string { return "supervisord" }

const supervisordHead = `[unix_http_server]
file=%[1]s/supervisor.sock
[supervisord]
logfile=%[1]s/supervisord.log
pidfile=%[1]s/supervisord.pid
childlogdir=%[1]s/logs
nodaemon=true
minfds=20000
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://%[1]s/supervisor.sock
`

func (s *supervisordSystem) launch(dir, programs string) (*exec.Cmd, string, error) {
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	conf := filepath.Join(dir, "supervisord.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(supervisordHead, dir)+programs), 0o644); err != nil {
		return nil, "", err
	}
	cmd := exec.Command(s.bin, "-c", conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	return cmd, conf, nil
}

var (
	rpcPid   = regexp.MustCompile(`<name>pid</name><value><int>(\d+)</int>`)
	rpcState = regexp.MustCompile(`<name>statename</name><value><string>(\w+)</string>`)
)

// rpc calls a supervisord XML-RPC method with string params.
func rpc(hc *http.Client, method string, params ...string) (string, error) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>` + method + `</methodName><params>`)
	for _, p := range params {
		b.WriteString(`<param><value><string>` + p + `</string></value></param>`)
	}
	b.WriteString(`</params></methodCall>`)
	resp, err := hc.Post("http://localhost/RPC2", "text/xml", strings.NewReader(b.String()))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return strings.Join(strings.Fields(string(body)), ""), err
}

func (s *supervisordSystem) start(dir string, n int, ignoreTerm bool) (*daemon, error) {
	cmd, wait := "sleep 100000", 10
	if ignoreTerm {
		cmd, wait = `sh -c "trap '' TERM; exec sleep 100000"`, 1
	}
	prog := fmt.Sprintf(`[program:s]
command=%s
numprocs=%d
process_name=%%(program_name)s_%%(process_num)d
startsecs=0
autorestart=true
stopwaitsecs=%d
stopasgroup=true
killasgroup=true
stdout_logfile=%s/logs/s_%%(process_num)d.out
stderr_logfile=%s/logs/s_%%(process_num)d.err
`, cmd, n, wait, dir, dir)
	t0 := time.Now()
	c, conf, err := s.launch(dir, prog)
	if err != nil {
		return nil, err
	}
	hc := unixClient(filepath.Join(dir, "supervisor.sock"))
	ctl := func(args ...string) (string, error) {
		out, err := exec.Command("supervisorctl", append([]string{"-c", conf}, args...)...).Output()
		return string(out), err
	}
	for {
		out, _ := rpc(hc, "supervisor.getAllProcessInfo")
		if strings.Count(out, "<string>RUNNING</string>") == n {
			break
		}
		if time.Since(t0) > 120*time.Second {
			killAndWait(c)
			return nil, fmt.Errorf("supervisord did not start %d children in 120s", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := &daemon{pid: c.Process.Pid, coldStart: time.Since(t0)}
	d.status = func() (time.Duration, error) {
		t := time.Now()
		ctl("status")
		return time.Since(t), nil
	}
	info := func(name string) (int, string) {
		out, _ := rpc(hc, "supervisor.getProcessInfo", name)
		pid, st := 0, ""
		if m := rpcPid.FindStringSubmatch(out); m != nil {
			pid, _ = strconv.Atoi(m[1])
		}
		if m := rpcState.FindStringSubmatch(out); m != nil {
			st = m[1]
		}
		return pid, st
	}
	d.restartLatency = func(i int) (time.Duration, error) {
		name := fmt.Sprintf("s:s_%d", i)
		old, _ := info(name)
		if old == 0 {
			return 0, fmt.Errorf("no pid for %s", name)
		}
		t := time.Now()
		syscall.Kill(old, syscall.SIGKILL)
		for {
			pid, st := info(name)
			if pid != 0 && pid != old && st == "RUNNING" {
				return time.Since(t), nil
			}
			if time.Since(t) > 20*time.Second {
				return 0, fmt.Errorf("%s not restarted", name)
			}
			time.Sleep(time.Millisecond)
		}
	}
	d.stopAll = func() (time.Duration, error) {
		t := time.Now()
		_, err := ctl("stop", "all")
		return time.Since(t), err
	}
	d.kill = func() {
		c.Process.Signal(syscall.SIGTERM)
		c.Wait()
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
	return d, nil
}

func (s *supervisordSystem) logRun(dir string, total int64) (logResult, error) {
	prog := fmt.Sprintf(`[program:gen]
command=sh -c '%s'
autostart=false
autorestart=false
startsecs=0
stdout_logfile=%s/logs/gen.out
`, strings.ReplaceAll(strings.ReplaceAll(generator(total), "%", "%%"), "'", `'"'"'`), dir)
	c, _, err := s.launch(dir, prog)
	if err != nil {
		return logResult{}, err
	}
	defer func() { c.Process.Signal(syscall.SIGTERM); c.Wait() }()
	hc := unixClient(filepath.Join(dir, "supervisor.sock"))
	for i := 0; ; i++ {
		if out, _ := rpc(hc, "supervisor.getState"); strings.Contains(out, "RUNNING") {
			break
		}
		if i > 3000 {
			return logResult{}, fmt.Errorf("supervisord did not come up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c0, _ := cpuTime(c.Process.Pid)
	t := time.Now()
	rpc(hc, "supervisor.startProcess", "gen")
	for {
		out, _ := rpc(hc, "supervisor.getProcessInfo", "gen")
		if m := rpcState.FindStringSubmatch(out); m != nil && m[1] == "EXITED" {
			break
		}
		if time.Since(t) > 10*time.Minute {
			return logResult{}, fmt.Errorf("gen did not finish")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res := logResult{elapsed: time.Since(t)}
	c1, _ := cpuTime(c.Process.Pid)
	res.cpu = c1 - c0
	m, _ := memory(c.Process.Pid)
	res.peakRSS = m.hwm
	res.lost = total - logBytes(filepath.Join(dir, "logs"), "gen.out")
	return res, nil
}

// ---- /proc ----

type mem struct{ rss, pss, hwm float64 } // MiB

func memory(pid int) (mem, error) {
	var m mem
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) >= 2 {
				kb, _ := strconv.ParseFloat(fs[1], 64)
				switch fs[0] {
				case "Rss:":
					m.rss = kb / 1024
				case "Pss:":
					m.pss = kb / 1024
				}
			}
		}
		f.Close()
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		fs := strings.Fields(line)
		if len(fs) >= 2 && fs[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(fs[1], 64)
			m.hwm = kb / 1024
		}
		if len(fs) >= 2 && fs[0] == "VmRSS:" && m.rss == 0 {
			kb, _ := strconv.ParseFloat(fs[1], 64)
			m.rss = kb / 1024
		}
	}
	return m, nil
}

// cpuTime is the process's user+system CPU time.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(fs[11], 10, 64)
	st, _ := strconv.ParseInt(fs[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100, nil // USER_HZ = 100
}
