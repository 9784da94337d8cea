package testproc

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/sup-run/sup/runtime/filewait"
)

// waitFile implements "wait-file PATH": print "waiting\n", wait until PATH
// exists, print "ready\n", sleep forever.
func waitFile(args []string, stdout io.Writer) error {
	if err := nargs(args, 1, 1); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "waiting")
	ch := make(chan struct{}, 1)
	filewait.Watch(context.Background(), args, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	})
	for {
		if _, err := os.Stat(args[0]); err == nil {
			break
		}
		<-ch
	}
	fmt.Fprintln(stdout, "ready")
	sleepForever()
	return nil
}

// notify implements "notify STATUS": send STATUS=<STATUS>, then READY=1, to
// $NOTIFY_SOCKET as sd_notify does, and sleep forever.
func notify(args []string) error {
	if err := nargs(args, 1, 1); err != nil {
		return err
	}
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return fmt.Errorf("NOTIFY_SOCKET is not set")
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	if _, err := c.Write([]byte("STATUS=" + args[0])); err != nil {
		return err
	}
	if _, err := c.Write([]byte("READY=1")); err != nil {
		return err
	}
	c.Close()
	sleepForever()
	return nil
}
