package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// granteeDeclinePage asks an admin of the organisation whether to decline
// the offer, with an optional reason.
func (ui *UI) granteeDeclinePage(c *gin.Context) {
	d, ok := ui.granteeOfferPage(c)
	if !ok {
		return
	}
	ui.renderDecline(c, http.StatusOK, newForm(), &d)
}

// granteeDecline declines the offer through the application's workflow
// when the admin answers yes; no goes back to the grant unchanged.
func (ui *UI) granteeDecline(c *gin.Context) {
	f := postedForm(c)
	d, ok := ui.granteeOfferAdmin(c)
	if !ok {
		return
	}
	back := "/grants/" + url.PathEscape(d.Grant.ID)
	switch f.Get("decline") {
	case "no":
		redirect(c, back)
		return
	case "yes":
	default:
		f.Fail("decline", "Select yes if you want to decline the offer")
		ui.renderDecline(c, http.StatusUnprocessableEntity, f, &d)
		return
	}
	_, err := ui.app.DeclineGrant(c.Request.Context(), actor(c), d.Grant.ID, jsonBody(app.DeclineInput{Reason: f.Get("reason")}))
	if err == nil {
		redirect(c, back+"?declined=1")
		return
	}
	if !f.FromApp(err, nil, "decline", "reason") {
		ui.fail(c, err)
		return
	}
	ui.renderDecline(c, refusal(c, err), f, &d)
}

func (ui *UI) renderDecline(c *gin.Context, status int, f *Form, d *granteeGrantData) {
	ui.render(c, status, "grantee-decline", page{Title: "Decline your grant offer", Form: f, Data: d,
		Back: "/grants/" + url.PathEscape(d.Grant.ID)})
}
