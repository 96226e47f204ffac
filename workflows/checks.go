package workflows

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// The content rules of the Updates, in one place: the validators apply
// them, and so does the use-case layer before it sends an Update (so bad
// input gets its 422 even while Temporal is away) and the activities
// before they write. Each returns every problem keyed by field path, or
// an empty map.

// Limits on free text in Updates.
const (
	MaxReasonRunes        = 2000 // reasons and rationales
	MaxJustificationRunes = 5000 // a criterion's justification
	MaxSignatoryRunes     = 200  // a signatory's name or role
)

// Invalid is the rejection (RejectInvalid) of content with the problems in
// fields, keyed by field path; nil when there are none.
func Invalid(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return Reject(RejectInvalid, "Check the highlighted fields", fields)
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// checkText records a problem under field when s is blank (and missing is
// not "") or longer than limit characters; what names it in the message.
func checkText(fields map[string]string, field, what, s, missing string, limit int) {
	switch {
	case blank(s) && missing != "":
		fields[field] = missing
	case utf8.RuneCountInString(strings.TrimSpace(s)) > limit:
		fields[field] = fmt.Sprintf("Keep the %s to %d characters or fewer", what, limit)
	}
}

// CheckScores checks a score set: each criterion scored 0..max with a
// written justification (scores.<criterion>[.score|.justification]), and
// no criterion the round does not have.
func CheckScores(criteria []Criterion, scores map[string]CriterionScore) map[string]string {
	fields := map[string]string{}
	known := map[string]bool{}
	for _, cr := range criteria {
		known[cr.Key] = true
		s, ok := scores[cr.Key]
		if !ok {
			fields["scores."+cr.Key] = "Score this criterion"
			continue
		}
		if s.Score < 0 || s.Score > cr.MaxScore {
			fields["scores."+cr.Key+".score"] = fmt.Sprintf("Give a score from 0 to %d", cr.MaxScore)
		}
		checkText(fields, "scores."+cr.Key+".justification", "justification", s.Justification, "Explain your score", MaxJustificationRunes)
	}
	for _, k := range slices.Sorted(maps.Keys(scores)) {
		if !known[k] {
			fields["scores."+k] = "This round has no such criterion"
		}
	}
	return fields
}

// CheckConflict checks a conflict declaration's reason.
func CheckConflict(reason string) map[string]string {
	fields := map[string]string{}
	checkText(fields, "reason", "reason", reason, "Say what the conflict of interest is", MaxReasonRunes)
	return fields
}

// CheckModeration checks a moderated total (hundredths, 0..10000) and its
// rationale.
func CheckModeration(totalHundredths int64, rationale string) map[string]string {
	fields := map[string]string{}
	if totalHundredths < 0 || totalHundredths > 10000 {
		fields["total"] = "Give a total from 0 to 100"
	}
	checkText(fields, "rationale", "rationale", rationale, "Explain the moderated total", MaxReasonRunes)
	return fields
}

// CheckDecision checks what a decision says on its own: a known outcome,
// an award (more than zero) with approve and only then, a reason with
// reject. Whether the award fits the request, the tier and the budget
// needs the case (CheckAward) and the database.
func CheckDecision(u DecideUpdate) map[string]string {
	fields := map[string]string{}
	switch u.Outcome {
	case OutcomeApprove:
		switch {
		case u.AwardPence == nil:
			fields["award_pence"] = "Give the award in pence"
		case *u.AwardPence <= 0:
			fields["award_pence"] = "The award must be more than zero"
		}
	case OutcomeReject, OutcomeWaitlist:
		if u.AwardPence != nil {
			fields["award_pence"] = "Give an award only when approving"
		}
	default:
		fields["outcome"] = "Choose approve, reject or waitlist"
	}
	missing := ""
	if u.Outcome == OutcomeReject {
		missing = "Give the reason for the rejection"
	}
	checkText(fields, "reason", "reason", u.Reason, missing, MaxReasonRunes)
	return fields
}

// CheckAward checks an award against the amount requested and the tier
// (inclusive bounds); "" when it fits.
func CheckAward(award, requested, tierMin, tierMax int64) string {
	switch {
	case award <= 0:
		return "The award must be more than zero"
	case award > requested:
		return fmt.Sprintf("The award cannot be more than the %d pence requested", requested)
	case award < tierMin || award > tierMax:
		return fmt.Sprintf("The award must be within the tier, %d to %d pence", tierMin, tierMax)
	}
	return ""
}

// CheckAcceptance checks the signatory of an acceptance.
func CheckAcceptance(name, role string) map[string]string {
	fields := map[string]string{}
	checkText(fields, "signatory_name", "name", name, "Enter the name of the person accepting", MaxSignatoryRunes)
	checkText(fields, "signatory_role", "role", role, "Enter their role in the organisation", MaxSignatoryRunes)
	return fields
}

// CheckDecline checks the optional reason given for declining an offer.
func CheckDecline(reason string) map[string]string {
	fields := map[string]string{}
	checkText(fields, "reason", "reason", reason, "", MaxReasonRunes)
	return fields
}
