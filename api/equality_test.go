package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/equality"
	"github.com/civicgrants/grants/workflows"
)

// equalityBody is a complete set of answers: led by women (shares meet
// both thresholds), a mission for Gypsy, Roma and Traveller communities,
// a project for infants.
func equalityBody() map[string]any {
	return map[string]any{
		"leadership": map[string]any{"answered": true, "groups": []string{"DEI090000"},
			"shares": []any{map[string]any{"group": "DEI090000", "board_percent": 80, "senior_staff_percent": 60}}},
		"mission":       map[string]any{"answered": true, "groups": []string{"DEI019930"}},
		"beneficiaries": map[string]any{"answered": true, "groups": []string{"DEI070400"}},
		"publish":       true,
	}
}

// Members of the applicant answer and read their equality answers; staff
// never read them, not even a manager; bad answers are refused whole,
// naming the field, and change nothing.
func TestEqualityAnswers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.submittedIn(t, b.round.ID, "equal@example.org")
	path := "/applications/" + c.AppID + "/equality"

	res := b.do(t, "GET", path, c.Token, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Equal(t, false, res.json(t)["saved"])

	res = b.do(t, "PUT", path, c.Token, equalityBody())
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	got := res.json(t)
	require.Equal(t, true, got["saved"])
	require.Equal(t, true, got["publish"])
	require.Equal(t, []any{"DEI090000"}, got["leadership"].(map[string]any)["led_by"])
	require.Equal(t, []any{"DEI019930"}, got["mission"].(map[string]any)["groups"])
	read := b.do(t, "GET", path, c.Token, nil)
	require.Equal(t, http.StatusOK, read.Status)
	require.JSONEq(t, string(res.Body), string(read.Body))

	for _, tc := range []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"unknown code", func(m map[string]any) {
			m["mission"] = map[string]any{"answered": true, "groups": []string{"DEI999999"}}
		}, "mission.groups[0]"},
		{"prefer not to say with groups", func(m map[string]any) {
			m["beneficiaries"] = map[string]any{"answered": false, "groups": []string{"DEI070400"}}
		}, "beneficiaries.groups"},
		{"share over 100", func(m map[string]any) {
			m["leadership"].(map[string]any)["shares"] = []any{map[string]any{"group": "DEI090000", "board_percent": 120, "senior_staff_percent": 60}}
		}, "leadership.shares[0].board_percent"},
		{"shares not adding up", func(m map[string]any) {
			m["leadership"] = map[string]any{"answered": true, "groups": []string{"DEI020000", "DEI020100"}, "shares": []any{
				map[string]any{"group": "DEI020000", "board_percent": 40, "senior_staff_percent": 40},
				map[string]any{"group": "DEI020100", "board_percent": 50, "senior_staff_percent": 10}}}
		}, "leadership.shares[1].board_percent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := equalityBody()
			tc.edit(body)
			res := b.do(t, "PUT", path, c.Token, body)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
			_, fields := res.errorCode(t)
			require.Contains(t, fields, tc.field)
			again := b.do(t, "GET", path, c.Token, nil)
			require.JSONEq(t, string(read.Body), string(again.Body), "nothing changed")
		})
	}

	_, chairTok := b.staff(t, "chair@example.org", app.RoleChair)
	stranger := b.applicant(t, "stranger@example.org")
	for who, tok := range map[string]string{"manager": b.login(t, "manager@example.org"), "chair": chairTok, "stranger": stranger} {
		for _, method := range []string{"GET", "PUT"} {
			res := b.do(t, method, path, tok, equalityBody())
			require.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", who, method, res.Body)
		}
	}

	// The audit trail records the save and the consent, never the answers.
	trail := b.do(t, "GET", "/audit?entity=application:"+c.AppID, b.login(t, "manager@example.org"), nil)
	require.Equal(t, http.StatusOK, trail.Status, string(trail.Body))
	require.Contains(t, string(trail.Body), "equality.saved")
	require.NotContains(t, string(trail.Body), "DEI")
}

