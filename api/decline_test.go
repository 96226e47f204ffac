package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// POST /grants/{id}/decline: an admin of the grantee declines an offer
// through the case's workflow (a decline Update with the trimmed reason);
// a plain member or staff are refused (403), another organisation gets
// 404, a grant not on offer 409, a reason too long 422; a refusal changes
// nothing and sends no Update.
func TestDeclineOfferThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mine := b.inAssessment(t, "grantee@example.org")
	theirs := b.inAssessment(t, "rival@example.org")
	grantID := b.decide(t, mine.AppID, "approve", 250_000)
	otherGrant := b.decide(t, theirs.AppID, "approve", 200_000)
	member, memberTok := b.staff(t, "member@example.org")
	require.NoError(t, b.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: mine.OrgID,
		UserID: member.ID, Role: app.MemberMember}))
	_, ftok := b.staff(t, "finance1@example.org", app.RoleFinance)
	mtok := b.login(t, "manager@example.org")
	now := time.Now()
	_, err := b.env.Store.GrantLapse(ctx, sqlc.GrantLapseParams{ID: otherGrant, LapsedAt: &now})
	require.NoError(t, err)

	rc := b.recordUpdates()
	rc.answer(func(u sentUpdate) (any, error) {
		d := u.Arg.(workflows.DeclineUpdate)
		reason := d.Reason
		_, err := b.env.Store.GrantDecline(ctx, sqlc.GrantDeclineParams{ID: d.GrantID, DeclinedAt: &now, DeclineReason: &reason})
		return workflows.CaseState{Status: "approved", GrantID: d.GrantID}, err
	})
	snap := func(t *testing.T) any {
		var out []string
		for _, id := range []string{grantID, otherGrant} {
			g, err := b.env.Store.GrantGet(ctx, id)
			require.NoError(t, err)
			raw, _ := json.Marshal(g)
			out = append(out, string(raw))
		}
		return out
	}
	decline := "/grants/" + grantID + "/decline"
	b.expectRefused(t, snap, rc, []rejection{
		{"no token", "", "POST", decline, nil, 401, "unauthenticated", ""},
		{"another organisation", theirs.Token, "POST", decline, `{"garbage`, 404, "not_found", ""},
		{"junk id", mine.Token, "POST", "/grants/nope/decline", nil, 404, "not_found", ""},
		{"plain member", memberTok, "POST", decline, `{"garbage`, 403, "forbidden", ""},
		{"manager", mtok, "POST", decline, nil, 403, "forbidden", ""},
		{"finance", ftok, "POST", decline, nil, 403, "forbidden", ""},
		{"not on offer", theirs.Token, "POST", "/grants/" + otherGrant + "/decline", `{"garbage`, 409, "invalid_state", ""},
		{"malformed", mine.Token, "POST", decline, `{"reason":`, 400, "malformed_request", ""},
		{"unknown field", mine.Token, "POST", decline, map[string]any{"why": "x"}, 400, "malformed_request", ""},
		{"reason too long", mine.Token, "POST", decline, map[string]any{"reason": strings.Repeat("é", workflows.MaxReasonRunes+1)}, 422, "validation_failed", "reason"},
	})

	res := b.do(t, "POST", decline, mine.Token, map[string]any{"reason": "  We found other funding  "})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "declined", res.json(t)["status"])
	require.Equal(t, "We found other funding", res.json(t)["decline_reason"])
	require.NotNil(t, res.json(t)["declined_at"])
	sent := rc.take()
	require.Len(t, sent, 1)
	require.Equal(t, workflows.ApplicationWorkflowID(mine.AppID), sent[0].WorkflowID)
	require.Equal(t, workflows.UpdateDecline, sent[0].Name)
	d := sent[0].Arg.(workflows.DeclineUpdate)
	require.Equal(t, grantID, d.GrantID)
	require.Equal(t, "We found other funding", d.Reason)
	admin, ok, err := b.env.App.UserByEmail(ctx, "grantee@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, admin.ID, d.Caller.ID)

	list := b.do(t, "GET", "/grants?status=declined", mine.Token, nil)
	require.Equal(t, http.StatusOK, list.Status, string(list.Body))
	require.Len(t, list.json(t)["items"], 1)

	// Declined: no longer on offer.
	b.expectRefused(t, snap, rc, []rejection{{"declined already", mine.Token, "POST", decline, nil, 409, "invalid_state", ""}})
}
