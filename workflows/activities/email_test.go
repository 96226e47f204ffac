package activities_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mail"
	"github.com/civicgrants/grants/mailq"
	"github.com/civicgrants/grants/platform/mailpit"
	"github.com/civicgrants/grants/platform/mailpit/mailpittest"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/activities"
)

// mailWorld is a database and activities that send through a real SMTP
// server (Mailpit), read back through its API.
type mailWorld struct {
	env  *apptest.Env
	acts *activities.Activities
	mp   *mailpit.Client
	ctx  context.Context
}

const publicURL = "https://grants.example.org"

func sender(t *testing.T, smtpURL string) *mail.Sender {
	t.Helper()
	s, err := mail.ParseURL(smtpURL)
	require.NoError(t, err)
	snd, err := mail.NewSender(s, "Grants <grants@example.org>", "Help <help@example.org>")
	require.NoError(t, err)
	return snd
}

func newMailWorld(t *testing.T, smtpURL string, mp *mailpit.Client) *mailWorld {
	t.Helper()
	env := apptest.New(t)
	key, err := linktoken.KeyFromEncryptionKey(apptest.EncryptionKey)
	require.NoError(t, err)
	return &mailWorld{env: env, mp: mp, ctx: context.Background(), acts: &activities.Activities{Store: env.Store,
		Log: slog.New(slog.DiscardHandler), Mail: activities.Mailer{Sender: sender(t, smtpURL), LinkKey: key, PublicURL: publicURL}}}
}

// only returns the one queued e-mail to address.
func (w *mailWorld) only(t *testing.T, address string) sqlc.Email {
	t.Helper()
	var e sqlc.Email
	require.NoError(t, w.env.Store.Pool.QueryRow(w.ctx, `SELECT id, kind, status, attempts, message_id, last_error FROM emails
		WHERE to_address = $1`, address).Scan(&e.ID, &e.Kind, &e.Status, &e.Attempts, &e.MessageID, &e.LastError))
	return e
}

func (w *mailWorld) row(t *testing.T, id int64) sqlc.Email {
	t.Helper()
	var e sqlc.Email
	require.NoError(t, w.env.Store.Pool.QueryRow(w.ctx, `SELECT id, kind, status, attempts, message_id, last_error FROM emails
		WHERE id = $1`, id).Scan(&e.ID, &e.Kind, &e.Status, &e.Attempts, &e.MessageID, &e.LastError))
	return e
}

// delivered counts the messages Mailpit holds for address.
func (w *mailWorld) delivered(t *testing.T, address string) int {
	t.Helper()
	list, err := w.mp.Search(w.ctx, "to:"+address)
	require.NoError(t, err)
	return len(list)
}

func (w *mailWorld) await(t *testing.T, address string) mailpit.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	m, err := w.mp.WaitForMessage(ctx, address, nil)
	require.NoError(t, err)
	return m
}

var tokenRE = regexp.MustCompile(`\?token=([A-Za-z0-9_-]+)`)

// A reset link goes out once through a real SMTP server: the message read
// back has the stable Message-ID, the sender, the reply-to address, a text
// and an HTML part with the same link, and the link's token resets the
// password. A second delivery of the same row sends nothing.
func TestSendEmailDeliversOnceAndTheLinkWorks(t *testing.T) {
	t.Parallel()
	smtpURL, mp := mailpittest.Shared(t)
	w := newMailWorld(t, smtpURL, mp)
	w.env.User(t, "reset-once@example.org")
	_, err := w.env.App.RequestPasswordReset(w.ctx, "reset-once@example.org")
	require.NoError(t, err)
	e := w.only(t, "reset-once@example.org")
	require.NoError(t, w.acts.SendEmail(w.ctx, workflows.EmailInput{EmailID: e.ID}))

	m := w.await(t, "reset-once@example.org")
	require.Equal(t, e.MessageID+"@grants.example.org", m.MessageID)
	require.Equal(t, "grants@example.org", m.From.Address)
	require.Equal(t, "Grants", m.From.Name)
	require.Len(t, m.ReplyTo, 1)
	require.Equal(t, "help@example.org", m.ReplyTo[0].Address)
	require.Equal(t, "Reset your password", m.Subject)
	text := tokenRE.FindStringSubmatch(m.Text)
	html := tokenRE.FindStringSubmatch(m.HTML)
	require.NotNil(t, text, m.Text)
	require.NotNil(t, html, m.HTML)
	require.Equal(t, text[1], html[1], "both parts carry the same link")
	require.Contains(t, m.Text, publicURL+mailq.PathResetPassword+"?token="+text[1])
	headers, err := mp.Headers(w.ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "auto-generated", headers.Get("Auto-Submitted"))

	require.Equal(t, "sent", w.row(t, e.ID).Status)
	require.NoError(t, w.acts.SendEmail(w.ctx, workflows.EmailInput{EmailID: e.ID}), "a retry after success")
	require.Equal(t, 1, w.delivered(t, "reset-once@example.org"), "sent once")
	require.Equal(t, int32(1), w.row(t, e.ID).Attempts)

	_, err = w.env.App.CompletePasswordReset(w.ctx, app.PasswordReset{Token: text[1], Password: "a brand new password"})
	require.NoError(t, err, "the e-mailed link resets the password")
}

