package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/payments"
	"github.com/civicgrants/grants/workflows"
)

// lifecycleTimeline is the lifecycle round's timeline: windows of
// seconds, so whatever a case waits for passes quickly; the report falls
// due well after the payment is made, however loaded the machine, so it
// never holds it (each case submits it as soon as it is paid).
var lifecycleTimeline = map[string]any{"assessment_window": "60s", "decision_window": "60s", "offer_expiry": "10m",
	"reminder_lead": "2s", "report_grace": "10m", "reports": []any{map[string]any{"kind": "final", "due_after": "10m"}}}

// lifecycleParallel is how many cases the lifecycle drives at once.
const lifecycleParallel = 16

// award is each lifecycle grant, in pence.
const award = 250000

// LifecycleResult is the lifecycle scenario.
type LifecycleResult struct {
	Applications int
	Total        time.Duration // the last case from submission to paid and reported
	Bare         time.Duration // bare workflows of the same shape, same number
	Shape        Shape
	PerCase      Latencies // each case's time from submission to completed
	PeakRSSMB    float64
	InProcess    bool
}

// Summary is the line a script reads.
func (r LifecycleResult) Summary() string {
	return fmt.Sprintf("lifecycle: applications=%d total=%.1fs bare=%.1fs per-task-cost-ratio=%.2f activities=%d timers=%d case-p50=%.1fs case-p95=%.1fs case-p99=%.1fs peak-rss=%.0fMB",
		r.Applications, r.Total.Seconds(), r.Bare.Seconds(), ratio(r.Total.Seconds(), r.Bare.Seconds()), r.Shape.Activities,
		len(r.Shape.Timers), r.PerCase.Percentile(50).Seconds(), r.PerCase.Percentile(95).Seconds(), r.PerCase.Percentile(99).Seconds(), r.PeakRSSMB)
}

// Print writes the figures, the summary line and the target.
func (r LifecycleResult) Print(w io.Writer) {
	fmt.Fprintf(w, "lifecycle, %d applications from submission to paid and reported: %.1fs; bare workflows of the same shape (%d activities, %d timers %v): %.1fs\n",
		r.Applications, r.Total.Seconds(), r.Shape.Activities, len(r.Shape.Timers), r.Shape.Timers, r.Bare.Seconds())
	fmt.Fprintf(w, "  %.2f cases/s, %d at a time; a case from submission to completed: p50 %.1fs p95 %.1fs p99 %.1fs\n",
		ratio(float64(r.Applications), r.Total.Seconds()), lifecycleParallel, r.PerCase.Percentile(50).Seconds(),
		r.PerCase.Percentile(95).Seconds(), r.PerCase.Percentile(99).Seconds())
	fmt.Fprintf(w, "  peak RSS %.0f MB: %s\n", r.PeakRSSMB, rssNote(r.InProcess))
	fmt.Fprintln(w, r.Summary())
	target(w, "lifecycle ≤ 1.5× bare", ratio(r.Total.Seconds(), r.Bare.Seconds()) <= 1.5)
}

// lifecycleActors are the staff of the lifecycle round.
type lifecycleActors struct {
	manager, assessor, chair, finance1, finance2 *apiClient
}

