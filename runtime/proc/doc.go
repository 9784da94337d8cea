// Package proc starts, signals and reaps OS processes: one child at a time,
// with no policy (restart, backoff and stop deadlines live elsewhere).
//
// # One reaper
//
// A Reaper is the only code in the sup process that waits for children. It
// runs one wait4(-1, WNOHANG) loop, woken by SIGCHLD, and hands each exit to
// the Process started with that pid; exits of pids it never started
// (descendants reparented to sup as subreaper, or anything when sup is PID
// 1) are reaped and counted as orphans. Because it reaps every child of the
// process, nothing else may wait for children while a Reaper runs: no
// os/exec Cmd.Wait/Run/Output, no os.Process.Wait. Two reapers lose exit
// statuses. Create one Reaper per process.
//
// Children are started with syscall.ForkExec (os/exec and os.StartProcess
// would wait for them on their own) and each leads its own process group.
//
// # Child hygiene (R12)
//
// A child gets exactly fds 0-2: Go opens every descriptor close-on-exec, and
// NewReaper marks close-on-exec any descriptor sup itself inherited without
// it. Signals that the Go runtime handles (all of them, once os/signal or
// the runtime installed a handler) are reset to the default disposition in
// the child, and the child starts with an empty signal mask. Two gaps
// remain, both outside this package: a signal sup ignores with
// signal.Ignore stays ignored in children, and so do SIGHUP and SIGINT if
// sup itself was started with them ignored and never calls signal.Notify
// for them. The daemon must do neither.
package proc
