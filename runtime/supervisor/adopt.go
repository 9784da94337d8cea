package supervisor

import "time"

// adopt puts in in RUNNING on a process a previous sup left running
// (settings(on_survivors = "adopt")), instead of starting a new one. It
// reports false when there is none for in. Each adopted process is used
// once, at the first apply.
func (l *loop) adopt(in *instance) bool {
	p := l.s.opts.Adopted[in.name]
	if p == nil || l.adopted[in.name] {
		return false
	}
	if l.adopted == nil {
		l.adopted = map[string]bool{}
	}
	l.adopted[in.name] = true
	in.cancelTimer()
	in.stopping = false
	in.gen++
	gen := in.gen
	in.spawnErr = ""
	in.proc, in.pid, in.start, in.exit = p, p.Pid(), time.Now(), nil
	l.reportPids()
	go func() {
		select {
		case st := <-p.Done():
			l.s.post(func(l *loop) { l.onExit(in, gen, st) })
		case <-l.s.done:
		}
	}()
	l.s.log.Info("adopted a process left by a previous sup", "process", in.name, "pid", in.pid)
	l.setState(in, Starting, "")
	l.setState(in, Running, "adopted from a previous sup (output not captured)")
	return true
}
