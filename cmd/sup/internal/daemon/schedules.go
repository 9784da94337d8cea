package daemon

import (
	"time"

	"github.com/sup-run/sup/runtime/sched"
	"github.com/sup-run/sup/runtime/spec"
)

// AnnotateNextFires records, for display, each schedule's next fire after
// now (sup check --dump). Interval schedules count from now, as from a
// startup at now.
func AnnotateNextFires(sp *spec.Spec, now time.Time) {
	for _, j := range sp.Jobs {
		for _, m := range []*spec.Matcher{j.StartOn, j.StopOn} {
			m.Walk(func(n *spec.Matcher) {
				if n.Schedule == nil {
					return
				}
				c, err := sched.New(n.Schedule, sp.Settings.TZ)
				if err != nil {
					return
				}
				if t := c.Next(now); !t.IsZero() {
					n.Schedule.NextFire = t.Format(time.RFC3339)
				}
			})
		}
	}
}
