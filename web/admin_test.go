package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
)

// An admin lists staff with filters, changes someone's roles, deactivates
// them (their browser is signed out at once) and reactivates them; their
// own page offers no controls; refusals are shown on the page.
func TestAdminStaff(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.env.User(t, "admin@example.org", app.RoleAdmin)
	who := s.env.User(t, "assessor@example.org", app.RoleAssessor)
	s.env.User(t, "applicant@example.org")
	a := s.signedIn(t, admin.Email)
	them := s.signedIn(t, who.Email)

	list := a.get("/admin/staff")
	require.Equal(t, http.StatusOK, list.Code)
	require.Contains(t, list.Body, `href="/admin/staff/invite"`)
	require.Contains(t, list.Body, "assessor@example.org")
	require.NotContains(t, list.Body, "applicant@example.org")
	require.Contains(t, list.Body, `href="/admin/staff"`, "the nav links here")
	assessors := a.get("/admin/staff?role=assessor&active=true")
	require.Contains(t, assessors.Body, "assessor@example.org")
	require.NotContains(t, assessors.Body, "manager@example.org")
	require.Equal(t, http.StatusNotFound, a.get("/admin/staff?role=owner").Code)

	own := a.get("/admin/staff/" + admin.ID)
	require.Equal(t, http.StatusOK, own.Code)
	require.Contains(t, own.Body, "You cannot change your own roles")
	require.NotContains(t, own.Body, "Save roles")

	base := "/admin/staff/" + who.ID
	r := a.post(base+"/roles", url.Values{"roles": {"assessor", "finance"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	page := a.get(r.Location)
	require.Contains(t, page.Body, "Their roles have been changed.")
	require.Contains(t, page.Body, "Assessor, Finance")
	bad := a.post(base+"/roles", url.Values{"roles": {"owner"}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
	require.Contains(t, bad.Body, "Role must be one of")

	r = a.post(base+"/active", url.Values{"active": {"no"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Contains(t, a.get(r.Location).Body, "The account has been deactivated and signed out everywhere.")
	require.Equal(t, http.StatusSeeOther, them.get("/dashboard").Code, "their session ended at once")
	again := s.visitor(t)
	again.get("/sign-in")
	refused := again.post("/sign-in", url.Values{"email": {who.Email}, "password": {apptest.Password}})
	require.Equal(t, http.StatusForbidden, refused.Code)
	require.Contains(t, refused.Body, "This account has been deactivated")
	r = a.post(base+"/active", url.Values{"active": {"yes"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, http.StatusSeeOther, again.post("/sign-in", url.Values{"email": {who.Email}, "password": {apptest.Password}}).Code)

	// Not for managers.
	m := s.signedIn(t, s.env.Manager.Email)
	require.Equal(t, http.StatusForbidden, m.get("/admin/staff").Code)
}

// Managers create and edit programmes on the web; mistakes come back with
// what was typed; the code cannot be edited.
func TestManagerProgrammes(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	m := s.signedIn(t, s.env.Manager.Email)

	list := m.get("/manage/programmes")
	require.Equal(t, http.StatusOK, list.Code)
	require.Contains(t, list.Body, "roots-incubator")
	require.Equal(t, http.StatusOK, m.get("/manage/programmes/new").Code)
	bad := m.post("/manage/programmes/new", url.Values{"code": {"Youth Spaces"}, "name": {"Youth Spaces Fund"}, "funder_name": {""},
		"giving_prefix": {"cityhall"}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
	for _, want := range []string{`href="#code"`, `href="#funder_name"`, `href="#giving_prefix"`, `value="Youth Spaces Fund"`} {
		require.Contains(t, bad.Body, want)
	}
	r := m.post("/manage/programmes/new", url.Values{"code": {"youth-spaces"}, "name": {"Youth Spaces Fund"}, "description": {"For youth clubs."},
		"funder_name": {"Mayor of London"}, "giving_prefix": {"360G-cityhall"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	created := m.get(r.Location)
	require.Contains(t, created.Body, "The programme has been created.")
	require.Contains(t, created.Body, "Youth Spaces Fund")

	edit := m.get("/manage/programmes/youth-spaces/edit")
	require.Equal(t, http.StatusOK, edit.Code)
	require.Contains(t, edit.Body, `value="Mayor of London"`)
	require.NotContains(t, edit.Body, `name="code"`)
	r = m.post("/manage/programmes/youth-spaces/edit", url.Values{"name": {"Youth Spaces"}, "description": {"For youth clubs."},
		"funder_name": {"Mayor of London"}, "giving_prefix": {""}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	p, err := s.env.App.GetProgramme(t.Context(), "youth-spaces")
	require.NoError(t, err)
	require.Equal(t, "Youth Spaces", p.Name)
	require.Empty(t, p.GivingPrefix)
	require.Nil(t, p.CaseFirstContactDays)

	// The first-contact promise of its Spaces at Risk cases.
	promise := url.Values{"name": {"Youth Spaces"}, "funder_name": {"Mayor of London"}, "case_first_contact_days": {"three"}}
	bad = m.post("/manage/programmes/youth-spaces/edit", promise)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
	require.Contains(t, bad.Body, "Enter a whole number of working days, like 5")
	promise.Set("case_first_contact_days", "61")
	bad = m.post("/manage/programmes/youth-spaces/edit", promise)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
	require.Contains(t, bad.Body, "from 1 to 60 working days")
	promise.Set("case_first_contact_days", "3")
	r = m.post("/manage/programmes/youth-spaces/edit", promise)
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	p, err = s.env.App.GetProgramme(t.Context(), "youth-spaces")
	require.NoError(t, err)
	require.Equal(t, int32(3), *p.CaseFirstContactDays)
	require.Contains(t, m.get("/manage/programmes/youth-spaces/edit").Body, `value="3"`)
	require.Equal(t, http.StatusNotFound, m.get("/manage/programmes/no-such/edit").Code)

	chair := s.signedIn(t, s.env.User(t, "chair@example.org", app.RoleChair).Email)
	require.Equal(t, http.StatusForbidden, chair.get("/manage/programmes").Code)
}
