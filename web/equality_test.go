package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A member of the applicant answers the optional equality questions on
// their own page; staff never see the answers on any page they use to
// assess, rank or decide, and managers read them only in aggregate.
func TestEqualityPages(t *testing.T) {
	t.Parallel()
	p := panelSetup(t, nil)
	appID := p.inAssessment(t, "Marker Kitchen", 250_000)
	asm := p.assign(t, appID, p.a1.ID, time.Now().Add(7*24*time.Hour))
	p.score(t, asm, 400, 4)

	v := p.user(t, "applicant@example.org")
	path := "/applications/" + appID + "/equality"
	app := v.get("/applications/" + appID)
	require.Equal(t, http.StatusOK, app.Code)
	require.Contains(t, app.Body, `href="`+path+`"`, "linked from the application")
	page := v.get(path)
	require.Equal(t, http.StatusOK, page.Code, page.Body)
	require.Contains(t, page.Body, "Prefer not to say")

	bad := v.post(path, url.Values{"mission_answered": {"yes"}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, bad.Body)
	require.Contains(t, bad.Body, "Choose at least one group")

	res := v.post(path, url.Values{"leadership_answered": {"yes"}, "leadership_groups": {"DEI090000"},
		"mission_answered": {"yes"}, "mission_groups": {"DEI019930"}, "beneficiaries_answered": {"prefer_not"}, "publish": {"yes"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	page = v.get(res.Location)
	require.Contains(t, page.Body, "Your equality answers were saved")
	require.Regexp(t, `value="DEI019930" checked`, page.Body)

	// The shares of the board and senior staff, by population group.
	answers := url.Values{"leadership_answered": {"yes"}, "leadership_groups": {"DEI090000"}, "mission_answered": {"yes"},
		"mission_groups": {"DEI019930"}, "beneficiaries_answered": {"prefer_not"}, "publish": {"yes"},
		"share_board_DEI090000": {"eighty"}}
	bad = v.post(path, answers)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, bad.Body)
	require.Contains(t, bad.Body, "Enter a whole number from 0 to 100")
	require.Contains(t, bad.Body, `value="eighty"`, "what was typed is kept")
	answers.Set("share_board_DEI090000", "80")
	answers.Set("share_senior_DEI090000", "60")
	res = v.post(path, answers)
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body)
	page = v.get(res.Location) // the form is filled from the stored answers
	require.Contains(t, page.Body, `value="80"`)
	require.Contains(t, page.Body, `value="60"`)
	answers.Set("share_board_DEI090000", "101")
	bad = v.post(path, answers)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, bad.Body)
	p.approve(t, appID, 200_000)

	markers := []string{"DEI090000", "DEI019930", "Gypsy, Roma", "Women and girls"}
	chair, mgr, assessor := p.user(t, "chair@example.org"), p.user(t, "manager@example.org"), p.user(t, "assessor1@example.org")
	for _, tc := range []struct {
		who  string
		v    *visitor
		path string
	}{
		{"assessor", assessor, "/assessments"},
		{"assessor", assessor, "/assessments/" + asm},
		{"chair", chair, "/panel"},
		{"chair", chair, "/panel/rounds/" + p.round.ID},
		{"chair", chair, "/cases/" + appID},
		{"chair", chair, "/cases/" + appID + "/decide"},
		{"manager", mgr, "/panel/rounds/" + p.round.ID},
		{"manager", mgr, "/cases/" + appID},
		{"manager", mgr, "/cases/" + appID + "/audit"},
		{"manager", mgr, "/manage/rounds"},
	} {
		t.Run(tc.who+tc.path, func(t *testing.T) {
			got := tc.v.get(tc.path)
			require.Less(t, got.Code, 500)
			require.NotEmpty(t, got.Body)
			for _, m := range markers {
				require.NotContains(t, got.Body, m)
			}
		})
	}
	for who, sv := range map[string]*visitor{"chair": chair, "manager": mgr, "assessor": assessor} {
		require.Equal(t, http.StatusNotFound, sv.get(path).Code, who)
	}

	rep := mgr.get("/manage/equality?round_id=" + p.round.ID)
	require.Equal(t, http.StatusOK, rep.Code, rep.Body)
	require.Contains(t, rep.Body, "Women and girls", "the report's rows are the taxonomy's groups")
	require.True(t, strings.Count(rep.Body, "&lt;5") > 0, "one application is a suppressed count")
	require.Equal(t, http.StatusForbidden, chair.get("/manage/equality?round_id="+p.round.ID).Code)
}
