package activities

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mailq"
)

// Every kind of e-mail renders: a subject, a plain-text part and an HTML
// part saying the same, the link written out in full in both (with the
// token the nonce makes, for account links), the Message-ID on the site's
// domain; a person's name or a notification's text cannot break the HTML.
func TestComposeEveryKind(t *testing.T) {
	key := linktoken.DeriveKey([]byte("test secret"))
	m := Mailer{LinkKey: key, PublicURL: "https://grants.example.org/", Service: "Grants"}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	nonce := []byte("0123456789abcdef")
	token := linktoken.Token(key, nonce)
	ptr := func(s string) *string { return &s }
	nid := int64(42)
	expires := now.Add(time.Hour)
	links := map[string]string{
		mailq.EmailNotification:         "https://grants.example.org/notifications/42",
		mailq.EmailConfirm:              "https://grants.example.org/account/confirm?token=" + token,
		mailq.EmailAccountExists:        "https://grants.example.org/sign-in",
		mailq.EmailPasswordReset:        "https://grants.example.org/password-reset/complete?token=" + token,
		mailq.EmailPasswordResetUnknown: "https://grants.example.org/register",
		mailq.EmailSignInLink:           "https://grants.example.org/sign-in/link?token=" + token,
		mailq.EmailSignInLinkUnknown:    "https://grants.example.org/register",
		mailq.EmailPasswordChanged:      "https://grants.example.org/password-reset",
		mailq.EmailInvitation:           "https://grants.example.org/invitations/accept?token=" + token,
		mailq.EmailStaffInvitation:      "https://grants.example.org/invitations/accept?token=" + token,
		mailq.EmailPartnerInvitation:    "https://grants.example.org/partner-invitations/accept?token=" + token,
	}
	require.Len(t, links, len(mailq.EmailKinds), "every kind has its expected link here")
	for _, kind := range mailq.EmailKinds {
		row := sqlc.EmailGetRow{ID: 7, Kind: kind, ToAddress: "ada@example.org", MessageID: "0d6a3c1e-email-7", UserName: ptr("Ada <b>Okafor</b>")}
		switch kind {
		case mailq.EmailNotification:
			row.NotificationID = &nid
			row.NotificationSubject = ptr("Decision on your application")
			row.NotificationBody = ptr("Your application was approved.\n\nAccept the offer by Friday 12 March 2027 at 5pm.")
			row.NotificationEntity = ptr("application:app_123")
		case mailq.EmailConfirm, mailq.EmailPasswordReset, mailq.EmailSignInLink:
			row.TokenNonce = nonce
			row.TokenExpiresAt = &expires
		case mailq.EmailPartnerInvitation:
			row.InvitationNonce, row.InvitationExpiresAt = nonce, &expires
			row.InvitationLeadName, row.InvitationRoundName = ptr("Bermondsey <Kitchen>"), ptr("Roots Incubator 2027")
			row.InvitationName, row.InvitationInviterName = ptr("Peckham Partners"), ptr("Grace Hopper")
		case mailq.EmailInvitation, mailq.EmailStaffInvitation:
			row.InvitationNonce, row.InvitationExpiresAt = nonce, &expires
			row.InvitationOrganisationName, row.InvitationRole = ptr("Bermondsey <Kitchen>"), ptr("admin")
			row.InvitationRoles, row.InvitationInviterName = []string{"assessor", "chair"}, ptr("Grace Hopper")
		}
		msg, err := m.compose(row, now)
		require.NoError(t, err, kind)
		require.Equal(t, "0d6a3c1e-email-7@grants.example.org", msg.MessageID, kind)
		require.Equal(t, "ada@example.org", msg.To)
		require.NotEmpty(t, msg.Subject, kind)
		require.Contains(t, msg.Text, links[kind], kind)
		require.Contains(t, msg.HTML, `href="`+strings.ReplaceAll(links[kind], "&", "&amp;")+`"`, kind)
		require.Contains(t, msg.Text, "Ada <b>Okafor</b>", kind)
		require.Contains(t, msg.HTML, "Ada &lt;b&gt;Okafor&lt;/b&gt;", kind, "names are escaped in HTML")
		require.Contains(t, msg.HTML, `<html lang="en">`)
		require.Equal(t, "auto-generated", msg.Headers["Auto-Submitted"])
		switch kind {
		case mailq.EmailInvitation:
			require.Equal(t, "You have been invited to join Bermondsey <Kitchen> on Grants", msg.Subject)
			require.Contains(t, strings.Join(strings.Fields(msg.Text), " "), "Grace Hopper has invited you to join the team of Bermondsey <Kitchen> on Grants as an admin.")
			require.Contains(t, msg.HTML, "Bermondsey &lt;Kitchen&gt;", "organisation names are escaped in HTML")
			require.Contains(t, msg.Text, "lasts 14 days")
		case mailq.EmailStaffInvitation:
			require.Contains(t, strings.Join(strings.Fields(msg.Text), " "), "Grace Hopper has invited you to work on Grants as assessor, chair.")
		case mailq.EmailPartnerInvitation:
			require.Equal(t, "Bermondsey <Kitchen> has named you as a partner in an application to Grants", msg.Subject)
			require.Contains(t, strings.Join(strings.Fields(msg.Text), " "),
				"Grace Hopper of Bermondsey <Kitchen> has named Peckham Partners as a partner in its application to Roots Incubator 2027.")
			require.Contains(t, msg.HTML, "Bermondsey &lt;Kitchen&gt;", "organisation names are escaped in HTML")
		}
		if kind == mailq.EmailNotification {
			require.Equal(t, "Decision on your application", msg.Subject)
			require.Contains(t, msg.Text, "Reference: app_123")
			require.Contains(t, msg.HTML, "<p style=\"margin:0 0 20px\">Accept the offer by Friday 12 March 2027 at 5pm.</p>", "paragraphs stay paragraphs")
		}
	}
}

