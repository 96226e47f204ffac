package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/workday"
	"github.com/civicgrants/grants/workflows"
)

// RemindDrafts tells the members of every organisation with a draft in a
// round that the round closes soon: one notification per draft and
// member, linking to the draft. A round whose closing time is no longer
// in.ClosesAt (extended since the workflow read it) is left alone: the
// workflow reminds for the new time. The dedupe key names the reminder and
// the closing time, so a retry adds nothing and a moved closing time
// reminds again.
func (a *Activities) RemindDrafts(ctx context.Context, in workflows.DraftReminderInput) error {
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		r, err := q.RoundGet(ctx, in.RoundID)
		if err != nil {
			return fmt.Errorf("load round %s: %w", in.RoundID, err)
		}
		if !r.ClosesAt.Equal(in.ClosesAt) || !in.At.Before(r.ClosesAt) {
			return nil
		}
		owners, err := q.ReminderDraftOwners(ctx, r.ID)
		if err != nil {
			return fmt.Errorf("list draft owners: %w", err)
		}
		closes := londonTime(r.ClosesAt)
		byDraft := map[string][]string{}
		orgs := map[string]string{}
		var drafts []string
		for _, o := range owners {
			if _, ok := byDraft[o.ApplicationID]; !ok {
				drafts = append(drafts, o.ApplicationID)
			}
			byDraft[o.ApplicationID] = append(byDraft[o.ApplicationID], o.UserID)
			orgs[o.ApplicationID] = o.OrganisationName
		}
		for _, id := range drafts {
			m := message{kind: "draft_reminder",
				subject: fmt.Sprintf("%s closes on %s: submit your application", r.Name, closes),
				body: fmt.Sprintf("%s has a draft application to %s that has not been submitted. "+
					"The round closes on %s. Check your answers and submit the application before then: "+
					"a draft that is not submitted when the round closes cannot be considered.", orgs[id], r.Name, closes),
				entity: appChain(id),
				key:    "draft_reminder:" + id + ":" + in.Reminder + ":" + r.ClosesAt.UTC().Format(time.RFC3339)}
			if err := notify(ctx, q, byDraft[id], m); err != nil {
				return err
			}
		}
		return nil
	})
	return classify(err)
}

// RemindOffer tells the admins of the applying organisation (who alone may
// accept) that their offer expires soon, while the grant is still on offer
// and the offer open; otherwise it does nothing. The dedupe key names the
// expiry, so a retry adds nothing.
func (a *Activities) RemindOffer(ctx context.Context, in workflows.OfferReminderInput) error {
	err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		g, err := q.GrantGet(ctx, in.GrantID)
		if err != nil {
			return fmt.Errorf("load grant %s: %w", in.GrantID, err)
		}
		if g.ApplicationID != in.ApplicationID || g.Status != workflows.GrantStatusOffered || !in.At.Before(g.OfferExpiresAt) {
			return nil
		}
		r, err := q.RoundGet(ctx, g.RoundID)
		if err != nil {
			return fmt.Errorf("load round %s: %w", g.RoundID, err)
		}
		expires := londonTime(g.OfferExpiresAt)
		return notifyOrgAdmins(ctx, q, g.OrganisationID, message{kind: "offer_reminder",
			subject: "Your grant offer expires on " + expires,
			body: fmt.Sprintf("You have been offered a grant of %s from %s. The offer expires on %s. "+
				"An admin of your organisation must accept it (or decline it) before then; "+
				"if nobody does, the offer lapses and the money goes to other applicants.",
				money.PoundsAndPence(g.AwardPence), r.Name, expires),
			entity: grantChain(g.ID),
			key:    "offer_reminder:" + g.ID + ":" + g.OfferExpiresAt.UTC().Format(time.RFC3339)})
	})
	return classify(err)
}

// londonTime writes an instant out as people read it in England, in
// Europe/London: "Friday 12 March 2027 at 5pm", "… at 5:30pm", "… at
// midday", and midnight as "11:59pm" the day before (GOV.UK style: a
// midnight deadline is ambiguous).
func londonTime(t time.Time) string {
	l := t.In(workday.London)
	if l.Hour() == 0 && l.Minute() == 0 {
		l = l.Add(-time.Minute)
	}
	clock := l.Format("3:04pm")
	switch {
	case l.Hour() == 12 && l.Minute() == 0:
		clock = "midday"
	case l.Minute() == 0:
		clock = l.Format("3pm")
	}
	return l.Format("Monday 2 January 2006") + " at " + clock
}
