package statedir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Child is a process sup started, as recorded in pids.json: its pid (also
// its process group) and its start time in clock ticks since boot (field
// 22 of /proc/<pid>/stat), which tells it from a later process that reuses
// the pid.
type Child struct {
	Name  string `json:"name"`
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// PidsFile is the name of the record in the state dir.
const PidsFile = "pids.json"

// StartTime reads the start time of pid from /proc/<pid>/stat.
func StartTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: fields
	// are counted after its closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, errors.New("malformed stat")
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// EncodePids renders the record, sorted by name.
func EncodePids(children []Child) []byte {
	sort.Slice(children, func(i, j int) bool { return children[i].Name < children[j].Name })
	b, _ := json.MarshalIndent(struct {
		Schema   string  `json:"schema"`
		Children []Child `json:"children"`
	}{"sup.pids/v1", children}, "", "  ")
	return append(b, '\n')
}

// Survivors reads the record in dir and returns the children still alive
// with the same start time. A missing record means none.
func Survivors(dir string) ([]Child, error) {
	b, err := os.ReadFile(dir + "/" + PidsFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec struct {
		Children []Child `json:"children"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%s: %w", PidsFile, err)
	}
	var out []Child
	for _, c := range rec.Children {
		if c.PID <= 1 || c.PID == os.Getpid() {
			continue
		}
		if st, err := StartTime(c.PID); err == nil && st == c.Start {
			out = append(out, c)
		}
	}
	return out, nil
}

// Kill ends survivors: SIGTERM to each one's process group, then SIGKILL
// to those still there after grace. It returns the pids it had to SIGKILL.
func Kill(children []Child, grace time.Duration) []int {
	var fds []unix.PollFd
	for _, c := range children {
		if fd, err := unix.PidfdOpen(c.PID, 0); err == nil {
			fds = append(fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		}
		if err := unix.Kill(-c.PID, syscall.SIGTERM); err != nil {
			unix.Kill(c.PID, syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(grace)
	for _, fd := range fds {
		one := []unix.PollFd{fd}
		for {
			ms := int(max(time.Until(deadline), 0) / time.Millisecond)
			n, err := unix.Poll(one, ms)
			if err == unix.EINTR {
				continue
			}
			_ = n
			break
		}
		unix.Close(int(fd.Fd))
	}
	var killed []int
	for _, c := range children {
		if st, err := StartTime(c.PID); err == nil && st == c.Start && !zombie(c.PID) {
			killed = append(killed, c.PID)
		}
		// The group may hold descendants even when the leader is gone.
		unix.Kill(-c.PID, syscall.SIGKILL)
	}
	return killed
}

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] == 'Z'
}
