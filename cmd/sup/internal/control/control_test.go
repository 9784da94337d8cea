package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/supervisor"
)

// fakeBackend answers from fixed data.
type fakeBackend struct {
	procs   []supervisor.ProcessInfo
	log     *logs.File
	stopped []string
}

func (f *fakeBackend) Status(ctx context.Context, names []string) ([]supervisor.ProcessInfo, error) {
	if len(names) == 1 && names[0] == "wbe" {
		return nil, &supervisor.NameError{Name: "wbe", Suggest: "web"}
	}
	return f.procs, nil
}
func (f *fakeBackend) Daemon(ctx context.Context) (supervisor.DaemonInfo, error) {
	return supervisor.DaemonInfo{Name: "site", PID: 42}, nil
}
func (f *fakeBackend) Start(ctx context.Context, names []string, wait bool) ([]supervisor.Result, error) {
	return []supervisor.Result{{Name: names[0], OK: true, Msg: "started"}}, nil
}
func (f *fakeBackend) Stop(ctx context.Context, names []string, wait bool) ([]supervisor.Result, error) {
	f.stopped = append(f.stopped, names...)
	return []supervisor.Result{{Name: names[0], OK: true, Msg: "stopped"}}, nil
}
func (f *fakeBackend) Restart(ctx context.Context, names []string, wait bool) ([]supervisor.Result, error) {
	return nil, supervisor.ErrShutdown
}
func (f *fakeBackend) Signal(ctx context.Context, names []string, sig syscall.Signal) ([]supervisor.Result, error) {
	return []supervisor.Result{{Name: names[0], OK: true, Msg: "signalled " + signals.String(sig)}}, nil
}
func (f *fakeBackend) Wait(ctx context.Context, names []string, cond func(supervisor.ProcessInfo) bool) ([]supervisor.ProcessInfo, bool, error) {
	return f.procs, cond(f.procs[0]), nil
}
func (f *fakeBackend) LogFile(ctx context.Context, name, stream string) (*logs.File, error) {
	return f.log, nil
}
func (f *fakeBackend) Shutdown(ctx context.Context) error { return nil }
func (f *fakeBackend) RotateLogs(ctx context.Context, names []string) ([]supervisor.Result, error) {
	return nil, nil
}
func (f *fakeBackend) ClearLogs(ctx context.Context, names []string) ([]supervisor.Result, error) {
	return nil, nil
}
func (f *fakeBackend) LogFiles(ctx context.Context, names []string, stream string) ([]supervisor.NamedLog, error) {
	return nil, nil
}
func (f *fakeBackend) Send(ctx context.Context, name string, data []byte) error { return nil }
func (f *fakeBackend) Scale(ctx context.Context, job string, n int, wait bool) ([]supervisor.Result, error) {
	return []supervisor.Result{{Name: job, OK: true, Msg: fmt.Sprintf("scaled to %d", n)}}, nil
}

func serve(t *testing.T, b Backend) *Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: NewServer(b, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c, err := NewClient("unix://" + sock)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSocketModeAndStaleReclaim(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "state", "sup.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want socket 0600", st.Mode())
	}
	if _, err := Listen(sock); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Listen: %v, want ErrRunning", err)
	}
	// A socket nobody answers (a crashed daemon's) is reclaimed.
	ln.(*unlinkListener).Listener.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("socket file should survive a raw close: %v", err)
	}
	ln2, err := Listen(sock)
	if err != nil {
		t.Fatalf("stale socket not reclaimed: %v", err)
	}
	ln2.Close()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Fatalf("Close must unlink the socket: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(sock))
	if len(entries) != 0 {
		t.Fatalf("temporary bind dirs left behind: %v", entries)
	}
}

