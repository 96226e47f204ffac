package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

type signInData struct {
	Next    string
	Timeout bool
}

func (ui *UI) signInPage(c *gin.Context) {
	if _, ok := sessionOf(c); ok {
		redirect(c, safeNext(c.Query("next")))
		return
	}
	p := page{Title: "Sign in", Data: signInData{Next: safeNext(c.Query("next")), Timeout: c.Query("timeout") == "1"}}
	switch c.Query("signed_out") {
	case "1":
		p.Flash = "You have signed out."
	case "everywhere":
		p.Flash = "You have signed out on every device."
	}
	ui.render(c, http.StatusOK, "sign-in", p)
}

// signIn checks the password and starts a session. Wrong details and too
// many attempts (the use case's per-address limit) re-render the form.
func (ui *UI) signIn(c *gin.Context) {
	f := postedForm(c)
	next := safeNext(f.Get("next"))
	email := f.Get("email")
	if email == "" {
		f.Fail("email", "Enter your email address")
	}
	if f.Raw("password") == "" {
		f.Fail("password", "Enter your password")
	}
	status := http.StatusUnprocessableEntity
	if !f.Invalid() {
		tok, err := ui.app.SignIn(c.Request.Context(), email, f.Raw("password"))
		if err == nil {
			ui.startSession(c, tok)
			redirect(c, next)
			return
		}
		e, ok := app.AsError(err)
		switch {
		case ok && e.Kind == app.KindUnauthenticated:
			f.Fail("email", "Enter the email address and password of your account; one of them is not right")
		case ok && e.Kind == app.KindRateLimited:
			f.Fail("email", "Too many attempts to sign in. Wait "+waitMinutes(e.RetryAfter)+" and try again")
		case errors.Is(err, app.ErrDeactivated):
			f.Fail("email", app.ErrDeactivated.Message)
		default:
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	f.Values.Del("password") // never echoed back
	ui.render(c, status, "sign-in", page{Title: "Sign in", Form: f, Data: signInData{Next: next}})
}

func (ui *UI) registerPage(c *gin.Context) {
	ui.render(c, http.StatusOK, "register", page{Title: "Create an account", Data: signInData{Next: safeNext(c.Query("next"))}})
}

// register creates an applicant account and says a confirmation e-mail is
// on its way. It does not sign in: that would tell a new address from a
// taken one (DESIGN §10); the new account signs in with its password.
func (ui *UI) register(c *gin.Context) {
	f := postedForm(c)
	next := safeNext(f.Get("next"))
	status := http.StatusUnprocessableEntity
	if f.Raw("password") != f.Raw("password_confirm") {
		f.Fail("password_confirm", "Enter the same password twice")
	}
	if !f.Invalid() {
		_, err := ui.app.Register(c.Request.Context(), app.RegisterInput{Email: f.Get("email"), Name: f.Get("name"), Password: f.Raw("password")})
		if err == nil {
			to := "/check-email?sent=register"
			if next != "/dashboard" {
				to += "&next=" + url.QueryEscape(next)
			}
			redirect(c, to)
			return
		}
		if e, ok := app.AsError(err); ok && e.Kind == app.KindRateLimited {
			f.Fail("", "Too many attempts to create an account. Wait "+waitMinutes(e.RetryAfter)+" and try again")
		} else if !f.FromApp(err, nil, "name", "email", "password") {
			ui.fail(c, err)
			return
		}
		status = refusal(c, err)
	}
	f.Values.Del("password")
	f.Values.Del("password_confirm")
	ui.render(c, status, "register", page{Title: "Create an account", Form: f, Data: signInData{Next: next}})
}

// signOut ends this session. It needs no session of its own (an expired
// one signs out too) but, as every POST, a valid CSRF token.
func (ui *UI) signOut(c *gin.Context) {
	if tok, err := c.Cookie(ui.cookieName(sessionCookie)); err == nil && tok != "" {
		if err := ui.app.Logout(c.Request.Context(), tok); err != nil {
			ui.fail(c, err)
			return
		}
	}
	ui.endSession(c)
	if c.PostForm("timeout") == "1" { // the time-out warning ran out
		redirect(c, "/sign-in?timeout=1&next="+urlQueryEscape(safeNext(c.PostForm("next"))))
		return
	}
	redirect(c, "/sign-in?signed_out=1")
}

// signOutEverywhere ends every session and API token of the user.
func (ui *UI) signOutEverywhere(c *gin.Context) {
	if _, err := ui.app.SignOutEverywhere(c.Request.Context(), actor(c)); err != nil {
		ui.fail(c, err)
		return
	}
	ui.endSession(c)
	redirect(c, "/sign-in?signed_out=everywhere")
}

// extendSession is the time-out warning's "stay signed in": the session
// middleware has already slid the expiry. Scripts get the seconds left;
// without JavaScript the form goes back to the page it came from.
func (ui *UI) extendSession(c *gin.Context) {
	tok, _ := c.Cookie(ui.cookieName(sessionCookie))
	s, err := ui.app.ExtendSession(c.Request.Context(), tok)
	if err != nil {
		ui.fail(c, err)
		return
	}
	if c.GetHeader("Accept") == "application/json" {
		c.Header("Cache-Control", "no-store")
		c.JSON(http.StatusOK, gin.H{"remaining_seconds": sessionRemaining(&s, ui.now())})
		return
	}
	redirect(c, safeNext(c.PostForm("next")))
}

// waitMinutes is a Retry-After's seconds as whole minutes, rounded up,
// in words: "1 minute", "15 minutes".
func waitMinutes(seconds int) string {
	if m := (seconds + 59) / 60; m != 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "1 minute"
}
