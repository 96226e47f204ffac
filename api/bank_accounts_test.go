package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/api"
	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/payments/bank"
)

// Bank details are for the organisation's admins: validated field by
// field, encrypted at rest, shown masked, audited without the numbers,
// and each active manual-provider grant paid to the organisation is told.
func TestBankAccount(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	ctx := context.Background()
	g := f.activeGrant(t, f.manual, "grantee@example.org", 200_000)
	stripeGrant := f.env.ActiveGrantOf(t, f.round, g.Admin, g.OrgID, 100_000)
	member, memberTok := f.staff(t, "member@example.org")
	require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: g.OrgID,
		UserID: member.ID, Role: app.MemberMember}))
	strangerTok := f.applicant(t, "stranger@example.org")
	path := "/organisations/" + g.OrgID + "/bank-account"
	good := map[string]any{"sort_code": "12-34-56", "account_number": "12345678", "account_name": "Bermondsey Kitchen"}

	f.expectRefusals(t, nil, []rejection{
		{"no token", "", "PUT", path, good, 401, "unauthenticated", ""},
		{"a stranger", strangerTok, "PUT", path, `{"garbage`, 404, "not_found", ""},
		{"junk id", g.Token, "PUT", "/organisations/nope/bank-account", good, 404, "not_found", ""},
		{"a plain member", memberTok, "PUT", path, `{"garbage`, 403, "forbidden", ""},
		{"finance", f.fin1Tok, "PUT", path, good, 403, "forbidden", ""},
		{"manager", f.managerToken, "PUT", path, good, 403, "forbidden", ""},
		{"malformed", g.Token, "PUT", path, `{"sort_code":`, 400, "malformed_request", ""},
		{"unknown field", g.Token, "PUT", path, map[string]any{"sort_code": "123456", "iban": "GB00"}, 400, "malformed_request", "iban"},
		{"read before any", g.Token, "GET", path, nil, 404, "not_found", ""},
		{"read, a plain member", memberTok, "GET", path, nil, 403, "forbidden", ""},
		{"read, a stranger", strangerTok, "GET", path, nil, 404, "not_found", ""},
	})

	// Every field problem at once.
	before := f.financeSnapshot(t)
	res := f.do(t, "PUT", path, g.Token, map[string]any{"sort_code": "12-34", "account_number": "1234abcd", "account_name": " "})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	_, fields := res.errorCode(t)
	require.ElementsMatch(t, []string{"sort_code", "account_number", "account_name"}, keys(fields))
	require.Equal(t, before, f.financeSnapshot(t))

	res = f.do(t, "PUT", path, g.Token, good)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	view := res.json(t)
	require.Equal(t, g.OrgID, view["organisation_id"])
	require.Equal(t, "**-**-56", view["sort_code"])
	require.Equal(t, "****5678", view["account_number"])
	require.Equal(t, "Bermondsey Kitchen", view["account_name"])
	require.NotEmpty(t, view["updated_at"])
	require.Equal(t, view, f.do(t, "GET", path, g.Token, nil).json(t))

	// At rest: only ciphertext, bound to the organisation.
	stored, err := f.env.Store.BankAccountGet(ctx, g.OrgID)
	require.NoError(t, err)
	for _, clear := range []string{"12345678", "123456", "12-34-56"} {
		require.False(t, bytes.Contains(stored.DetailsEnc, []byte(clear)), "ciphertext holds %s", clear)
	}
	cipher, err := bank.NewCipher(apptest.EncryptionKey)
	require.NoError(t, err)
	details, err := cipher.Open(stored.DetailsEnc, g.OrgID)
	require.NoError(t, err)
	require.Equal(t, "123456", details.SortCode)
	require.Equal(t, "12345678", details.AccountNumber)
	_, err = cipher.Open(stored.DetailsEnc, "org_01jzzzzzzzzzzzzzzzzzzzzzzz")
	require.Error(t, err, "bound to its organisation")

	// The audit trail has the masks, never the numbers.
	var data string
	require.NoError(t, f.env.Store.Pool.QueryRow(ctx, `SELECT data::text FROM audit_events WHERE chain = $1 AND action = 'organisation.bank_account_saved'`,
		"organisation:"+g.OrgID).Scan(&data))
	require.Contains(t, data, "****5678")
	require.NotContains(t, data, "12345678")
	require.NotContains(t, data, "123456\"")

	// The manual grant (not the Stripe one) hears its payee is ready,
	// and shows it.
	require.Equal(t, []map[string]any{{"grant_id": g.ID, "event": map[string]any{"kind": "payout_ready"}}}, f.outboxSignals(t))
	require.Equal(t, true, f.do(t, "GET", "/grants/"+g.ID, g.Token, nil).json(t)["payout_ready"])
	require.Equal(t, false, f.do(t, "GET", "/grants/"+stripeGrant.ID, g.Token, nil).json(t)["payout_ready"])

	// Replacing them keeps one row.
	res = f.do(t, "PUT", path, g.Token, map[string]any{"sort_code": "654321", "account_number": "87654321", "account_name": "Bermondsey Kitchen CIO"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, "****4321", res.json(t)["account_number"])
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM bank_accounts`))
}

// Without an encryption key bank details cannot be saved: 503, logged,
// nothing stored. Reading the masked view still works.
func TestBankAccountWithoutKey(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	g := f.activeGrant(t, f.manual, "grantee@example.org", 200_000)
	docs, err := document.NewStore(t.TempDir())
	require.NoError(t, err)
	keyless := app.New(f.env.Store, docs, app.Config{}, slog.New(slog.DiscardHandler))
	r := gin.New()
	api.Register(r.Group("/api/v1"), keyless, slog.New(slog.DiscardHandler))
	f.handler = r
	f.expectRefusals(t, nil, []rejection{
		{"no key", g.Token, "PUT", "/organisations/" + g.OrgID + "/bank-account",
			map[string]any{"sort_code": "123456", "account_number": "12345678", "account_name": "Kitchen"}, 503, "unavailable", ""},
	})
}
