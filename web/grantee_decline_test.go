package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/workflows"
)

// declineCases stands in for the workflows: it records each decline
// Update and declines the grant in PostgreSQL as the activity would.
type declineCases struct {
	mu    sync.Mutex
	store *db.Store
	sent  []workflows.DeclineUpdate
}

func (c *declineCases) Update(ctx context.Context, _, _ string, arg, _ any) error {
	u := arg.(workflows.DeclineUpdate)
	c.mu.Lock()
	c.sent = append(c.sent, u)
	c.mu.Unlock()
	now := time.Now()
	_, err := c.store.GrantDecline(ctx, sqlc.GrantDeclineParams{ID: u.GrantID, DeclinedAt: &now, DeclineReason: &u.Reason})
	return err
}

// The offer's decline page: an admin answers yes or no (nothing chosen
// and a reason too long are shown on the form); no goes back unchanged;
// a plain member is refused and another organisation cannot see it; yes
// declines through the case's workflow with the reason.
func TestGranteeDeclineOffer(t *testing.T) {
	t.Parallel()
	b := granteeSetup(t)
	admin := b.env.User(t, "grantee@example.org")
	org := b.env.Organisation(t, admin, "Bermondsey Kitchen")
	grantID := b.offer(t, b.stripe, admin, org.ID, 300_000)
	path := "/grants/" + grantID + "/decline"
	granteeRequireSignIn(t, b.site, path)
	cases := &declineCases{store: b.env.Store}
	b.env.App.UseCases(cases)

	v := b.signedIn(t, "grantee@example.org")
	require.Contains(t, v.get("/grants/"+grantID).Body, `href="`+path+`">Decline the offer`)
	p := v.get(path)
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "Do you want to decline this grant offer?")
	require.Contains(t, p.Body, "£3,000")

	before := b.snapshot(t)
	p = v.post(path, url.Values{"reason": {"Plans changed"}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, `<a href="#decline">Select yes if you want to decline the offer</a>`)
	require.Contains(t, p.Body, "Plans changed")
	p = v.post(path, url.Values{"decline": {"yes"}, "reason": {strings.Repeat("x", workflows.MaxReasonRunes+1)}})
	require.Equal(t, http.StatusUnprocessableEntity, p.Code, p.Body)
	require.Contains(t, p.Body, `<a href="#reason">Keep the reason to 2000 characters or fewer</a>`)
	p = v.post(path, url.Values{"decline": {"no"}})
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/grants/"+grantID, p.Location)
	require.Equal(t, http.StatusForbidden, v.post(path, url.Values{"decline": {"yes"}, "csrf_token": {""}}).Code)

	b.member(t, org.ID)
	mv := b.signedIn(t, "member@example.org")
	require.NotContains(t, mv.get("/grants/"+grantID).Body, path)
	require.Equal(t, http.StatusForbidden, mv.get(path).Code)
	require.Equal(t, http.StatusForbidden, mv.post(path, url.Values{"decline": {"yes"}}).Code)
	b.env.User(t, "rival@example.org")
	rv := b.signedIn(t, "rival@example.org")
	require.Equal(t, http.StatusNotFound, rv.get(path).Code)
	require.Equal(t, http.StatusNotFound, rv.post(path, url.Values{"decline": {"yes"}}).Code)
	require.Equal(t, before, b.snapshot(t))
	require.Empty(t, cases.sent)

	v.get(path)
	p = v.post(path, url.Values{"decline": {"yes"}, "reason": {" We found other funding "}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/grants/"+grantID+"?declined=1", p.Location)
	require.Len(t, cases.sent, 1)
	require.Equal(t, workflows.DeclineUpdate{Caller: workflows.Caller{ID: admin.ID, Roles: []string{}}, GrantID: grantID, Reason: "We found other funding"}, cases.sent[0])
	p = v.get(p.Location)
	require.Contains(t, p.Body, "You have declined the grant offer")
	require.NotContains(t, p.Body, path)
	require.Contains(t, v.get("/applications").Body, "Your organisation declined the offer.")

	// No longer on offer: the page goes back to the grant.
	p = v.get(path)
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/grants/"+grantID, p.Location)
}