// Equality answers never reach an assessor, a chair or a manager through
// any page or endpoint they use to read, assess, rank or decide.
func TestEqualityNeverReachesStaff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.inAssessment(t, "marker@example.org")
	res := b.do(t, "PUT", "/applications/"+c.AppID+"/equality", c.Token, equalityBody())
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	other := b.inAssessment(t, "other@example.org")

	assessor, asTok := b.staff(t, "assessor@example.org", app.RoleAssessor)
	_, chairTok := b.staff(t, "chair@example.org", app.RoleChair)
	mgrTok := b.login(t, "manager@example.org")
	asm := b.assign(t, c.AppID, assessor.ID)
	b.score(t, asm, 400)
	b.score(t, b.assign(t, other.AppID, assessor.ID), 300)
	grantID := b.decide(t, c.AppID, workflows.OutcomeApprove, 200_000)

	// "led_by" is also a scoring criterion of the example round, so the
	// markers are the answers' codes, labels and share fields.
	markers := []string{"DEI090000", "DEI019930", "DEI070400", "Gypsy", "Infants", "Women and girls", "board_percent", "senior_staff_percent"}
	for _, tc := range []struct{ who, token, path, shows string }{
		{"assessor", asTok, "/assessments", c.AppID},
		{"assessor", asTok, "/assessments/" + asm, c.AppID},
		{"assessor", asTok, "/applications/" + c.AppID, c.AppID},
		{"assessor", asTok, "/applications/" + c.AppID + "/documents", "items"},
		{"chair", chairTok, "/applications/" + c.AppID, c.AppID},
		{"chair", chairTok, "/applications?round_id=" + b.round.ID, c.AppID},
		{"chair", chairTok, "/rounds/" + b.round.ID + "/ranking", c.AppID},
		{"manager", mgrTok, "/applications/" + c.AppID, c.AppID},
		{"manager", mgrTok, "/applications?round_id=" + b.round.ID, c.AppID},
		{"manager", mgrTok, "/rounds/" + b.round.ID + "/ranking", c.AppID},
		{"manager", mgrTok, "/grants/" + grantID, c.AppID},
		{"manager", mgrTok, "/grants", c.AppID},
		{"manager", mgrTok, "/audit?entity=application:" + c.AppID, "equality.saved"},
	} {
		t.Run(tc.who+" "+tc.path, func(t *testing.T) {
			res := b.do(t, "GET", tc.path, tc.token, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			body := string(res.Body)
			require.Contains(t, body, tc.shows, "the page read is the application's")
			for _, m := range markers {
				require.NotContains(t, body, m)
			}
		})
	}
}

