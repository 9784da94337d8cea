package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sup-run/sup/internal/signals"
	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/supervisor"
)

// Backend is what the server needs from the supervisor.
type Backend interface {
	Status(ctx context.Context, names []string) ([]supervisor.ProcessInfo, error)
	Daemon(ctx context.Context) (supervisor.DaemonInfo, error)
	Start(ctx context.Context, names []string, wait bool) ([]supervisor.Result, error)
	Stop(ctx context.Context, names []string, wait bool) ([]supervisor.Result, error)
	Restart(ctx context.Context, names []string, wait bool) ([]supervisor.Result, error)
	Signal(ctx context.Context, names []string, sig syscall.Signal) ([]supervisor.Result, error)
	Wait(ctx context.Context, names []string, cond func(supervisor.ProcessInfo) bool) ([]supervisor.ProcessInfo, bool, error)
	LogFile(ctx context.Context, name, stream string) (*logs.File, error)
	Shutdown(ctx context.Context) error
	Scale(ctx context.Context, job string, n int, wait bool) ([]supervisor.Result, error)
	LogBackend
}

// maxBody bounds request bodies; every request here is small.
const maxBody = 1 << 20

// Server serves the API for a Backend.
type Server struct {
	b   Backend
	log *slog.Logger
	mux *http.ServeMux
	// shutdown is called after a /v1/shutdown request has been answered.
	onShutdown func()
}

// NewServer returns the API handler. onShutdown runs after a shutdown
// request has stopped every process and been answered.
func NewServer(b Backend, log *slog.Logger, onShutdown func()) *Server {
	s := &Server{b: b, log: log, mux: http.NewServeMux(), onShutdown: onShutdown}
	s.mux.HandleFunc("GET /v1/status", s.status)
	s.mux.HandleFunc("POST /v1/start", s.action("start"))
	s.mux.HandleFunc("POST /v1/stop", s.action("stop"))
	s.mux.HandleFunc("POST /v1/restart", s.action("restart"))
	s.mux.HandleFunc("POST /v1/signal", s.action("signal"))
	s.mux.HandleFunc("POST /v1/wait", s.wait)
	s.mux.HandleFunc("GET /v1/log", s.logRead)
	s.mux.HandleFunc("POST /v1/shutdown", s.shutdown)
	s.mux.HandleFunc("POST /v1/scale", s.scale)
	if eb, ok := b.(EventBackend); ok {
		s.eventRoutes(eb)
	}
	s.logRoutes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			s.log.Error("control: handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
			writeError(w, http.StatusInternalServerError, "internal", "internal error (logged by the daemon)")
		}
	}()
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
			writeError(w, http.StatusUnsupportedMediaType, "bad_content_type", "POST bodies must be application/json")
			return
		}
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// Unknown routes and wrong methods answer in the same JSON shape
		// as every other error.
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := s.mux.Handler(probe); p != "" {
				w.Header().Set("Allow", m)
				writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
					fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, m))
				return
			}
		}
		writeError(w, http.StatusNotFound, "not_found", "no such route: "+r.URL.Path)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, kind, msg string) {
	writeJSON(w, code, ErrorReply{Schema: SchemaError, Error: ErrorBody{Code: kind, Message: msg}})
}

// backendError maps a backend error to a response.
func backendError(w http.ResponseWriter, err error) {
	var ne *supervisor.NameError
	switch {
	case errors.As(err, &ne):
		writeError(w, http.StatusNotFound, "unknown_name", err.Error())
	case errors.Is(err, supervisor.ErrShutdown):
		writeError(w, http.StatusServiceUnavailable, "shutting_down", "sup is shutting down")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		writeError(w, http.StatusGatewayTimeout, "timeout", err.Error())
	default:
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
	}
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body too large")
			return false
		}
		if errors.Is(err, io.EOF) {
			writeError(w, http.StatusBadRequest, "bad_request", "empty request body")
			return false
		}
		writeError(w, http.StatusBadRequest, "bad_request", "bad JSON: "+err.Error())
		return false
	}
	return true
}

// withTimeout applies a request's timeout ("" or "0" = none).
// A bad one is answered with a 400 here, and ok is false.
func withTimeout(w http.ResponseWriter, r *http.Request, s string) (ctx context.Context, cancel context.CancelFunc, ok bool) {
	if s == "" || s == "0" {
		ctx, cancel := context.WithCancel(r.Context())
		return ctx, cancel, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("timeout: %q is not a duration", s))
		return nil, nil, false
	}
	ctx, cancel = context.WithTimeout(r.Context(), d)
	return ctx, cancel, true
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	names := r.URL.Query()["name"]
	d, err := s.b.Daemon(r.Context())
	if err != nil {
		backendError(w, err)
		return
	}
	ps, err := s.b.Status(r.Context(), names)
	if err != nil {
		backendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, StatusReply{Schema: SchemaStatus, Daemon: d, Processes: ps})
}

