package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type applicantDeleteData struct {
	Case   applicantCase
	Member bool
}

// applicantDeletePage asks a member of the lead organisation to confirm
// that a draft is to be deleted.
func (ui *UI) applicantDeletePage(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	ui.render(c, http.StatusOK, "applicant-delete", page{Title: "Delete this draft", Back: x.Base,
		Data: applicantDeleteData{Case: x, Member: ui.applicantIsMember(c, x.App.OrganisationID)}})
}

// applicantDelete deletes the draft with its documents; a submitted
// application is refused on the confirmation page.
func (ui *UI) applicantDelete(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	err := ui.app.DeleteApplication(c.Request.Context(), actor(c), x.App.ID)
	if err == nil {
		redirect(c, "/applications?deleted=1")
		return
	}
	f := newForm()
	if !f.FromApp(err, nil) {
		ui.fail(c, err)
		return
	}
	ui.render(c, refusal(c, err), "applicant-delete", page{Title: "Delete this draft", Back: x.Base, Form: f,
		Data: applicantDeleteData{Case: x, Member: true}})
}
