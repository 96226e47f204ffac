package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
)

func TestAffiliations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	assessor, tok := b.staff(t, "assessor1@example.org", app.RoleAssessor)
	applicant := b.applicant(t, "applicant@example.org")

	tooMany := make([]map[string]any, 51)
	for i := range tooMany {
		tooMany[i] = map[string]any{"name": fmt.Sprintf("Org %d", i)}
	}
	b.expectRejections(t, []rejection{
		{"no token", "", "PUT", "/me/affiliations", map[string]any{"affiliations": []any{}}, 401, "unauthenticated", ""},
		{"applicant", applicant, "PUT", "/me/affiliations", `{"garbage`, 403, "forbidden", ""},
		{"malformed", tok, "PUT", "/me/affiliations", `{"affiliations":`, 400, "malformed_request", ""},
		{"unknown field", tok, "PUT", "/me/affiliations", `{"affiliations":[{"name":"A","website":"x"}]}`, 400, "malformed_request", ""},
		{"wrong type", tok, "PUT", "/me/affiliations", `{"affiliations":{"name":"A"}}`, 400, "malformed_request", "affiliations"},
		{"missing list", tok, "PUT", "/me/affiliations", `{}`, 422, "validation_failed", "affiliations"},
		{"too many", tok, "PUT", "/me/affiliations", map[string]any{"affiliations": tooMany}, 422, "validation_failed", "affiliations"},
		{"empty item", tok, "PUT", "/me/affiliations", map[string]any{"affiliations": []any{map[string]any{"name": " "}}}, 422, "validation_failed", "affiliations[0]"},
	})

	res := b.do(t, "PUT", "/me/affiliations", tok, map[string]any{"affiliations": []any{
		map[string]any{"name": "Ok"},
		map[string]any{"charity_number": "12"},
		map[string]any{"company_number": "123", "charity_number": "SC12345"},
	}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	_, fields := res.errorCode(t)
	require.ElementsMatch(t, []string{"affiliations[1].charity_number", "affiliations[2].company_number", "affiliations[2].charity_number"}, keys(fields))

	res = b.do(t, "PUT", "/me/affiliations", tok, map[string]any{"affiliations": []any{
		map[string]any{"name": "  Bermondsey Community Kitchen ", "charity_number": "1187342"},
		map[string]any{"company_number": "sc 123456"},
	}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	want := []any{
		map[string]any{"name": "Bermondsey Community Kitchen", "charity_number": "1187342"},
		map[string]any{"company_number": "SC123456"},
	}
	require.Equal(t, want, res.json(t)["affiliations"])
	require.Equal(t, want, b.do(t, "GET", "/me", tok, nil).json(t)["affiliations"])
	require.Equal(t, []any{}, b.do(t, "GET", "/me", applicant, nil).json(t)["affiliations"])
	events, err := b.env.Store.AuditListByChain(context.Background(), "user:"+assessor.ID)
	require.NoError(t, err)
	require.Len(t, events, 1)
	require.Equal(t, "user.affiliations_set", events[0].Action)

	// An empty list clears them.
	res = b.do(t, "PUT", "/me/affiliations", tok, map[string]any{"affiliations": []any{}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, []any{}, b.do(t, "GET", "/me", tok, nil).json(t)["affiliations"])
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	me, tok := b.staff(t, "assessor1@example.org", app.RoleAssessor)
	other, otherTok := b.staff(t, "assessor2@example.org", app.RoleAssessor)
	for i := range 3 {
		apptest.Must[sqlc.NotificationInsertRow](t)(b.env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: me.ID, Kind: "assessment.assigned",
			Subject: fmt.Sprintf("Message %d", i), Body: "You have a new assessment", Entity: "assessment:asm_x",
			DedupeKey: "test:" + strconv.Itoa(i)}))
	}
	apptest.Must[sqlc.NotificationInsertRow](t)(b.env.Store.NotificationInsert(ctx, sqlc.NotificationInsertParams{UserID: other.ID, Kind: "k",
		Subject: "Not yours", Body: "b", Entity: "e", DedupeKey: "other"}))

	res := b.do(t, "GET", "/notifications?limit=2", tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	page := res.json(t)
	items := page["items"].([]any)
	require.Len(t, items, 2)
	require.Equal(t, "Message 2", items[0].(map[string]any)["subject"], "newest first")
	require.Equal(t, "Message 1", items[1].(map[string]any)["subject"])
	require.Nil(t, items[0].(map[string]any)["sent_at"])
	require.IsType(t, "", items[0].(map[string]any)["id"])
	next := b.do(t, "GET", "/notifications?limit=2&cursor="+page["next_cursor"].(string), tok, nil).json(t)
	require.Len(t, next["items"], 1)
	require.Equal(t, "Message 0", next["items"].([]any)[0].(map[string]any)["subject"])
	require.Nil(t, next["next_cursor"])
	require.Len(t, b.do(t, "GET", "/notifications", otherTok, nil).json(t)["items"], 1)

	b.expectRejections(t, []rejection{
		{"no token", "", "GET", "/notifications", nil, 401, "unauthenticated", ""},
		{"bad cursor", tok, "GET", "/notifications?cursor=abc", nil, 422, "validation_failed", "cursor"},
		{"bad limit", tok, "GET", "/notifications?limit=0", nil, 422, "validation_failed", "limit"},
	})
}
