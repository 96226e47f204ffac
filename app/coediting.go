package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Co-editing: members of a team edit one draft, and a save carries the
// version it was read at (a stale one is refused: version_conflict).
// SavesSince tells the person whose save was refused who saved the newer
// versions, when, and what they changed, read from the application's audit
// chain, so nothing is overwritten unknowingly.

// ApplicationSave is one save of a draft.
type ApplicationSave struct {
	Version int64     `json:"version"` // the version the save made
	At      time.Time `json:"at"`
	ByID    string    `json:"by_id"`
	ByName  string    `json:"by_name"`
	// Changed are the parts saved: tier, requested_pence, partners,
	// answers.<question key>.
	Changed []string `json:"changed"`
}

// SavesSince lists the saves of an application after version, oldest
// first, for its team's members (anyone else who may read it: 403).
func (a *App) SavesSince(ctx context.Context, actor Actor, appID string, version int64) ([]ApplicationSave, error) {
	x, err := a.loadApplication(ctx, a.store.Queries, actor, appID, false)
	if err != nil {
		return nil, err
	}
	if !x.canEdit() {
		return nil, forbidden("Only members of the applying organisation see who saved an application")
	}
	events, err := a.store.AuditListByChain(ctx, "application:"+x.app.ID)
	if err != nil {
		return nil, fmt.Errorf("read saves: %w", err)
	}
	out := []ApplicationSave{}
	var ids []string
	for _, e := range events {
		if e.Action != "application.saved" {
			continue
		}
		var d struct {
			Version int64    `json:"version"`
			Changed []string `json:"changed"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return nil, fmt.Errorf("decode save %d: %w", e.ID, err)
		}
		if d.Version <= version {
			continue
		}
		out = append(out, ApplicationSave{Version: d.Version, At: e.At, ByID: e.Actor, Changed: d.Changed})
		ids = append(ids, e.Actor)
	}
	if len(ids) == 0 {
		return out, nil
	}
	names, err := a.store.UserNames(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("names of savers: %w", err)
	}
	byID := map[string]string{}
	for _, n := range names {
		byID[n.ID] = n.Name
	}
	for i := range out {
		out[i].ByName = byID[out[i].ByID]
	}
	return out, nil
}
