package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
)

// Notification is a message to the caller. Link is the web page of the
// thing it is about, as the caller sees it (nil when that thing has no page
// for them); Delivery says what the stored row says of its e-mail.
type Notification struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Entity    string     `json:"entity"`
	Link      *string    `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
	SentAt    *time.Time `json:"sent_at"`
	Delivery  Delivery   `json:"delivery"`
}

// Delivery is the e-mail delivery of a notification.
type Delivery struct {
	Status string     `json:"status"` // DeliveryPending, DeliverySent or DeliveryFailed
	SentAt *time.Time `json:"sent_at"`
}

// Delivery statuses of a notification (DESIGN §10). An e-mail being sent
// (or retried after a temporary failure) is pending.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// deliveryOf is what a notification's e-mail row says: none (a row from
// before e-mail existed) is pending unless the row says it was sent.
func deliveryOf(status *string, sentAt *time.Time) Delivery {
	switch {
	case status != nil && *status == "failed":
		return Delivery{Status: DeliveryFailed}
	case sentAt != nil:
		return Delivery{Status: DeliverySent, SentAt: sentAt}
	}
	return Delivery{Status: DeliveryPending}
}

// Unread reports whether the notification has not been marked read.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// NotificationQuery is a list request: ?unread=true and the page.
type NotificationQuery struct {
	Unread string
	Page   PageQuery
}

func notificationView(actor Actor) func(sqlc.NotificationListForUserRow) (Notification, error) {
	return func(r sqlc.NotificationListForUserRow) (Notification, error) {
		n := r.Notification
		d := deliveryOf(r.EmailStatus, coalesceTime(r.EmailSentAt, n.SentAt))
		return Notification{ID: strconv.FormatInt(n.ID, 10), Kind: n.Kind, Subject: n.Subject, Body: n.Body, Entity: n.Entity,
			Link: notificationLink(actor, n.Entity), CreatedAt: n.CreatedAt, ReadAt: n.ReadAt, SentAt: d.SentAt, Delivery: d}, nil
	}
}

func coalesceTime(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}

// notificationLink is the web page a reader like actor sees for the thing
// a notification is about ("<kind>:<id>", as the activities write it), or
// nil when there is none for them: better no link than a wrong one.
func notificationLink(actor Actor, entity string) *string {
	kind, id, ok := strings.Cut(entity, ":")
	if !ok || id == "" || strings.ContainsAny(id, "/?#") {
		return nil
	}
	var path string
	switch kind {
	case "application":
		path = "/applications/" + id
		if actor.seesAllApplications() {
			path = "/cases/" + id
		}
	case "grant":
		path = "/grants/" + id
	case "payment":
		if !actor.seesPayments() {
			return nil
		}
		path = "/payments/" + id
	case "assessment":
		if !actor.Has(RoleAssessor) {
			return nil
		}
		path = "/assessments/" + id
	case "round":
		path = "/rounds/" + id
		if actor.seesAllApplications() {
			path = "/panel/rounds/" + id
		}
	case "case":
		path = "/support/cases/" + id
		if actor.Has(RoleCaseworker) {
			path = "/casework/cases/" + id
		}
	case "organisation":
		path = "/organisations/" + id + "/team"
	case "support_request":
		path = "/support-requests/" + id
		if actor.Has(RoleCaseworker) {
			path = "/casework/requests/" + id
		}
	default:
		return nil
	}
	return &path
}

// ListNotifications lists the caller's notifications, newest first; with
// Unread "true" only the unread ones.
func (a *App) ListNotifications(ctx context.Context, actor Actor, nq NotificationQuery) (Page[Notification], error) {
	fields := map[string]string{}
	before, limit := nq.Page.parseSerial(fields)
	unread := nq.Unread == "true"
	if !unread && nq.Unread != "" && nq.Unread != "false" {
		fields["unread"] = "Unread must be true or false"
	}
	if len(fields) > 0 {
		return Page[Notification]{}, Invalid(fields)
	}
	rows, err := a.store.NotificationListForUser(ctx, sqlc.NotificationListForUserParams{
		UserID: actor.ID, Before: before, UnreadOnly: unread, RowLimit: limit})
	if err != nil {
		return Page[Notification]{}, fmt.Errorf("list notifications: %w", err)
	}
	return pageOf(rows, limit, func(r sqlc.NotificationListForUserRow) string { return strconv.FormatInt(r.Notification.ID, 10) },
		notificationView(actor))
}

// MarkNotificationRead marks one of the caller's notifications read
// (again: no change). Another user's notification, or none, is 404.
func (a *App) MarkNotificationRead(ctx context.Context, actor Actor, id string) (Notification, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return Notification{}, notFound("Notification")
	}
	if _, err := a.store.NotificationMarkRead(ctx, sqlc.NotificationMarkReadParams{ID: n, UserID: actor.ID}); err != nil {
		if isNotFound(err) {
			return Notification{}, notFound("Notification")
		}
		return Notification{}, fmt.Errorf("mark notification read: %w", err)
	}
	row, err := a.store.NotificationGetForUser(ctx, sqlc.NotificationGetForUserParams{ID: n, UserID: actor.ID})
	if err != nil {
		return Notification{}, fmt.Errorf("load notification: %w", err)
	}
	return notificationView(actor)(sqlc.NotificationListForUserRow(row))
}

// UnreadNotifications counts the caller's unread notifications.
func (a *App) UnreadNotifications(ctx context.Context, actor Actor) (int64, error) {
	n, err := a.store.NotificationUnreadCount(ctx, actor.ID)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}
