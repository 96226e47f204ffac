package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/mailq"
)

// Account pages: confirming an address, resetting a password, signing in
// by an e-mailed link, changing a password. A link in an e-mail opens a
// page with a button, and only the button (a POST) spends the link, so a
// mail scanner that fetches every link spends none. No page says whether
// an address has an account.

// messageData is a page that only says something: what happened and what
// to do next.
type messageData struct {
	Heading string
	Paras   []string
	Link    *navItem
}

// emailFormData is a page asking for an e-mail address to send a link to.
type emailFormData struct {
	Heading, Intro, Action, Button string
}

// tokenFormData is a page holding an e-mailed link's token, with the
// button that spends it.
type tokenFormData struct {
	Heading, Intro, Action, Button, Token string
}

// checkEmail tells the visitor an e-mail is on its way, in the same words
// whether or not the address has an account.
func (ui *UI) checkEmail(c *gin.Context) {
	d := messageData{Heading: "Check your email"}
	switch c.Query("sent") {
	case "register":
		d.Paras = []string{"We have sent an email to the address you gave, with a link to confirm it. The link lasts 7 days.",
			"If that address already had an account, the email says so instead: sign in with it, or reset its password.",
			"You can sign in now with your new account and start drafting an application. You need to confirm your address before you can submit it."}
		d.Link = &navItem{Href: "/sign-in", Text: "Sign in with your new account"}
		if next := safeNext(c.Query("next")); next != "/dashboard" {
			d.Link.Href += "?next=" + url.QueryEscape(next)
		}
	case "confirm":
		d.Paras = []string{"We have sent you a new link to confirm your email address. It lasts 7 days, and earlier links still work until they expire."}
		d.Link = &navItem{Href: "/dashboard", Text: "Go to your dashboard"}
	case "reset":
		d.Paras = []string{"If the address you gave has an account, we have sent it a link to choose a new password. The link lasts 1 hour and works once.",
			"If it has no account, the email says so."}
	case "link":
		d.Paras = []string{"If the address you gave has an account, we have sent it a link to sign in. The link lasts 1 hour and works once.",
			"If it has no account, the email says so."}
	default:
		ui.NotFound(c)
		return
	}
	d.Paras = append(d.Paras, "Emails can take a few minutes to arrive. Check your spam or junk folder if it has not arrived.")
	ui.render(c, http.StatusOK, "account-message", page{Title: d.Heading, Data: d})
}

// badLinkPage says a link cannot be used, and how to get a new one.
func (ui *UI) badLinkPage(c *gin.Context, err error, again navItem) {
	if e, ok := app.AsError(err); !ok || e.Kind != app.KindInvalid {
		ui.fail(c, err)
		return
	}
	d := messageData{Heading: "This link cannot be used",
		Paras: []string{"The link has expired or has already been used. Links from our emails work once."},
		Link:  &again}
	ui.render(c, http.StatusUnprocessableEntity, "account-message", page{Title: d.Heading, Data: d})
}

// Confirming an address.

func (ui *UI) confirmEmailPage(c *gin.Context) {
	ui.render(c, http.StatusOK, "account-token", page{Title: "Confirm your email address", Data: tokenFormData{
		Heading: "Confirm your email address", Intro: "Confirm this address to submit applications and accept offers.",
		Action: mailq.PathConfirmEmail, Button: "Confirm email address", Token: c.Query("token")}})
}

func (ui *UI) confirmEmail(c *gin.Context) {
	if _, err := ui.app.ConfirmEmail(c.Request.Context(), c.PostForm("token")); err != nil {
		ui.badLinkPage(c, err, navItem{Href: "/dashboard", Text: "Sign in to ask for a new link"})
		return
	}
	d := messageData{Heading: "Your email address is confirmed", Paras: []string{"You can now submit applications and accept offers."},
		Link: &navItem{Href: "/dashboard", Text: "Go to your dashboard"}}
	ui.render(c, http.StatusOK, "account-message", page{Title: d.Heading, Data: d})
}

func (ui *UI) resendConfirmation(c *gin.Context) {
	if _, err := ui.app.ResendConfirmation(c.Request.Context(), actor(c)); err != nil {
		ui.fail(c, err)
		return
	}
	redirect(c, "/check-email?sent=confirm")
}

// Asking for a link by e-mail.

var (
	resetForm = emailFormData{Heading: "Reset your password", Action: "/password-reset", Button: "Send me a link",
		Intro: "Enter the email address of your account. We will send it a link to choose a new password."}
	signInLinkForm = emailFormData{Heading: "Sign in with a link sent by email", Action: "/sign-in/email-link", Button: "Send me a link",
		Intro: "Enter the email address of your account. We will send it a link that signs you in without a password. This helps when several people share one inbox."}
)

func (ui *UI) passwordResetPage(c *gin.Context) {
	ui.render(c, http.StatusOK, "account-email", page{Title: resetForm.Heading, Data: resetForm, Back: "/sign-in"})
}

func (ui *UI) requestPasswordReset(c *gin.Context) {
	ui.requestLink(c, resetForm, "reset", ui.app.RequestPasswordReset)
}

func (ui *UI) signInLinkPage(c *gin.Context) {
	ui.render(c, http.StatusOK, "account-email", page{Title: signInLinkForm.Heading, Data: signInLinkForm, Back: "/sign-in"})
}

