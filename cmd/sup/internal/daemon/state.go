package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sup-run/sup/runtime/cgroup"
	"github.com/sup-run/sup/runtime/statedir"
	"github.com/sup-run/sup/runtime/supervisor"
)

// intentFile holds the admin-stopped instances (R15).
const intentFile = "intent.json"

// survivorGrace is how long survivors of a killed sup get between SIGTERM
// and SIGKILL.
const survivorGrace = 5 * time.Second

// persister writes the state the loop reports, off the loop: the loop
// drops the latest snapshot in a one-slot mailbox and never waits on disk.
type persister struct {
	dir    string
	log    *slog.Logger
	sup    *supervisor.Supervisor
	intent chan []string
	pids   chan map[string]int
	quit   chan struct{}
	done   chan struct{}
	// starts caches the start time of each pid written, so a new record
	// reads /proc only for the processes that are new since the last one.
	// Owned by the run goroutine.
	starts map[int]uint64
}

func newPersister(dir string, log *slog.Logger) *persister {
	return &persister{dir: dir, log: log, intent: make(chan []string, 1), pids: make(chan map[string]int, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
}

// latest replaces whatever is pending in a one-slot mailbox with v. Only
// the loop sends, so the slot is free after the drain.
func latest[T any](ch chan T, v T) {
	select {
	case <-ch:
	default:
	}
	ch <- v
}

func (p *persister) onIntent(names []string)    { latest(p.intent, names) }
func (p *persister) onPids(pids map[string]int) { latest(p.pids, pids) }

func (p *persister) run() {
	defer close(p.done)
	for {
		select {
		case names := <-p.intent:
			p.report("intent", p.writeIntent(names))
		case pids := <-p.pids:
			p.report("pids", p.writePids(pids))
		case <-p.quit:
			select {
			case names := <-p.intent:
				p.report("intent", p.writeIntent(names))
			default:
			}
			return
		}
	}
}

// stop flushes pending intent and ends the writer; the pid record is
// emptied, since every child is down.
func (p *persister) stop() {
	close(p.quit)
	<-p.done
	p.report("pids", p.writePids(nil))
}

// report turns a write failure into a daemon condition, and clears it on
// the next success.
func (p *persister) report(what string, err error) {
	msg := ""
	if err != nil {
		msg = fmt.Sprintf("cannot write the state dir (%s): %v", what, err)
	}
	if p.sup != nil {
		p.sup.SetCondition("state-dir:"+what, msg)
	}
}

func (p *persister) writeIntent(names []string) error {
	if names == nil {
		names = []string{}
	}
	b, _ := json.MarshalIndent(map[string]any{"schema": "sup.intent/v1", "stopped": names}, "", "  ")
	return statedir.WriteFile(filepath.Join(p.dir, intentFile), append(b, '\n'))
}

func (p *persister) writePids(pids map[string]int) error {
	children := make([]statedir.Child, 0, len(pids))
	starts := make(map[int]uint64, len(pids))
	for name, pid := range pids {
		st, ok := p.starts[pid]
		if !ok {
			var err error
			if st, err = statedir.StartTime(pid); err != nil {
				continue // already gone
			}
		}
		starts[pid] = st
		children = append(children, statedir.Child{Name: name, PID: pid, Start: st})
	}
	p.starts = starts
	return statedir.WriteFile(filepath.Join(p.dir, statedir.PidsFile), statedir.EncodePids(children))
}

// readIntent returns the admin-stopped instances persisted in dir.
func readIntent(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, intentFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec struct {
		Stopped []string `json:"stopped"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%s: %w", intentFile, err)
	}
	return rec.Stopped, nil
}

// killSurvivors ends the children of a previous sup on this state dir that
// is gone (SIGKILLed, crashed): they would otherwise run twice (R1).
func killSurvivors(dir string, log *slog.Logger) error {
	survivors, err := statedir.Survivors(dir)
	if err != nil {
		return err
	}
	if len(survivors) == 0 {
		return nil
	}
	var pids []int
	for _, c := range survivors {
		pids = append(pids, c.PID)
	}
	log.Warn("killing processes left by a previous sup on this state dir", "pids", fmt.Sprint(pids))
	if hard := statedir.Kill(survivors, survivorGrace); len(hard) > 0 {
		log.Warn("survivors needed SIGKILL", "pids", fmt.Sprint(hard))
	}
	return nil
}

// cgroupFile records, in the state dir, the cgroup subtree of the sup that
// runs on it, so that the next sup can find what a killed one left there.
const cgroupFile = "cgroup"

// killStaleCgroup kills whatever is left in the cgroups of a previous,
// killed sup on this state dir: with cgroup tracking this reaches the
// escapees (setsid, double fork) that the recorded pids miss (R1). It then
// records own (sup's subtree, "" without cgroups) for the next sup.
func killStaleCgroup(dir, own string, log *slog.Logger) {
	path := filepath.Join(dir, cgroupFile)
	if b, err := os.ReadFile(path); err == nil {
		if old := strings.TrimSpace(string(b)); old != "" && old != own {
			if r := cgroup.Stale(old); r != nil {
				log.Warn("killing what a previous sup left in its cgroups", "cgroup", old)
				if err := r.Remove(survivorGrace); err != nil {
					log.Error("cannot remove the cgroups of a previous sup", "err", err)
				}
			}
		}
	}
	if err := statedir.WriteFile(path, []byte(own+"\n")); err != nil {
		log.Error("cannot record sup's cgroup in the state dir", "err", err)
	}
}
