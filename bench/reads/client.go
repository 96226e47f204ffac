package reads

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client calls the API as one signed-in user, one request at a time, and
// times each call.
type client struct {
	http  *http.Client
	base  string // the API's base URL, .../api/v1
	token string
}

// do sends a request and decodes a 2xx answer into out (nil: discard),
// returning how long the round trip took, the body read to its end.
func (c *client) do(ctx context.Context, method, path string, body, out any) (time.Duration, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		return took, fmt.Errorf("%s %s: %s: %.300s", method, path, res.Status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return took, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return took, nil
}

// signIn returns a client for email, signed in through the API.
func signIn(ctx context.Context, hc *http.Client, base, email, password string) (*client, error) {
	c := &client{http: hc, base: base}
	var tok struct {
		Token string `json:"token"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/auth/login", map[string]string{"email": email, "password": password}, &tok); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", email, err)
	}
	c.token = tok.Token
	return c, nil
}

// page is the shape of every list answer the scenario reads.
type page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}
