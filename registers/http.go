package registers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds each request to a register.
const DefaultTimeout = 10 * time.Second

// maxBody bounds what is read of a register's answer.
const maxBody = 1 << 20

// answer is a register's HTTP answer.
type answer struct {
	status     int
	body       []byte
	retryAfter int // seconds, from Retry-After on a 429
}

// get sends req with a time-out and reads the answer. An error is a
// failure to get any answer (time-out, connection refused), worded for
// Details.Reason.
func get(ctx context.Context, client *http.Client, timeout time.Duration, req *http.Request) (answer, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req = req.WithContext(ctx)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return answer{}, fmt.Errorf("the register did not answer within %s", timeout)
		}
		return answer{}, fmt.Errorf("the register could not be reached: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return answer{}, fmt.Errorf("the register did not answer within %s", timeout)
		}
		return answer{}, fmt.Errorf("read the register's answer: %w", err)
	}
	return answer{status: resp.StatusCode, body: body, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}, nil
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date;
// 0 when absent or unreadable.
func retryAfter(v string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return int(d.Seconds()) + 1
		}
	}
	return 0
}

// unexpected is the error Result of an answer that is neither found nor
// not found.
func unexpected(source, number string, a answer) Result {
	switch {
	case a.status == http.StatusTooManyRequests:
		r := errorResult(source, number, a.status, "the register's rate limit was reached; try again later")
		r.Details.RetryAfterSeconds = a.retryAfter
		return r
	case a.status == http.StatusUnauthorized || a.status == http.StatusForbidden:
		return errorResult(source, number, a.status, "the register refused the configured key")
	case a.status >= 500:
		return errorResult(source, number, a.status, fmt.Sprintf("the register answered with an error (HTTP %d)", a.status))
	default:
		return errorResult(source, number, a.status, fmt.Sprintf("the register answered HTTP %d", a.status))
	}
}
