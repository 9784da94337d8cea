package supervisor

// PidChanger is implemented by a Proc whose supervised pid changes after
// the start: a daemon that forks, whose pid is read from its pid file
// (job(pidfile = ...)). The channel delivers each new pid and is closed
// when the process is done.
type PidChanger interface {
	PidChanged() <-chan int
}

// watchPid follows the pid changes of generation gen of in, so that status,
// the pid record and signals name the process really supervised.
func (l *loop) watchPid(in *instance, gen uint64, p Proc) {
	pc, ok := p.(PidChanger)
	if !ok {
		return
	}
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
					}
				})
			case <-l.s.done:
				return
			}
		}
	}()
}
