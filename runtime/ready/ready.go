// Package ready holds sup's readiness checks: probes of a TCP port or an
// HTTP URL, a matcher of output lines, and the sd_notify-style socket; and
// the pure decision of what a probe result means. The supervisor loop runs
// probes off the loop and applies the verdicts.
package ready

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// Verdict is what one probe result means for a starting process.
type Verdict struct {
	// Ready: the process is ready; stop probing.
	Ready bool
	// GiveUp: the check failed too often; the start has failed.
	GiveUp bool
	// Next is when to probe again (neither Ready nor GiveUp).
	Next time.Duration
	// Reason is shown in status while not ready, or as the failure.
	Reason string
}

// Judge decides after a probe of c that returned err; failures counts the
// consecutive failed probes including this one.
func Judge(c spec.ReadyCheck, failures int, err error) Verdict {
	if err == nil {
		return Verdict{Ready: true}
	}
	what := c.String() + " " + Short(err)
	if c.Retries > 0 && failures >= c.Retries {
		return Verdict{GiveUp: true, Reason: fmt.Sprintf("not ready after %d probes: %s", failures, what)}
	}
	return Verdict{Next: c.Interval, Reason: "not ready: " + what}
}

// Short renders a probe error in a few words: "refused", "timed out".
func Short(err error) string {
	var se *StatusError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	case errors.As(err, &se):
		return se.Error()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return err.Error()
}

// StatusError is an HTTP answer with the wrong status.
type StatusError struct{ Got, Want int }

func (e *StatusError) Error() string { return fmt.Sprintf("got status %d, want %d", e.Got, e.Want) }

// Probe runs one tcp or http probe of c, bounded by c.Timeout (when set)
// and ctx.
func Probe(ctx context.Context, c spec.ReadyCheck) error {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	switch c.Kind {
	case spec.ReadyTCP:
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", c.Addr)
		if err != nil {
			return err
		}
		return conn.Close()
	case spec.ReadyHTTP:
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
		if err != nil {
			return err
		}
		// No keep-alive: a probe must leave nothing open between probes.
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		cl := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
		resp, err := cl.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != c.Status {
			return &StatusError{Got: resp.StatusCode, Want: c.Status}
		}
		return nil
	}
	return fmt.Errorf("%s checks are not probed", c.Kind)
}
