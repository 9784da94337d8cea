package supervisor

import (
	"reflect"
	"testing"
	"testing/synctest"

	"github.com/sup-run/sup/runtime/spec"
)

func stateNamesOf(ps []ProcessInfo) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name+"="+p.StateName)
	}
	return out
}

func TestScaleUpAndDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web", func(j *spec.Job) { j.StartSecs = 0 }), job("db", func(j *spec.Job) { j.StartSecs = 0 }))
		h.wantState("web", Running)
		first := h.state("web").PID
		rs, err := h.sup.Scale(h.ctx, "web", 3, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rs); got != 2 || rs[0].Name != "web:1" || rs[0].Msg != "added and started" {
			t.Fatalf("results %+v", rs)
		}
		all, _ := h.sup.Status(h.ctx, nil)
		if want := []string{"web:0=RUNNING", "web:1=RUNNING", "web:2=RUNNING", "db=RUNNING"}; !reflect.DeepEqual(stateNamesOf(all), want) {
			t.Fatalf("after scale 3: %v", stateNamesOf(all))
		}
		if p := h.state("web:0"); p.PID != first {
			t.Fatalf("web:0 has pid %d, want the old process %d", p.PID, first)
		}
		rs, err = h.sup.Scale(h.ctx, "web", 1, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].Msg != "removed" {
			t.Fatalf("results %+v", rs)
		}
		synctest.Wait()
		all, _ = h.sup.Status(h.ctx, nil)
		if want := []string{"web=RUNNING", "db=RUNNING"}; !reflect.DeepEqual(stateNamesOf(all), want) {
			t.Fatalf("after scale 1: %v", stateNamesOf(all))
		}
		if p := h.state("web"); p.PID != first {
			t.Fatalf("web has pid %d, want %d", p.PID, first)
		}
		rs, _ = h.sup.Scale(h.ctx, "web", 1, true)
		if len(rs) != 1 || rs[0].Msg != "already 1" {
			t.Fatalf("results %+v", rs)
		}
		if _, err := h.sup.Scale(h.ctx, "wbe", 2, true); err == nil || err.Error() != `unknown name "wbe" (did you mean "web"?)` {
			t.Fatalf("err %v", err)
		}
		if _, err := h.sup.Scale(h.ctx, "web", -1, true); err == nil || err.Error() != "scale web: -1 is not between 0 and 1000" {
			t.Fatalf("err %v", err)
		}
	})
}

// Instances added to an admin-stopped job stay stopped.
func TestScaleKeepsAdminStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web", func(j *spec.Job) { j.StartSecs = 0 }))
		h.wantState("web", Running)
		h.sup.Stop(h.ctx, []string{"web"}, true)
		rs, err := h.sup.Scale(h.ctx, "web", 2, true)
		if err != nil || len(rs) != 1 || rs[0].Msg != "added" {
			t.Fatalf("results %+v, %v", rs, err)
		}
		h.wantState("web:1", Stopped)
		if h.sp.count() != 1 {
			t.Fatalf("spawned %d", h.sp.count())
		}
	})
}

func TestScaleRefusesSharedLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, job("web", func(j *spec.Job) { j.Stdout.Path = "/var/log/web.log" }))
		_, err := h.sup.Scale(h.ctx, "web", 2, true)
		if err == nil || err.Error() != `scale web: log file "/var/log/web.log" would be shared by 2 processes; put ${process_num} in its path` {
			t.Fatalf("err %v", err)
		}
	})
}
