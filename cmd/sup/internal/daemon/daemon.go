// Package daemon wires a configuration to a running supervisor: it loads
// the Starlark config, owns the state dir and control socket, starts the
// reaper and the loop, and turns SIGTERM/SIGINT into a graceful shutdown.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sup-run/sup/cmd/sup/internal/control"
	"github.com/sup-run/sup/lang"
	"github.com/sup-run/sup/runtime/logs"
	"github.com/sup-run/sup/runtime/proc"
	"github.com/sup-run/sup/runtime/sched"
	"github.com/sup-run/sup/runtime/spec"
	"github.com/sup-run/sup/runtime/statedir"
	"github.com/sup-run/sup/runtime/supervisor"
	"github.com/sup-run/sup/runtime/track"
)

// Options configure a daemon run.
type Options struct {
	Config    string // the config file
	Socket    string // overrides settings(socket=)
	LogFormat string // "text" or "json"
	Stderr    io.Writer
	// Ready, if set, is called once the socket answers and the config is
	// applied.
	Ready func(*spec.Spec)
	// ExecHelper are the arguments that make sup's own executable the exec
	// helper of proc.ReaperOptions.Helper (see cli.ExecHelperArgs).
	ExecHelper []string
}

// Load evaluates a config hermetically.
func Load(ctx context.Context, path string) (*spec.Spec, error) {
	return lang.Load(ctx, path, lang.Options{})
}

// Run supervises the config until SIGTERM/SIGINT or a shutdown request, then
// stops every process with grace and returns nil.
func Run(ctx context.Context, opts Options) error {
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	var handler slog.Handler
	switch opts.LogFormat {
	case "", "text":
		handler = slog.NewTextHandler(opts.Stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(opts.Stderr, nil)
	default:
		return fmt.Errorf("--log-format %q: want text or json", opts.LogFormat)
	}
	log := slog.New(handler)
	servePprof(os.Getenv(pprofEnv), log)

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	sp, err := Load(ctx, opts.Config)
	if err != nil {
		return err
	}
	if opts.Socket != "" {
		sp.Settings.Socket = opts.Socket
	}
	if err := os.MkdirAll(sp.Settings.StateDir, 0o755); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	// The lock comes first (R14): the kernel releases it however sup
	// dies, so it is never stale, and it names the live instance.
	lock, err := statedir.Acquire(sp.Settings.StateDir)
	if err != nil {
		return err
	}
	defer lock.Release()
	ln, err := control.Listen(sp.Settings.Socket)
	if errors.Is(err, control.ErrRunning) {
		return fmt.Errorf("sup is already running for this config (pid %s, socket %s)", livePid(ctx, sp.Settings.Socket), sp.Settings.Socket)
	}
	if err != nil {
		return err
	}
	defer ln.Close()

	var helper []string
	if exe, err := os.Executable(); err == nil {
		helper = append([]string{exe}, opts.ExecHelper...)
	}
	reaper, err := proc.NewReaper(log, proc.ReaperOptions{Subreaper: true, Helper: helper})
	if err != nil {
		return fmt.Errorf("reaper: %w", err)
	}
	defer reaper.Close()
	tracker, err := track.New(track.Options{Mode: sp.Settings.Tracking, Log: log, Started: reaper.Started})
	if err != nil {
		return err
	}
	log.Info("tracking descendants", "mode", tracker.Mode(), "note", tracker.Note())
	// Whatever ends Run, nothing a job forked outlives it (R2).
	defer func() {
		if pids := tracker.Sweep(survivorGrace); len(pids) > 0 {
			log.Warn("killed processes left behind by jobs", "pids", fmt.Sprint(pids))
		}
	}()

	stopped, err := readIntent(sp.Settings.StateDir)
	if err != nil {
		log.Error("cannot read the admin intent; starting per autostart", "err", err)
	}
	// Survivors of a previous sup are killed (or adopted) before anything
	// starts, so that no job ever runs twice (R1).
	var adopted map[string]supervisor.Proc
	if sp.Settings.OnSurvivors == "adopt" {
		adopted, err = adoptSurvivors(sp.Settings.StateDir, sp, stopped, log)
	} else {
		err = killSurvivors(sp.Settings.StateDir, log)
		killStaleCgroup(sp.Settings.StateDir, tracker.CgroupDir(), log)
	}
	if err != nil {
		log.Error("cannot check for survivors of a previous sup", "err", err)
	}
	pers := newPersister(sp.Settings.StateDir, log)
	sup := supervisor.New(supervisor.Options{
		Spawner:      &spawner{reaper: reaper, bufs: logs.NewBuffers(), log: log, track: tracker},
		Tracking:     tracker.Mode(),
		TrackingNote: tracker.Note(),
		Adopted:      adopted,
		Logger:       log,
		AdminStopped: stopped,
		OnIntent:     pers.onIntent,
		OnPids:       pers.onPids,
		Store:        sched.FileStore{Path: filepath.Join(sp.Settings.StateDir, "schedules.json")},
	})
	pers.sup = sup
	go pers.run()
	loopCtx, cancelLoop := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelLoop()
	go sup.Run(loopCtx)
	// Whatever ends Run, no child outlives it: stop everything first.
	defer sup.Shutdown(context.Background())

	shutdownReq := make(chan struct{}, 1)
	srv := &http.Server{
		Handler:           control.NewServer(sup, log, func() { shutdownReq <- struct{}{} }),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelDebug),
	}

	if err := sup.Apply(context.WithoutCancel(ctx), sp); err != nil {
		return err
	}
	// Serve only once the config is applied: a client that connects
	// earlier waits in the listen backlog instead of finding no jobs.
	go srv.Serve(ln)
	reopenOnUSR2(sup, log)
	log.Info("sup running", "config", sp.Config, "socket", sp.Settings.Socket, "pid", os.Getpid(), "jobs", len(sp.Jobs))
	if opts.Ready != nil {
		opts.Ready(sp)
	}

	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
		go func() {
			// A second signal while stopping is acknowledged; stop
			// timeouts still bound the wait and SIGKILL follows them.
			if s, ok := <-sigs; ok {
				log.Warn("already shutting down; waiting for stop_timeout", "signal", s.String())
			}
		}()
		sup.Shutdown(context.Background())
	case <-shutdownReq:
		log.Info("shutting down", "requested", "sup shutdown")
	case <-sup.Done():
	case <-ctx.Done():
		sup.Shutdown(context.Background())
	}
	<-sup.Done()
	pers.stop()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	log.Info("sup stopped")
	return nil
}

// livePid asks the daemon on socket for its pid, for the refusal message.
func livePid(ctx context.Context, socket string) string {
	c, err := control.NewClient(socket)
	if err != nil {
		return "unknown"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := c.Status(ctx, nil)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprint(st.Daemon.PID)
}
