package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/civicgrants/grants/db/sqlc"
)

// Notification is a message to the caller (e-mail delivery comes later;
// SentAt is set once it has been sent).
type Notification struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Entity    string     `json:"entity"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func notificationView(n sqlc.Notification) (Notification, error) {
	return Notification{ID: strconv.FormatInt(n.ID, 10), Kind: n.Kind, Subject: n.Subject, Body: n.Body, Entity: n.Entity,
		CreatedAt: n.CreatedAt, SentAt: n.SentAt}, nil
}

// ListNotifications lists the caller's notifications, newest first.
func (a *App) ListNotifications(ctx context.Context, actor Actor, p PageQuery) (Page[Notification], error) {
	fields := map[string]string{}
	limit := p.rowLimit(fields)
	var before *int64
	if p.Cursor != "" {
		n, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil || n < 1 {
			fields["cursor"] = "Cursor is not one this service gave out"
		} else {
			before = &n
		}
	}
	if len(fields) > 0 {
		return Page[Notification]{}, Invalid(fields)
	}
	rows, err := a.store.NotificationListForUser(ctx, sqlc.NotificationListForUserParams{UserID: actor.ID, Before: before, RowLimit: limit})
	if err != nil {
		return Page[Notification]{}, fmt.Errorf("list notifications: %w", err)
	}
	return pageOf(rows, limit, func(n sqlc.Notification) string { return strconv.FormatInt(n.ID, 10) }, notificationView)
}
