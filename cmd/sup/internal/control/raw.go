package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/sup-run/sup/runtime/supervisor"
)

// StatusJSON fetches the status of names (all when empty) and returns the
// daemon's JSON as received, with the processes' state, exit status and
// wanted (the rest of the reply is not decoded): `sup status -o json`
// prints the bytes instead of encoding the reply a second time.
func (c *Client) StatusJSON(ctx context.Context, names []string) ([]byte, *StatusReply, error) {
	q := url.Values{}
	for _, n := range names {
		q.Add("name", n)
	}
	path := "/v1/status"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	resp, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		return nil, nil, fmt.Errorf("bad reply from daemon: %w", err)
	}
	// Only what the exit status needs is decoded; the rest is skipped.
	var slim struct {
		Processes []struct {
			StateName  string `json:"statename"`
			ExitStatus int    `json:"exitstatus"`
			Wanted     bool   `json:"wanted"`
			Expected   bool   `json:"expected"`
		} `json:"processes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &slim); err != nil {
		return nil, nil, fmt.Errorf("bad reply from daemon: %w", err)
	}
	out := &StatusReply{Processes: make([]supervisor.ProcessInfo, len(slim.Processes))}
	for i, p := range slim.Processes {
		out.Processes[i] = supervisor.ProcessInfo{StateName: p.StateName, ExitStatus: p.ExitStatus, Wanted: p.Wanted, Expected: p.Expected}
	}
	return buf.Bytes(), out, nil
}
