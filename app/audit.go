package app

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/civicgrants/grants/db"
)

// AuditEvent is one entry of a case's audit trail.
type AuditEvent struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	// ActorName is the user's name ("" for the system and unknown users).
	ActorName string          `json:"actor_name"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	Data      json.RawMessage `json:"data"`
	Hash      string          `json:"hash"`
	PrevHash  string          `json:"prev_hash"`
}

// AuditTrail is a case's chain with the result of verifying it.
type AuditTrail struct {
	Items    []AuditEvent `json:"items"`
	Verified bool         `json:"verified"`
}

var chainName = regexp.MustCompile(`^(application|round|organisation|grant|payment|report|case|support_request):[a-z]{3}_[0-9a-z]{26}$`)

// AuditTrailOf returns the audit chain of one case (e.g. application:<id>),
// oldest first, and whether it verifies (hashes, seals and signed head,
// with the Config's Audit signer; without one it is never verified);
// managers only. A draft application's trail is the applicant's private
// work: not found, as the draft itself is.
func (a *App) AuditTrailOf(ctx context.Context, actor Actor, entity string) (AuditTrail, error) {
	casework := strings.HasPrefix(entity, "case:") || strings.HasPrefix(entity, "support_request:")
	if !actor.Has(RoleManager) && !(casework && actor.Has(RoleCaseworker)) {
		return AuditTrail{}, forbidden("Only programme managers (and caseworkers, for casework) can read audit trails")
	}
	if !chainName.MatchString(entity) {
		return AuditTrail{}, Invalid(map[string]string{"entity": "Name a case, like application:<id>"})
	}
	if appID, ok := strings.CutPrefix(entity, "application:"); ok {
		switch ap, err := a.store.ApplicationGet(ctx, appID); {
		case errors.Is(err, db.ErrNotFound):
			return AuditTrail{}, notFound("Audit trail")
		case err != nil:
			return AuditTrail{}, fmt.Errorf("read application: %w", err)
		case ap.Status == StatusDraft:
			return AuditTrail{}, notFound("Audit trail")
		}
	}
	rows, err := a.store.AuditListByChain(ctx, entity)
	if err != nil {
		return AuditTrail{}, fmt.Errorf("read audit chain: %w", err)
	}
	if len(rows) == 0 {
		return AuditTrail{}, notFound("Audit trail")
	}
	// A broken chain is reported as unverified; failing to check it is
	// an error, not evidence of tampering.
	verified := false
	if a.cfg.Audit != nil {
		findings, err := a.cfg.Audit.VerifyChain(ctx, a.store.Queries, entity)
		if err != nil {
			return AuditTrail{}, fmt.Errorf("verify audit chain: %w", err)
		}
		verified = len(findings) == 0
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.Actor)
	}
	users, err := a.store.UserNames(ctx, ids)
	if err != nil {
		return AuditTrail{}, fmt.Errorf("read actor names: %w", err)
	}
	names := make(map[string]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	out := AuditTrail{Items: make([]AuditEvent, 0, len(rows)), Verified: verified}
	for _, r := range rows {
		out.Items = append(out.Items, AuditEvent{At: r.At, Actor: r.Actor, ActorName: names[r.Actor], Action: r.Action, Entity: r.Entity,
			Data: r.Data, Hash: hex.EncodeToString(r.Hash), PrevHash: hex.EncodeToString(r.PrevHash)})
	}
	return out, nil
}
