package supervisor

import (
	"fmt"
	"os"
	"time"
)

// ProcessInfo is one row of status. Field names extend supervisord's
// getProcessInfo.
type ProcessInfo struct {
	Name        string `json:"name"`
	Group       string `json:"group"`
	Job         string `json:"job"`
	State       int    `json:"state"`
	StateName   string `json:"statename"`
	PID         int    `json:"pid"`
	Start       int64  `json:"start"`
	Stop        int64  `json:"stop"`
	Now         int64  `json:"now"`
	ExitStatus  int    `json:"exitstatus"`
	SpawnErr    string `json:"spawnerr"`
	Description string `json:"description"`
	Restarts    int    `json:"restarts"`
	Ready       bool   `json:"ready"`
	// Wanted: the admin (or autostart) wants this process up.
	Wanted     bool   `json:"wanted"`
	Reason     string `json:"reason"`
	Stdout     string `json:"stdout_logfile"`
	Stderr     string `json:"stderr_logfile"`
	DeclaredAt string `json:"declared_at"`
	// NotReady says why a RUNNING process with a readiness check is not
	// ready yet ("not ready: tcp :8080 refused").
	NotReady string `json:"not_ready,omitempty"`
	// StatusText is the last STATUS= the process sent by sd_notify.
	StatusText string `json:"status_text,omitempty"`
	// NextFire is the next schedule fire of a scheduled job (Unix time).
	NextFire int64 `json:"next_fire,omitempty"`
	// Why explains, for a process that is not running, what it waits for.
	Why []string `json:"why,omitempty"`
	// LogLost counts the output bytes that could not be written to disk
	// (on_full = "drop").
	LogLost int64 `json:"log_lost_bytes,omitempty"`
	// Expected: the last exit was one exit_codes lists (by code, not a
	// signal), so an EXITED process with a non-zero status is fine.
	Expected bool `json:"expected"`
}

// DaemonInfo describes sup itself.
type DaemonInfo struct {
	Name    string `json:"name"`
	PID     int    `json:"pid"`
	Config  string `json:"config"`
	Started int64  `json:"started"`
	Socket  string `json:"socket"`
	// Health is "OK", or "DEGRADED" while Conditions holds sup's own
	// problems.
	Health     string      `json:"health"`
	Conditions []Condition `json:"conditions"`
	// Tracking says how sup finds a job's descendants on stop.
	Tracking string `json:"tracking"`
	// TrackingNote: where the cgroups are, or why there are none.
	TrackingNote string     `json:"tracking_note,omitempty"`
	Events       EventsInfo `json:"events"`
	// LogFaults are log files failing now (disk full, failed rotation or
	// clear): a daemon-level condition until they recover.
	LogFaults []string `json:"log_faults,omitempty"`
}

// EventsInfo describes the event bus.
type EventsInfo struct {
	// Seq is the sequence number of the last event.
	Seq uint64 `json:"seq"`
	// Dropped counts events lost by subscribers too slow to keep up.
	Dropped     uint64 `json:"dropped"`
	Subscribers int    `json:"subscribers"`
}

func (l *loop) daemonInfo() DaemonInfo {
	d := DaemonInfo{PID: os.Getpid(), Started: l.started.Unix(), Health: "OK", Conditions: l.conditionList(),
		Tracking: "process-group", TrackingNote: l.s.opts.TrackingNote}
	if l.s.opts.Tracking != "" {
		d.Tracking = l.s.opts.Tracking
	}
	if len(d.Conditions) > 0 {
		d.Health = "DEGRADED"
	}
	if l.spec != nil {
		d.Name, d.Config, d.Socket = l.spec.Settings.Name, l.spec.Config, l.spec.Settings.Socket
	}
	d.Events = EventsInfo{Seq: l.ev.seq, Dropped: l.s.bus.Dropped(), Subscribers: l.s.bus.Subscribers()}
	d.LogFaults = l.logDegraded()
	return d
}

func (l *loop) infos(insts []*instance) []ProcessInfo {
	out := make([]ProcessInfo, 0, len(insts))
	for _, in := range insts {
		out = append(out, l.info(in))
	}
	return out
}

func (l *loop) info(in *instance) ProcessInfo {
	now := time.Now()
	p := ProcessInfo{
		Name: in.name, Group: in.job.Group, Job: in.job.Name,
		State: int(in.state), StateName: in.state.String(),
		Now: now.Unix(), Restarts: in.restarts, Reason: in.reason,
		DeclaredAt: in.job.Pos.String(),
		Ready:      l.satisfied(in),
		Wanted:     in.want,
	}
	if in.proc != nil {
		p.PID = in.pid
	}
	if !in.start.IsZero() {
		p.Start = in.start.Unix()
	}
	if !in.stop.IsZero() {
		p.Stop = in.stop.Unix()
	}
	if in.exit != nil {
		p.ExitStatus = in.exit.Code
		p.Expected = in.exit.Signal == 0 && in.job.Expected(in.exit.Code)
	}
	p.SpawnErr = in.spawnErr
	if in.stdout != nil {
		p.LogLost += in.stdout.Lost()
	}
	if in.stderr != nil && in.stderr != in.stdout {
		p.LogLost += in.stderr.Lost()
	}
	if in.stdout != nil {
		p.Stdout = in.stdout.Path()
	}
	if in.stderr != nil {
		p.Stderr = in.stderr.Path()
	}
	if in.state == Running && !p.Ready {
		p.NotReady = in.rd.note
	}
	p.StatusText = in.rd.status
	p.Description = describe(in, now)
	l.explain(in, &p)
	return p
}

// describe is supervisorctl's description column.
func describe(in *instance, now time.Time) string {
	switch in.state {
	case Starting:
		if in.proc == nil && in.reason != "" {
			return in.reason // pre_start running
		}
		return fmt.Sprintf("pid %d, uptime %s", in.pid, Uptime(now.Sub(in.start)))
	case Running:
		s := fmt.Sprintf("pid %d, uptime %s", in.pid, Uptime(now.Sub(in.start)))
		if in.job.Ready != nil {
			if in.rd.ready {
				s += ", ready"
			} else {
				s += ", " + in.rd.note
			}
		}
		if in.rd.status != "" {
			s += fmt.Sprintf(" (%s)", in.rd.status)
		}
		return s
	case Waiting:
		return in.reason
	case Stopping:
		if in.reason != "" {
			return fmt.Sprintf("pid %d, %s", in.pid, in.reason)
		}
		return fmt.Sprintf("pid %d", in.pid)
	case Backoff, Fatal:
		return in.reason
	case Exited:
		if in.exit != nil {
			return fmt.Sprintf("%s, %s", in.exit, in.stop.Local().Format("Jan 02 15:04:05"))
		}
	case Stopped:
		if in.start.IsZero() {
			if in.reason != "" {
				return in.reason
			}
			return "Not started"
		}
		s := in.stop.Local().Format("Jan 02 15:04:05")
		if in.reason != "" {
			s += ", " + in.reason
		}
		return s
	}
	return in.reason
}

// Uptime renders a duration as supervisorctl does: H:MM:SS, with days.
func Uptime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	days := s / 86400
	s %= 86400
	out := fmt.Sprintf("%d:%02d:%02d", s/3600, (s%3600)/60, s%60)
	if days > 0 {
		out = fmt.Sprintf("%d days, %s", days, out)
	}
	return out
}
