package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/mailq"
)

// A partner's answer to a lead's invitation (issue 17): the invitee,
// signed in as the invited address, reads the partnership and its share
// and, as an admin of the partner organisation, confirms or declines it.

type partnerInvitationData struct {
	Token         string
	Invitation    app.PartnerInvitation
	Organisations []choice
	NewOrg        string // adds an organisation and comes back here
	Answered      *app.PartnershipAnswered
}

// partnerInvitationLoad reads the invitation of the token for the page,
// or shows why it cannot be answered (a bad link, another account).
func (ui *UI) partnerInvitationLoad(c *gin.Context, token string) (partnerInvitationData, bool) {
	inv, err := ui.app.GetPartnerInvitation(c.Request.Context(), actor(c), token)
	if err != nil {
		if e, ok := app.AsError(err); ok && e.Fields["token"] != "" {
			ui.badLinkPage(c, err, navItem{Href: "/dashboard", Text: "Ask the lead organisation to invite you again"})
			return partnerInvitationData{}, false
		}
		ui.fail(c, err)
		return partnerInvitationData{}, false
	}
	here := mailq.PathPartnerInvitation + "?token=" + url.QueryEscape(token)
	d := partnerInvitationData{Token: token, Invitation: inv, NewOrg: "/organisations/new?next=" + url.QueryEscape(here)}
	for _, o := range inv.Organisations {
		d.Organisations = append(d.Organisations, choice{Value: o.ID, Text: o.Name})
	}
	return d, true
}

func (ui *UI) partnerInvitationPage(c *gin.Context) {
	d, ok := ui.partnerInvitationLoad(c, c.Query("token"))
	if !ok {
		return
	}
	f := newForm()
	if len(d.Organisations) == 1 {
		f.Set("organisation_id", d.Organisations[0].Value)
	}
	ui.render(c, http.StatusOK, "partner-invitation", page{Title: "Confirm a partnership", Form: f, Data: d})
}

func (ui *UI) answerPartnerInvitation(c *gin.Context) {
	f := postedForm(c)
	d, ok := ui.partnerInvitationLoad(c, f.Get("token"))
	if !ok {
		return
	}
	if f.Get("decision") == "" {
		f.Fail("decision", "Select whether you confirm or decline the partnership")
	}
	var err error
	if !f.Invalid() {
		var res app.PartnershipAnswered
		res, err = ui.app.AnswerPartnership(c.Request.Context(), actor(c), app.PartnershipAnswer{Token: f.Get("token"),
			OrganisationID: f.Get("organisation_id"), Decision: f.Get("decision"), Reason: f.Get("reason")})
		if err == nil {
			d.Answered = &res
			ui.render(c, http.StatusOK, "partner-invitation", page{Title: "Partnership answered", Form: f, Data: d})
			return
		}
		if !f.FromApp(err, nil, "decision", "organisation_id", "reason") {
			ui.fail(c, err)
			return
		}
	}
	status := http.StatusUnprocessableEntity
	if err != nil {
		status = refusal(c, err)
	}
	ui.render(c, status, "partner-invitation", page{Title: "Confirm a partnership", Form: f, Data: d})
}