// runLifecycle drives k applications through the API from submission to
// a completed grant (assessed, approved, accepted, paid through Stripe,
// reported and the report accepted), then runs k bare workflows of the
// shape counted from the first case's workflows.
func runLifecycle(ctx context.Context, t Target, k int, progress io.Writer) (LifecycleResult, error) {
	r := LifecycleResult{Applications: k, InProcess: t.InProcess}
	hc := httpClient(lifecycleParallel * 2)
	f := newFixtures(t.Fixtures)
	fmt.Fprintf(progress, "lifecycle: preparing %d drafts\n", k)
	var staff lifecycleActors
	manager, mc, err := f.user(ctx, t.BaseURL, hc, "manager", app.RoleManager)
	if err != nil {
		return r, err
	}
	staff.manager = mc
	assessor, ac, err := f.user(ctx, t.BaseURL, hc, "assessor", app.RoleAssessor)
	if err != nil {
		return r, err
	}
	staff.assessor = ac
	for _, s := range []struct {
		name string
		role string
		c    **apiClient
	}{{"chair", app.RoleChair, &staff.chair}, {"finance1", app.RoleFinance, &staff.finance1}, {"finance2", app.RoleFinance, &staff.finance2}} {
		if _, *s.c, err = f.user(ctx, t.BaseURL, hc, s.name, s.role); err != nil {
			return r, err
		}
	}
	rnd, err := f.round(ctx, manager, "Lifecycle", int64(k)*award, []string{assessor.ID}, lifecycleTimeline)
	if err != nil {
		return r, err
	}
	drafts, err := f.drafts(ctx, t.BaseURL, hc, rnd, k)
	if err != nil {
		return r, err
	}

	fmt.Fprintf(progress, "lifecycle: %d cases, %d at a time\n", k, lifecycleParallel)
	r.PerCase = make(Latencies, k)
	grants := make([]caseIDs, k)
	errs := make([]error, k)
	sem := make(chan struct{}, lifecycleParallel)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, d := range drafts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c0 := time.Now()
			grants[i], errs[i] = runCase(ctx, t, staff, d)
			r.PerCase[i] = time.Since(c0)
		})
	}
	wg.Wait()
	r.Total = time.Since(t0)
	for _, err := range errs {
		if err != nil {
			return r, err
		}
	}
	r.PeakRSSMB = PeakRSSMB()

	r.Shape, err = countShape(ctx, t.Temporal, grants[0])
	if err != nil {
		return r, err
	}
	fmt.Fprintf(progress, "lifecycle: %d bare workflows of %d activities and %d timers\n", k, r.Shape.Activities, len(r.Shape.Timers))
	_, r.Bare, err = runBare(ctx, t.Temporal, k, lifecycleParallel, r.Shape)
	return r, err
}

// caseIDs names one case's records.
type caseIDs struct {
	application, grant, payment string
}