// The equality report aggregates by group with counts under 5 (and the
// money of such cells) suppressed, and is for managers only.
func TestEqualityReport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	answers := func(tok, appID string, body map[string]any) {
		res := b.do(t, "PUT", "/applications/"+appID+"/equality", tok, body)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	}
	var awarded []string
	for i := range 6 {
		c := b.submittedIn(t, b.round.ID, "led"+string(rune('a'+i))+"@example.org")
		answers(c.Token, c.AppID, equalityBody())
		if i < 5 {
			b.markEligible(t, c.AppID)
			b.decide(t, c.AppID, workflows.OutcomeApprove, 100_000)
			awarded = append(awarded, c.AppID)
		}
	}
	c := b.submittedIn(t, b.round.ID, "private@example.org")
	answers(c.Token, c.AppID, map[string]any{"leadership": map[string]any{"answered": false, "groups": []string{}},
		"mission": map[string]any{"answered": false, "groups": []string{}}, "beneficiaries": map[string]any{"answered": false, "groups": []string{}}})
	b.submittedIn(t, b.round.ID, "silent@example.org") // no answers
	b.draft(t, "drafting@example.org")                 // a draft is not counted

	mgr := b.login(t, "manager@example.org")
	res := b.do(t, "GET", "/reports/equality?round_id="+b.round.ID, mgr, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	rep := res.json(t)
	require.EqualValues(t, 8, rep["applications"])
	require.EqualValues(t, 5, rep["awards"])
	require.EqualValues(t, 500_000, rep["awarded_pence"])
	row := func(area, group string) map[string]any {
		for _, r := range rep[area].([]any) {
			if r.(map[string]any)["group"] == group {
				return r.(map[string]any)
			}
		}
		t.Fatalf("no row %s in %s", group, area)
		return nil
	}
	led := row("leadership", "DEI090000")
	require.EqualValues(t, 6, led["applications"])
	require.EqualValues(t, 5, led["awards"])
	require.EqualValues(t, 500_000, led["awarded_pence"])
	// The mission's sub-group counts under its top-level group.
	require.EqualValues(t, 6, row("mission", "DEI010000")["applications"])
	require.EqualValues(t, 6, row("beneficiaries", "DEI070000")["applications"])
	for _, area := range []string{"leadership", "mission", "beneficiaries"} {
		for _, g := range []string{"prefer_not_to_say", "not_answered"} {
			r := row(area, g)
			require.Equal(t, app.Suppressed, r["applications"], "%s %s", area, g)
			require.Equal(t, app.Suppressed, r["awards"], "a small cell's awards are suppressed with it")
			require.Equal(t, app.Suppressed, r["awarded_pence"])
		}
		require.EqualValues(t, 0, row(area, "DEI020000")["applications"])
	}

	// Few awards: the awards and the money are suppressed too.
	_, err := b.env.Store.Pool.Exec(context.Background(), `UPDATE grants SET status = 'lapsed' WHERE application_id = $1`, awarded[0])
	require.NoError(t, err)
	rep = b.do(t, "GET", "/reports/equality?round_id="+b.round.ID, mgr, nil).json(t)
	led = row("leadership", "DEI090000")
	require.EqualValues(t, 6, led["applications"])
	require.Equal(t, app.Suppressed, led["awards"])
	require.Equal(t, app.Suppressed, led["awarded_pence"])

	res = b.do(t, "GET", "/reports/equality?programme=roots-incubator", mgr, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"", http.StatusUnprocessableEntity},
		{"?round_id=" + b.round.ID + "&programme=roots-incubator", http.StatusUnprocessableEntity},
		{"?round_id=rnd_nope", http.StatusUnprocessableEntity},
		{"?programme=nope", http.StatusNotFound},
	} {
		res := b.do(t, "GET", "/reports/equality"+tc.query, mgr, nil)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.query, res.Body)
	}
	_, chairTok := b.staff(t, "chair@example.org", app.RoleChair)
	require.Equal(t, http.StatusForbidden, b.do(t, "GET", "/reports/equality?round_id="+b.round.ID, chairTok, nil).Status)
}

// The open-data hook gives the answers of grants whose organisation agreed
// to publish them, leadership as the groups it is led by, and nothing of
// the others.
func TestEqualityForOpenData(t *testing.T) {
	t.Parallel()
	b := setup(t)
	grant := func(email string, publish bool) string {
		c := b.inAssessment(t, email)
		body := equalityBody()
		body["publish"] = publish
		res := b.do(t, "PUT", "/applications/"+c.AppID+"/equality", c.Token, body)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		return b.decide(t, c.AppID, workflows.OutcomeApprove, 100_000)
	}
	agreed, refused := grant("agreed@example.org", true), grant("refused@example.org", false)
	silent := b.decide(t, b.inAssessment(t, "silent@example.org").AppID, workflows.OutcomeApprove, 100_000)
	got, err := b.env.App.EqualityForOpenData(context.Background(), []string{agreed, refused, silent})
	require.NoError(t, err)
	require.Equal(t, map[string]app.EqualityOpenData{agreed: {
		Leadership: equality.Area{Answered: true, Groups: []string{"DEI090000"}},
		Mission:    equality.Area{Answered: true, Groups: []string{"DEI019930"}},
		Project:    equality.Area{Answered: true, Groups: []string{"DEI070400"}},
	}}, got)
}
