package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
)

// TestDeleteDraft: a member of the lead deletes a draft with its
// documents' rows (204), the deletion stays on the application's audit
// chain and the draft is gone; everyone else is refused and nothing
// changes.
func TestDeleteDraft(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tok, draft := b.draft(t, "lead@example.org")
	appID := draft["id"].(string)
	res := b.upload(t, appID, tok, "plan.pdf", pdfBytes)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	docID := res.json(t)["id"].(string)

	stranger, _ := b.draft(t, "stranger@example.org")
	_, mtok := b.staff(t, "manager2@example.org", app.RoleManager)
	submitted := b.submittedIn(t, b.round.ID, "done@example.org")
	_, atok := b.staff(t, "assessor9@example.org", app.RoleAssessor)
	b.markEligible(t, submitted.AppID)
	b.assign(t, submitted.AppID, b.env.User(t, "assigned9@example.org", app.RoleAssessor).ID)
	assignedTok := b.login(t, "assigned9@example.org")

	snap := func(t *testing.T) any { return []snapshot{b.snapshot(t, appID), b.snapshot(t, submitted.AppID)} }
	del := func(id string) string { return "/applications/" + id }
	b.expectRefused(t, snap, nil, []rejection{
		{"unauthenticated", "", "DELETE", del(appID), nil, 401, "unauthenticated", ""},
		{"another organisation", stranger, "DELETE", del(appID), nil, 404, "not_found", ""},
		{"manager, draft", mtok, "DELETE", del(appID), nil, 404, "not_found", ""},
		{"unassigned assessor, draft", atok, "DELETE", del(appID), nil, 404, "not_found", ""},
		{"manager, submitted", mtok, "DELETE", del(submitted.AppID), nil, 403, "forbidden", ""},
		{"assigned assessor, submitted", assignedTok, "DELETE", del(submitted.AppID), nil, 403, "forbidden", ""},
		{"member, submitted", submitted.Token, "DELETE", del(submitted.AppID), nil, 409, "invalid_state", ""},
		{"junk id", tok, "DELETE", del("nope"), nil, 404, "not_found", ""},
	})

	res = b.do(t, "DELETE", del(appID), tok, nil)
	require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
	require.Empty(t, res.Body)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", del(appID), tok, nil).Status)
	require.Equal(t, http.StatusNotFound, b.do(t, "GET", "/documents/"+docID, tok, nil).Status)
	docs, err := b.env.Store.DocumentListByApplication(ctx, appID)
	require.NoError(t, err)
	require.Empty(t, docs)
	events, err := b.env.Store.AuditListByChain(ctx, "application:"+appID)
	require.NoError(t, err)
	require.NotEmpty(t, events)
	last := events[len(events)-1]
	require.Equal(t, "application.deleted", last.Action)
	require.Contains(t, string(last.Data), docID)

	// Deleting again: it is gone.
	res = b.do(t, "DELETE", del(appID), tok, nil)
	require.Equal(t, http.StatusNotFound, res.Status, string(res.Body))
	// The same organisation may start a new draft in the round.
	res = b.do(t, "POST", "/applications", tok, map[string]any{"round_id": b.round.ID, "organisation_id": draft["organisation_id"]})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
}
