package restart

import (
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

var bo = spec.Backoff{Initial: time.Second, Factor: 2, Max: 10 * time.Second, ResetAfter: time.Minute}

func TestDelay(t *testing.T) {
	want := []time.Duration{0, 1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for n, w := range want {
		if got := Delay(bo, n); got != w {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w)
		}
	}
	if got := Delay(spec.Backoff{}, 3); got != 0 {
		t.Errorf("zero backoff Delay = %v", got)
	}
	if got := Delay(spec.Backoff{Initial: time.Second, Factor: 0.5}, 3); got != time.Second {
		t.Errorf("factor < 1 is treated as 1: %v", got)
	}
}

func TestDecide(t *testing.T) {
	svc := Input{Kind: spec.KindService, Policy: spec.RestartOnFailure, StartRetries: 3, Backoff: bo}
	with := func(f func(*Input)) Input { in := svc; f(&in); return in }
	cases := []struct {
		name string
		in   Input
		want Decision
	}{
		{"stop request", with(func(i *Input) { i.Stopping = true; i.Started = true }), Decision{Next: Stopped}},
		{"early exit backs off", with(func(i *Input) {}), Decision{Next: Backoff, Delay: time.Second, Retries: 1}},
		{"third early exit", with(func(i *Input) { i.Retries = 2 }), Decision{Next: Backoff, Delay: 4 * time.Second, Retries: 3}},
		{"retries exhausted", with(func(i *Input) { i.Retries = 3 }), Decision{Next: Fatal, Retries: 4, Why: RetriesExhausted}},
		{"spawn failure counts as failed start", with(func(i *Input) { i.SpawnFailed = true; i.Retries = 3 }), Decision{Next: Fatal, Retries: 4, Why: RetriesExhausted}},
		{"unlimited retries", with(func(i *Input) { i.StartRetries = -1; i.Retries = 100 }), Decision{Next: Backoff, Delay: 10 * time.Second, Retries: 101}},
		{"early expected exit of a service is a failed start", with(func(i *Input) { i.Expected = true }), Decision{Next: Backoff, Delay: time.Second, Retries: 1}},
		{"unexpected exit after running restarts at once", with(func(i *Input) { i.Started = true; i.Retries = 2 }), Decision{Next: Backoff, Crashes: 1}},
		{"repeated crash backs off", with(func(i *Input) { i.Started = true; i.Crashes = 2 }), Decision{Next: Backoff, Delay: 2 * time.Second, Crashes: 3}},
		{"healthy run resets crashes", with(func(i *Input) { i.Started = true; i.Crashes = 5; i.Uptime = time.Hour }), Decision{Next: Backoff, Crashes: 1}},
		{"expected exit on-failure stays down", with(func(i *Input) { i.Started = true; i.Expected = true }), Decision{Next: Exited}},
		{"always restarts expected exit", with(func(i *Input) { i.Started = true; i.Expected = true; i.Policy = spec.RestartAlways }), Decision{Next: Backoff, Crashes: 1}},
		{"never", with(func(i *Input) { i.Started = true; i.Policy = spec.RestartNever }), Decision{Next: Exited}},
		{"task success", with(func(i *Input) { i.Kind = spec.KindTask; i.Expected = true; i.Retries = 1 }), Decision{Next: Exited}},
		{"task failure retries", with(func(i *Input) { i.Kind = spec.KindTask }), Decision{Next: Backoff, Delay: time.Second, Retries: 1}},
		{"task failure with never", with(func(i *Input) { i.Kind = spec.KindTask; i.Policy = spec.RestartNever }), Decision{Next: Exited}},
		{"task spawn failure with never still fatal", with(func(i *Input) {
			i.Kind = spec.KindTask
			i.Policy = spec.RestartNever
			i.SpawnFailed = true
			i.Retries = 3
		}), Decision{Next: Fatal, Retries: 4, Why: RetriesExhausted}},
	}
	limit := spec.StartLimit{Burst: 5, Interval: time.Minute, RetryAfter: 10 * time.Minute}
	cases = append(cases, []struct {
		name string
		in   Input
		want Decision
	}{
		{"unlimited retries, no budget", with(func(i *Input) { i.StartRetries = -1; i.Retries = 1000; i.Starts = 1000 }), Decision{Next: Backoff, Delay: 10 * time.Second, Retries: 1001}},
		{"within budget", with(func(i *Input) { i.Limit = limit; i.Starts = 4 }), Decision{Next: Backoff, Delay: time.Second, Retries: 1}},
		{"budget spent", with(func(i *Input) { i.Limit = limit; i.Starts = 5 }), Decision{Next: Fatal, Retries: 1, Why: BudgetSpent, RetryAfter: 10 * time.Minute}},
		{"budget spent by a crash loop", with(func(i *Input) { i.Limit = limit; i.Starts = 5; i.Started = true; i.Crashes = 1 }), Decision{Next: Fatal, Crashes: 2, Why: BudgetSpent, RetryAfter: 10 * time.Minute}},
		{"budget does not stop an exit", with(func(i *Input) { i.Limit = limit; i.Starts = 9; i.Started = true; i.Expected = true }), Decision{Next: Exited}},
		{"retries exhausted gets the cool-down", with(func(i *Input) { i.Limit = limit; i.Retries = 3 }), Decision{Next: Fatal, Retries: 4, Why: RetriesExhausted, RetryAfter: 10 * time.Minute}},
		{"final code not expected is fatal", with(func(i *Input) { i.Started = true; i.Final = true; i.Policy = spec.RestartAlways; i.Limit = limit }), Decision{Next: Fatal, Why: FinalCode}},
		{"final code expected is exited", with(func(i *Input) { i.Final = true; i.Expected = true; i.Retries = 2 }), Decision{Next: Exited}},
		{"final code during stop is stopped", with(func(i *Input) { i.Final = true; i.Stopping = true }), Decision{Next: Stopped}},
		{"task failure on a final code", with(func(i *Input) { i.Kind = spec.KindTask; i.Final = true }), Decision{Next: Fatal, Why: FinalCode}},
	}...)
	for _, c := range cases {
		if got := Decide(c.in); got != c.want {
			t.Errorf("%s: Decide = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestRecent(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(secs ...int) []time.Time {
		out := []time.Time{}
		for _, s := range secs {
			out = append(out, t0.Add(time.Duration(s)*time.Second))
		}
		return out
	}
	cases := []struct {
		starts []time.Time
		now    int
		window time.Duration
		want   []time.Time
	}{
		{at(), 0, time.Minute, at()},
		{at(0, 10, 20), 30, time.Minute, at(0, 10, 20)},
		{at(0, 10, 20), 60, time.Minute, at(10, 20)},
		{at(0, 10, 20), 200, time.Minute, at()},
		{at(0, 10, 20), 30, 0, at()},
	}
	for i, c := range cases {
		got := Recent(c.starts, t0.Add(time.Duration(c.now)*time.Second), c.window)
		if len(got) != len(c.want) {
			t.Errorf("case %d: Recent = %v, want %v", i, got, c.want)
			continue
		}
		for k := range got {
			if !got[k].Equal(c.want[k]) {
				t.Errorf("case %d: Recent = %v, want %v", i, got, c.want)
			}
		}
	}
}
