package supervisor

// PidChanger is implemented by a Proc whose supervised pid changes after
// the start: a daemon that forks, whose pid is read from its pid file
// (job(pidfile = ...)). The channel delivers each new pid and is closed
// when the process is done.
type PidChanger interface {
	PidChanged() <-chan int
}

// awaitPid follows the pid changes of generation gen of in, so that status,
// the pid record and signals name the process really supervised. For such
// a process it reports true: in is STARTING until the first pid arrives,
// and start_secs count from then (as systemd's Type=forking is activating
// until the pid file is read).
func (l *loop) awaitPid(in *instance, gen uint64, p Proc) bool {
	pc, ok := p.(PidChanger)
	if !ok {
		return false
	}
	l.setState(in, Starting, "")
	ch := pc.PidChanged()
	go func() {
		for {
			select {
			case pid, ok := <-ch:
				if !ok {
					return
				}
				l.s.post(func(l *loop) {
					if in.gen == gen && in.proc == p && in.pid != pid {
						l.s.log.Info("supervising the pid from the pid file", "process", in.name, "pid", pid, "launcher", in.pid)
						in.pid = pid
						l.reportPids()
						l.pidKnown(in, gen)
					}
				})
			case <-l.s.done:
				return
			}
		}
	}()
	return true
}

// pidKnown starts the start_secs count once the daemon's pid is known.
func (l *loop) pidKnown(in *instance, gen uint64) {
	if in.state != Starting || in.timer != nil {
		return
	}
	if in.job.StartSecs <= 0 {
		l.setState(in, Running, "")
		return
	}
	in.timer = l.s.after(in.job.StartSecs, func(l *loop) {
		if in.gen == gen && in.state == Starting {
			in.timer = nil
			l.setState(in, Running, "")
		}
	})
}
