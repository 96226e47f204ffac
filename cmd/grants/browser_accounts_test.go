package main

import "testing"

// An account's life on the web, with every link read from the e-mail the
// worker delivered to a real SMTP server (the shared Mailpit): register,
// confirm the address (the link works once), change the password, reset
// a forgotten one (which signs out the other browser), and sign in by an
// e-mailed link instead of a password.
func TestBrowserAccounts(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	const (
		email = "grace.account-journey@example.org"
		first = "a long enough password"
	)
	b := newBrowserPage(t, webRoot(s))

	// Register, then confirm by the e-mailed link: the link opens a page
	// whose button confirms, so a mail scanner fetching it spends nothing.
	b.visit("/register")
	b.fillByLabel("Your full name", "Grace Mensah")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Create a password", first)
	b.fillByLabel("Enter the password again", first)
	b.clickButton("Create account")
	b.expectHeading("Check your email")
	b.checkPage()
	confirm := s.emailedLink(t, email, "Confirm your email address", "/account/confirm?token=")
	b.visit(confirm)
	b.expectHeading("Confirm your email address")
	b.visit(confirm) // opening it again spends nothing
	b.clickButton("Confirm email address")
	b.expectHeading("Your email address is confirmed")
	b.visit(confirm)
	b.clickButton("Confirm email address")
	b.expectStatus(422)
	b.expectHeading("This link cannot be used")

	// Signed in, no banner asks for confirmation.
	b.visit("/sign-in")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Password", first)
	b.clickButton("Sign in")
	b.expectPath("/dashboard")
	b.expectNoText("Confirm your email address to submit applications")

	// Change the password: the current one is required.
	const second = "another long password"
	b.clickLink("Change your password")
	b.expectHeading("Change your password")
	b.fillByLabel("Current password", "not my password")
	b.fillByLabel("New password", second)
	b.fillByLabel("Enter the new password again", second)
	b.clickButton("Change password")
	b.expectInvalid("Your current password is not right")
	b.fillByLabel("Current password", first)
	b.fillByLabel("New password", second)
	b.fillByLabel("Enter the new password again", second)
	b.clickButton("Change password")
	b.expectText("Your password has been changed.")
	s.emailedLink(t, email, "Your password has been changed", "/password-reset")

	// A second browser signed in too, to be signed out by the reset.
	other := newBrowserPage(t, webRoot(s))
	other.visit("/sign-in")
	other.fillByLabel("Email address", email)
	other.fillByLabel("Password", second)
	other.clickButton("Sign in")
	other.expectPath("/dashboard")

	// Forgotten: reset by the e-mailed link, which works once.
	b.clickButton("Sign out")
	b.clickLink("Forgotten your password?")
	b.expectHeading("Reset your password")
	b.fillByLabel("Email address", email)
	b.clickButton("Send me a link")
	b.expectHeading("Check your email")
	reset := s.emailedLink(t, email, "Reset your password", "/password-reset/complete?token=")
	b.visit(reset)
	b.expectHeading("Choose a new password")
	const third = "a third long password"
	b.fillByLabel("New password", third)
	b.fillByLabel("Enter the new password again", third)
	b.clickButton("Save new password")
	b.expectPath("/account/password")
	b.expectText("Your new password is set, and you are signed in.")
	other.visit("/dashboard")
	other.expectPath("/sign-in") // every other session ended
	b.visit(reset)
	b.fillByLabel("New password", "yet another password")
	b.fillByLabel("Enter the new password again", "yet another password")
	b.clickButton("Save new password")
	b.expectStatus(422)
	b.expectHeading("This link cannot be used")

	// The old password no longer works; the new one does.
	b.visit("/dashboard")
	b.clickButton("Sign out")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Password", second)
	b.clickButton("Sign in")
	b.expectStatus(401)

	// Sign in by an e-mailed link instead of a password.
	b.clickLink("Sign in with a link sent by email instead")
	b.expectHeading("Sign in with a link sent by email")
	b.fillByLabel("Email address", email)
	b.clickButton("Send me a link")
	b.expectHeading("Check your email")
	link := s.emailedLink(t, email, "Sign in to Grants", "/sign-in/link?token=")
	b.visit(link)
	b.expectHeading("Sign in")
	b.clickButton("Sign in")
	b.expectPath("/dashboard")
	b.expectText("Signed in as Grace Mensah (" + email + ")")

	// An unknown address is answered as a known one; its e-mail says so.
	b.clickButton("Sign out")
	b.visit("/password-reset")
	b.fillByLabel("Email address", "nobody.account-journey@example.org")
	b.clickButton("Send me a link")
	b.expectHeading("Check your email")
	s.emailedLink(t, "nobody.account-journey@example.org", "There is no account for this email address", "/register")
}
