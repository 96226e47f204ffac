package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// applicantAction is a command on a whole application that a member of
// the lead confirms on a page of its own: withdraw, delete a draft.
type applicantAction struct {
	Title   string // the page's title
	Heading string
	Lead    string // what happens, before the warning ("" for none)
	Warning string
	Path    string // after the application's base path
	Button  string
	Refused string // said when the application is past it
	open    func(applicantCase) bool
	run     func(ui *UI, ctx context.Context, a app.Actor, appID string) error
	done    func(applicantCase) string // where to go after it
}

var (
	applicantWithdrawal = applicantAction{Title: "Withdraw your application", Heading: "Withdraw your application",
		Warning: "If you withdraw your application it will not be considered, and you cannot undo this.",
		Path:    "/withdraw", Button: "Withdraw application", Refused: "This application cannot be withdrawn.",
		open: applicantCase.Withdrawable,
		run: func(ui *UI, ctx context.Context, a app.Actor, appID string) error {
			_, err := ui.app.WithdrawApplication(ctx, a, appID, noParams)
			return err
		},
		done: func(x applicantCase) string { return x.Base + "?withdrawn=1" }}
	applicantDeletion = applicantAction{Title: "Delete this draft", Heading: "Are you sure you want to delete this draft?",
		Lead:    "Your answers and the documents you uploaded to this draft will be deleted. You can start a new application for this round while it is open.",
		Warning: "You cannot undo this.", Path: "/delete", Button: "Delete draft", Refused: "This application cannot be deleted.",
		open: applicantCase.Draft,
		run: func(ui *UI, ctx context.Context, a app.Actor, appID string) error {
			return ui.app.DeleteApplication(ctx, a, appID)
		},
		done: func(applicantCase) string { return "/applications?deleted=1" }}
)

type applicantConfirmData struct {
	Case    applicantCase
	Action  applicantAction
	Allowed bool // the application is open to the action and the visitor a member of the lead
}

// applicantConfirmPage asks a member of the lead to confirm the action.
func (ui *UI) applicantConfirmPage(act applicantAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		x, ok := ui.applicantLoad(c)
		if !ok {
			return
		}
		ui.render(c, http.StatusOK, "applicant-confirm", page{Title: act.Title, Back: x.Base,
			Data: applicantConfirmData{Case: x, Action: act, Allowed: act.open(x) && ui.applicantIsMember(c, x.App.OrganisationID)}})
	}
}

// applicantConfirmed runs the confirmed action; a refusal is shown on the
// confirmation page.
func (ui *UI) applicantConfirmed(act applicantAction) gin.HandlerFunc {
	return func(c *gin.Context) {
		x, ok := ui.applicantLoad(c)
		if !ok {
			return
		}
		err := act.run(ui, c.Request.Context(), actor(c), x.App.ID)
		if err == nil {
			redirect(c, act.done(x))
			return
		}
		f := newForm()
		if !f.FromApp(err, nil) {
			ui.fail(c, err)
			return
		}
		ui.render(c, refusal(c, err), "applicant-confirm", page{Title: act.Title, Back: x.Base, Form: f,
			Data: applicantConfirmData{Case: x, Action: act, Allowed: act.open(x)}})
	}
}
