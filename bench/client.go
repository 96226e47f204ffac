package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// apiClient is one API client signed in with its bearer token.
type apiClient struct {
	http  *http.Client
	base  string
	token string
}

// httpClient is shared by a scenario's clients, with enough idle
// connections for every one of them.
func httpClient(n int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = n+10, n+10
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// call sends body (nil: none) as JSON and decodes a 2xx answer into out
// (nil: discarded); it returns the status.
func (c *apiClient) call(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return res.StatusCode, &apiError{msg: fmt.Sprintf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw)), code: e.Error.Code}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return res.StatusCode, nil
}

// retry posts until a 2xx answer, while the answer is a 503, a 404 (what
// a workflow is about to make) or a 409 not_ready (a case's workflow
// starting), for at most a minute.
func (c *apiClient) retry(ctx context.Context, path string, body, out any) error {
	return c.retryWhile(ctx, path, body, out, func(code string) bool { return code == "not_ready" })
}

// retryConflicts is retry that also tries again after any other 409: a
// state the case's workflow is about to leave.
func (c *apiClient) retryConflicts(ctx context.Context, path string, body, out any) error {
	return c.retryWhile(ctx, path, body, out, func(string) bool { return true })
}

func (c *apiClient) retryWhile(ctx context.Context, path string, body, out any, conflict func(code string) bool) error {
	deadline := time.Now().Add(time.Minute)
	for {
		status, err := c.call(ctx, http.MethodPost, path, body, out)
		if err == nil {
			return nil
		}
		again := status == http.StatusServiceUnavailable || status == http.StatusNotFound ||
			status == http.StatusConflict && conflict(errorCode(err))
		if !again || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// apiError is a refused call: its status and the error body's code.
type apiError struct {
	msg  string
	code string
}

func (e *apiError) Error() string { return e.msg }

// errorCode is the code of a refused call's error body ("" if none).
func errorCode(err error) string {
	var e *apiError
	if errors.As(err, &e) {
		return e.code
	}
	return ""
}

// waitFor polls f every 50 ms until it reports done, for at most limit.
func waitFor(ctx context.Context, limit time.Duration, what string, f func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		done, err := f()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not after %s", what, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// WaitReady waits (at most 30 s) until the API at base (…/api/v1)
// answers.
func WaitReady(ctx context.Context, base string) error {
	c := &apiClient{http: http.DefaultClient, base: base}
	var last error
	err := waitFor(ctx, 30*time.Second, "the API at "+base, func() (bool, error) {
		_, last = c.call(ctx, http.MethodGet, "/programmes", nil, nil)
		return last == nil, nil
	})
	if err != nil && last != nil {
		return fmt.Errorf("%w: %w", err, last)
	}
	return err
}
