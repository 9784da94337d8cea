package daemon

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
)

// pprofEnv names the environment variable that, when set to a TCP address
// (e.g. SUP_PPROF=127.0.0.1:6060), serves the Go profiler of the daemon
// there: /debug/pprof/heap, /goroutine, /profile?seconds=N. It is for
// measuring sup itself (docs/performance.md) and is not a supported
// interface.
const pprofEnv = "SUP_PPROF"

// servePprof starts the profiler endpoint at addr (SUP_PPROF's value; ""
// serves nothing) and returns its listener, nil when there is none.
func servePprof(addr string, log *slog.Logger) net.Listener {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("cannot serve the profiler", "env", pprofEnv, "err", err)
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("profiler listening", "addr", ln.Addr().String())
	go http.Serve(ln, mux)
	return ln
}
