package app_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db"
)

// The one error-to-status rule is DESIGN §7's table, kind by kind; both
// faces (api's writeError, web's fail and refusal) use it and have their
// own tests that every kind answers with Kind.Status.
func TestKindStatusAndCode(t *testing.T) {
	t.Parallel()
	want := []struct {
		kind   app.Kind
		status int
		code   string
	}{
		{app.KindInternal, 500, "internal"},
		{app.KindMalformed, 400, "malformed_request"},
		{app.KindUnauthenticated, 401, "unauthenticated"},
		{app.KindForbidden, 403, "forbidden"},
		{app.KindNotFound, 404, "not_found"},
		{app.KindConflict, 409, "conflict"},
		{app.KindTooLarge, 413, "too_large"},
		{app.KindUnsupported, 415, "unsupported_media_type"},
		{app.KindInvalid, 422, "validation_failed"},
		{app.KindRateLimited, 429, "rate_limited"},
		{app.KindUnavailable, 503, "unavailable"},
	}
	for _, w := range want {
		t.Run(w.code, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, w.status, w.kind.Status())
			require.Equal(t, w.code, w.kind.Code())
			err := fmt.Errorf("wrapped: %w", &app.Error{Kind: w.kind, Code: w.kind.Code()})
			require.Equal(t, w.status, app.StatusOf(err))
		})
	}
	// A kind outside the table, and an error that is not an *app.Error,
	// are internal.
	unknown := app.KindUnavailable + 1
	require.Equal(t, 500, unknown.Status())
	require.Equal(t, "internal", unknown.Code())
	require.Equal(t, 500, app.StatusOf(errors.New("boom")))
	// The constructors carry their kind's code.
	require.Equal(t, "validation_failed", app.Invalid(nil).Code)
	require.Equal(t, "rate_limited", app.RateLimited(1).Code)
	require.Equal(t, "unauthenticated", app.ErrUnauthenticated.Code)
}

// A database that cannot be reached is a 503 unavailable with
// Retry-After, on both faces, not a 500; other errors stay internal.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	e, ok := app.AsError(fmt.Errorf("load round: %w", fmt.Errorf("%w: connection refused", db.ErrUnavailable)))
	require.True(t, ok)
	require.Equal(t, app.KindUnavailable, e.Kind)
	require.Equal(t, "unavailable", e.Code)
	require.Positive(t, e.RetryAfter)
	require.Equal(t, 503, app.StatusOf(fmt.Errorf("wrapped: %w", db.ErrUnavailable)))
	_, ok = app.AsError(errors.New("boom"))
	require.False(t, ok)
	require.Equal(t, 500, app.StatusOf(errors.New("boom")))
}
