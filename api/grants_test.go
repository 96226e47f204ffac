package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows/wftest"
)

// Grants are visible to their organisation's members and to staff; an
// offer is accepted by an admin of the organisation only.
func TestGrantsScopeAndAccept(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mine := b.inAssessment(t, "grantee@example.org")
	theirs := b.inAssessment(t, "rival@example.org")
	grantID := b.decide(t, mine.AppID, "approve", 250_000)
	otherGrant := b.decide(t, theirs.AppID, "approve", 200_000)
	for i, cond := range []string{"on_acceptance", "after_report:interim"} {
		_, err := b.env.Store.PaymentInsert(ctx, sqlc.PaymentInsertParams{ID: id.New(id.Payment), GrantID: grantID,
			Tranche: int32(i + 1), AmountPence: 125_000, Condition: cond})
		require.NoError(t, err)
	}
	for _, r := range []struct {
		kind string
		ms   int64
	}{{"interim", 1000}, {"final", 2000}} {
		_, err := b.env.Store.ReportInsert(ctx, sqlc.ReportInsertParams{ID: id.New(id.Report), GrantID: grantID, Kind: r.kind, DueAfterMs: r.ms})
		require.NoError(t, err)
	}
	// A plain member of the grantee organisation.
	member, memberTok := b.staff(t, "member@example.org")
	require.NoError(t, b.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: mine.OrgID,
		UserID: member.ID, Role: app.MemberMember}))

	// The grantee reads its own grant with payments and reports.
	res := b.do(t, "GET", "/grants/"+grantID, mine.Token, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	g := res.json(t)
	require.Equal(t, "offered", g["status"])
	require.EqualValues(t, 250_000, g["award_pence"])
	require.Equal(t, mine.AppID, g["application_id"])
	require.Equal(t, mine.OrgID, g["organisation_id"])
	require.Equal(t, "Spend it well", g["conditions"])
	require.Nil(t, g["accepted_at"])
	require.Nil(t, g["signatory_name"])
	pays := g["payments"].([]any)
	require.Len(t, pays, 2)
	require.Equal(t, "on_acceptance", pays[0].(map[string]any)["condition"])
	require.Equal(t, "scheduled", pays[0].(map[string]any)["status"])
	reports := g["reports"].([]any)
	require.Len(t, reports, 2)
	require.Equal(t, "interim", reports[0].(map[string]any)["kind"])
	require.Nil(t, reports[0].(map[string]any)["due_at"])

	// The application shows its grant.
	require.Equal(t, grantID, b.do(t, "GET", "/applications/"+mine.AppID, mine.Token, nil).json(t)["grant_id"])

	// Lists are scoped: the grantee sees only its own; staff see all.
	list := b.do(t, "GET", "/grants", mine.Token, nil).json(t)
	require.Len(t, list["items"], 1)
	require.Equal(t, grantID, list["items"].([]any)[0].(map[string]any)["id"])
	require.Len(t, list["items"].([]any)[0].(map[string]any)["payments"], 2)
	require.Len(t, b.do(t, "GET", "/grants", memberTok, nil).json(t)["items"], 1)
	_, ftok := b.staff(t, "finance1@example.org", app.RoleFinance)
	mtok := b.login(t, "manager@example.org")
	for _, tok := range []string{ftok, mtok} {
		all := b.do(t, "GET", "/grants", tok, nil).json(t)
		require.Len(t, all["items"], 2)
		require.Nil(t, all["next_cursor"])
	}
	page := b.do(t, "GET", "/grants?limit=1", mtok, nil).json(t)
	require.Len(t, page["items"], 1)
	next := b.do(t, "GET", "/grants?limit=1&cursor="+page["next_cursor"].(string), mtok, nil).json(t)
	require.Len(t, next["items"], 1)
	require.Nil(t, next["next_cursor"])
	require.Len(t, b.do(t, "GET", "/grants?status=active", mtok, nil).json(t)["items"], 0)
	require.Len(t, b.do(t, "GET", "/grants?status=offered&round_id="+b.round.ID, mtok, nil).json(t)["items"], 2)
	require.Len(t, b.do(t, "GET", "/grants?round_id=rnd_other", mtok, nil).json(t)["items"], 0)
	require.Equal(t, http.StatusOK, b.do(t, "GET", "/grants/"+otherGrant, ftok, nil).Status)

	accept := "/grants/" + grantID + "/accept"
	body := map[string]any{"signatory_name": "Ada Lovelace", "signatory_role": "Chair of trustees"}
	b.expectRejections(t, []rejection{
		{"list, no token", "", "GET", "/grants", nil, 401, "unauthenticated", ""},
		{"list, unknown status", mtok, "GET", "/grants?status=pending", nil, 422, "validation_failed", "status"},
		{"list, bad cursor", mtok, "GET", "/grants?cursor=nope", nil, 422, "validation_failed", "cursor"},
		{"another organisation's grant", theirs.Token, "GET", "/grants/" + grantID, nil, 404, "not_found", ""},
		{"junk id", mine.Token, "GET", "/grants/nope", nil, 404, "not_found", ""},
		{"accept, no token", "", "POST", accept, body, 401, "unauthenticated", ""},
		{"accept, another organisation", theirs.Token, "POST", accept, `{"garbage`, 404, "not_found", ""},
		{"accept, plain member", memberTok, "POST", accept, `{"garbage`, 403, "forbidden", ""},
		{"accept, manager", mtok, "POST", accept, body, 403, "forbidden", ""},
		{"accept, malformed", mine.Token, "POST", accept, `{"signatory_name":`, 400, "malformed_request", ""},
		{"accept, unknown field", mine.Token, "POST", accept, map[string]any{"signatory_name": "A", "signatory_role": "B", "date": "today"}, 400, "malformed_request", "date"},
		{"accept, missing signatory", mine.Token, "POST", accept, map[string]any{"signatory_role": " "}, 422, "validation_failed", "signatory_name"},
		{"accept, no workflow engine", mine.Token, "POST", accept, body, 503, "unavailable", ""},
	})
	res = b.do(t, "POST", accept, mine.Token, map[string]any{})
	_, fields := res.errorCode(t)
	require.ElementsMatch(t, []string{"signatory_name", "signatory_role"}, keys(fields))

	// With the engine but no running workflow for the (approved) case, the
	// state does not allow it.
	b.env.App.UseCases(app.TemporalCases(wftest.Client(t), 10*time.Second))
	b.expectRejections(t, []rejection{{"accept, no workflow", mine.Token, "POST", accept, body, 409, "invalid_state", ""}})

	// An offer that is no longer open.
	now := time.Now()
	_, err := b.env.Store.GrantLapse(ctx, sqlc.GrantLapseParams{ID: otherGrant, LapsedAt: &now})
	require.NoError(t, err)
	b.expectRejections(t, []rejection{{"accept a lapsed offer", theirs.Token, "POST", "/grants/" + otherGrant + "/accept", `{"garbage`, 409, "invalid_state", ""}})
	lapsed := b.do(t, "GET", "/grants/"+otherGrant, theirs.Token, nil).json(t)
	require.Equal(t, "lapsed", lapsed["status"])
	require.NotNil(t, lapsed["lapsed_at"])
}
