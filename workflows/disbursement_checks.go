package workflows

import (
	"fmt"
	"slices"
	"strings"
)

// Content rules of the grant's and the payments' Updates (see checks.go).

// CheckPaymentCommand checks a finance command's text: an approval's
// note is optional, a rejection's or cancellation's reason is required.
func CheckPaymentCommand(update string, c PaymentCommand) map[string]string {
	fields := map[string]string{}
	switch update {
	case UpdateApprovePayment:
		checkText(fields, "note", "note", c.Note, "", MaxPaymentTextRunes)
	case UpdateRejectPayment, UpdateCancelPayment:
		checkText(fields, "reason", "reason", c.Reason, "Give a reason", MaxPaymentTextRunes)
	}
	return fields
}

// CheckReportReview checks a review: outcome accept or request_changes;
// a comment is required when changes are requested.
func CheckReportReview(outcome, comment string) map[string]string {
	fields := map[string]string{}
	switch outcome {
	case ReviewAccept:
		checkText(fields, "comment", "comment", comment, "", MaxReasonRunes)
	case ReviewRequestChanges:
		checkText(fields, "comment", "comment", comment, "Say what needs to change", MaxReasonRunes)
	default:
		fields["outcome"] = "Choose accept or request_changes"
	}
	return fields
}

// CheckSpend checks a report's spend to date (whole pence, not negative).
func CheckSpend(spendPence int64) map[string]string {
	if spendPence < 0 {
		return map[string]string{"spend_pence": "Spend cannot be negative"}
	}
	return map[string]string{}
}

// CheckVariation checks a variation's shape: a reason, at least one
// change, a positive award and clawback, and a schedule whose
// percentages (each 1..100) sum to 100 with known conditions. Whether the
// award fits the budget and the schedule's reports exist is for the
// activity.
func CheckVariation(v Variation) map[string]string {
	fields := map[string]string{}
	checkText(fields, "reason", "reason", v.Reason, "Give a reason for the variation", MaxReasonRunes)
	if v.AwardPence == nil && v.Schedule == nil && v.ClawbackPence == nil {
		fields["award_pence"] = "Change the award, the schedule or record a clawback"
	}
	if v.AwardPence != nil && *v.AwardPence <= 0 {
		fields["award_pence"] = "The award must be more than £0"
	}
	if v.ClawbackPence != nil && *v.ClawbackPence <= 0 {
		fields["clawback_pence"] = "A clawback must be more than £0"
	}
	if v.Schedule != nil {
		if len(v.Schedule) == 0 {
			fields["schedule"] = "Give at least one tranche"
		}
		sum := 0
		for i, in := range v.Schedule {
			key := fmt.Sprintf("schedule[%d]", i)
			if in.Percent < 1 || in.Percent > 100 {
				fields[key+".percent"] = "Give a percentage from 1 to 100"
			}
			sum += in.Percent
			kind, after := strings.CutPrefix(in.Condition, ConditionAfterReportPrefix)
			if in.Condition != ConditionOnAcceptance && (!after || kind == "") {
				fields[key+".condition"] = "Use on_acceptance or after_report:<kind>"
			}
		}
		if len(v.Schedule) > 0 && sum != 100 {
			if _, ok := fields["schedule"]; !ok {
				fields["schedule"] = fmt.Sprintf("The percentages must add up to 100 (they add up to %d)", sum)
			}
		}
	}
	return fields
}

// CheckScheduleReports checks that every after_report:<kind> condition of
// a varied schedule names a report the grant has (reportKinds).
func CheckScheduleReports(schedule []Instalment, reportKinds []string) map[string]string {
	fields := map[string]string{}
	for i, in := range schedule {
		if kind, ok := strings.CutPrefix(in.Condition, ConditionAfterReportPrefix); ok && kind != "" && !slices.Contains(reportKinds, kind) {
			fields[fmt.Sprintf("schedule[%d].condition", i)] = "This grant has no " + kind + " report"
		}
	}
	return fields
}

// CheckReissue checks a reissue's reason (required).
func CheckReissue(reason string) map[string]string {
	fields := map[string]string{}
	checkText(fields, "reason", "reason", reason, "Give a reason", MaxReasonRunes)
	return fields
}

