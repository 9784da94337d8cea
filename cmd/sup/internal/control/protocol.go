// Package control is sup's control protocol: an HTTP+JSON API served on a
// unix socket, and the client the CLI uses to speak it.
//
// Routes (state changes are POST only; every JSON document names its schema):
//
//	GET  /v1/status?name=N...        {"schema":"sup.status/v1","daemon":{...},"processes":[...]}
//	POST /v1/start|stop|restart      {"names":[...],"wait":true,"timeout":"30s"} -> results
//	POST /v1/signal                  {"names":[...],"signal":"HUP"} -> results
//	POST /v1/wait                    {"names":[...],"for":"running","timeout":"5s"} -> {"met":..,"processes":[..]}
//	GET  /v1/log?name=N&stream=stdout&offset=-1600[&follow=1]   raw bytes
//	POST /v1/shutdown                stops every process, then the daemon exits
//	POST /v1/scale                   {"name":"web","count":3,"wait":true} -> results
//	POST /v1/emit                    {"event":"net-device-up","vars":{"IFACE":"eth0"}} -> the event
//	GET  /v1/events[?follow=1]       NDJSON: {"schema":"sup.event/v1","seq":N,"time":..,"event":..,"vars":{..}}
//	POST /v1/rotate|clear            {"names":[...]} -> results
//	POST /v1/send                    {"name":"N","data":"<base64>"} -> {"ok":true}
//	GET  /v1/lines?name=N...&n=10&since=5m[&follow=1]   NDJSON of Line
//
// Errors are {"error":{"code":"...","message":"..."}} with a 4xx status for
// anything the caller got wrong; unknown names are 404 with code
// "unknown_name".
package control

import (
	"github.com/sup-run/sup/runtime/supervisor"
)

// Schema names of the JSON documents.
const (
	SchemaStatus  = "sup.status/v1"
	SchemaResults = "sup.results/v1"
	SchemaWait    = "sup.wait/v1"
	SchemaError   = "sup.error/v1"
)

// StatusReply answers GET /v1/status.
type StatusReply struct {
	Schema    string                   `json:"schema"`
	Daemon    supervisor.DaemonInfo    `json:"daemon"`
	Processes []supervisor.ProcessInfo `json:"processes"`
}

// ActionRequest is the body of start, stop, restart and signal.
type ActionRequest struct {
	Names   []string `json:"names"`
	Wait    bool     `json:"wait"`
	Timeout string   `json:"timeout,omitempty"`
	Signal  string   `json:"signal,omitempty"`
}

// ResultsReply answers an action.
type ResultsReply struct {
	Schema  string              `json:"schema"`
	Results []supervisor.Result `json:"results"`
}

// WaitRequest is the body of POST /v1/wait.
type WaitRequest struct {
	Names   []string `json:"names"`
	For     string   `json:"for"`
	Timeout string   `json:"timeout,omitempty"`
}

// WaitReply answers POST /v1/wait.
type WaitReply struct {
	Schema    string                   `json:"schema"`
	Met       bool                     `json:"met"`
	Processes []supervisor.ProcessInfo `json:"processes"`
}

// ErrorReply is the body of every error response.
type ErrorReply struct {
	Schema string    `json:"schema"`
	Error  ErrorBody `json:"error"`
}

// ErrorBody says what went wrong.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Header names of the log route.
const (
	// HeaderOffset is the offset of the first byte of the body.
	HeaderOffset = "X-Sup-Offset"
	// HeaderEnd is the offset just after the last byte (non-follow reads).
	HeaderEnd = "X-Sup-End"
)

// ScaleRequest is the body of POST /v1/scale.
type ScaleRequest struct {
	Name    string `json:"name"`
	Count   *int   `json:"count"`
	Wait    bool   `json:"wait"`
	Timeout string `json:"timeout,omitempty"`
}
