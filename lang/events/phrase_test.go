package events

import (
	"testing"
)

func TestPhrases(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"every day at 3:00", `every("day at 3:00")`},
		{"every monday at 9:30", `every("monday at 9:30")`},
		{"every weekday at 18:00", `every("weekday at 18:00")`},
		{"every hour", `every("hour")`},
		{"every 15m", `every("15m")`},
		{"cron 0 3 * * *", `cron("0 3 * * *")`},
		{"15m after startup", `after("15m0s", on("startup"))`},
		{"2s after every day at 3:00", `after("2s", every("day at 3:00"))`},
		{"net-device-up", `on("net-device-up")`},
	} {
		m, err := ParsePhrase(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEverySchedules(t *testing.T) {
	for _, tt := range []struct {
		in     string
		days   uint8
		h, m   int
		hourly bool
	}{
		{"day at 3:00", 0x7f, 3, 0, false}, {"mondays at 9:30", 0x02, 9, 30, false},
		{"weekend at 10", 0x41, 10, 0, false}, {"sun at 23:59", 0x01, 23, 59, false},
		{"hour at :15", 0, 0, 15, true},
	} {
		s, err := ParseEvery(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if s.Days != tt.days || s.Hour != tt.h || s.Minute != tt.m || s.Hourly != tt.hourly {
			t.Errorf("%q: %+v", tt.in, s)
		}
	}
	for _, tt := range []struct{ in, err string }{
		{"dya at 3:00", `"dya at 3:00": unknown period "dya" (did you mean "day"?)`},
		{"day at 3:0", `"day at 3:0": "3:0" is not a time of day (want H:MM, 0:00 to 23:59)`},
		{"day 3:00", `"day 3:00": want PERIOD [at H:MM], e.g. "day at 3:00"`},
		{"day on 3:00", `"day on 3:00": expected "at" after "day", got "on"`},
		{"500ms", `"500ms": 500ms is too short for a schedule (at least 1s)`},
		{"", `"": empty schedule (write e.g. "day at 3:00" or "15m")`},
	} {
		if _, err := ParseEvery(tt.in); err == nil || err.Error() != tt.err {
			t.Errorf("%q: error %v, want %s", tt.in, err, tt.err)
		}
	}
	if _, err := ParsePhrase("every day at"); err == nil {
		t.Error("incomplete phrase accepted")
	}
	if _, err := ParsePhrase("start me up"); err == nil || err.Error() != `"start me up" is not an event name or a phrase ("every day at 3:00", "15m after startup")` {
		t.Errorf("bad phrase: %v", err)
	}
}