func (ui *UI) requestSignInLink(c *gin.Context) {
	ui.requestLink(c, signInLinkForm, "link", ui.app.RequestSignInLink)
}

func (ui *UI) requestLink(c *gin.Context, d emailFormData, sent string, send func(ctx context.Context, email string) (app.Accepted, error)) {
	f := postedForm(c)
	if f.Get("email") == "" {
		f.Fail("email", "Enter your email address")
		ui.render(c, http.StatusUnprocessableEntity, "account-email", page{Title: d.Heading, Form: f, Data: d, Back: "/sign-in"})
		return
	}
	_, err := send(c.Request.Context(), f.Get("email"))
	if err == nil {
		redirect(c, "/check-email?sent="+sent)
		return
	}
	if e, ok := app.AsError(err); ok && e.Kind == app.KindRateLimited {
		f.Fail("email", "Too many emails asked for. Wait "+waitMinutes(e.RetryAfter)+" and try again")
	} else if !f.FromApp(err, nil, "email") {
		ui.fail(c, err)
		return
	}
	ui.render(c, refusal(c, err), "account-email", page{Title: d.Heading, Form: f, Data: d, Back: "/sign-in"})
}

// Following a reset link.

func (ui *UI) completePasswordResetPage(c *gin.Context) {
	f := newForm().Set("token", c.Query("token"))
	ui.render(c, http.StatusOK, "password-reset-complete", page{Title: "Choose a new password", Form: f})
}

func (ui *UI) completePasswordReset(c *gin.Context) {
	f := postedForm(c)
	if f.Raw("password") != f.Raw("password_confirm") {
		f.Fail("password_confirm", "Enter the same password twice")
	}
	if !f.Invalid() {
		u, err := ui.app.CompletePasswordReset(c.Request.Context(), app.PasswordReset{Token: f.Get("token"), Password: f.Raw("password")})
		if err == nil {
			tok, err := ui.app.SignIn(c.Request.Context(), u.Email, f.Raw("password"))
			if err != nil {
				ui.fail(c, err)
				return
			}
			ui.startSession(c, tok)
			redirect(c, "/account/password?reset=1")
			return
		}
		if e, ok := app.AsError(err); ok && e.Fields["token"] != "" {
			ui.badLinkPage(c, err, navItem{Href: "/password-reset", Text: "Ask for a new link"})
			return
		}
		if !f.FromApp(err, nil, "password") {
			ui.fail(c, err)
			return
		}
	}
	f.Values.Del("password")
	f.Values.Del("password_confirm")
	ui.render(c, http.StatusUnprocessableEntity, "password-reset-complete", page{Title: "Choose a new password", Form: f})
}

// Following a sign-in link.

func (ui *UI) signInByLinkPage(c *gin.Context) {
	ui.render(c, http.StatusOK, "account-token", page{Title: "Sign in", Data: tokenFormData{
		Heading: "Sign in", Intro: "Sign in with the link we emailed you.", Action: mailq.PathSignInLink, Button: "Sign in",
		Token: c.Query("token")}})
}

func (ui *UI) signInByLink(c *gin.Context) {
	tok, err := ui.app.SignInByLink(c.Request.Context(), c.PostForm("token"))
	if err != nil {
		ui.badLinkPage(c, err, navItem{Href: "/sign-in/email-link", Text: "Ask for a new link"})
		return
	}
	ui.startSession(c, tok)
	redirect(c, "/dashboard")
}

// Changing a password.

func (ui *UI) changePasswordPage(c *gin.Context) {
	p := page{Title: "Change your password"}
	switch {
	case c.Query("changed") == "1":
		p.Flash = "Your password has been changed. You have been signed out everywhere else."
	case c.Query("reset") == "1":
		p.Flash = "Your new password is set, and you are signed in. Everywhere else has been signed out."
	}
	ui.render(c, http.StatusOK, "account-password", p)
}

func (ui *UI) changePassword(c *gin.Context) {
	f := postedForm(c)
	if f.Raw("password") != f.Raw("password_confirm") {
		f.Fail("password_confirm", "Enter the same new password twice")
	}
	if !f.Invalid() {
		keep, _ := c.Cookie(ui.cookieName(sessionCookie))
		err := ui.app.ChangePassword(c.Request.Context(), actor(c), keep,
			app.PasswordChange{CurrentPassword: f.Raw("current_password"), Password: f.Raw("password")})
		if err == nil {
			redirect(c, "/account/password?changed=1")
			return
		}
		if e, ok := app.AsError(err); ok && e.Kind == app.KindRateLimited {
			f.Fail("current_password", "Too many attempts. Wait "+waitMinutes(e.RetryAfter)+" and try again")
		} else if !f.FromApp(err, nil, "current_password", "password") {
			ui.fail(c, err)
			return
		}
	}
	for _, k := range []string{"current_password", "password", "password_confirm"} {
		f.Values.Del(k)
	}
	ui.render(c, http.StatusUnprocessableEntity, "account-password", page{Title: "Change your password", Form: f})
}

// openNotification is where a notification's e-mail links: it marks the
// notification read and opens the page of what it is about, as the
// signed-in person sees it (their notifications list when it has none).
func (ui *UI) openNotification(c *gin.Context) {
	n, err := ui.app.MarkNotificationRead(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	if n.Link != nil {
		redirect(c, *n.Link)
		return
	}
	redirect(c, "/notifications#notification-"+n.ID)
}
