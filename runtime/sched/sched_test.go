package sched

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// fires lists the fire times from start, n of them, as the loop would.
func fires(t *testing.T, s *spec.Schedule, start time.Time, n int) []string {
	t.Helper()
	c, err := New(s, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	at := c.Next(start)
	for i := 0; i < n; i++ {
		out = append(out, at.In(c.loc).Format("Mon 2006-01-02 15:04 MST"))
		at = c.NextAfterFire(at)
	}
	return out
}

func TestNextFireAcrossDST(t *testing.T) {
	daily := func(tz string, h, m int) *spec.Schedule {
		return &spec.Schedule{Days: spec.AllDays, Hour: h, Minute: m, TZ: tz}
	}
	tests := []struct {
		name  string
		s     *spec.Schedule
		start time.Time
		want  []string
	}{
		{"new york spring forward: 2:30 runs once", daily("America/New_York", 2, 30),
			time.Date(2025, 3, 8, 12, 0, 0, 0, mustLoc(t, "America/New_York")),
			[]string{"Sun 2025-03-09 03:30 EDT", "Mon 2025-03-10 02:30 EDT"}},
		{"new york fall back: 1:30 runs once", daily("America/New_York", 1, 30),
			time.Date(2025, 11, 1, 12, 0, 0, 0, mustLoc(t, "America/New_York")),
			[]string{"Sun 2025-11-02 01:30 EDT", "Mon 2025-11-03 01:30 EST"}},
		{"berlin spring forward", daily("Europe/Berlin", 2, 30),
			time.Date(2025, 3, 29, 12, 0, 0, 0, mustLoc(t, "Europe/Berlin")),
			[]string{"Sun 2025-03-30 03:30 CEST", "Mon 2025-03-31 02:30 CEST"}},
		{"berlin fall back", daily("Europe/Berlin", 2, 30),
			time.Date(2025, 10, 25, 12, 0, 0, 0, mustLoc(t, "Europe/Berlin")),
			[]string{"Sun 2025-10-26 02:30 CEST", "Mon 2025-10-27 02:30 CET"}},
		{"weekdays skip the weekend", &spec.Schedule{Days: 0x3e, Hour: 18, TZ: "Europe/Berlin"},
			time.Date(2025, 6, 6, 19, 0, 0, 0, mustLoc(t, "Europe/Berlin")),
			[]string{"Mon 2025-06-09 18:00 CEST", "Tue 2025-06-10 18:00 CEST"}},
		{"monday at 9:30", &spec.Schedule{Days: 1 << time.Monday, Hour: 9, Minute: 30, TZ: "UTC"},
			time.Date(2025, 6, 9, 9, 30, 0, 0, time.UTC),
			[]string{"Mon 2025-06-16 09:30 UTC", "Mon 2025-06-23 09:30 UTC"}},
		{"hourly", &spec.Schedule{Hourly: true, TZ: "Asia/Kolkata"},
			time.Date(2025, 6, 9, 9, 30, 0, 0, mustLoc(t, "Asia/Kolkata")),
			[]string{"Mon 2025-06-09 10:00 IST", "Mon 2025-06-09 11:00 IST"}},
		{"interval", &spec.Schedule{Interval: 15 * time.Minute, TZ: "UTC"},
			time.Date(2025, 6, 9, 9, 7, 0, 0, time.UTC),
			[]string{"Mon 2025-06-09 09:22 UTC", "Mon 2025-06-09 09:37 UTC"}},
		{"cron in a zone", &spec.Schedule{Cron: "0 3 * * *", TZ: "America/New_York"},
			time.Date(2025, 6, 9, 9, 0, 0, 0, time.UTC),
			[]string{"Tue 2025-06-10 03:00 EDT", "Wed 2025-06-11 03:00 EDT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fires(t, tt.s, tt.start, len(tt.want))
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Fatalf("fires\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(tt.want, ", "))
			}
		})
	}
}

func TestBadCronIsAnErrorNotAPanic(t *testing.T) {
	for _, expr := range []string{"", "0 3 * *", "99 * * * *", "@every", "TZ=", "* * * * * * * *"} {
		if _, err := ParseCron(expr); err == nil {
			t.Errorf("ParseCron(%q) accepted", expr)
		}
	}
	if _, err := ParseCron("*/5 * * * * *"); err != nil {
		t.Errorf("seconds field: %v", err)
	}
}

func TestMissed(t *testing.T) {
	c, _ := New(&spec.Schedule{Days: spec.AllDays, Hour: 3, TZ: "UTC"}, "")
	last := time.Date(2025, 6, 9, 3, 0, 0, 0, time.UTC)
	if c.Missed(last, last.Add(23*time.Hour)) {
		t.Fatal("missed before the next fire")
	}
	if !c.Missed(last, last.Add(25*time.Hour)) {
		t.Fatal("not missed after a day down")
	}
	if c.Missed(time.Time{}, last) {
		t.Fatal("missed with no record")
	}
}

func TestJitterIsReproducibleAndBounded(t *testing.T) {
	at := time.Date(2025, 6, 9, 3, 0, 0, 0, time.UTC)
	a, b := Jitter("backup/0", at, 5*time.Minute), Jitter("backup/0", at, 5*time.Minute)
	if a != b || a < 0 || a >= 5*time.Minute {
		t.Fatalf("jitter %s, %s", a, b)
	}
	if Jitter("other/0", at, 5*time.Minute) == a && Jitter("backup/0", at.Add(24*time.Hour), 5*time.Minute) == a {
		t.Fatal("jitter does not depend on the key or the time")
	}
}

func TestFileStoreRoundTrip(t *testing.T) {
	f := FileStore{Path: filepath.Join(t.TempDir(), "schedules.json")}
	m, err := f.Load()
	if err != nil || len(m) != 0 {
		t.Fatalf("empty load: %v %v", m, err)
	}
	at := time.Date(2025, 6, 9, 3, 0, 0, 0, time.UTC)
	if err := f.Save(map[string]time.Time{"backup/0": at}); err != nil {
		t.Fatal(err)
	}
	m, err = f.Load()
	if err != nil || !m["backup/0"].Equal(at) {
		t.Fatalf("load: %v %v", m, err)
	}
}
