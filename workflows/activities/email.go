package activities

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mail"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/workflows"
)

// MailSender sends one rendered message (mail.Sender in production).
type MailSender interface {
	Send(ctx context.Context, m mail.Message) error
}

// Mailer is what the delivery activity needs besides the store.
type Mailer struct {
	// Sender sends through the mail server; nil (GRANTS_SMTP_URL unset)
	// leaves every e-mail waiting, retried, until one is configured.
	Sender MailSender
	// LinkKey makes the tokens of account links (linktoken.DeriveKey).
	LinkKey []byte
	// PublicURL is the site's address, for links; its host is the domain
	// of the Message-IDs.
	PublicURL string
	// Service is the service's name in e-mails (default "Grants").
	Service string
}

// SendEmail delivers one queued e-mail, once. The row is looked up first:
// one already sent (or given up) is not sent again. "sending" is recorded
// and committed before the mail server is spoken to, so a worker that dies
// mid-send leaves a row that says the message was perhaps delivered; the
// retry sends it again with the same Message-ID, which the recipient's
// mail system treats as the same message. A permanent refusal is a
// non-retryable error (the workflow records it); a temporary one is noted
// on the row and retried.
func (a *Activities) SendEmail(ctx context.Context, in workflows.EmailInput) error {
	row, err := a.Store.EmailGet(ctx, in.EmailID)
	if err != nil {
		return classify(fmt.Errorf("load e-mail %d: %w", in.EmailID, err))
	}
	if row.Status == "sent" || row.Status == "failed" {
		a.logger().Info("e-mail already delivered or given up; not sent again", "email_id", row.ID, "status", row.Status)
		return nil
	}
	msg, err := a.Mail.compose(row, a.now())
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrEmailPermanent, err)
	}
	if a.Mail.Sender == nil {
		return a.noteEmailError(ctx, row.ID, errors.New("no mail server is configured (GRANTS_SMTP_URL)"))
	}
	if _, err := a.Store.EmailMarkSending(ctx, row.ID); err != nil {
		if isNotFound(err) {
			return nil // finished by another attempt meanwhile
		}
		return fmt.Errorf("record sending: %w", err)
	}
	if err := a.Mail.Sender.Send(ctx, msg); err != nil {
		if mail.IsPermanent(err) {
			return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrEmailPermanent, err)
		}
		return a.noteEmailError(ctx, row.ID, err)
	}
	if err := a.Store.InTx(ctx, func(q *sqlc.Queries) error {
		if err := q.EmailMarkSent(ctx, row.ID); err != nil {
			return err
		}
		if row.NotificationID != nil {
			return q.NotificationMarkSent(ctx, *row.NotificationID)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("record sent: %w", err)
	}
	a.logger().Info("e-mail sent", "email_id", row.ID, "kind", row.Kind)
	return nil
}

// noteEmailError keeps a temporary failure's reason on the row, where
// managers see it, and returns it for a retry.
func (a *Activities) noteEmailError(ctx context.Context, id int64, cause error) error {
	reason := cause.Error()
	if err := a.Store.EmailNoteError(ctx, sqlc.EmailNoteErrorParams{ID: id, LastError: &reason}); err != nil {
		return errors.Join(cause, fmt.Errorf("note e-mail error: %w", err))
	}
	return cause
}

// RecordEmailFailed records that an e-mail was given up: refused for good
// or retried for workflows.EmailRetryFor.
func (a *Activities) RecordEmailFailed(ctx context.Context, in workflows.EmailFailure) error {
	if err := a.Store.EmailMarkFailed(ctx, sqlc.EmailMarkFailedParams{ID: in.EmailID, LastError: &in.Reason}); err != nil {
		return classify(fmt.Errorf("record e-mail failed: %w", err))
	}
	a.logger().Warn("e-mail not delivered", "email_id", in.EmailID, "reason", in.Reason)
	return nil
}

// now is the activities' clock.
func (a *Activities) now() time.Time {
	if a.Clock != nil {
		return a.Clock()
	}
	return time.Now()
}

// compose renders an e-mail row into the message to send.
func (m Mailer) compose(row sqlc.EmailGetRow, now time.Time) (mail.Message, error) {
	service := m.Service
	if service == "" {
		service = "Grants"
	}
	base := strings.TrimRight(m.PublicURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return mail.Message{}, fmt.Errorf("public URL %q has no host", m.PublicURL)
	}
	c := mail.Content{Service: service}
	if row.UserName != nil {
		c.Greeting = "Dear " + *row.UserName + ","
	}
	accountFooter := "You are getting this email because you have an account on " + service + " (" + base + ")."
	strangerFooter := "You are getting this email because someone entered this address on " + service + " (" + base + ")."
	tokenLink := func(path string, nonce []byte, expires *time.Time) (*mail.Action, error) {
		if nonce == nil || expires == nil {
			return nil, fmt.Errorf("e-mail %d (%s) has no link token", row.ID, row.Kind)
		}
		if !expires.After(now) {
			return nil, fmt.Errorf("the link expired at %s before it could be sent", expires.UTC().Format(time.RFC3339))
		}
		if len(m.LinkKey) != linktoken.KeySize {
			return nil, errors.New("no link key is configured")
		}
		tok := linktoken.Token(m.LinkKey, nonce)
		return &mail.Action{URL: base + path + "?token=" + tok}, nil
	}
	link := func(path string) (*mail.Action, error) { return tokenLink(path, row.TokenNonce, row.TokenExpiresAt) }
	switch row.Kind {
	case mailq.EmailNotification:
		if row.NotificationSubject == nil || row.NotificationID == nil {
			return mail.Message{}, fmt.Errorf("e-mail %d: its notification is gone", row.ID)
		}
		c.Heading = *row.NotificationSubject
		c.Paras = paragraphs(deref(row.NotificationBody))
		c.Action = &mail.Action{Label: "See it on " + service, URL: base + "/notifications/" + strconv.FormatInt(*row.NotificationID, 10)}
		c.After = []string{"You will need to sign in."}
		if _, id, ok := strings.Cut(deref(row.NotificationEntity), ":"); ok && id != "" {
			c.Reference = "Reference: " + id
		}
		c.Footer = accountFooter + " We email you when something needs your attention."
	case mailq.EmailConfirm:
		a, err := link(mailq.PathConfirmEmail)
		if err != nil {
			return mail.Message{}, err
		}
		a.Label = "Confirm your email address"
		c.Heading = "Confirm your email address"
		c.Paras = []string{"Thank you for creating an account on " + service + ". Confirm that this is your email address to submit applications and accept offers. You can start drafting before you confirm."}
		c.Action = a
		c.After = []string{"The link works once and lasts 7 days.", "If you did not create this account, you can ignore this email: the account cannot submit anything until the address is confirmed."}
		c.Footer = strangerFooter
	case mailq.EmailAccountExists:
		c.Heading = "Someone tried to create an account with your email address"
		c.Paras = []string{"There is already an account on " + service + " for this email address, so we did not create another one.",
			"If this was you, sign in with your password, or ask for an email to sign in without one."}
		c.Action = &mail.Action{Label: "Sign in", URL: base + "/sign-in"}
		c.After = []string{"If you have forgotten your password, reset it at " + base + "/password-reset.", "If this was not you, you do not need to do anything: your account has not changed."}
		c.Footer = accountFooter
	case mailq.EmailPasswordReset:
		a, err := link(mailq.PathResetPassword)
		if err != nil {
			return mail.Message{}, err
		}
		a.Label = "Choose a new password"
		c.Heading = "Reset your password"
		c.Paras = []string{"We received a request to reset the password of your account on " + service + "."}
		c.Action = a
		c.After = []string{"The link works once and lasts 1 hour. Choosing a new password signs you out everywhere else.",
			"If you did not ask for this, you can ignore this email: your password has not changed."}
		c.Footer = accountFooter
	case mailq.EmailPasswordResetUnknown, mailq.EmailSignInLinkUnknown:
		what := "reset a password"
		if row.Kind == mailq.EmailSignInLinkUnknown {
			what = "sign in"
		}
		c.Heading = "There is no account for this email address"
		c.Paras = []string{"Someone asked to " + what + " on " + service + " with this email address, but there is no account for it.",
			"If this was you, you may have used another email address, or you can create an account."}
		c.Action = &mail.Action{Label: "Create an account", URL: base + "/register"}
		c.After = []string{"If this was not you, you do not need to do anything."}
		c.Footer = strangerFooter
	case mailq.EmailSignInLink:
		a, err := link(mailq.PathSignInLink)
		if err != nil {
			return mail.Message{}, err
		}
		a.Label = "Sign in to " + service
		c.Heading = "Sign in to " + service
		c.Paras = []string{"Use this link to sign in without your password."}
		c.Action = a
		c.After = []string{"The link works once and lasts 1 hour. Do not forward this email: anyone with the link can sign in as you.",
			"If you did not ask for this, you can ignore this email."}
		c.Footer = accountFooter
	case mailq.EmailPasswordChanged:
		c.Heading = "Your password has been changed"
		c.Paras = []string{"The password of your account on " + service + " was changed, and every other session was signed out."}
		c.Action = &mail.Action{Label: "Reset your password", URL: base + "/password-reset"}
		c.After = []string{"If this was you, you do not need to do anything. If it was not, reset your password now."}
		c.Footer = accountFooter
	case mailq.EmailInvitation, mailq.EmailStaffInvitation:
		a, err := tokenLink(mailq.PathAcceptInvitation, row.InvitationNonce, row.InvitationExpiresAt)
		if err != nil {
			return mail.Message{}, err
		}
		inviter := deref(row.InvitationInviterName)
		if inviter == "" {
			inviter = "Someone"
		}
		if row.Kind == mailq.EmailInvitation {
			if row.InvitationOrganisationName == nil || row.InvitationRole == nil {
				return mail.Message{}, fmt.Errorf("e-mail %d: its invitation or organisation is gone", row.ID)
			}
			org := *row.InvitationOrganisationName
			c.Heading = "You have been invited to join " + org + " on " + service
			role := "a member"
			if *row.InvitationRole == "admin" {
				role = "an admin"
			}
			c.Paras = []string{inviter + " has invited you to join the team of " + org + " on " + service + " as " + role + ".",
				"Members of the team see and work on its applications and grants. Admins also manage the team, the organisation's details and its bank account."}
			a.Label = "Join " + org
		} else {
			if len(row.InvitationRoles) == 0 {
				return mail.Message{}, fmt.Errorf("e-mail %d: its invitation is gone", row.ID)
			}
			if row.UserName == nil && row.InvitationName != nil {
				c.Greeting = "Dear " + *row.InvitationName + ","
			}
			c.Heading = "You have been invited to join the staff of " + service
			c.Paras = []string{inviter + " has invited you to work on " + service + " as " + strings.Join(row.InvitationRoles, ", ") + "."}
			a.Label = "Accept the invitation"
		}
		c.Action = a
		c.After = []string{"If you do not have an account yet, the link lets you create one with this email address. If you have one, sign in with it first.",
			"The link works once and lasts 14 days. If you were not expecting this, you can ignore this email."}
		c.Footer = strangerFooter
	case mailq.EmailPartnerInvitation:
		a, err := tokenLink(mailq.PathPartnerInvitation, row.InvitationNonce, row.InvitationExpiresAt)
		if err != nil {
			return mail.Message{}, err
		}
		if row.InvitationLeadName == nil || row.InvitationRoundName == nil {
			return mail.Message{}, fmt.Errorf("e-mail %d: its invitation or application is gone", row.ID)
		}
		inviter := deref(row.InvitationInviterName)
		if inviter == "" {
			inviter = "Someone"
		}
		lead := *row.InvitationLeadName
		c.Heading = lead + " has named you as a partner in an application to " + service
		c.Paras = []string{inviter + " of " + lead + " has named " + deref(row.InvitationName) + " as a partner in its application to " +
			*row.InvitationRoundName + ".", "Follow the link to see the partnership and any share of the budget it gives you, then confirm or decline it as an admin of your organisation."}
		a.Label = "Answer the invitation"
		c.Action = a
		c.After = []string{"If you do not have an account yet, create one with this email address, then follow the link again. You can add your organisation when you answer.",
			"The link works once and lasts 14 days. If you were not expecting this, you can ignore this email."}
		c.Footer = strangerFooter
	default:
		return mail.Message{}, fmt.Errorf("e-mail %d: unknown kind %q", row.ID, row.Kind)
	}
	text, html, err := mail.Render(c)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{
		MessageID: row.MessageID + "@" + u.Hostname(),
		To:        row.ToAddress,
		Subject:   c.Heading,
		Text:      text,
		HTML:      html,
		Headers:   map[string]string{"Auto-Submitted": "auto-generated"},
	}, nil
}

// paragraphs splits a notification's body at blank lines.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
