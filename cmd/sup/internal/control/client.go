package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// SocketRel is where a daemon's socket lives relative to the directory the
// client searches from.
const SocketRel = ".sup/sup.sock"

// NoDaemonError says no daemon could be reached, and what was tried.
type NoDaemonError struct {
	Tried []string
	Err   error
}

func (e *NoDaemonError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("no sup daemon answering at %s (%v)", strings.Join(e.Tried, ", "), e.Err)
	}
	return fmt.Sprintf("no sup daemon running (looked for %s here and in parent directories; use -s or SUP_SERVER)", SocketRel)
}

func (e *NoDaemonError) Unwrap() error { return e.Err }

// APIError is an error reply from the daemon.
type APIError struct {
	Status int
	Body   ErrorBody
}

func (e *APIError) Error() string { return e.Body.Message }

// Find resolves the daemon address: the flag, else SUP_SERVER, else the
// nearest .sup/sup.sock in dir or its parents.
func Find(flag, env, dir string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env != "" {
		return env, nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, SocketRel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	return "", &NoDaemonError{}
}

// Client speaks the API.
type Client struct {
	addr string
	base string
	hc   *http.Client
}

// NewClient returns a client for addr: a socket path, unix:///path, or
// http://host:port.
func NewClient(addr string) (*Client, error) {
	c := &Client{addr: addr}
	switch {
	case strings.HasPrefix(addr, "http://"), strings.HasPrefix(addr, "https://"):
		c.base = strings.TrimRight(addr, "/")
		c.hc = &http.Client{}
	default:
		path := strings.TrimPrefix(addr, "unix://")
		if path == "" {
			return nil, fmt.Errorf("bad server address %q", addr)
		}
		c.addr = path
		c.base = "http://sup"
		c.hc = &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", path)
			},
		}}
	}
	return c, nil
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, &NoDaemonError{Tried: []string{c.addr}, Err: unwrapNet(err)}
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		var er ErrorReply
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if json.Unmarshal(b, &er) != nil || er.Error.Message == "" {
			er.Error = ErrorBody{Code: "http", Message: fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(b)))}
		}
		return nil, &APIError{Status: resp.StatusCode, Body: er.Error}
	}
	if out == nil {
		return resp, nil
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, fmt.Errorf("bad reply from daemon: %w", err)
	}
	return resp, nil
}

// unwrapNet strips url.Error and net.OpError layers to the cause.
func unwrapNet(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		err = se.Err
	}
	return err
}

// Status fetches the status of names (all when empty).
func (c *Client) Status(ctx context.Context, names []string) (*StatusReply, error) {
	q := url.Values{}
	for _, n := range names {
		q.Add("name", n)
	}
	var out StatusReply
	path := "/v1/status"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	_, err := c.do(ctx, http.MethodGet, path, nil, &out)
	return &out, err
}

// Action runs start, stop, restart or signal.
func (c *Client) Action(ctx context.Context, verb string, req ActionRequest) (*ResultsReply, error) {
	var out ResultsReply
	_, err := c.do(ctx, http.MethodPost, "/v1/"+verb, req, &out)
	return &out, err
}

// Wait blocks until the condition holds or the timeout passes.
func (c *Client) Wait(ctx context.Context, req WaitRequest) (*WaitReply, error) {
	var out WaitReply
	_, err := c.do(ctx, http.MethodPost, "/v1/wait", req, &out)
	return &out, err
}

// Shutdown stops the daemon and every process.
func (c *Client) Shutdown(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodPost, "/v1/shutdown", struct{}{}, &map[string]any{})
	return err
}

// Log opens a log read; the caller reads and closes the body. offset < 0
// counts from the end.
func (c *Client) Log(ctx context.Context, name, stream string, offset int64, follow bool) (io.ReadCloser, error) {
	q := url.Values{"name": {name}, "offset": {fmt.Sprint(offset)}}
	if stream != "" {
		q.Set("stream", stream)
	}
	if follow {
		q.Set("follow", "1")
	}
	resp, err := c.do(ctx, http.MethodGet, "/v1/log?"+q.Encode(), nil, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Scale changes a job's number of processes.
func (c *Client) Scale(ctx context.Context, req ScaleRequest) (*ResultsReply, error) {
	var out ResultsReply
	_, err := c.do(ctx, http.MethodPost, "/v1/scale", req, &out)
	return &out, err
}

// Send writes data to a process's stdin.
func (c *Client) Send(ctx context.Context, name string, data []byte) error {
	_, err := c.do(ctx, http.MethodPost, "/v1/send", SendRequest{Name: name, Data: data}, &map[string]any{})
	return err
}

// Lines opens GET /v1/lines; the body is NDJSON of Line.
func (c *Client) Lines(ctx context.Context, names []string, stream string, n int, since string, follow bool) (io.ReadCloser, error) {
	q := url.Values{"name": names, "n": {fmt.Sprint(n)}}
	if stream != "" {
		q.Set("stream", stream)
	}
	if since != "" {
		q.Set("since", since)
	}
	if follow {
		q.Set("follow", "1")
	}
	resp, err := c.do(ctx, http.MethodGet, "/v1/lines?"+q.Encode(), nil, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
