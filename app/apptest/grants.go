package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
)

// ManualRound is ExampleRound paid through the manual provider.
func ManualRound(t testing.TB) round.Definition {
	t.Helper()
	def := ExampleRound(t)
	def.PaymentProvider = round.ProviderManual
	return def
}

// Grant is an accepted grant seeded straight into PostgreSQL as the
// review and acceptance activities would leave it, with its tranches
// (scheduled) and reports (due dates set).
type Grant struct {
	Admin    app.Actor // admin of the grantee organisation
	OrgID    string
	AppID    string
	ID       string
	Payments []string // by tranche
	Reports  []string // interim, final
}

// ActiveGrant seeds an active grant of award pence from a new organisation
// administered by a new user with adminEmail, on round r (the example
// round's schedule: two equal tranches; reports interim and final).
func (e *Env) ActiveGrant(t testing.TB, r app.Round, adminEmail string, award int64) Grant {
	t.Helper()
	admin := e.User(t, adminEmail)
	org := e.Organisation(t, admin, "Org of "+adminEmail)
	return e.ActiveGrantOf(t, r, admin, org.ID, award)
}

// ActiveGrantOf is ActiveGrant for an organisation that exists, applied
// for by admin (a member of it).
func (e *Env) ActiveGrantOf(t testing.TB, r app.Round, admin app.Actor, orgID string, award int64) Grant {
	t.Helper()
	ctx := context.Background()
	a, err := e.App.CreateApplication(ctx, admin, r.ID, orgID)
	require.NoError(t, err)
	_, err = e.App.SaveApplication(ctx, admin, a.ID, Body(t, CompleteAnswers(a.Version)))
	require.NoError(t, err)
	_, err = e.App.SubmitApplication(ctx, admin, a.ID, func() error { return nil })
	require.NoError(t, err)
	_, err = e.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: a.ID, Status: app.StatusInAssessment,
		Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Microsecond)
	g, err := e.Store.GrantInsert(ctx, sqlc.GrantInsertParams{ID: id.New(id.Grant), ApplicationID: a.ID, RoundID: r.ID,
		OrganisationID: orgID, AwardPence: award, Conditions: "Spend it well", OfferedAt: now, OfferExpiresAt: now.Add(28 * 24 * time.Hour)})
	require.NoError(t, err)
	_, err = e.Store.BudgetInsert(ctx, sqlc.BudgetInsertParams{RoundID: r.ID, ApplicationID: a.ID, AmountPence: award})
	require.NoError(t, err)
	outcome, reason := workflows.OutcomeApprove, "Strong community case"
	_, err = e.Store.ApplicationDecide(ctx, sqlc.ApplicationDecideParams{ID: a.ID, Status: app.StatusApproved, Outcome: &outcome,
		Reason: &reason, DecidedBy: &e.Manager.ID, DecidedAt: &now, GrantID: &g.ID, AwardPence: &award})
	require.NoError(t, err)
	name, role := "Ada Lovelace", "Chair of trustees"
	_, err = e.Store.GrantAccept(ctx, sqlc.GrantAcceptParams{ID: g.ID, SignatoryName: &name, SignatoryRole: &role,
		AcceptedBy: &admin.ID, AcceptedAt: &now})
	require.NoError(t, err)
	out := Grant{Admin: admin, OrgID: orgID, AppID: a.ID, ID: g.ID}
	half := award / 2
	for i, cond := range []string{"on_acceptance", "after_report:interim"} {
		amount := half
		if i == 1 {
			amount = award - half
		}
		p, err := e.Store.PaymentInsert(ctx, sqlc.PaymentInsertParams{ID: id.New(id.Payment), GrantID: g.ID,
			Tranche: int32(i + 1), AmountPence: amount, Condition: cond})
		require.NoError(t, err)
		out.Payments = append(out.Payments, p.ID)
	}
	for i, kind := range []string{"interim", "final"} {
		rp, err := e.Store.ReportInsert(ctx, sqlc.ReportInsertParams{ID: id.New(id.Report), GrantID: g.ID, Kind: kind,
			DueAfterMs: int64(i+1) * 1000 * 3600 * 24 * 180})
		require.NoError(t, err)
		out.Reports = append(out.Reports, rp.ID)
	}
	require.NoError(t, e.Store.ReportSetDueFrom(ctx, sqlc.ReportSetDueFromParams{AcceptedAt: now, GrantID: g.ID}))
	return out
}

// SetPayment puts a payment into a state directly, as the disbursement
// activities would: status, provider and, for paid ones, a reference and
// paid_at.
func (e *Env) SetPayment(t testing.TB, paymentID, status, provider string) {
	t.Helper()
	_, err := e.Store.Pool.Exec(context.Background(), `
UPDATE payments SET status = $2, provider = $3, due_at = coalesce(due_at, now()),
       provider_reference = CASE WHEN $2 IN ('paid', 'reversed') THEN coalesce(provider_reference, 'ref-' || id) ELSE provider_reference END,
       paid_at = CASE WHEN $2 IN ('paid', 'reversed') THEN coalesce(paid_at, now()) ELSE paid_at END,
       updated_at = now()
WHERE id = $1`, paymentID, status, provider)
	require.NoError(t, err)
}

// Approve records an approval of a payment by a user, as the approval
// activity would: bound to the payee, destination and amount of now.
func (e *Env) Approve(t testing.TB, paymentID string, by app.Actor, note string) {
	t.Helper()
	ctx := context.Background()
	payees, err := e.Store.PaymentPayees(ctx, []string{paymentID})
	require.NoError(t, err)
	require.Len(t, payees, 1)
	payee := payees[0]
	p, err := e.Store.PaymentGet(ctx, paymentID)
	require.NoError(t, err)
	require.NoError(t, e.Store.PaymentApprovalInsert(ctx, sqlc.PaymentApprovalInsertParams{PaymentID: paymentID, UserID: by.ID,
		Note: note, ApprovedAt: time.Now().UTC().Truncate(time.Microsecond), PayeeOrganisationID: payee.PayeeOrganisationID,
		PayeeFingerprint: payee.Fingerprint, AmountPence: p.AmountPence}))
}