// crashingSender stands for a worker that dies after recording "sending"
// and before the SMTP conversation: the goroutine running the activity
// ends there.
type crashingSender struct{}

func (crashingSender) Send(context.Context, mail.Message) error {
	runtime.Goexit()
	return nil
}

// A worker killed between rendering and sending leaves the row
// "sending"; the retry sends the message once, with the same Message-ID.
func TestSendEmailAfterTheWorkerDiedMidSend(t *testing.T) {
	t.Parallel()
	smtpURL, mp := mailpittest.Shared(t)
	w := newMailWorld(t, smtpURL, mp)
	w.env.User(t, "crash@example.org")
	_, err := w.env.App.RequestSignInLink(w.ctx, "crash@example.org")
	require.NoError(t, err)
	e := w.only(t, "crash@example.org")

	dying := *w.acts
	dying.Mail.Sender = crashingSender{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = dying.SendEmail(w.ctx, workflows.EmailInput{EmailID: e.ID})
		t.Error("the activity went on after the worker died")
	}()
	wg.Wait()
	row := w.row(t, e.ID)
	require.Equal(t, "sending", row.Status, "recorded before sending")
	require.Equal(t, 0, w.delivered(t, "crash@example.org"))

	require.NoError(t, w.acts.SendEmail(w.ctx, workflows.EmailInput{EmailID: e.ID}))
	m := w.await(t, "crash@example.org")
	require.Equal(t, e.MessageID+"@grants.example.org", m.MessageID)
	require.Equal(t, 1, w.delivered(t, "crash@example.org"))
	row = w.row(t, e.ID)
	require.Equal(t, "sent", row.Status)
	require.Equal(t, int32(2), row.Attempts)
}

// closedSMTP is an SMTP URL where nothing listens: a mail server that is
// down.
func closedSMTP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "smtp://" + addr + "?tls=none"
}

// With the mail server down, the activity fails as retryable and notes
// why; once the server is up the notification's e-mail goes out once and
// the notification says it was sent.
func TestSendEmailWhileTheServerIsDownThenUp(t *testing.T) {
	t.Parallel()
	smtpURL, mp := mailpittest.Shared(t)
	w := newMailWorld(t, smtpURL, mp)
	user := w.env.User(t, "down-up@example.org")
	id := queueNotification(t, w, user, "Your report is due")

	down := *w.acts
	down.Mail.Sender = sender(t, closedSMTP(t))
	err := down.SendEmail(w.ctx, workflows.EmailInput{EmailID: id})
	require.Error(t, err)
	var ae *temporal.ApplicationError
	require.False(t, errors.As(err, &ae) && ae.NonRetryable(), "a server that is down is retried: %v", err)
	row := w.row(t, id)
	require.NotEqual(t, "failed", row.Status)
	require.NotNil(t, row.LastError)
	require.Contains(t, *row.LastError, "connect")

	require.NoError(t, w.acts.SendEmail(w.ctx, workflows.EmailInput{EmailID: id}))
	m := w.await(t, "down-up@example.org")
	require.Equal(t, "Your report is due", m.Subject)
	require.Contains(t, m.Text, publicURL+"/notifications/")
	require.Equal(t, 1, w.delivered(t, "down-up@example.org"))
	list, err := w.env.App.ListNotifications(w.ctx, user, app.NotificationQuery{})
	require.NoError(t, err)
	require.Equal(t, app.DeliverySent, list.Items[0].Delivery.Status)
	require.NotNil(t, list.Items[0].Delivery.SentAt)
}

// queueNotification writes a notification for user and queues its e-mail,
// as the activities do, and returns the e-mail's id.
func queueNotification(t *testing.T, w *mailWorld, user app.Actor, subject string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, w.env.Store.InTx(w.ctx, func(q *sqlc.Queries) error {
		n, err := q.NotificationInsert(w.ctx, sqlc.NotificationInsertParams{UserID: user.ID, Kind: "report_due", Subject: subject,
			Body: "Send your report by Friday 12 March 2027 at 5pm.", Entity: "grant:grt_1", DedupeKey: "test:" + subject + ":" + user.ID})
		if err != nil {
			return err
		}
		id, err = mailq.Queue(w.ctx, q, sqlc.EmailInsertParams{Kind: mailq.EmailNotification, ToAddress: n.Email, UserID: &user.ID,
			NotificationID: &n.ID})
		return err
	}))
	return id
}

