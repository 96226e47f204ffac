package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/mailq"
)

// emailsData is the undelivered e-mail page: what the use case listed.
type emailsData struct {
	Items []app.UndeliveredEmail
	Next  string
}

// emailKindText names an account e-mail's kind for people.
var emailKindText = map[string]string{
	mailq.EmailConfirm: "Confirm email address", mailq.EmailAccountExists: "Account already exists",
	mailq.EmailPasswordReset: "Reset password link", mailq.EmailPasswordResetUnknown: "Reset asked for an unknown address",
	mailq.EmailSignInLink: "Sign-in link", mailq.EmailSignInLinkUnknown: "Sign-in link asked for an unknown address",
	mailq.EmailPasswordChanged: "Password changed", mailq.EmailInvitation: "Invitation to an organisation's team",
	mailq.EmailStaffInvitation:   "Invitation to staff roles",
	mailq.EmailPartnerInvitation: "Invitation to confirm a partnership",
}

// KindText names an e-mail's kind.
func (emailsData) KindText(kind string) string {
	if t, ok := emailKindText[kind]; ok {
		return t
	}
	return kind
}

// managerEmails lists e-mail that could not be delivered, newest first.
func (ui *UI) managerEmails(c *gin.Context) {
	p, err := ui.app.ListUndeliveredEmails(c.Request.Context(), actor(c), app.PageQuery{Cursor: c.Query("cursor"), Limit: "25"})
	if err != nil {
		ui.failList(c, err)
		return
	}
	d := emailsData{Items: p.Items}
	if p.NextCursor != nil {
		d.Next = "/manage/emails?cursor=" + url.QueryEscape(*p.NextCursor)
	}
	pg := page{Title: "Undelivered email", Data: d}
	if c.Query("retried") != "" {
		pg.Flash = "The email will be sent again."
	}
	ui.render(c, http.StatusOK, "manager-emails", pg)
}

// managerRetryEmail queues a failed e-mail again.
func (ui *UI) managerRetryEmail(c *gin.Context) {
	if err := ui.app.RetryEmail(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		ui.fail(c, err)
		return
	}
	redirect(c, "/manage/emails?retried="+url.QueryEscape(c.Param("id")))
}
