package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/sup-run/sup/runtime/supervisor"
)

// LogBackend is the log part of the Backend.
type LogBackend interface {
	RotateLogs(ctx context.Context, names []string) ([]supervisor.Result, error)
	ClearLogs(ctx context.Context, names []string) ([]supervisor.Result, error)
	LogFiles(ctx context.Context, names []string, stream string) ([]supervisor.NamedLog, error)
	Send(ctx context.Context, name string, data []byte) error
}

// SendRequest is the body of POST /v1/send.
type SendRequest struct {
	Name string `json:"name"`
	Data []byte `json:"data"` // base64 in JSON
}

// Line is one line of GET /v1/lines (one JSON document per line).
type Line struct {
	Name   string    `json:"name"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
	Text   string    `json:"text"`
	// Partial: the process has not ended the line yet.
	Partial bool `json:"partial,omitempty"`
}

func (s *Server) logRoutes() {
	s.mux.HandleFunc("POST /v1/rotate", s.action("rotate"))
	s.mux.HandleFunc("POST /v1/clear", s.action("clear"))
	s.mux.HandleFunc("POST /v1/send", s.send)
	s.mux.HandleFunc("GET /v1/lines", s.lines)
}

func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	var req SendRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Name == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "name is required")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.b.Send(ctx, req.Name, req.Data); err != nil {
		backendError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"schema": SchemaResults, "ok": true})
}

// lines serves the last n lines of each named process from memory, merged
// by time, then (follow) new lines as they come.
func (s *Server) lines(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := 10
	if v := q.Get("n"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("n %q is not a non-negative integer", v))
			return
		}
		n = k
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("since %q is not a duration such as 10m", v))
			return
		}
		since = time.Now().Add(-d)
	}
	stream := q.Get("stream")
	if stream != "" && stream != "stdout" && stream != "stderr" {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("unknown stream %q (want stdout or stderr)", stream))
		return
	}
	files, err := s.b.LogFiles(r.Context(), q["name"], stream)
	if err != nil {
		backendError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	seen := make([]uint64, len(files))
	changed := make([]<-chan struct{}, len(files))
	var batch []Line
	collect := func(max int) {
		batch = batch[:0]
		for i, f := range files {
			changed[i] = f.File.Changed()
			for _, l := range f.File.Lines(max, seen[i]) {
				if l.Partial && q.Get("follow") != "" {
					break // printed once it is complete
				}
				seen[i] = l.Seq
				if !since.IsZero() && l.Time.Before(since) {
					continue
				}
				batch = append(batch, Line{Name: f.Name, Stream: f.Stream, Time: l.Time, Text: string(l.Text), Partial: l.Partial})
			}
		}
		sort.SliceStable(batch, func(i, j int) bool { return batch[i].Time.Before(batch[j].Time) })
	}
	collect(-1)
	if len(batch) > n {
		batch = batch[len(batch)-n:]
	}
	for _, l := range batch {
		enc.Encode(l)
	}
	if q.Get("follow") == "" {
		return
	}
	fl, _ := w.(http.Flusher)
	cases := make(chan struct{}, 1)
	for {
		if fl != nil {
			fl.Flush()
		}
		// Wake on any file's change; one small goroutine per file waits.
		ctx, cancel := context.WithCancel(r.Context())
		for _, ch := range changed {
			go func(ch <-chan struct{}) {
				select {
				case <-ch:
					select {
					case cases <- struct{}{}:
					default:
					}
				case <-ctx.Done():
				}
			}(ch)
		}
		select {
		case <-r.Context().Done():
			cancel()
			return
		case <-cases:
		}
		cancel()
		for _, f := range files {
			if f.File.Closed() {
				return
			}
		}
		collect(-1)
		for _, l := range batch {
			if err := enc.Encode(l); err != nil {
				return
			}
		}
	}
}
