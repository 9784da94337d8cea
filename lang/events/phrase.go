package events

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sup-run/sup/internal/suggest"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
)

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// periods are the calendar words of every(), with their weekday masks.
func periods() map[string]uint8 {
	p := map[string]uint8{"day": spec.AllDays, "weekday": 0x3e, "weekend": 0x41}
	for i, d := range weekdays {
		p[d] = 1 << uint(i)
		p[d[:3]] = 1 << uint(i)
	}
	return p
}

func periodNames() []string {
	names := []string{"day", "weekday", "weekend", "hour", "minute"}
	return append(names, weekdays...)
}

// ParseEvery reads the phrase of every(): "day at 3:00", "monday at 9:30",
// "weekday at 18:00", "weekend at 10:00", "hour", "hour at :15",
// "minute", or a duration such as "15m".
func ParseEvery(phrase string) (*spec.Schedule, error) {
	s, err := parseEvery(phrase)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", phrase, err)
	}
	return s, nil
}

func parseEvery(phrase string) (*spec.Schedule, error) {
	s := &spec.Schedule{Text: phrase}
	words := strings.Fields(strings.ToLower(phrase))
	if len(words) == 0 {
		return nil, fmt.Errorf("empty schedule (write e.g. \"day at 3:00\" or \"15m\")")
	}
	if len(words) == 1 && words[0] != "" && (words[0][0] >= '0' && words[0][0] <= '9') {
		d, err := unpack.ParseDuration(words[0])
		if err != nil {
			return nil, err
		}
		if d < time.Second {
			return nil, fmt.Errorf("%s is too short for a schedule (at least 1s)", d)
		}
		s.Interval = d
		return s, nil
	}
	period := strings.TrimSuffix(words[0], "s")
	if words[0] == "minute" || words[0] == "minutes" {
		if len(words) > 1 {
			return nil, fmt.Errorf("\"minute\" takes no time")
		}
		s.Cron = "0 * * * * *"
		return s, nil
	}
	var at string
	switch len(words) {
	case 1:
	case 3:
		if words[1] != "at" {
			return nil, fmt.Errorf("expected \"at\" after %q, got %q", words[0], words[1])
		}
		at = words[2]
	default:
		return nil, fmt.Errorf("want PERIOD [at H:MM], e.g. \"day at 3:00\"")
	}
	if period == "hour" {
		s.Hourly = true
		if at != "" {
			m, err := strconv.Atoi(strings.TrimPrefix(at, ":"))
			if !strings.HasPrefix(at, ":") || err != nil || m < 0 || m > 59 {
				return nil, fmt.Errorf("want \"hour at :MM\" with MM from 00 to 59")
			}
			s.Minute = m
		}
		return s, nil
	}
	mask, ok := periods()[period]
	if !ok {
		return nil, fmt.Errorf("unknown period %q%s", words[0], suggest.Hint(words[0], periodNames()))
	}
	s.Days = mask
	if at != "" {
		h, m, err := clock(at)
		if err != nil {
			return nil, err
		}
		s.Hour, s.Minute = h, m
	}
	return s, nil
}

// clock reads "3:00", "18:30" or "3".
func clock(s string) (int, int, error) {
	hs, ms, hasMin := strings.Cut(s, ":")
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 23 {
		return 0, 0, fmt.Errorf("%q is not a time of day (want H:MM, 0:00 to 23:59)", s)
	}
	m := 0
	if hasMin {
		m, err = strconv.Atoi(ms)
		if err != nil || len(ms) != 2 || m < 0 || m > 59 {
			return 0, 0, fmt.Errorf("%q is not a time of day (want H:MM, 0:00 to 23:59)", s)
		}
	}
	return h, m, nil
}

// ParsePhrase reads the plain-string forms of start_on and stop_on:
// "every day at 3:00", "cron 0 3 * * *", "15m after startup", or an event
// name ("startup", "net-device-up").
func ParsePhrase(p string) (*spec.Matcher, error) {
	t := strings.TrimSpace(p)
	if rest, ok := strings.CutPrefix(t, "every "); ok {
		s, err := parseEvery(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", p, err)
		}
		s.Text = strings.TrimSpace(rest)
		return &spec.Matcher{Op: spec.OpSchedule, Schedule: s}, nil
	}
	if rest, ok := strings.CutPrefix(t, "cron "); ok {
		s, err := cronSchedule(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", p, err)
		}
		return &spec.Matcher{Op: spec.OpSchedule, Schedule: s}, nil
	}
	if d, ev, ok := strings.Cut(t, " after "); ok {
		delay, err := unpack.ParseDuration(d)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", p, err)
		}
		inner, err := ParsePhrase(ev)
		if err != nil {
			return nil, err
		}
		return &spec.Matcher{Op: spec.OpAfter, Delay: delay, Args: []*spec.Matcher{inner}}, nil
	}
	if err := checkEventName(t); err != nil {
		return nil, fmt.Errorf("%q is not an event name or a phrase (\"every day at 3:00\", \"15m after startup\")", p)
	}
	return &spec.Matcher{Op: spec.OpOn, Event: t}, nil
}

func checkEventName(s string) error {
	if s == "" {
		return fmt.Errorf("empty event name")
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._:/-*?[]!", c)
		if !ok {
			return fmt.Errorf("%q is not an event name (letters, digits, . _ : / - and glob characters)", s)
		}
	}
	return nil
}