// A recipient the server refuses for good (550) fails at once, without
// retries; the workflow records it; the notification says failed;
// managers see it and can queue it again, with the same Message-ID.
func TestEmailRefusedForGoodIsRecordedAndCanBeRetried(t *testing.T) {
	t.Parallel()
	private := mailpittest.Start(t)
	w := newMailWorld(t, private.SMTPURL(), private.Client())
	_, err := w.mp.SetChaos(w.ctx, mailpit.Chaos{Recipient: mailpit.Refuse(550)})
	require.NoError(t, err)
	user := w.env.User(t, "refused@example.org")
	id := queueNotification(t, w, user, "Decision on your application")

	var suite testsuite.WorkflowTestSuite
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.RegisterWorkflowWithOptions(workflows.EmailWorkflow, workflow.RegisterOptions{Name: workflows.EmailWorkflowName})
	w.acts.Register(wenv)
	wenv.ExecuteWorkflow(workflows.EmailWorkflowName, workflows.EmailInput{EmailID: id})
	require.True(t, wenv.IsWorkflowCompleted())
	require.NoError(t, wenv.GetWorkflowError())

	row := w.row(t, id)
	require.Equal(t, "failed", row.Status)
	require.Equal(t, int32(1), row.Attempts, "a permanent refusal is not retried")
	require.Contains(t, *row.LastError, "550")
	list, err := w.env.App.ListNotifications(w.ctx, user, app.NotificationQuery{})
	require.NoError(t, err)
	require.Equal(t, app.DeliveryFailed, list.Items[0].Delivery.Status)

	undelivered, err := w.env.App.ListUndeliveredEmails(w.ctx, w.env.Manager, app.PageQuery{})
	require.NoError(t, err)
	require.Len(t, undelivered.Items, 1)
	require.Equal(t, "refused@example.org", undelivered.Items[0].To)
	require.Equal(t, "Decision on your application", *undelivered.Items[0].Subject)
	_, err = w.env.App.ListUndeliveredEmails(w.ctx, user, app.PageQuery{})
	require.Error(t, err, "only managers")

	// The address is mended (chaos off); a manager tries again.
	require.NoError(t, w.mp.ClearChaos(w.ctx))
	require.NoError(t, w.env.App.RetryEmail(w.ctx, w.env.Manager, strconv.FormatInt(id, 10)))
	var payload []byte
	require.NoError(t, w.env.Store.Pool.QueryRow(w.ctx, `SELECT payload FROM outbox WHERE kind = 'deliver:email' ORDER BY id DESC LIMIT 1`).Scan(&payload))
	require.JSONEq(t, `{"email_id":`+strconv.FormatInt(id, 10)+`,"message_id":"`+row.MessageID+`","generation":1}`, string(payload))
	require.NoError(t, w.acts.SendEmail(w.ctx, workflows.EmailInput{EmailID: id}))
	m := w.await(t, "refused@example.org")
	require.Equal(t, row.MessageID+"@grants.example.org", m.MessageID)
	err = w.env.App.RetryEmail(w.ctx, w.env.Manager, strconv.FormatInt(id, 10))
	e, ok := app.AsError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, app.KindConflict, e.Kind, "a sent e-mail is not retried")
}

// A server that keeps answering 4xx is retried with back-off for three
// days (skipped in test time), then the e-mail is recorded as failed.
func TestEmailRetriedForThreeDaysThenFailed(t *testing.T) {
	t.Parallel()
	private := mailpittest.Start(t)
	w := newMailWorld(t, private.SMTPURL(), private.Client())
	_, err := w.mp.SetChaos(w.ctx, mailpit.Chaos{Recipient: mailpit.Refuse(451)})
	require.NoError(t, err)
	user := w.env.User(t, "busy@example.org")
	id := queueNotification(t, w, user, "Assessment due soon")

	var suite testsuite.WorkflowTestSuite
	wenv := suite.NewTestWorkflowEnvironment()
	wenv.RegisterWorkflowWithOptions(workflows.EmailWorkflow, workflow.RegisterOptions{Name: workflows.EmailWorkflowName})
	w.acts.Register(wenv)
	start := wenv.Now()
	wenv.ExecuteWorkflow(workflows.EmailWorkflowName, workflows.EmailInput{EmailID: id})
	require.True(t, wenv.IsWorkflowCompleted())
	require.NoError(t, wenv.GetWorkflowError())
	require.GreaterOrEqual(t, wenv.Now().Sub(start), 70*time.Hour, "retried for about three days")

	row := w.row(t, id)
	require.Equal(t, "failed", row.Status)
	require.Greater(t, row.Attempts, int32(10), "retried with back-off")
	require.Less(t, row.Attempts, int32(120), "back-off, not a tight loop")
	require.Equal(t, 0, w.delivered(t, "busy@example.org"))
}
