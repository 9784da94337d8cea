package testproc

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// printIDs prints the process's identity, umask and niceness:
// "uid=U gid=G groups=[...] umask=0OOO nice=N".
func printIDs(args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("print-ids takes no arguments")
	}
	groups, err := os.Getgroups()
	if err != nil {
		return err
	}
	mask := syscall.Umask(0)
	syscall.Umask(mask)
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return err
	}
	// The raw syscall returns 20 - nice.
	_, err = fmt.Fprintf(stdout, "uid=%d gid=%d groups=%v umask=%04o nice=%d\n",
		os.Getuid(), os.Getgid(), groups, mask, 20-prio)
	return err
}
