package stripemock_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/platform/stripemock"
)

func start(t *testing.T) *stripemock.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s, err := stripemock.Start(ctx, stripemock.Options{Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}

func TestServesTheAPIAndStops(t *testing.T) {
	t.Parallel()
	s := start(t)
	// A second one runs side by side (each has its own ports).
	other := start(t)
	require.NotEqual(t, s.URL(), other.URL())
	require.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"), s.URL())

	for _, base := range []string{s.URL(), other.URL()} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/v1/transfers",
			strings.NewReader(url.Values{"amount": {"100"}, "currency": {"gbp"}, "destination": {"acct_1"}}.Encode()))
		require.NoError(t, err)
		req.SetBasicAuth("sk_test_123", "")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var tr struct{ Object, Destination string }
		require.NoError(t, json.Unmarshal(body, &tr))
		require.Equal(t, "transfer", tr.Object)
		require.Equal(t, "acct_1", tr.Destination)
	}

	begin := time.Now()
	require.NoError(t, s.Stop(t.Context()))
	require.Less(t, time.Since(begin), 4*time.Second, "Stop took too long")
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	require.NoError(t, s.Err())
	require.NoError(t, s.Stop(t.Context()), "second Stop")
	resp, err := http.Get(s.URL() + "/")
	if err == nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err, "still answering after Stop")
}

func TestStartFailsWithABadBinary(t *testing.T) {
	t.Parallel()
	notMock := filepath.Join(t.TempDir(), "not-stripe-mock")
	require.NoError(t, os.WriteFile(notMock, []byte("#!/bin/sh\necho 'not a mock' >&2\nexit 3\n"), 0o755))
	_, err := stripemock.Start(t.Context(), stripemock.Options{Binary: notMock})
	require.ErrorContains(t, err, "exited unexpectedly")
	require.ErrorContains(t, err, "not a mock", "the output tail is in the error")
}

func TestFindBinaryHonoursEnv(t *testing.T) {
	bin, err := stripemock.FindBinary()
	require.NoError(t, err, "run make bin/stripe-mock")
	t.Setenv(stripemock.BinaryEnv, bin)
	got, err := stripemock.FindBinary()
	require.NoError(t, err)
	require.Equal(t, bin, got)
	t.Setenv(stripemock.BinaryEnv, filepath.Join(t.TempDir(), "missing"))
	_, err = stripemock.FindBinary()
	require.ErrorContains(t, err, stripemock.BinaryEnv)
}
