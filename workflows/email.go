package workflows

import (
	"errors"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// E-mail delivery (issue 14): every e-mail is a row of emails with an
// outbox row OutboxDeliverEmail beside it; the dispatcher starts one
// EmailWorkflow per e-mail, which runs SendEmail until it succeeds, fails
// for good, or has been retried for EmailRetryFor, and then records the
// failure with RecordEmailFailed.
const (
	// OutboxDeliverEmail starts EmailWorkflow; payload EmailInput.
	OutboxDeliverEmail = "deliver:email"
	// EmailWorkflowName is the workflow type of one e-mail's delivery.
	EmailWorkflowName = "EmailWorkflow"
	// ActivitySendEmail renders and sends one e-mail, once.
	ActivitySendEmail = "SendEmail"
	// ActivityRecordEmailFailed records that an e-mail could not be sent.
	ActivityRecordEmailFailed = "RecordEmailFailed"
	// ErrEmailPermanent is the error type of a failure that retrying
	// cannot mend (the server refused the recipient, say).
	ErrEmailPermanent = "EmailPermanent"
)

// EmailRetryFor is how long an e-mail is retried on temporary failures
// (the mail server down, a 4xx answer) before it is recorded as failed:
// three days, as mail servers themselves keep trying.
const EmailRetryFor = 72 * time.Hour

// EmailInput starts EmailWorkflow.
type EmailInput struct {
	EmailID int64 `json:"email_id"`
}

// EmailDelivery is the payload of an OutboxDeliverEmail row: the input
// and what names the workflow (EmailWorkflowID).
type EmailDelivery struct {
	EmailInput
	MessageID  string `json:"message_id"`
	Generation int    `json:"generation,omitempty"`
}

// EmailFailure is the input of RecordEmailFailed.
type EmailFailure struct {
	EmailID int64  `json:"email_id"`
	Reason  string `json:"reason"`
}

// EmailWorkflowID is the workflow ID of an e-mail's delivery, named by its
// Message-ID; a generation above 0 is a manager's retry of a failed one.
func EmailWorkflowID(messageID string, generation int) string {
	id := "email:" + messageID
	if generation > 0 {
		id += ":" + strconv.Itoa(generation)
	}
	return id
}

// EmailWorkflow delivers one e-mail: SendEmail with back-off from 10
// seconds doubling to an hour, for at most EmailRetryFor; a permanent
// failure stops at once. Whatever stopped it is recorded on the row,
// where managers see undelivered e-mail.
func EmailWorkflow(ctx workflow.Context, in EmailInput) error {
	send := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: EmailRetryFor,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    10 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Hour,
			// About 80 attempts fit in EmailRetryFor; the time limit is
			// what stops it. The cap is explicit because 0 (unlimited)
			// means 10 in Temporal's test environment.
			MaximumAttempts:        1000,
			NonRetryableErrorTypes: []string{ErrEmailPermanent},
		},
	})
	err := workflow.ExecuteActivity(send, ActivitySendEmail, in).Get(ctx, nil)
	if err == nil {
		return nil
	}
	record := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	return workflow.ExecuteActivity(record, ActivityRecordEmailFailed, EmailFailure{EmailID: in.EmailID, Reason: failureReason(err)}).Get(ctx, nil)
}

// failureReason is what an activity's failure says: what the mail server
// answered last, not Temporal's wrapping.
func failureReason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Error()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "gave up after retrying for " + EmailRetryFor.String()
	}
	return err.Error()
}