// State rules: each refuses (invalid_state) a change the payment's or
// report's status does not allow. The validators apply them to the
// workflow's snapshot, the activities again to the locked row.

// PaymentSettled reports whether a payment is beyond every finance
// command: cancelled, paid or reversed.
func PaymentSettled(status string) bool {
	switch status {
	case PaymentCancelled, PaymentPaid, PaymentReversed:
		return true
	}
	return false
}

// CanApprove refuses an approval of a payment not awaiting one, saying
// what the payment waits for instead.
func CanApprove(status string) error {
	switch status {
	case PaymentAwaitingApproval:
		return nil
	case PaymentHeld:
		return Reject(RejectInvalidState, "This payment is held while a report of the grant is overdue", nil)
	case PaymentScheduled:
		return Reject(RejectInvalidState, "This payment is not due yet: it waits for its condition and for the payee to be ready to be paid", nil)
	case PaymentApproved, PaymentSending:
		return Reject(RejectInvalidState, "This payment has its approvals", nil)
	case PaymentFailed:
		return Reject(RejectInvalidState, "This payment failed: retry it or cancel it", nil)
	}
	return Reject(RejectInvalidState, "This payment is "+strings.ReplaceAll(status, "_", " ")+"; it cannot be changed", nil)
}

// ApprovalFacts is what the two-approver rule reads of a payment and of
// the person asking to approve it. Each user of the rule fills it from
// what it knows: the workflow's validator from its snapshot, the approval
// activity from PostgreSQL inside its transaction, app for the viewer of
// a payment.
type ApprovalFacts struct {
	Status      string   // the payment's status
	RequestedBy string   // who issued it; "" for the grant's schedule
	Approvals   []string // who has approved it so far
	// Interest is why the caller has an interest in the payment — a member
	// of the grantee or of its payee, or staff with an interest in its
	// application (package interest) — or "" when they have none.
	Interest string
}

// ApprovalRefusal is the two-approver rule (DESIGN §5), written once: it
// says why caller may not approve the payment now, or nil when they may.
// The caller must be finance; the payment awaiting approval (CanApprove);
// the caller neither its issuer, nor an approver already, nor someone with
// an interest in it; and it must still need an approval.
func ApprovalRefusal(f ApprovalFacts, caller Caller) error {
	if !caller.Has(RoleFinance) {
		return Reject(RejectForbidden, "Only finance staff can approve payments", nil)
	}
	if err := CanApprove(f.Status); err != nil {
		return err
	}
	switch {
	case f.RequestedBy != "" && caller.ID == f.RequestedBy:
		return Reject(RejectForbidden, "You cannot approve a payment you issued: two other finance users must approve it", nil)
	case slices.Contains(f.Approvals, caller.ID):
		return Reject(RejectConflict, "You approved this payment; a different finance user must give the second approval", nil)
	case len(f.Approvals) >= RequiredApprovals:
		return Reject(RejectInvalidState, "This payment already has its approvals", nil)
	case f.Interest != "":
		return Reject(RejectForbidden, f.Interest+", so you cannot approve its payments", nil)
	}
	return nil
}

// CanCancel refuses to cancel (or reject) a payment already being sent
// (approved on Stripe, or in a payment run) or past cancelling.
func CanCancel(status, provider string, inRun bool) error {
	switch status {
	case PaymentScheduled, PaymentHeld, PaymentAwaitingApproval, PaymentFailed:
		return nil
	case PaymentApproved:
		if provider == ProviderManual && !inRun {
			return nil
		}
		return Reject(RejectInvalidState, "This payment is already being sent", nil)
	}
	return Reject(RejectInvalidState, "This payment cannot be cancelled (it is "+status+")", nil)
}

// CanRetry refuses to retry a payment that has not failed.
func CanRetry(status string) error {
	if status != PaymentFailed {
		return Reject(RejectInvalidState, "Only a failed payment can be retried (this one is "+status+")", nil)
	}
	return nil
}

// CanSubmitReport refuses a submission of a report already submitted or
// accepted.
func CanSubmitReport(status string) error {
	switch status {
	case ReportUpcoming, ReportDue, ReportOverdue, ReportChangesRequested:
		return nil
	}
	return Reject(RejectInvalidState, "This report has already been "+status, nil)
}
