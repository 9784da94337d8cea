// Command supbench is sup's end-to-end benchmark (make bench). It builds
// sup, runs each workload BENCH_RUNS times at each N of BENCH_N with
// `sleep` children, and prints a table of medians and ranges. When
// supervisord is on PATH (make bench-peers installs it) the same workloads
// run against it and the table shows the ratio sup/supervisord.
//
// Environment: BENCH_N (default "100,1000"), BENCH_RUNS (default 3),
// BENCH_IDLE (idle CPU window, default 30s), BENCH_LOG_MB (default 200),
// BENCH_PEERS=0 to skip supervisord.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "supbench:", err)
		os.Exit(1)
	}
}

// result is one workload's samples for one system.
type result struct {
	workload string
	n        int
	system   string
	unit     string
	samples  []float64
	note     string
}

func run() error {
	ns := intsEnv("BENCH_N", []int{100, 1000})
	runs := intEnv("BENCH_RUNS", 3)
	idle := durEnv("BENCH_IDLE", 30*time.Second)
	logMB := intEnv("BENCH_LOG_MB", 200)
	work, err := os.MkdirTemp("", "supbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "sup")
	build := exec.Command("go", "build", "-o", bin, "./cmd/sup")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build sup: %w", err)
	}
	systems := []system{&supSystem{bin: bin}}
	if os.Getenv("BENCH_PEERS") != "0" {
		if p, err := exec.LookPath("supervisord"); err == nil {
			systems = append(systems, &supervisordSystem{bin: p})
		}
	}
	fmt.Fprintf(os.Stderr, "supbench: N=%v runs=%d idle=%s log=%dMB systems=%v\n", ns, runs, idle, logMB, names(systems))
	var all []*result
	for _, sys := range systems {
		for _, n := range ns {
			rs, err := fleet(sys, work, n, runs, idle)
			if err != nil {
				return fmt.Errorf("%s N=%d: %w", sys.name(), n, err)
			}
			all = append(all, rs...)
		}
		rs, err := logThroughput(sys, work, logMB, runs)
		if err != nil {
			return fmt.Errorf("%s log throughput: %w", sys.name(), err)
		}
		all = append(all, rs...)
	}
	direct, err := directWrite(work, logMB, runs)
	if err != nil {
		return err
	}
	all = append(all, direct)
	printTable(os.Stdout, all, systems)
	return nil
}

func names(ss []system) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.name())
	}
	return out
}

// fleet runs the N-children workloads on a fresh daemon per run.
func fleet(sys system, work string, n, runs int, idle time.Duration) ([]*result, error) {
	mk := func(w, unit string) *result { return &result{workload: w, n: n, system: sys.name(), unit: unit} }
	cold, rss, pss, cpu := mk("cold start", "s"), mk("RSS", "MiB"), mk("PSS", "MiB"), mk("idle CPU / 30s", "ms")
	rl, st, stop, stopKill := mk("restart latency", "ms"), mk("status -o json", "ms"), mk("stop-all (TERM)", "s"), mk("stop-all (ignore TERM, 1s)", "s")
	for r := 0; r < runs; r++ {
		fmt.Fprintf(os.Stderr, "supbench: %s N=%d run %d/%d\n", sys.name(), n, r+1, runs)
		dir := filepath.Join(work, fmt.Sprintf("%s-%d-%d", sys.name(), n, r))
		d, err := sys.start(dir, n, false)
		if err != nil {
			return nil, err
		}
		cold.samples = append(cold.samples, d.coldStart.Seconds())
		time.Sleep(500 * time.Millisecond) // let start-up garbage settle
		m, err := memory(d.pid)
		if err != nil {
			d.kill()
			return nil, err
		}
		rss.samples = append(rss.samples, m.rss)
		pss.samples = append(pss.samples, m.pss)
		if r == 0 {
			c0, _ := cpuTime(d.pid)
			time.Sleep(idle)
			c1, _ := cpuTime(d.pid)
			cpu.samples = append(cpu.samples, float64((c1-c0).Milliseconds())*float64(30*time.Second)/float64(idle))
		}
		for i := 0; i < 5; i++ {
			t, err := d.status()
			if err != nil {
				d.kill()
				return nil, err
			}
			st.samples = append(st.samples, ms(t))
		}
		k := 20
		if sys.name() != "sup" {
			k = 5 // supervisord restarts on its 1 s tick
		}
		for i := 0; i < k; i++ {
			t, err := d.restartLatency(i % n)
			if err != nil {
				d.kill()
				return nil, err
			}
			rl.samples = append(rl.samples, ms(t))
		}
		t, err := d.stopAll()
		if err != nil {
			d.kill()
			return nil, err
		}
		stop.samples = append(stop.samples, t.Seconds())
		d.kill()

		d, err = sys.start(dir+"-term", n, true)
		if err != nil {
			return nil, err
		}
		t, err = d.stopAll()
		d.kill()
		if err != nil {
			return nil, err
		}
		stopKill.samples = append(stopKill.samples, t.Seconds())
	}
	rl.note = "median of all kills"
	return []*result{cold, rss, pss, cpu, rl, st, stop, stopKill}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// logThroughput: one child writes logMB of 100-byte lines.
func logThroughput(sys system, work string, logMB, runs int) ([]*result, error) {
	mk := func(w, unit string) *result { return &result{workload: w, system: sys.name(), unit: unit} }
	tp, lost, cpu, peak := mk("log throughput", "MB/s"), mk("log bytes lost", "B"), mk("log CPU", "s"), mk("log peak RSS", "MiB")
	for r := 0; r < runs; r++ {
		dir := filepath.Join(work, fmt.Sprintf("%s-log-%d", sys.name(), r))
		res, err := sys.logRun(dir, int64(logMB)*1e6)
		if err != nil {
			return nil, err
		}
		tp.samples = append(tp.samples, float64(logMB)*1e6/1e6/res.elapsed.Seconds())
		lost.samples = append(lost.samples, float64(res.lost))
		cpu.samples = append(cpu.samples, res.cpu.Seconds())
		peak.samples = append(peak.samples, res.peakRSS)
	}
	return []*result{tp, lost, cpu, peak}, nil
}

// generator is the shell pipeline writing total bytes of 100-byte lines.
func generator(total int64) string {
	return fmt.Sprintf(`yes "$(printf '%%099d' 0)" | head -c %d`, total)
}

// directWrite is the physical limit: the generator redirected to a file.
func directWrite(work string, logMB, runs int) (*result, error) {
	r := &result{workload: "log throughput, direct to file", system: "sup", unit: "MB/s"}
	for i := 0; i < runs; i++ {
		path := filepath.Join(work, "direct.log")
		start := time.Now()
		cmd := exec.Command("sh", "-c", generator(int64(logMB)*1e6)+" > "+path)
		if err := cmd.Run(); err != nil {
			return nil, err
		}
		st, err := os.Stat(path)
		if err != nil || st.Size() != int64(logMB)*1e6 {
			return nil, fmt.Errorf("direct write: %v size %d", err, st.Size())
		}
		r.samples = append(r.samples, float64(logMB)/time.Since(start).Seconds())
		os.Remove(path)
	}
	return r, nil
}

func median(xs []float64) (med, lo, hi float64) {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0, 0, 0
	}
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return m, s[0], s[len(s)-1]
}

func intEnv(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

func intsEnv(k string, def []int) []int {
	v := os.Getenv(k)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return def
	}
	return out
}

func durEnv(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil && d > 0 {
		return d
	}
	return def
}