// grantView is GET /grants/{id}, what the lifecycle looks at.
type grantView struct {
	Status   string `json:"status"`
	Payments []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"payments"`
	Reports []struct {
		ID string `json:"id"`
	} `json:"reports"`
}

// runCase drives one draft to a completed grant, as its applicant and the
// staff would, through the API.
func runCase(ctx context.Context, t Target, staff lifecycleActors, d draft) (caseIDs, error) {
	ids := caseIDs{application: d.id}
	if _, err := d.c.call(ctx, http.MethodPost, "/applications/"+d.id+"/submit", nil, nil); err != nil {
		return ids, err
	}
	var assessment string
	if err := waitFor(ctx, time.Minute, "assessment assigned", func() (bool, error) {
		err := t.Store.Pool.QueryRow(ctx, `SELECT id FROM assessments WHERE application_id = $1 AND status = 'assigned'`, d.id).Scan(&assessment)
		return err == nil, nil
	}); err != nil {
		return ids, err
	}
	scores := map[string]any{"scores": map[string]any{"need": map[string]any{"score": 4, "justification": "Clear need"}}}
	if err := staff.assessor.retryConflicts(ctx, "/assessments/"+assessment+"/scores", scores, nil); err != nil {
		return ids, err
	}
	if err := staff.chair.retryConflicts(ctx, "/applications/"+d.id+"/decision", map[string]any{"outcome": "approve", "award_pence": award}, nil); err != nil {
		return ids, err
	}
	if err := waitFor(ctx, time.Minute, "grant made", func() (bool, error) {
		var a struct {
			GrantID *string `json:"grant_id"`
		}
		_, err := d.c.call(ctx, http.MethodGet, "/applications/"+d.id, nil, &a)
		if a.GrantID != nil {
			ids.grant = *a.GrantID
		}
		return a.GrantID != nil, err
	}); err != nil {
		return ids, err
	}
	if err := d.c.retry(ctx, "/grants/"+ids.grant+"/accept", map[string]any{"signatory_name": "Ada Okafor", "signatory_role": "Chair"}, nil); err != nil {
		return ids, err
	}
	var acct struct {
		AccountID string `json:"account_id"`
	}
	if err := d.c.retry(ctx, "/grants/"+ids.grant+"/payout-account", map[string]any{}, &acct); err != nil {
		return ids, err
	}
	if err := accountReady(ctx, t, d, acct.AccountID); err != nil {
		return ids, err
	}
	g, err := waitGrant(ctx, d.c, ids.grant, "payment due", func(g grantView) bool {
		return len(g.Payments) > 0 && g.Payments[0].Status == "awaiting_approval"
	})
	if err != nil {
		return ids, err
	}
	ids.payment = g.Payments[0].ID
	for _, fin := range []*apiClient{staff.finance1, staff.finance2} {
		if err := fin.retryConflicts(ctx, "/payments/"+ids.payment+"/approve", map[string]any{"note": "Checked"}, nil); err != nil {
			return ids, err
		}
	}
	if g, err = waitGrant(ctx, d.c, ids.grant, "paid", func(g grantView) bool { return g.Payments[0].Status == "paid" }); err != nil {
		return ids, err
	}
	report := g.Reports[0].ID
	if err := d.c.retry(ctx, "/reports/"+report+"/submit", map[string]any{"answers": map[string]any{"progress": "The clubs ran every week."},
		"spend_pence": award}, nil); err != nil {
		return ids, err
	}
	if err := staff.manager.retry(ctx, "/reports/"+report+"/review", map[string]any{"outcome": "accept", "comment": "Thank you"}, nil); err != nil {
		return ids, err
	}
	_, err = waitGrant(ctx, d.c, ids.grant, "completed", func(g grantView) bool { return g.Status == "completed" })
	return ids, err
}

// accountReady sends the signed account.updated event that makes the
// organisation's Stripe account payout-ready, as Stripe would.
func accountReady(ctx context.Context, t Target, d draft, account string) error {
	body, err := json.Marshal(map[string]any{"id": "evt_bench_" + d.id, "object": "event", "type": "account.updated",
		"api_version": "2024-06-20", "created": time.Now().Unix(), "account": account,
		"data": map[string]any{"object": map[string]any{"id": account, "object": "account", "payouts_enabled": true,
			"charges_enabled": true, "metadata": map[string]string{"organisation_id": d.orgID}}}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.BaseURL+"/webhooks/stripe", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Stripe-Signature", payments.SignPayload(body, t.WebhookSecret, time.Now()))
	res, err := d.c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook account.updated: %d", res.StatusCode)
	}
	return nil
}

// waitGrant polls a grant until ok.
func waitGrant(ctx context.Context, c *apiClient, id, what string, ok func(grantView) bool) (grantView, error) {
	var g grantView
	err := waitFor(ctx, 2*time.Minute, what, func() (bool, error) {
		if _, err := c.call(ctx, http.MethodGet, "/grants/"+id, nil, &g); err != nil {
			return false, err
		}
		return ok(g), nil
	})
	return g, err
}

// countShape counts the activities and the fired timers (with their
// durations) in the histories of one case's workflows: its application,
// its grant and its payment.
func countShape(ctx context.Context, tc client.Client, ids caseIDs) (Shape, error) {
	var s Shape
	for _, wid := range []string{workflows.ApplicationWorkflowID(ids.application), workflows.GrantWorkflowID(ids.grant), workflows.PaymentWorkflowID(ids.payment)} {
		timers := map[string]time.Duration{}
		it := tc.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return s, fmt.Errorf("history of %s: %w", wid, err)
			}
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				s.Activities++
			case enumspb.EVENT_TYPE_TIMER_STARTED:
				a := ev.GetTimerStartedEventAttributes()
				timers[a.GetTimerId()] = a.GetStartToFireTimeout().AsDuration()
			case enumspb.EVENT_TYPE_TIMER_FIRED:
				s.Timers = append(s.Timers, timers[ev.GetTimerFiredEventAttributes().GetTimerId()])
			}
		}
	}
	return s, nil
}
