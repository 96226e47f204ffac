// Package orgcheck records organisations' checks against the registers
// (organisation_checks): it opens a check when something asks for one
// (an organisation created or its number changed, an application
// submitted, a payment about to be sent), runs it through a
// registers.Checker, and records the result with its audit event. A check
// opened for a register without a key is not_run at once ("no key
// configured"); one opened at creation is queued for RegisterCheckWorkflow
// (the outbox), so no HTTP request waits on a register. It also owns the
// register cache's table (Cache). Use cases (app) open checks; only
// activities run them.
package orgcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/registers"
	"github.com/civicgrants/grants/workflows"
)

// IDPrefix is the prefix of a check's id.
const IDPrefix = "chk"

// Triggers: what asked for a check.
const (
	TriggerCreation   = "creation"
	TriggerUpdate     = "update"
	TriggerSubmission = "submission"
	TriggerPayment    = "payment"
)

// Trigger is what asked for a check: its kind, the id of what it is about
// (an application, a payment; "" for creation) and the audit chain its
// result is recorded on besides the organisation's own.
type Trigger struct {
	Kind  string
	ID    string
	Chain string
}

// Check is an organisation's check as shown.
type Check struct {
	Source    string            `json:"source"`
	Status    string            `json:"status"`
	CheckedAt *time.Time        `json:"checked_at"`
	Details   registers.Details `json:"details"`
}

// View is the shown form of a check row.
func View(c sqlc.OrganisationCheck) Check {
	var d registers.Details
	_ = json.Unmarshal(c.Details, &d) // written by this package; an unreadable one shows empty
	return Check{Source: c.Source, Status: c.Status, CheckedAt: c.CheckedAt, Details: d}
}

// Latest returns the latest check per source of each organisation, in
// source order, keyed by organisation id.
func Latest(ctx context.Context, q *sqlc.Queries, orgIDs ...string) (map[string][]Check, error) {
	rows, err := q.OrganisationChecksLatest(ctx, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("latest checks: %w", err)
	}
	out := map[string][]Check{}
	for _, r := range rows {
		out[r.OrganisationID] = append(out[r.OrganisationID], View(r))
	}
	return out, nil
}

// Open writes a check per register the organisation has a number for,
// each not_run: "no key configured" (checked at now, for good) when
// configured says its register has no key, else queued. With queue, each
// queued check gets an outbox row that starts its RegisterCheckWorkflow.
// A second Open with the same submission or payment trigger returns the
// rows the first wrote. It runs inside the caller's transaction.
func Open(ctx context.Context, q *sqlc.Queries, o sqlc.Organisation, t Trigger, configured func(source string) bool, queue bool, now time.Time) ([]sqlc.OrganisationCheck, error) {
	var out []sqlc.OrganisationCheck
	for _, s := range registers.Sources(deref(o.CharityNumber), deref(o.CompanyNumber)) {
		source, number := s[0], s[1]
		reason, checkedAt := registers.ReasonQueued, (*time.Time)(nil)
		if !configured(source) {
			reason, checkedAt = registers.ReasonNoKey, &now
		}
		details, err := json.Marshal(registers.Details{Reason: reason})
		if err != nil {
			return nil, fmt.Errorf("encode check details: %w", err)
		}
		row, err := q.OrganisationCheckInsert(ctx, sqlc.OrganisationCheckInsertParams{ID: id.New(IDPrefix), OrganisationID: o.ID,
			Source: source, Number: number, Status: registers.StatusNotRun, Details: details, CheckedAt: checkedAt,
			TriggerKind: t.Kind, TriggerID: t.ID})
		if errors.Is(err, db.ErrNotFound) {
			row, err = q.OrganisationCheckByTrigger(ctx, sqlc.OrganisationCheckByTriggerParams{OrganisationID: o.ID, Source: source,
				TriggerKind: t.Kind, TriggerID: t.ID})
			if err != nil {
				return nil, fmt.Errorf("read check: %w", err)
			}
			out = append(out, row)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open check: %w", err)
		}
		out = append(out, row)
		if queue && checkedAt == nil {
			payload, err := json.Marshal(workflows.RegisterCheckInput{CheckID: row.ID})
			if err != nil {
				return nil, fmt.Errorf("encode check: %w", err)
			}
			if _, err := q.OutboxInsert(ctx, sqlc.OutboxInsertParams{Kind: workflows.OutboxRunRegisterCheck, Payload: payload}); err != nil {
				return nil, fmt.Errorf("queue check: %w", err)
			}
		}
	}
	return out, nil
}