func TestRoundTrips(t *testing.T) {
	fb := &fakeBackend{procs: []supervisor.ProcessInfo{{Name: "web", StateName: "RUNNING"}}}
	c := serve(t, fb)
	ctx := context.Background()
	st, err := c.Status(ctx, nil)
	if err != nil || st.Schema != SchemaStatus || st.Daemon.PID != 42 || st.Processes[0].Name != "web" {
		t.Fatalf("status: %+v %v", st, err)
	}
	_, err = c.Status(ctx, []string{"wbe"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Body.Code != "unknown_name" ||
		ae.Error() != `unknown name "wbe" (did you mean "web"?)` {
		t.Fatalf("unknown name: %v", err)
	}
	rs, err := c.Action(ctx, "stop", ActionRequest{Names: []string{"web"}, Wait: true})
	if err != nil || rs.Results[0].String() != "web: stopped" || fb.stopped[0] != "web" {
		t.Fatalf("stop: %+v %v", rs, err)
	}
	rs, err = c.Action(ctx, "signal", ActionRequest{Names: []string{"web"}, Signal: "hup"})
	if err != nil || rs.Results[0].Msg != "signalled SIGHUP" {
		t.Fatalf("signal: %+v %v", rs, err)
	}
	_, err = c.Action(ctx, "restart", ActionRequest{Names: []string{"web"}})
	if !errors.As(err, &ae) || ae.Status != 503 || ae.Error() != "sup is shutting down" {
		t.Fatalf("restart while shutting down: %v", err)
	}
	w, err := c.Wait(ctx, WaitRequest{Names: []string{"web"}, For: "running"})
	if err != nil || !w.Met {
		t.Fatalf("wait: %+v %v", w, err)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLogReadExactBytes(t *testing.T) {
	lf, err := logs.OpenFile(filepath.Join(t.TempDir(), "web.out"))
	if err != nil {
		t.Fatal(err)
	}
	lf.Write([]byte("abc\xff\xfe\x00def"))
	c := serve(t, &fakeBackend{log: lf})
	body, err := c.Log(context.Background(), "web", "stdout", -5, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if string(got) != "\xfe\x00def" {
		t.Fatalf("tail -5 = %q", got)
	}
}

// Bad requests get a structured 4xx, never a 5xx or a change (S8).
func TestBadRequests(t *testing.T) {
	fb := &fakeBackend{procs: []supervisor.ProcessInfo{{Name: "web"}}}
	c := serve(t, fb)
	cases := []struct {
		method, path, ctype, body string
		status                    int
		msg                       string
	}{
		{"GET", "/v1/stop", "", "", 405, "GET /v1/stop: use POST"},
		{"POST", "/v1/stop", "text/plain", `{"names":["web"]}`, 415, "POST bodies must be application/json"},
		{"POST", "/v1/stop", "application/json", ``, 400, "empty request body"},
		{"POST", "/v1/stop", "application/json", `{"names":"web"}`, 400, "bad JSON: json: cannot unmarshal"},
		{"POST", "/v1/stop", "application/json", `{"names":[]}`, 400, "no process named (give a name, group:*, or all)"},
		{"POST", "/v1/stop", "application/json", `{"names":["web"],"bogus":1}`, 400, `bad JSON: json: unknown field "bogus"`},
		{"POST", "/v1/stop", "application/json", `{"names":["web"],"timeout":"soon"}`, 400, `timeout: "soon" is not a duration`},
		{"POST", "/v1/stop", "application/json", `{"names":["` + strings.Repeat("x", 2<<20) + `"]}`, 413, "request body too large"},
		{"POST", "/v1/signal", "application/json", `{"names":["web"],"signal":"NOPE"}`, 400, `"NOPE" is not a signal`},
		{"POST", "/v1/wait", "application/json", `{"names":["web"],"for":"happy"}`, 400, `--for "happy": want one of running, ready, stopped, exited, fatal, backoff`},
		{"GET", "/v1/log", "", "", 400, "name is required"},
		{"GET", "/v1/log?name=web&offset=x", "", "", 400, `offset "x" is not an integer`},
		{"GET", "/v1/log?name=web&length=-1", "", "", 400, `length "-1" is not a non-negative integer`},
		{"GET", "/v1/nothing", "", "", 404, "no such route: /v1/nothing"},
		{"GET", "/v1/../etc/passwd", "", "", 404, "no such route"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, c.base+tc.path, strings.NewReader(tc.body))
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, b)
		}
		var er ErrorReply
		if tc.msg != "" && (json.Unmarshal(b, &er) != nil || !strings.Contains(er.Error.Message, tc.msg)) {
			t.Errorf("%s %s: body %s, want %q", tc.method, tc.path, b, tc.msg)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: missing security headers", tc.method, tc.path)
		}
	}
	if len(fb.stopped) != 0 {
		t.Fatalf("a bad request changed state: stopped %v", fb.stopped)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	os.MkdirAll(deep, 0o755)
	if _, err := Find("", "", deep); err == nil || err.Error() != "no sup daemon running (looked for .sup/sup.sock here and in parent directories; use -s or SUP_SERVER)" {
		t.Fatalf("no daemon: %v", err)
	}
	os.MkdirAll(filepath.Join(root, "a", ".sup"), 0o755)
	os.WriteFile(filepath.Join(root, "a", ".sup", "sup.sock"), nil, 0o600)
	if got, _ := Find("", "", deep); got != filepath.Join(root, "a", ".sup", "sup.sock") {
		t.Fatalf("search found %q", got)
	}
	if got, _ := Find("", "unix:///env.sock", deep); got != "unix:///env.sock" {
		t.Fatalf("env: %q", got)
	}
	if got, _ := Find("/flag.sock", "unix:///env.sock", deep); got != "/flag.sock" {
		t.Fatalf("flag: %q", got)
	}
}
