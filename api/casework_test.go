package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/workday"
)

// A group asks for support through the API, a caseworker triages it into
// a case and works it to an outcome through the case's workflow; the group
// sees the shared parts only; the figures and the CSV count it.
func TestCaseworkThroughTheAPI(t *testing.T) {
	t.Parallel()
	f := setupFinance(t)
	_, _, dispatchOnce := f.workflowsOn(t)

	groupTok := f.applicant(t, "group@example.org")
	res := f.do(t, "POST", "/organisations", groupTok, orgBody("Dalston Together"))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	orgID := res.json(t)["id"].(string)
	_, cwTok := f.staff(t, "caseworker@example.org", app.RoleCaseworker)

	// Asking: bad input is 422 and changes nothing.
	bad := apptest.SupportBody(orgID)
	bad["risk"].(map[string]any)["key_date"] = "2020-01-01"
	res = f.do(t, "POST", "/support-requests", groupTok, bad)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	code, fields := res.errorCode(t)
	require.Equal(t, "validation_failed", code)
	require.Contains(t, fields, "risk.key_date")

	res = f.do(t, "POST", "/support-requests", groupTok, apptest.SupportBody(orgID))
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	sr := res.json(t)
	require.Equal(t, "new", sr["status"])
	priority := sr["priority"].(map[string]any)
	require.Greater(t, priority["score"].(float64), 0.0)
	require.NotEmpty(t, priority["reasons"])

	// The queue, then triage.
	res = f.do(t, "GET", "/support-requests", cwTok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Len(t, res.json(t)["items"], 1)
	res = f.do(t, "POST", "/support-requests/"+sr["id"].(string)+"/triage", groupTok, map[string]any{"outcome": "accept"})
	require.Equal(t, http.StatusForbidden, res.Status, string(res.Body))
	res = f.do(t, "POST", "/support-requests/"+sr["id"].(string)+"/triage", cwTok, map[string]any{"outcome": "accept"})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	caseID := res.json(t)["case_id"].(string)
	base := "/cases/" + caseID

	// Until the outbox starts its workflow, commands answer 409 not_ready.
	res = f.do(t, "POST", base+"/notes", cwTok, map[string]any{"body": "Called the council", "shared": false})
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	code, _ = res.errorCode(t)
	require.Equal(t, "not_ready", code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	dispatchOnce()

	tomorrow := workday.DateOf(time.Now()).AddDays(1).String()
	retry := func(method, path, tok string, body any, want int) map[string]any {
		t.Helper()
		var res response
		for range 50 { // the workflow's first task may still be running
			res = f.do(t, method, path, tok, body)
			if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "not_ready") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		require.Equal(t, want, res.Status, "%s %s: %s", method, path, res.Body)
		if len(res.Body) == 0 {
			return nil
		}
		return res.json(t)
	}
	retry("POST", base+"/contacts", cwTok, map[string]any{"at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "kind": "call",
		"minutes": 45, "summary": "First call: the lease ends in three weeks"}, http.StatusCreated)
	action := retry("POST", base+"/actions", cwTok, map[string]any{"title": "Write to the council's estates team", "due_on": tomorrow}, http.StatusCreated)
	require.Equal(t, "open", action["status"])
	retry("PATCH", base+"/actions/"+action["id"].(string), cwTok, map[string]any{"status": "done"}, http.StatusOK)
	retry("POST", base+"/notes", cwTok, map[string]any{"body": "Private: the landlord seems open to a deal", "shared": false}, http.StatusCreated)
	retry("POST", base+"/notes", cwTok, map[string]any{"body": "We have written to the council for you", "shared": true}, http.StatusCreated)
	note := retry("POST", base+"/notes", groupTok, map[string]any{"body": "Thank you, the hearing is on Tuesday"}, http.StatusCreated)
	require.Equal(t, true, note["shared"])
	retry("POST", base+"/key-dates", cwTok, map[string]any{"kind": "hearing", "on": tomorrow, "description": "Licensing hearing"}, http.StatusCreated)
	retry("POST", base+"/key-dates", cwTok, map[string]any{"kind": "hearing", "on": "2020-01-01", "description": "Past"}, http.StatusUnprocessableEntity)

	// The group sees the shared parts only.
	got := retry("GET", base, groupTok, nil, http.StatusOK)
	notes := got["notes"].([]any)
	require.Len(t, notes, 2)
	for _, n := range notes {
		require.Equal(t, true, n.(map[string]any)["shared"])
		require.NotContains(t, n.(map[string]any)["body"], "Private")
	}
	require.NotContains(t, got, "contacts")
	require.Len(t, got["actions"], 1)
	require.Len(t, got["key_dates"], 1)
	full := retry("GET", base, cwTok, nil, http.StatusOK)
	require.Len(t, full["notes"], 3)
	require.Len(t, full["contacts"], 1)
	require.NotNil(t, full["first_contact_at"])

	// Closing twice is 409; nothing changes a closed case.
	closed := retry("POST", base+"/close", cwTok, map[string]any{"outcome": "lease_renewed", "summary": "A new five-year lease at the old rent"}, http.StatusOK)
	require.Equal(t, "closed", closed["status"])
	require.Equal(t, "lease_renewed", closed["outcome"])
	res = f.do(t, "POST", base+"/close", cwTok, map[string]any{"outcome": "lost", "summary": "Again"})
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))
	res = f.do(t, "POST", base+"/actions", cwTok, map[string]any{"title": "More", "due_on": tomorrow})
	require.Equal(t, http.StatusConflict, res.Status, string(res.Body))

	// The case's audit chain, for caseworkers and managers.
	trail := retry("GET", "/audit?entity=case:"+caseID, cwTok, nil, http.StatusOK)
	var actions []string
	for _, e := range trail["items"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	require.Equal(t, "case.opened", actions[0])
	require.Contains(t, actions, "case.contact_logged")
	require.Equal(t, "case.closed", actions[len(actions)-1])
	require.NotContains(t, string(f.do(t, "GET", "/audit?entity=case:"+caseID, cwTok, nil).Body), "Private")
	res = f.do(t, "GET", "/audit?entity=case:"+caseID, groupTok, nil)
	require.Equal(t, http.StatusForbidden, res.Status, string(res.Body))

	// The figures and the CSV count it.
	figures := retry("GET", "/reports/casework", f.managerToken, nil, http.StatusOK)
	require.Equal(t, 1.0, figures["closed"])
	require.Equal(t, 1.0, figures["spaces_saved"])
	require.Equal(t, 45.0, figures["minutes"])
	require.Equal(t, 1.0, figures["first_contact"].(map[string]any)["on_time"])
	res = f.do(t, "GET", "/exports/cases.csv", cwTok, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	lines := strings.Split(strings.TrimSpace(string(res.Body)), "\n")
	require.Len(t, lines, 2)
	require.True(t, strings.HasPrefix(lines[0], "\uFEFFcase_id,organisation_id,organisation,space"), "a byte-order mark, then the header")
	require.Contains(t, lines[1], "lease_renewed")
	require.Contains(t, lines[1], ",0.75,")
}
