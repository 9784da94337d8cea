package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// StatusJSON fetches the status of names (all when empty) and returns the
// daemon's JSON as received, with its decoding: `sup status -o json` prints
// the bytes instead of encoding the reply a second time.
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
	var out StatusReply
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		return nil, nil, fmt.Errorf("bad reply from daemon: %w", err)
	}
	return buf.Bytes(), &out, nil
}
