package control

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/sup-run/sup/runtime/events"
	"github.com/sup-run/sup/runtime/spec"
)

// Schema names of the event documents.
const (
	SchemaEvent = "sup.event/v1"
)

// EventBackend is what the event routes need from the supervisor.
type EventBackend interface {
	Emit(ctx context.Context, name string, vars map[string]string) (spec.Event, error)
	Events() *events.Bus
}

// EmitRequest is the body of POST /v1/emit.
type EmitRequest struct {
	Event string            `json:"event"`
	Vars  map[string]string `json:"vars,omitempty"`
}

// EventLine is one line of the NDJSON event stream, and the reply of emit.
// A line with Dropped > 0 (and no event) reports events this stream lost
// because it read too slowly.
type EventLine struct {
	Schema string `json:"schema"`
	spec.Event
	Dropped uint64 `json:"dropped,omitempty"`
}

func (s *Server) eventRoutes(b EventBackend) {
	s.mux.HandleFunc("POST /v1/emit", func(w http.ResponseWriter, r *http.Request) {
		var req EmitRequest
		if !decode(w, r, &req) {
			return
		}
		ev, err := b.Emit(r.Context(), req.Event, req.Vars)
		if err != nil {
			backendError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, EventLine{Schema: SchemaEvent, Event: ev})
	})
	s.mux.HandleFunc("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
		follow := r.URL.Query().Get("follow") != ""
		bus := b.Events()
		var sub *events.Sub
		var hist []spec.Event
		if follow {
			sub, hist = bus.Subscribe(1024)
			defer sub.Close()
		} else {
			hist = bus.History()
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		enc := json.NewEncoder(w)
		for _, ev := range hist {
			if enc.Encode(EventLine{Schema: SchemaEvent, Event: ev}) != nil {
				return
			}
		}
		fl, _ := w.(http.Flusher)
		if fl != nil {
			fl.Flush()
		}
		if !follow {
			return
		}
		var reported uint64
		for {
			select {
			case <-r.Context().Done():
				return
			case ev := <-sub.C:
				if d := sub.Dropped(); d > reported {
					reported = d
					s.log.Warn("events stream too slow; events dropped", "dropped", d)
					if enc.Encode(EventLine{Schema: SchemaEvent, Dropped: d}) != nil {
						return
					}
				}
				if enc.Encode(EventLine{Schema: SchemaEvent, Event: ev}) != nil {
					return
				}
				if fl != nil && len(sub.C) == 0 {
					fl.Flush()
				}
			}
		}
	})
}

// Emit puts an event on the daemon's bus.
func (c *Client) Emit(ctx context.Context, req EmitRequest) (*EventLine, error) {
	var out EventLine
	_, err := c.do(ctx, http.MethodPost, "/v1/emit", req, &out)
	return &out, err
}

// Events opens the event stream (NDJSON); the caller reads and closes it.
func (c *Client) Events(ctx context.Context, follow bool) (*json.Decoder, func() error, error) {
	q := url.Values{}
	if follow {
		q.Set("follow", "1")
	}
	path := "/v1/events"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	resp, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	return json.NewDecoder(resp.Body), resp.Body.Close, nil
}
