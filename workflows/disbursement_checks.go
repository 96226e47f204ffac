package workflows

import (
	"fmt"
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
			kind, after := strings.CutPrefix(in.Condition, "after_report:")
			if in.Condition != "on_acceptance" && (!after || kind == "") {
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
