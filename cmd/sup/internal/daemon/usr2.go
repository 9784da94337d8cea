package daemon

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sup-run/sup/runtime/supervisor"
)

// reopenOnUSR2 reopens every log by path on SIGUSR2, for an external
// logrotate that moved the files (its postrotate: kill -USR2 <sup pid>).
// It stops when the supervisor does.
func reopenOnUSR2(sup *supervisor.Supervisor, log *slog.Logger) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR2)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-sup.Done():
				return
			case <-ch:
				if err := sup.ReopenLogs(context.Background()); err != nil {
					log.Error("log reopen failed", "signal", "SIGUSR2", "err", err.Error())
				} else {
					log.Info("logs reopened", "signal", "SIGUSR2")
				}
			}
		}
	}()
}