// Run asks the register about an open check and records the result, with
// an audit event on the organisation's chain and on chain (the
// trigger's, "" for none). A check already recorded is returned as it is,
// so a retried activity asks nothing twice. The register is asked outside
// any transaction.
func Run(ctx context.Context, store *db.Store, checker *registers.Checker, checkID, chain string, now func() time.Time) (sqlc.OrganisationCheck, error) {
	c, err := store.OrganisationCheckGet(ctx, checkID)
	if err != nil {
		return c, fmt.Errorf("read check %s: %w", checkID, err)
	}
	if c.CheckedAt != nil {
		return c, nil
	}
	o, err := store.OrganisationGet(ctx, c.OrganisationID)
	if err != nil {
		return c, fmt.Errorf("read organisation: %w", err)
	}
	res := checker.Check(ctx, c.Source, c.Number)
	res.Details.Declare(o.AnnualIncomePence)
	details, err := json.Marshal(res.Details)
	if err != nil {
		return c, fmt.Errorf("encode check details: %w", err)
	}
	at := now()
	err = store.InTx(ctx, func(q *sqlc.Queries) error {
		cur, err := q.OrganisationCheckGet(ctx, checkID)
		if err != nil {
			return fmt.Errorf("read check: %w", err)
		}
		if cur.CheckedAt != nil {
			c = cur
			return nil
		}
		if c, err = q.OrganisationCheckRecord(ctx, sqlc.OrganisationCheckRecordParams{ID: checkID, Status: res.Status,
			Details: details, CheckedAt: &at}); err != nil {
			return fmt.Errorf("record check: %w", err)
		}
		data := map[string]any{"check_id": c.ID, "source": c.Source, "number": c.Number, "status": c.Status,
			"reason": res.Details.Reason, "trigger": c.TriggerKind, "trigger_id": c.TriggerID, "organisation_id": o.ID}
		chains := []string{"organisation:" + o.ID}
		if chain != "" {
			chains = append(chains, chain)
		}
		for _, ch := range chains {
			if _, err := audit.Append(ctx, q, audit.Event{Chain: ch, Actor: workflows.SystemActor, Action: "organisation.checked",
				Entity: "organisation:" + o.ID, Data: data, At: at}); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

// Summary is the outcome of a recorded check.
func Summary(c sqlc.OrganisationCheck) workflows.CheckSummary {
	return workflows.CheckSummary{OrganisationID: c.OrganisationID, Source: c.Source, Status: c.Status, Reason: View(c).Details.Reason}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Cache is the register cache in PostgreSQL (register_cache).
type Cache struct{ Q *sqlc.Queries }

// Get returns a fresh cached answer.
func (c Cache) Get(ctx context.Context, source, number string, freshAfter time.Time) (registers.Result, bool, error) {
	row, err := c.Q.RegisterCacheGet(ctx, sqlc.RegisterCacheGetParams{Source: source, Number: number, FreshAfter: freshAfter})
	if errors.Is(err, db.ErrNotFound) {
		return registers.Result{}, false, nil
	}
	if err != nil {
		return registers.Result{}, false, fmt.Errorf("read register cache: %w", err)
	}
	r := registers.Result{Source: row.Source, Number: row.Number, Status: row.Status, FetchedAt: row.FetchedAt}
	if err := json.Unmarshal(row.Details, &r.Details); err != nil {
		return registers.Result{}, false, fmt.Errorf("decode register cache: %w", err)
	}
	return r, true, nil
}

// Put stores an answer.
func (c Cache) Put(ctx context.Context, r registers.Result, at time.Time) error {
	details, err := json.Marshal(r.Details)
	if err != nil {
		return fmt.Errorf("encode register cache: %w", err)
	}
	if err := c.Q.RegisterCachePut(ctx, sqlc.RegisterCachePutParams{Source: r.Source, Number: r.Number, Status: r.Status,
		Details: details, FetchedAt: at}); err != nil {
		return fmt.Errorf("write register cache: %w", err)
	}
	return nil
}
