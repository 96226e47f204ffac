package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/payments/stripetest"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// partnerGrant is a grant of a round of def paying each partner: a lead
// and a confirmed partner (its admin pat) with a share of £1,000 of the
// £2,500 requested, awarded 200001 pence by the decide activity and
// accepted, its workflow running.
type partnerGrant struct {
	partnershipDraft
	pat, patOrg, grantID string
	pays                 []sqlc.Payment
}

func (f *financeBundle) partnerGrant(t *testing.T, def round.Definition, tc client.Client, queue string) partnerGrant {
	t.Helper()
	ctx := context.Background()
	def.PartnerConsent, def.PartnerPayments = round.PartnerConsentRequired, round.PartnerPaymentsEach
	d := f.partnershipDraft(t, def, "lead@example.org", map[string]any{"name": "Peckham Partners", "contact_email": "pat@example.org",
		"share_pence": 100000, "share_purpose": "Running the Peckham sessions"})
	res := f.do(t, "POST", "/applications/"+d.appID+"/partners/0/invite", d.lead, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	pg := partnerGrant{partnershipDraft: d, pat: f.applicant(t, "pat@example.org")}
	res = f.do(t, "POST", "/organisations", pg.pat, groupBody("Peckham Partners"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	pg.patOrg = res.json(t)["id"].(string)
	res = f.do(t, "POST", "/partner-invitations/accept", pg.pat, map[string]any{"token": f.env.InvitationToken(t, "pat@example.org"),
		"decision": "confirm", "organisation_id": pg.patOrg})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = f.do(t, "POST", "/applications/"+d.appID+"/submit", d.lead, nil)
	require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
	f.markEligible(t, d.appID)

	chair, _ := f.staff(t, "chair@example.org", app.RoleChair)
	acts := &activities.Activities{Store: f.env.Store}
	now := time.Now().UTC()
	dec, err := acts.Decide(ctx, workflows.DecideInput{ApplicationID: d.appID, ActorID: chair.ID, Outcome: workflows.OutcomeApprove,
		AwardPence: 200001, Reason: "A strong partnership", At: now, OfferExpiresAt: now.Add(24 * time.Hour)})
	require.NoError(t, err)
	grantID := dec.GrantID
	pg.grantID = grantID
	pg.pays, err = f.env.Store.PaymentListByGrant(ctx, grantID)
	require.NoError(t, err)
	name, role := "Ada Lovelace", "Chair of trustees"
	leadUser, err := f.env.Store.UserGetByEmail(ctx, "lead@example.org")
	require.NoError(t, err)
	_, err = f.env.Store.GrantAccept(ctx, sqlc.GrantAcceptParams{ID: grantID, SignatoryName: &name, SignatoryRole: &role,
		AcceptedBy: &leadUser.ID, AcceptedAt: &now})
	require.NoError(t, err)
	require.NoError(t, f.env.Store.ReportSetDueFrom(ctx, sqlc.ReportSetDueFromParams{AcceptedAt: now, GrantID: grantID}))
	logTaskFailures(t, tc, workflows.GrantWorkflowID(grantID))
	_, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.GrantWorkflowID(grantID), TaskQueue: queue},
		workflows.GrantWorkflowName, workflows.GrantInput{GrantID: grantID, ApplicationID: d.appID})
	require.NoError(t, err)
	return pg
}

// A grant of a round paying each partner, through the real workflows:
// the confirmed partner's share of the request (£1,000 of £2,500) scales
// to the award (£2,000.01) and every tranche is split (the remainder to
// the lead) into a payment per payee; each payee's bank details make its
// own payment due; each needs its own two approvals; one payment run pays
// both, each once, to the account its approvers saw. The partner's admin
// sees the grant with its own payments only.
func TestPaidToEachPartnerThroughTheWorkflows(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	tc, queue, dispatchOnce := f.workflowsOn(t)
	g := f.partnerGrant(t, apptest.ManualRound(t), tc, queue)
	d, pat, patOrg, pays, grantID := g.partnershipDraft, g.pat, g.patOrg, g.pays, g.grantID
	type part struct {
		tranche int32
		partner string
		amount  int64
	}
	var parts []part
	var total int64
	for _, p := range pays {
		parts = append(parts, part{p.Tranche, partnerOf(p.PartnerOrganisationID), p.AmountPence})
		total += p.AmountPence
	}
	// Tranches 100000 and 100001; the partner's 40% of each rounded down.
	require.Equal(t, []part{{1, patOrg, 40000}, {1, "", 60000}, {2, patOrg, 40000}, {2, "", 60001}}, parts)
	require.Equal(t, int64(200001), total, "never more than the award")

	status := func(id string) any { return f.do(t, "GET", "/payments/"+id, f.fin1Tok, nil).json(t)["status"] }
	leadPay, patPay := pays[1].ID, pays[0].ID
	// Only the partner has bank details: only its payment falls due.
	res := f.do(t, "PUT", "/organisations/"+patOrg+"/bank-account", pat,
		map[string]any{"sort_code": "20-00-00", "account_number": "11112222", "account_name": "Peckham Partners"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	dispatchOnce()
	require.Eventually(t, func() bool { return status(patPay) == workflows.PaymentAwaitingApproval }, 20*time.Second, 100*time.Millisecond)
	awaitSettled(t, tc, workflows.GrantWorkflowID(grantID))
	require.Equal(t, workflows.PaymentScheduled, status(leadPay), "the lead's part waits for the lead's details")
	res = f.do(t, "PUT", "/organisations/"+d.leadOrg+"/bank-account", d.lead,
		map[string]any{"sort_code": "40-00-00", "account_number": "33334444", "account_name": "Lead Group"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	dispatchOnce()
	require.Eventually(t, func() bool { return status(leadPay) == workflows.PaymentAwaitingApproval }, 20*time.Second, 100*time.Millisecond)

	approve := func(id, tok string) map[string]any {
		var res response
		require.Eventually(t, func() bool {
			res = f.do(t, "POST", "/payments/"+id+"/approve", tok, map[string]any{"note": "Matches the agreement"})
			return res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "not_ready")
		}, 20*time.Second, 100*time.Millisecond)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		return res.json(t)
	}
	got := approve(patPay, f.fin1Tok)
	require.Equal(t, patOrg, got["payee"].(map[string]any)["organisation_id"], "the approver sees the partner as payee")
	require.Equal(t, patOrg, got["organisation_id"], "the payment is for the partner")
	require.Equal(t, patOrg, got["partner_organisation_id"])
	require.Equal(t, "****2222", got["payee"].(map[string]any)["account_number"])
	require.Equal(t, workflows.PaymentApproved, approve(patPay, f.fin2Tok)["status"])
	got = approve(leadPay, f.fin1Tok)
	require.Equal(t, d.leadOrg, got["payee"].(map[string]any)["organisation_id"])
	require.Equal(t, workflows.PaymentApproved, approve(leadPay, f.fin2Tok)["status"])

	res = f.do(t, "POST", "/payment-runs", f.fin1Tok, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	runID := res.json(t)["id"].(string)
	res = f.do(t, "GET", "/payment-runs/"+runID+"/file.csv", f.fin2Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	csv := string(res.Body)
	require.Contains(t, csv, "200000,11112222,PECKHAM PARTNERS,400.00,")
	require.Contains(t, csv, "400000,33334444,LEAD GROUP,600.00,")
	res = f.do(t, "POST", "/payment-runs/"+runID+"/mark-paid", f.fin2Tok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Eventually(t, func() bool {
		return status(patPay) == workflows.PaymentPaid && status(leadPay) == workflows.PaymentPaid
	},
		20*time.Second, 100*time.Millisecond)
	require.Equal(t, 2, f.count(t, `SELECT count(*) FROM payments WHERE grant_id = $1 AND status = 'paid'`, grantID), "each paid once")
	require.EqualValues(t, 100000, f.do(t, "GET", "/grants/"+grantID, d.lead, nil).json(t)["paid_pence"])

	// The partner reads the grant's summary and its own payments only.
	res = f.do(t, "GET", "/grants/"+grantID, pat, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	seen := res.json(t)
	require.EqualValues(t, 200001, seen["award_pence"])
	require.Equal(t, patOrg, seen["payee_organisation_id"])
	require.Empty(t, seen["reports"])
	require.Nil(t, seen["signatory_name"])
	var mine []string
	for _, p := range seen["payments"].([]any) {
		require.Equal(t, patOrg, p.(map[string]any)["partner_organisation_id"])
		mine = append(mine, p.(map[string]any)["id"].(string))
	}
	require.Equal(t, []string{pays[0].ID, pays[2].ID}, mine)
	res = f.do(t, "GET", "/grants", pat, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	listed := res.json(t)["items"].([]any)
	require.Len(t, listed, 1, "the partner lists the grant it has a share of")
	require.Equal(t, seen, listed[0], "as it reads it")
	stranger := f.applicant(t, "stranger@example.org")
	require.Equal(t, http.StatusNotFound, f.do(t, "GET", "/grants/"+grantID, stranger, nil).Status)
	require.Empty(t, f.do(t, "GET", "/grants", stranger, nil).json(t)["items"])
	require.Equal(t, http.StatusForbidden, f.do(t, "GET", "/payments/"+patPay, pat, nil).Status, "payments are finance's")
	require.Equal(t, http.StatusNotFound, f.do(t, "GET", "/organisations/"+d.leadOrg+"/bank-account", pat, nil).Status, "nor the lead's bank details")
}

// partnerOf is the partner a payment pays a share of ("" for the lead's).
func partnerOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Under Stripe, a partner paid a share sets up its own payout account
// from the grant (stripe-mock): its admin gets its organisation's
// account, never the lead's; a plain member of the partner is refused,
// a stranger sees nothing.
func TestPartnerSetsUpItsOwnPayoutAccount(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	f.stripe = payments.NewStripe(payments.StripeConfig{SecretKey: stripetest.SecretKey, APIBase: stripetest.APIBase(t)})
	tc, queue, _ := f.workflowsOn(t)
	g := f.partnerGrant(t, apptest.ExampleRound(t), tc, queue)
	ctx := context.Background()
	path := "/grants/" + g.grantID + "/payout-account"
	member := f.applicant(t, "member@example.org")
	memberUser, err := f.env.Store.UserGetByEmail(ctx, "member@example.org")
	require.NoError(t, err)
	require.NoError(t, f.env.Store.OrganisationMemberAdd(ctx, sqlc.OrganisationMemberAddParams{OrganisationID: g.patOrg,
		UserID: memberUser.ID, Role: app.MemberMember}))
	stranger := f.applicant(t, "stranger@example.org")
	require.Equal(t, http.StatusNotFound, f.do(t, "POST", path, stranger, nil).Status)
	require.Equal(t, http.StatusForbidden, f.do(t, "POST", path, member, nil).Status)

	var res response
	require.Eventually(t, func() bool { // the grant's workflow may still be starting
		res = f.do(t, "POST", path, g.pat, nil)
		return res.Status != http.StatusConflict
	}, 20*time.Second, 100*time.Millisecond)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.NotEmpty(t, res.json(t)["account_id"])
	patOrg, err := f.env.Store.OrganisationGet(ctx, g.patOrg)
	require.NoError(t, err)
	require.NotNil(t, patOrg.StripeAccountID, "the partner's own account")
	leadOrg, err := f.env.Store.OrganisationGet(ctx, g.leadOrg)
	require.NoError(t, err)
	require.Nil(t, leadOrg.StripeAccountID, "not the lead's")
	require.Equal(t, 1, f.count(t, `SELECT count(*) FROM audit_events WHERE chain = $1 AND action = 'payout.account_created'`, "organisation:"+g.patOrg))
}