// A link that expired before it could be sent, a row missing what it is
// rendered from, or an unknown kind is an error (the activity records it
// as failed), never a half-written e-mail.
func TestComposeRefuses(t *testing.T) {
	key := linktoken.DeriveKey([]byte("test secret"))
	m := Mailer{LinkKey: key, PublicURL: "https://grants.example.org"}
	now := time.Now()
	past := now.Add(-time.Minute)
	future := now.Add(time.Hour)
	org := "Bermondsey Community Kitchen"
	for name, row := range map[string]sqlc.EmailGetRow{
		"expired link":      {Kind: mailq.EmailPasswordReset, ToAddress: "a@example.org", MessageID: "x", TokenNonce: []byte("n"), TokenExpiresAt: &past},
		"no token":          {Kind: mailq.EmailSignInLink, ToAddress: "a@example.org", MessageID: "x"},
		"notification gone": {Kind: mailq.EmailNotification, ToAddress: "a@example.org", MessageID: "x"},
		"unknown kind":      {Kind: "carrier_pigeon", ToAddress: "a@example.org", MessageID: "x"},
		"lapsed invitation": {Kind: mailq.EmailInvitation, ToAddress: "a@example.org", MessageID: "x", InvitationNonce: []byte("n"),
			InvitationExpiresAt: &past, InvitationOrganisationName: &org, InvitationRole: &org},
		"invitation gone": {Kind: mailq.EmailInvitation, ToAddress: "a@example.org", MessageID: "x", InvitationNonce: []byte("n"),
			InvitationExpiresAt: &future},
		"staff roles gone": {Kind: mailq.EmailStaffInvitation, ToAddress: "a@example.org", MessageID: "x", InvitationNonce: []byte("n"),
			InvitationExpiresAt: &future},
	} {
		_, err := m.compose(row, now)
		require.Error(t, err, name)
	}
	_, err := Mailer{PublicURL: "https://grants.example.org"}.compose(sqlc.EmailGetRow{Kind: mailq.EmailConfirm,
		ToAddress: "a@example.org", MessageID: "x", TokenNonce: []byte("n"), TokenExpiresAt: &now}, past)
	require.ErrorContains(t, err, "no link key")
}
