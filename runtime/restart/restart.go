// Package restart holds the pure decisions of the lifecycle: after a process
// exits, what state comes next, and how long to wait before starting again.
// Nothing here has effects; the supervisor loop applies the decisions.
package restart

import (
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// Next is what the supervisor does after an exit.
type Next int

// The possible outcomes of an exit.
const (
	// Stopped: the exit was asked for (stop, shutdown); stay down.
	Stopped Next = iota
	// Exited: a run ended and is not restarted (policy, or a task done).
	Exited
	// Backoff: start again after Delay.
	Backoff
	// Fatal: gave up; start_retries exhausted.
	Fatal
)

func (n Next) String() string {
	switch n {
	case Stopped:
		return "stopped"
	case Exited:
		return "exited"
	case Backoff:
		return "backoff"
	case Fatal:
		return "fatal"
	}
	return "unknown"
}

// Input is what the decision depends on.
type Input struct {
	Kind         spec.Kind
	Policy       spec.RestartPolicy
	StartRetries int
	Backoff      spec.Backoff
	// Stopping: the exit follows a stop request.
	Stopping bool
	// SpawnFailed: the process never ran (exec failure).
	SpawnFailed bool
	// Started: the process had reached RUNNING (stayed up start_secs).
	Started bool
	// Expected: the exit code is listed in exit_codes.
	Expected bool
	// Uptime: how long the process ran.
	Uptime time.Duration
	// Retries: consecutive failed starts so far (before this exit).
	Retries int
	// Crashes: consecutive unexpected exits of a started process so far.
	Crashes int
	// Final: the exit code is listed in final_codes.
	Final bool
	// Limit is the start budget; Starts is how many starts happened within
	// Limit.Interval, the one that just ended included (see Recent).
	Limit  spec.StartLimit
	Starts int
}

// Why says what made a decision Fatal.
type Why int

// The reasons for Fatal.
const (
	// NoReason: the decision is not Fatal.
	NoReason Why = iota
	// RetriesExhausted: more failed starts than start_retries.
	RetriesExhausted
	// BudgetSpent: more starts than the start budget allows in its window.
	BudgetSpent
	// FinalCode: the exit status is in final_codes and not in exit_codes.
	FinalCode
)

// Decision is the outcome, with the counters to keep.
type Decision struct {
	Next    Next
	Delay   time.Duration
	Retries int
	Crashes int
	// Why is set when Next is Fatal.
	Why Why
	// RetryAfter (Fatal only, > 0): start again by itself after this
	// cool-down (start_limit's retry_after).
	RetryAfter time.Duration
}

// Decide applies supervisord's semantics, with paced restarts:
//   - an exit during a stop is Stopped;
//   - a process that exits (or fails to spawn) before reaching RUNNING is a
//     failed start: Backoff with the backoff delay, or Fatal once Retries
//     exceeds start_retries (start_retries < 0 means unlimited);
//   - a task whose exit is expected is done (Exited);
//   - a started process is restarted per its policy: "always" restarts,
//     "on-failure" restarts unexpected exits, "never" does not. The first
//     restart is immediate; repeated crashes back off, and a run longer
//     than reset_after clears the crash count.
//
// Two rules come first and last: an exit status in final_codes is never
// restarted (EXITED when it is also expected, else FATAL); and a restart
// that would exceed the start budget is FATAL instead, with the budget's
// cool-down as RetryAfter.
func Decide(in Input) Decision {
	d := decide(in)
	if d.Next == Backoff && in.Limit.Burst > 0 && in.Starts >= in.Limit.Burst {
		d.Next, d.Delay, d.Why = Fatal, 0, BudgetSpent
	}
	if d.Next == Fatal && d.Why != FinalCode {
		d.RetryAfter = in.Limit.RetryAfter
	}
	return d
}

func decide(in Input) Decision {
	d := Decision{Retries: in.Retries, Crashes: in.Crashes}
	if in.Stopping {
		d.Next = Stopped
		return d
	}
	if in.Final && !in.SpawnFailed {
		d.Retries, d.Crashes = 0, 0
		if in.Expected {
			d.Next = Exited
		} else {
			d.Next, d.Why = Fatal, FinalCode
		}
		return d
	}
	if in.Kind == spec.KindTask && in.Expected && !in.SpawnFailed {
		d.Next, d.Retries, d.Crashes = Exited, 0, 0
		return d
	}
	if in.SpawnFailed || !in.Started {
		if in.Policy == spec.RestartNever && in.Kind == spec.KindTask && !in.SpawnFailed {
			d.Next = Exited
			return d
		}
		d.Retries = in.Retries + 1
		if in.StartRetries >= 0 && d.Retries > in.StartRetries {
			d.Next, d.Why = Fatal, RetriesExhausted
			return d
		}
		d.Next = Backoff
		d.Delay = Delay(in.Backoff, d.Retries)
		return d
	}
	d.Retries = 0
	restart := in.Policy == spec.RestartAlways || (in.Policy == spec.RestartOnFailure && !in.Expected)
	if !restart {
		d.Next = Exited
		return d
	}
	if in.Backoff.ResetAfter > 0 && in.Uptime >= in.Backoff.ResetAfter {
		d.Crashes = 0
	}
	d.Delay = 0
	if d.Crashes > 0 {
		d.Delay = Delay(in.Backoff, d.Crashes)
	}
	d.Crashes++
	d.Next = Backoff
	return d
}

// Delay is the wait before attempt n (n >= 1): Initial * Factor^(n-1),
// capped at Max.
func Delay(b spec.Backoff, n int) time.Duration {
	if n < 1 || b.Initial <= 0 {
		return 0
	}
	f := b.Factor
	if f < 1 {
		f = 1
	}
	d := float64(b.Initial)
	max := float64(b.Max)
	for i := 1; i < n; i++ {
		d *= f
		if b.Max > 0 && d >= max {
			return b.Max
		}
	}
	if b.Max > 0 && d > max {
		return b.Max
	}
	return time.Duration(d)
}

// Recent keeps the start times within window of now (all of them when
// window <= 0 keeps none: a budget without a window counts nothing). It
// reuses the slice.
func Recent(starts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(starts) && (window <= 0 || now.Sub(starts[i]) >= window) {
		i++
	}
	return append(starts[:0], starts[i:]...)
}
