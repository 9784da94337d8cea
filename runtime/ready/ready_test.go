package ready

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

func TestJudge(t *testing.T) {
	tcp := spec.ReadyCheck{Kind: spec.ReadyTCP, Addr: ":8080", Interval: time.Second, Retries: 3}
	refused := fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
	cases := []struct {
		name     string
		c        spec.ReadyCheck
		failures int
		err      error
		want     Verdict
	}{
		{"ok", tcp, 0, nil, Verdict{Ready: true}},
		{"refused, retry", tcp, 1, refused, Verdict{Next: time.Second, Reason: "not ready: tcp :8080 refused"}},
		{"out of retries", tcp, 3, refused, Verdict{GiveUp: true, Reason: "not ready after 3 probes: tcp :8080 refused"}},
		{"unlimited", spec.ReadyCheck{Kind: spec.ReadyTCP, Addr: ":1", Interval: 5 * time.Second}, 1000, context.DeadlineExceeded,
			Verdict{Next: 5 * time.Second, Reason: "not ready: tcp :1 timed out"}},
		{"http status", spec.ReadyCheck{Kind: spec.ReadyHTTP, URL: "http://x/", Interval: time.Second}, 1, &StatusError{503, 200},
			Verdict{Next: time.Second, Reason: "not ready: http http://x/ got status 503, want 200"}},
		{"exec", spec.ReadyCheck{Kind: spec.ReadyExec, Cmd: []string{"pg_isready", "-q"}, Interval: time.Second}, 1, errors.New("exit status 2"),
			Verdict{Next: time.Second, Reason: "not ready: exec pg_isready -q exit status 2"}},
	}
	for _, c := range cases {
		if got := Judge(c.c, c.failures, c.err); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestProbeTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	c := spec.ReadyCheck{Kind: spec.ReadyTCP, Addr: addr, Timeout: 5 * time.Second}
	if err := Probe(context.Background(), c); err != nil {
		t.Fatalf("listening port: %v", err)
	}
	ln.Close()
	err = Probe(context.Background(), c)
	if err == nil || Short(err) != "refused" {
		t.Fatalf("closed port: %v (%q)", err, Short(err))
	}
}

func TestProbeHTTP(t *testing.T) {
	status := http.StatusServiceUnavailable
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
	}))
	defer srv.Close()
	c := spec.ReadyCheck{Kind: spec.ReadyHTTP, URL: srv.URL + "/health", Status: 200, Timeout: 5 * time.Second}
	err := Probe(context.Background(), c)
	if err == nil || Short(err) != "got status 503, want 200" {
		t.Fatalf("503: %v", err)
	}
	status = http.StatusOK
	if err := Probe(context.Background(), c); err != nil {
		t.Fatalf("200: %v", err)
	}
	c.Status = 204
	if err := Probe(context.Background(), c); err == nil {
		t.Fatal("status 200 accepted where 204 is wanted")
	}
}

func TestProbeHTTPTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Probe(ctx, spec.ReadyCheck{Kind: spec.ReadyHTTP, URL: srv.URL, Status: 200})
	if err == nil {
		t.Fatal("cancelled probe succeeded")
	}
}

func TestLineMatcher(t *testing.T) {
	var got []string
	m := NewLineMatcher(regexp.MustCompile(`^listening on \d+`), func(l string) { got = append(got, l) })
	for _, w := range []string{"starting\nlisten", "ing on 80", "80\r\nlistening on 1\n"} {
		if n, err := m.Write([]byte(w)); n != len(w) || err != nil {
			t.Fatalf("write %d %v", n, err)
		}
	}
	if len(got) != 1 || got[0] != "listening on 80" {
		t.Fatalf("matches %q", got)
	}
	// A pattern is matched within a line, never across lines.
	got = nil
	m = NewLineMatcher(regexp.MustCompile(`a\nb`), func(l string) { got = append(got, l) })
	m.Write([]byte("a\nb\n"))
	if len(got) != 0 {
		t.Fatalf("matched across lines: %q", got)
	}
}

func TestNotifier(t *testing.T) {
	n, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan Message, 3)
	go n.Run(func(m Message) bool { got <- m; return !m.Ready })
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.Addr(), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("STATUS=loading 3 tables"))
	conn.Write([]byte("READY=1\nSTATUS=serving\nMAINPID=7"))
	if m := <-got; m != (Message{Status: "loading 3 tables"}) {
		t.Fatalf("first %+v", m)
	}
	if m := <-got; m != (Message{Ready: true, Status: "serving"}) {
		t.Fatalf("second %+v", m)
	}
	n.Close()
}
