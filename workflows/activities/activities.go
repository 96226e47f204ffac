package activities

import (
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/workflows"
)

// Activities holds the dependencies of every activity.
type Activities struct {
	Store *db.Store
	Log   *slog.Logger
	// Temporal sends the promotion Update to a waitlisted case
	// (PromoteWaitlisted); the other activities do not use it.
	Temporal client.Client
	// Stripe creates payout accounts and sends transfers (nil: Stripe
	// payments fail with a clear error; manual ones need no provider).
	Stripe payments.Stripe
	// Mail delivers e-mail (SendEmail).
	Mail Mailer
	// Registers checks organisations against the Charity Commission and
	// Companies House (nil: every check is not_run, no key configured).
	Registers *registers.Checker
	// Clock is the activities' clock where a rule needs one (default
	// time.Now).
	Clock func() time.Time
}

// Registrar is the part of a Temporal worker that registers activities.
type Registrar interface {
	RegisterActivityWithOptions(a interface{}, options activity.RegisterOptions)
}

// Register registers every activity under its stable name.
func (a *Activities) Register(r Registrar) {
	for _, act := range []struct {
		name string
		fn   interface{}
	}{
		{workflows.ActivityCheckEligibility, a.CheckEligibility},
		{workflows.ActivityLoadCase, a.LoadCase},
		{workflows.ActivityAssignAssessors, a.AssignAssessors},
		{workflows.ActivityRecordScores, a.RecordScores},
		{workflows.ActivityDeclareConflict, a.DeclareConflict},
		{workflows.ActivityPropagateConflict, a.PropagateConflict},
		{workflows.ActivityReleaseAssessment, a.ReleaseAssessment},
		{workflows.ActivitySendReminder, a.SendReminder},
		{workflows.ActivityFlagCase, a.FlagCase},
		{workflows.ActivityModerate, a.Moderate},
		{workflows.ActivityDecide, a.Decide},
		{workflows.ActivityAcceptOffer, a.AcceptOffer},
		{workflows.ActivityLapseOffer, a.LapseOffer},
		{workflows.ActivityDeclineOffer, a.DeclineOffer},
		{workflows.ActivityWithdraw, a.Withdraw},
		{workflows.ActivityLoadRound, a.LoadRound},
		{workflows.ActivityRoundEvent, a.RoundEvent},
		{workflows.ActivityPromoteWaitlisted, a.PromoteWaitlisted},
		{workflows.ActivityRoundOutstanding, a.RoundOutstanding},
		{workflows.ActivityRemindDrafts, a.RemindDrafts},
		{workflows.ActivityRemindOffer, a.RemindOffer},
		{workflows.ActivityLoadGrant, a.LoadGrant},
		{workflows.ActivityReportClock, a.ReportClock},
		{workflows.ActivityHoldPayments, a.HoldPayments},
		{workflows.ActivityUnholdPayments, a.UnholdPayments},
		{workflows.ActivityReleasePayment, a.ReleasePayment},
		{workflows.ActivityCompleteGrant, a.CompleteGrant},
		{workflows.ActivityGrantEvent, a.HandleGrantEvent},
		{workflows.ActivityCreatePayoutAccount, a.CreatePayoutAccount},
		{workflows.ActivitySubmitReport, a.SubmitReport},
		{workflows.ActivityReviewReport, a.ReviewReport},
		{workflows.ActivityVary, a.VaryGrant},
		{workflows.ActivityReissuePayment, a.ReissuePayment},
		{workflows.ActivityLoadPayment, a.LoadPayment},
		{workflows.ActivityApprovePayment, a.ApprovePayment},
		{workflows.ActivityCancelPayment, a.CancelPayment},
		{workflows.ActivityRetryPayment, a.RetryPayment},
		{workflows.ActivitySendPayment, a.SendPayment},
		{workflows.ActivityFailPayment, a.FailPayment},
		{workflows.ActivityMarkPaid, a.MarkPaid},
		{workflows.ActivitySendEmail, a.SendEmail},
		{workflows.ActivityRecordEmailFailed, a.RecordEmailFailed},
		{workflows.ActivityLoadCaseClock, a.LoadCaseClock},
		{workflows.ActivityCaseClockStep, a.CaseClockStep},
		{workflows.ActivityCaseAddAction, a.CaseAddAction},
		{workflows.ActivityCaseActionStatus, a.CaseActionStatus},
		{workflows.ActivityCaseAddNote, a.CaseAddNote},
		{workflows.ActivityCaseAddContact, a.CaseAddContact},
		{workflows.ActivityCaseAddKeyDate, a.CaseAddKeyDate},
		{workflows.ActivityCaseAddDocument, a.CaseAddDocument},
		{workflows.ActivityCaseReassign, a.CaseReassign},
		{workflows.ActivityCaseClose, a.CaseClose},
		{workflows.ActivityRunRegisterCheck, a.RunRegisterCheck},
		{workflows.ActivityCheckApplicationOrganisations, a.CheckApplicationOrganisations},
		{workflows.ActivityCheckPayee, a.CheckPayee},
	} {
		r.RegisterActivityWithOptions(act.fn, activity.RegisterOptions{Name: act.name})
	}
}

// logger is the activities' logger, or a discarding one when none was
// given.
func (a *Activities) logger() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

// deref is the string a nullable column holds, "" for NULL.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