func (s *Server) action(verb string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req ActionRequest
		if !decode(w, r, &req) {
			return
		}
		if len(req.Names) == 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "no process named (give a name, group:*, or all)")
			return
		}
		ctx, cancel, ok := withTimeout(w, r, req.Timeout)
		if !ok {
			return
		}
		defer cancel()
		var rs []supervisor.Result
		var err error
		switch verb {
		case "start":
			rs, err = s.b.Start(ctx, req.Names, req.Wait)
		case "stop":
			rs, err = s.b.Stop(ctx, req.Names, req.Wait)
		case "restart":
			rs, err = s.b.Restart(ctx, req.Names, req.Wait)
		case "signal":
			sig, perr := signals.Parse(req.Signal)
			if perr != nil {
				writeError(w, http.StatusBadRequest, "bad_signal", perr.Error())
				return
			}
			rs, err = s.b.Signal(ctx, req.Names, sig)
		case "rotate":
			rs, err = s.b.RotateLogs(ctx, req.Names)
		case "clear":
			rs, err = s.b.ClearLogs(ctx, req.Names)
		}
		if err != nil {
			backendError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, ResultsReply{Schema: SchemaResults, Results: rs})
	}
}

// conditions are the targets of wait --for.
var conditions = map[string]func(supervisor.ProcessInfo) bool{
	"running": func(p supervisor.ProcessInfo) bool { return p.StateName == "RUNNING" },
	// ready: a service is RUNNING and its readiness check passed; a task
	// finished with an expected exit.
	"ready": func(p supervisor.ProcessInfo) bool { return p.Ready },
	"stopped": func(p supervisor.ProcessInfo) bool {
		switch p.StateName {
		case "STOPPED", "EXITED", "FATAL":
			return true
		}
		return false
	},
	"exited": func(p supervisor.ProcessInfo) bool { return p.StateName == "EXITED" },
	"fatal":  func(p supervisor.ProcessInfo) bool { return p.StateName == "FATAL" },
	"backoff": func(p supervisor.ProcessInfo) bool {
		return p.StateName == "BACKOFF"
	},
}

// Conditions lists the names wait --for accepts.
func Conditions() []string {
	return []string{"running", "ready", "stopped", "exited", "fatal", "backoff"}
}

func (s *Server) wait(w http.ResponseWriter, r *http.Request) {
	var req WaitRequest
	if !decode(w, r, &req) {
		return
	}
	cond, ok := conditions[req.For]
	if !ok {
		writeError(w, http.StatusBadRequest, "bad_request",
			fmt.Sprintf("--for %q: want one of %s", req.For, strings.Join(Conditions(), ", ")))
		return
	}
	ctx, cancel, ok := withTimeout(w, r, req.Timeout)
	if !ok {
		return
	}
	defer cancel()
	ps, met, err := s.b.Wait(ctx, req.Names, cond)
	if err != nil {
		backendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, WaitReply{Schema: SchemaWait, Met: met, Processes: ps})
}

func (s *Server) shutdown(w http.ResponseWriter, r *http.Request) {
	err := s.b.Shutdown(context.WithoutCancel(r.Context()))
	if err != nil {
		backendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schema": SchemaResults, "ok": true})
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if s.onShutdown != nil {
		go s.onShutdown()
	}
}

func (s *Server) logRead(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("name")
	if name == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "name is required")
		return
	}
	offset := int64(-1600)
	if v := q.Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("offset %q is not an integer", v))
			return
		}
		offset = n
	}
	max := int64(-1)
	if v := q.Get("length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("length %q is not a non-negative integer", v))
			return
		}
		max = n
	}
	f, err := s.b.LogFile(r.Context(), name, q.Get("stream"))
	if err != nil {
		backendError(w, err)
		return
	}
	changed := f.Changed()
	data, next, err := f.ReadRange(offset, max)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "log_read", err.Error())
		return
	}
	first := next - int64(len(data))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set(HeaderOffset, strconv.FormatInt(first, 10))
	if q.Get("follow") == "" {
		w.Header().Set(HeaderEnd, strconv.FormatInt(next, 10))
		w.WriteHeader(http.StatusOK)
		w.Write(data)
		return
	}
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	const chunk = 1 << 20
	for {
		if len(data) > 0 {
			if _, err := w.Write(data); err != nil {
				return
			}
		}
		if int64(len(data)) < chunk {
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-changed:
			}
			if f.Closed() {
				return
			}
			changed = f.Changed()
		}
		data, next, err = f.ReadRange(next, chunk)
		if err != nil {
			return
		}
	}
}
