package events

import (
	"fmt"
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

func on(name string, kv ...string) *spec.Matcher {
	m := &spec.Matcher{Op: spec.OpOn, Event: name}
	for i := 0; i+1 < len(kv); i += 2 {
		v := spec.VarMatch{Name: kv[i], Pattern: kv[i+1]}
		if len(v.Pattern) > 0 && v.Pattern[0] == '!' {
			v.Pattern, v.Negate = v.Pattern[1:], true
		}
		m.Vars = append(m.Vars, v)
	}
	return m
}

func and(ms ...*spec.Matcher) *spec.Matcher { return &spec.Matcher{Op: spec.OpAnd, Args: ms} }
func or(ms ...*spec.Matcher) *spec.Matcher  { return &spec.Matcher{Op: spec.OpOr, Args: ms} }

func ev(name string, kv ...string) Event {
	e := Event{Name: name, Vars: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Vars[kv[i]] = kv[i+1]
	}
	return e
}

func TestMatcherSemantics(t *testing.T) {
	tests := []struct {
		name   string
		m      *spec.Matcher
		events []Event
		fires  string // one char per event: F fired, . not
	}{
		{"plain", on("startup"), []Event{ev("startup"), ev("shutdown"), ev("startup")}, "F.F"},
		{"glob var", on("net-device-up", "IFACE", "eth*"),
			[]Event{ev("net-device-up", "IFACE", "lo"), ev("net-device-up", "IFACE", "eth0"), ev("net-device-up")}, ".F."},
		{"negation", on("net-device-up", "IFACE", "!lo"),
			[]Event{ev("net-device-up", "IFACE", "lo"), ev("net-device-up", "IFACE", "wlan0"), ev("net-device-up")}, ".FF"},
		{"glob name", on("net-*"), []Event{ev("net-up"), ev("disk-up")}, "F."},
		{"and needs both, any order", and(on("started", "JOB", "db"), on("mounted", "MOUNTPOINT", "/srv")),
			[]Event{ev("mounted", "MOUNTPOINT", "/srv"), ev("started", "JOB", "web"), ev("started", "JOB", "db")}, "..F"},
		{"and resets after firing", and(on("a"), on("b")),
			[]Event{ev("a"), ev("b"), ev("b"), ev("a")}, ".F.F"},
		{"and: repeats of one operand count once", and(on("a"), on("b")),
			[]Event{ev("a"), ev("a"), ev("a"), ev("b"), ev("b")}, "...F."},
		{"or", or(on("stopped", "JOB", "db"), on("shutdown")),
			[]Event{ev("stopped", "JOB", "web"), ev("shutdown"), ev("stopped", "JOB", "db")}, ".FF"},
		{"or inside and", and(or(on("a"), on("b")), on("c")),
			[]Event{ev("b"), ev("c"), ev("c"), ev("a"), ev("c")}, ".F.F."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, err := Compile(tt.m, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, e := range tt.events {
				if mt.Feed(e).Fired {
					got += "F"
				} else {
					got += "."
				}
			}
			if got != tt.fires {
				t.Fatalf("%s: fires %q, want %q", tt.m, got, tt.fires)
			}
		})
	}
}

func TestMatcherMergesVarsOfEveryOperand(t *testing.T) {
	mt, _ := Compile(and(on("a"), on("b")), nil)
	mt.Feed(Event{Name: "a", Seq: 1, Vars: map[string]string{"X": "1", "Y": "a"}})
	out := mt.Feed(Event{Name: "b", Seq: 2, Vars: map[string]string{"Y": "b"}})
	if !out.Fired || out.Event.Name != "b" || fmt.Sprint(out.Event.Vars) != "map[X:1 Y:b]" {
		t.Fatalf("outcome %+v", out)
	}
}

func TestInstanceScopedStopOn(t *testing.T) {
	start := ev("net-device-up", "IFACE", "eth0")
	look := func(n string) (string, bool) { v, ok := start.Vars[n]; return v, ok }
	mt, err := Compile(on("net-device-down", "IFACE", "${IFACE}"), look)
	if err != nil {
		t.Fatal(err)
	}
	if mt.Feed(ev("net-device-down", "IFACE", "eth1")).Fired {
		t.Fatal("eth1 going down stopped the eth0 instance")
	}
	if !mt.Feed(ev("net-device-down", "IFACE", "eth0")).Fired {
		t.Fatal("eth0 going down did not stop the eth0 instance")
	}
	if _, err := Compile(on("down", "IFACE", "${NOPE}"), look); err == nil || err.Error() != `IFACE: ${NOPE} is not defined (in "${NOPE}")` {
		t.Fatalf("unresolved: %v", err)
	}
}

func TestAfterArmsAndOccurs(t *testing.T) {
	m := &spec.Matcher{Op: spec.OpAfter, Delay: 15 * time.Minute, Args: []*spec.Matcher{on("startup")}}
	mt, _ := Compile(m, nil)
	out := mt.Feed(ev("startup", "K", "v"))
	if out.Fired || len(out.Arm) != 1 || out.Arm[0].Delay != 15*time.Minute || out.Arm[0].Event.Name != "startup" {
		t.Fatalf("feed: %+v", out)
	}
	if got := mt.Occur(out.Arm[0].Node, out.Arm[0].Event); !got.Fired || got.Event.Vars["K"] != "v" {
		t.Fatalf("occur: %+v", got)
	}
}

func TestWaiting(t *testing.T) {
	mt, _ := Compile(and(on("started", "JOB", "db"), on("mounted")), nil)
	if got := mt.Waiting(); got != `waiting for on("started", JOB = "db") & on("mounted")` {
		t.Fatalf("waiting %q", got)
	}
	mt.Feed(ev("mounted"))
	if got := mt.Waiting(); got != `waiting for on("started", JOB = "db") (seen: on("mounted"))` {
		t.Fatalf("waiting %q", got)
	}
}

func TestGlob(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"eth*", "eth0", true}, {"eth*", "wlan0", false}, {"*", "", true}, {"/srv*", "/srv/data", true},
		{"eth?", "eth10", false}, {"eth[0-3]", "eth2", true}, {"eth[!0-3]", "eth2", false},
		{`a\*`, "a*", true}, {`a\*`, "ab", false}, {"[", "[", true}, {"", "", true}, {"", "x", false},
	} {
		if got := Glob(tt.p, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

func TestBusNeverBlocksAndCountsDrops(t *testing.T) {
	b := NewBus(3)
	s, hist := b.Subscribe(2)
	if len(hist) != 0 {
		t.Fatal(hist)
	}
	for i := range 5 {
		b.Publish(Event{Seq: uint64(i + 1), Name: "x"})
	}
	if s.Dropped() != 3 || b.Dropped() != 3 {
		t.Fatalf("dropped %d/%d, want 3", s.Dropped(), b.Dropped())
	}
	if e := <-s.C; e.Seq != 1 {
		t.Fatalf("first %d", e.Seq)
	}
	h := b.History()
	if len(h) != 3 || h[0].Seq != 3 || h[2].Seq != 5 {
		t.Fatalf("history %+v", h)
	}
	s.Close()
	if b.Subscribers() != 0 {
		t.Fatal("still subscribed")
	}
}
