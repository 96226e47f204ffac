package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/seed"
)

var (
	applicantPDF   = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	applicantAppRE = regexp.MustCompile(`^/applications/(app_[A-Za-z0-9_-]+)$`)
	applicantOrgRE = regexp.MustCompile(`^/organisations/(org_[A-Za-z0-9_-]+)\?created=1$`)
)

// applicantBundle is a site with the example round (Roots Incubator: one
// partner at least) open.
type applicantBundle struct {
	*site
	round app.Round
}

func applicantSetup(t *testing.T) *applicantBundle {
	t.Helper()
	s := newSite(t)
	return &applicantBundle{site: s, round: s.env.Round(t, apptest.ExampleRound(t))}
}

// draft makes an applicant with a charity and a draft application to the
// round; it returns the applicant, the organisation id and the application.
func (b *applicantBundle) draft(t *testing.T, email string) (app.Actor, string, app.Application) {
	t.Helper()
	who := b.env.User(t, email)
	org := b.env.Organisation(t, who, "Org of "+email)
	a, err := b.env.App.CreateApplication(context.Background(), who, b.round.ID, org.ID)
	require.NoError(t, err)
	return who, org.ID, a
}

func (s *site) applicantApp(t *testing.T, who app.Actor, id string) app.Application {
	t.Helper()
	a, err := s.env.App.GetApplication(context.Background(), who, id)
	require.NoError(t, err)
	return a
}

func applicantVersionOf(t *testing.T, p page) string {
	t.Helper()
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.Body)
	require.NotNil(t, m, p.Body)
	return m[1]
}

// applicantProblem checks a re-rendered form: the status, the error summary
// with msg linking to #field, and the inline message.
func applicantProblem(t *testing.T, p page, status int, field, msg string) {
	t.Helper()
	require.Equal(t, status, p.Code, p.Body)
	require.Contains(t, p.Body, "There is a problem")
	require.Contains(t, p.Body, `href="#`+field+`"`, p.Body)
	require.Contains(t, p.Body, msg)
	require.Contains(t, p.Body, `id="`+field+`-error"`)
}

func TestApplicantRoundStartLinksLand(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	v := b.visitor(t)
	start := v.get("/rounds/" + b.round.ID)
	require.Equal(t, http.StatusOK, start.Code)
	require.Contains(t, start.Body, `href="/rounds/`+b.round.ID+`/apply"`)
	require.Contains(t, start.Body, `href="/rounds/`+b.round.ID+`/eligibility"`)

	elig := v.get("/rounds/" + b.round.ID + "/eligibility")
	require.Equal(t, http.StatusOK, elig.Code)
	require.Contains(t, elig.Body, "<h1")
	apply := v.get("/rounds/" + b.round.ID + "/apply")
	require.Equal(t, http.StatusSeeOther, apply.Code)
	require.Equal(t, "/sign-in?next="+url.QueryEscape("/rounds/"+b.round.ID+"/apply"), apply.Location)

	b.env.User(t, "new@example.org")
	in := b.signedIn(t, "new@example.org")
	page := in.get("/rounds/" + b.round.ID + "/apply")
	require.Equal(t, http.StatusOK, page.Code)
	require.Contains(t, page.Body, "Add your organisation first")
	require.Contains(t, page.Body, `href="/organisations/new?next=`+url.QueryEscape("/rounds/"+b.round.ID+"/apply")+`"`)
}

func TestApplicantEligibilityChecker(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	v := b.visitor(t)
	path := "/rounds/" + b.round.ID + "/eligibility"

	p := v.get(path)
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "Check whether you can apply")
	require.Contains(t, p.Body, "Is your work mainly in London?")
	require.Contains(t, p.Body, `name="answers.london_work"`)
	require.Contains(t, p.Body, `name="organisation.annual_income"`) // a rule needs the income
	require.NotContains(t, p.Body, `name="organisation.borough"`)    // no rule needs the borough
	require.Equal(t, 1, strings.Count(p.Body, "<h1"))

	bad := v.post(path, url.Values{"organisation.annual_income": {"12.345"}})
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "answers.london_work", "Answer this question: Is your work mainly in London?")
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "organisation.annual_income", "Enter the annual income in pounds")
	require.Contains(t, bad.Body, `value="12.345"`)

	no := v.post(path, url.Values{"answers.london_work": {"no"}, "organisation.annual_income": {"84,000"}})
	require.Equal(t, http.StatusOK, no.Code, no.Body)
	require.Contains(t, no.Body, "You cannot apply")
	require.Contains(t, no.Body, "The work must be mainly in London")
	require.NotContains(t, no.Body, `href="/rounds/`+b.round.ID+`/apply"`)

	rich := v.post(path, url.Values{"answers.london_work": {"yes"}, "organisation.annual_income": {"£2,000,000"}})
	require.Equal(t, http.StatusOK, rich.Code)
	require.Contains(t, rich.Body, "You cannot apply")
	require.Contains(t, rich.Body, "Annual income must be £1m or less")

	yes := v.post(path, url.Values{"answers.london_work": {"yes"}, "organisation.annual_income": {"84000"}})
	require.Equal(t, http.StatusOK, yes.Code)
	require.Contains(t, yes.Body, "You can apply")
	require.Contains(t, yes.Body, `href="/rounds/`+b.round.ID+`/apply"`)

	forged := v.post(path, url.Values{"csrf_token": {"forged"}, "answers.london_work": {"yes"}})
	require.Equal(t, http.StatusForbidden, forged.Code)

	require.Equal(t, http.StatusNotFound, v.get("/rounds/rnd_nope/eligibility").Code)
}

func TestApplicantOrganisations(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := context.Background()
	for _, path := range []string{"/organisations", "/organisations/new", "/organisations/org_x", "/organisations/org_x/edit"} {
		p := b.visitor(t).get(path)
		require.Equal(t, http.StatusSeeOther, p.Code, path)
		require.Equal(t, "/sign-in?next="+url.QueryEscape(path), p.Location)
	}
	who := b.env.User(t, "lead@example.org")
	v := b.signedIn(t, "lead@example.org")

	list := v.get("/organisations")
	require.Equal(t, http.StatusOK, list.Code)
	require.Contains(t, list.Body, "You have not added an organisation yet")

	form := v.get("/organisations/new")
	require.Equal(t, http.StatusOK, form.Code)
	require.Contains(t, form.Body, "Unconstituted group")
	require.Contains(t, form.Body, `<option value="Southwark"`)

	bad := v.post("/organisations/new", url.Values{"name": {"Bermondsey Kitchen"}, "legal_form": {"charity"}, "borough": {"Southwark"},
		"address.line1": {"1 Example Street"}, "address.town": {"London"}, "address.postcode": {"nope"}, "annual_income": {"84000"}})
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "charity_number", "Enter the charity number")
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "address.postcode", "Enter a real UK postcode")
	require.Contains(t, bad.Body, `value="Bermondsey Kitchen"`)
	require.Contains(t, bad.Body, `value="Southwark" selected`)
	badIncome := v.post("/organisations/new", url.Values{"name": {"X"}, "annual_income": {"1.234"}})
	applicantProblem(t, badIncome, http.StatusUnprocessableEntity, "annual_income", "Enter the annual income in pounds")
	mine, err := b.env.App.ListOrganisations(ctx, who, app.PageQuery{})
	require.NoError(t, err)
	require.Empty(t, mine.Items, "nothing created by bad input")

	forged := v.post("/organisations/new", url.Values{"csrf_token": {""}, "name": {"Forged"}})
	require.Equal(t, http.StatusForbidden, forged.Code)

	good := v.post("/organisations/new", url.Values{"name": {"Bermondsey Kitchen"}, "legal_form": {"charity"}, "charity_number": {"1187342"},
		"borough": {"southwark"}, "address.line1": {"1 Example Street"}, "address.town": {"London"}, "address.postcode": {"se1 7pb"},
		"annual_income": {"84,000.50"}})
	require.Equal(t, http.StatusSeeOther, good.Code, good.Body)
	m := applicantOrgRE.FindStringSubmatch(good.Location)
	require.NotNil(t, m, good.Location)
	orgID := m[1]
	o, err := b.env.App.GetOrganisation(ctx, who, orgID)
	require.NoError(t, err)
	require.Equal(t, int64(8_400_050), o.AnnualIncomePence)
	require.Equal(t, "SE1 7PB", o.Address.Postcode)

	view := v.get(good.Location)
	require.Equal(t, http.StatusOK, view.Code)
	require.Contains(t, view.Body, "Your organisation has been added.")
	require.Contains(t, view.Body, "£84,000.50")
	require.Contains(t, view.Body, "Registered charity")
	require.Contains(t, v.get("/organisations").Body, `href="/organisations/`+orgID+`"`)

	edit := v.get("/organisations/" + orgID + "/edit")
	require.Equal(t, http.StatusOK, edit.Code)
	require.Contains(t, edit.Body, `value="84000.50"`)
	badEdit := v.post("/organisations/"+orgID, url.Values{"name": {""}, "legal_form": {"charity"}, "charity_number": {"1187342"},
		"borough": {"Southwark"}, "address.line1": {"1 Example Street"}, "address.town": {"London"}, "address.postcode": {"SE1 7PB"},
		"annual_income": {"90000"}})
	applicantProblem(t, badEdit, http.StatusUnprocessableEntity, "name", "Enter the organisation&#39;s name")
	o, _ = b.env.App.GetOrganisation(ctx, who, orgID)
	require.Equal(t, int64(8_400_050), o.AnnualIncomePence, "nothing saved")
	saved := v.post("/organisations/"+orgID, url.Values{"name": {"Bermondsey Community Kitchen"}, "legal_form": {"cic"}, "company_number": {"01234567"},
		"borough": {"Lambeth"}, "address.line1": {"2 Example Street"}, "address.town": {"London"}, "address.postcode": {"SE1 7PB"},
		"annual_income": {"90000"}})
	require.Equal(t, http.StatusSeeOther, saved.Code, saved.Body)
	require.Equal(t, "/organisations/"+orgID+"?saved=1", saved.Location)
	o, _ = b.env.App.GetOrganisation(ctx, who, orgID)
	require.Equal(t, "Bermondsey Community Kitchen", o.Name)
	require.Equal(t, "cic", o.LegalForm)
	require.Nil(t, o.CharityNumber)
	require.Equal(t, "Lambeth", o.Borough)
	require.Equal(t, int64(9_000_000), o.AnnualIncomePence)

	// Someone else's organisation is not found, on every page.
	b.env.User(t, "other@example.org")
	other := b.signedIn(t, "other@example.org")
	require.Equal(t, http.StatusNotFound, other.get("/organisations/"+orgID).Code)
	require.Equal(t, http.StatusNotFound, other.get("/organisations/"+orgID+"/edit").Code)
	other.get("/organisations")
	require.Equal(t, http.StatusNotFound, other.post("/organisations/"+orgID, url.Values{"name": {"Taken"}}).Code)
	o, _ = b.env.App.GetOrganisation(ctx, who, orgID)
	require.Equal(t, "Bermondsey Community Kitchen", o.Name)
}

func TestApplicantUnconstitutedGroupAndHostConsent(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := context.Background()
	hostAdmin := b.env.User(t, "host@example.org")
	host := b.env.Organisation(t, hostAdmin, "Host Charity")
	groupLead := b.env.User(t, "group@example.org")
	v := b.signedIn(t, "group@example.org")
	v.get("/organisations/new")

	noHost := v.post("/organisations/new", url.Values{"name": {"Tenants Group"}, "legal_form": {"unconstituted_group"}, "borough": {"Hackney"},
		"address.line1": {"1 Estate Road"}, "address.town": {"London"}, "address.postcode": {"E8 1AA"}, "annual_income": {"0"}})
	applicantProblem(t, noHost, http.StatusUnprocessableEntity, "host_organisation_id", "An unconstituted group needs a host organisation")

	made := v.post("/organisations/new", url.Values{"name": {"Tenants Group"}, "legal_form": {"unconstituted_group"}, "borough": {"Hackney"},
		"address.line1": {"1 Estate Road"}, "address.town": {"London"}, "address.postcode": {"E8 1AA"}, "annual_income": {"0"},
		"host_organisation_id": {host.ID}, "next": {"/rounds/" + b.round.ID + "/apply"}})
	require.Equal(t, http.StatusSeeOther, made.Code, made.Body)
	require.Equal(t, "/rounds/"+b.round.ID+"/apply", made.Location, "back to where the visitor was going")
	orgs, err := b.env.App.ListOrganisations(ctx, groupLead, app.PageQuery{})
	require.NoError(t, err)
	require.Len(t, orgs.Items, 1)
	group := orgs.Items[0]

	view := v.get("/organisations/" + group.ID)
	require.Contains(t, view.Body, "has not agreed to host your group yet")
	require.Contains(t, view.Body, "/organisations/"+group.ID+"/host-consent")

	// The group's own admin cannot consent for the host.
	own := v.get("/organisations/" + group.ID + "/host-consent")
	require.Equal(t, http.StatusOK, own.Code)
	require.Contains(t, own.Body, "Only an admin of Host Charity can agree")
	require.NotContains(t, own.Body, `action="/organisations/`+group.ID+`/host-consent"`)
	require.Equal(t, http.StatusForbidden, v.post("/organisations/"+group.ID+"/host-consent", url.Values{}).Code)

	h := b.signedIn(t, "host@example.org")
	consent := h.get("/organisations/" + group.ID + "/host-consent")
	require.Equal(t, http.StatusOK, consent.Code)
	// The host's admin sees which group it is agreeing to host, and who asked.
	for _, want := range []string{"Agree to host Tenants Group", "Host Charity", "Unconstituted group", "Hackney",
		"Test group@example.org", "group@example.org", group.ID} {
		require.Contains(t, consent.Body, want)
	}
	require.Equal(t, http.StatusForbidden, h.post("/organisations/"+group.ID+"/host-consent", url.Values{"csrf_token": {"forged"}}).Code)
	g, err := b.env.App.GetOrganisation(ctx, groupLead, group.ID)
	require.NoError(t, err)
	require.Nil(t, g.HostConsentedAt)
	done := h.post("/organisations/"+group.ID+"/host-consent", url.Values{})
	require.Equal(t, http.StatusSeeOther, done.Code, done.Body)
	require.Equal(t, "/organisations?hosted=1", done.Location)
	require.Contains(t, h.get(done.Location).Body, "You have agreed to host the group")
	g, _ = b.env.App.GetOrganisation(ctx, groupLead, group.ID)
	require.NotNil(t, g.HostConsentedAt)
	require.Contains(t, v.get("/organisations/"+group.ID).Body, "Agreed to host on")

	// A stranger to both is not found; a host without a group is a conflict.
	b.env.User(t, "stranger@example.org")
	s := b.signedIn(t, "stranger@example.org")
	require.Equal(t, http.StatusNotFound, s.get("/organisations/"+group.ID+"/host-consent").Code)
	require.Equal(t, http.StatusNotFound, s.post("/organisations/"+group.ID+"/host-consent", url.Values{}).Code)
	h.get("/organisations/" + host.ID + "/host-consent")
	conflict := h.post("/organisations/"+host.ID+"/host-consent", url.Values{})
	require.Equal(t, http.StatusConflict, conflict.Code)
	require.Contains(t, conflict.Body, "This organisation has no host organisation")
}

// TestApplicantJourney is the whole applicant journey through the pages,
// each form tried with bad input first.
func TestApplicantJourney(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := context.Background()
	v := b.visitor(t)

	// Register, add an organisation on the way to apply, and start.
	v.get("/register?next=" + url.QueryEscape("/rounds/"+b.round.ID+"/apply"))
	reg := v.post("/register", url.Values{"name": {"Sam Taylor"}, "email": {"sam@example.org"}, "password": {apptest.Password},
		"password_confirm": {apptest.Password}, "next": {"/rounds/" + b.round.ID + "/apply"}})
	require.Equal(t, http.StatusSeeOther, reg.Code, reg.Body)
	require.Equal(t, "/check-email?sent=register&next="+url.QueryEscape("/rounds/"+b.round.ID+"/apply"), reg.Location)
	// Confirm the address by the e-mailed link, then sign in and go on.
	tok := b.env.LinkToken(t, "sam@example.org", "confirm")
	v.get("/account/confirm?token=" + tok)
	require.Equal(t, http.StatusOK, v.post("/account/confirm", url.Values{"token": {tok}}).Code)
	signIn := v.post("/sign-in", url.Values{"email": {"sam@example.org"}, "password": {apptest.Password},
		"next": {"/rounds/" + b.round.ID + "/apply"}})
	require.Equal(t, http.StatusSeeOther, signIn.Code, signIn.Body)
	require.Equal(t, "/rounds/"+b.round.ID+"/apply", signIn.Location)
	start := v.get(signIn.Location)
	require.Contains(t, start.Body, "Add your organisation first")
	v.get("/organisations/new?next=" + url.QueryEscape("/rounds/"+b.round.ID+"/apply"))
	org := v.post("/organisations/new", url.Values{"name": {"Bermondsey Kitchen"}, "legal_form": {"charity"}, "charity_number": {"1187342"},
		"borough": {"Southwark"}, "address.line1": {"1 Example Street"}, "address.town": {"London"}, "address.postcode": {"SE1 7PB"},
		"annual_income": {"84000"}, "next": {"/rounds/" + b.round.ID + "/apply"}})
	require.Equal(t, http.StatusSeeOther, org.Code, org.Body)
	choose := v.get(org.Location)
	require.Equal(t, http.StatusOK, choose.Code)
	require.Contains(t, choose.Body, "Which organisation is applying?")
	require.Contains(t, choose.Body, "Bermondsey Kitchen")
	require.Contains(t, choose.Body, " checked", "the only organisation is preselected")
	noOrg := v.post("/rounds/"+b.round.ID+"/apply", url.Values{})
	applicantProblem(t, noOrg, http.StatusUnprocessableEntity, "organisation_id", "Select the organisation that is applying")
	me, ok, err := b.env.App.UserByEmail(ctx, "sam@example.org")
	require.NoError(t, err)
	require.True(t, ok)
	sam := app.Actor{ID: me.ID, Email: me.Email, Name: me.Name, Roles: me.Roles, EmailVerified: me.EmailVerified}
	orgs, err := b.env.App.ListOrganisations(ctx, sam, app.PageQuery{})
	require.NoError(t, err)
	require.Len(t, orgs.Items, 1)
	created := v.post("/rounds/"+b.round.ID+"/apply", url.Values{"organisation_id": {orgs.Items[0].ID}})
	require.Equal(t, http.StatusSeeOther, created.Code, created.Body)
	m := applicantAppRE.FindStringSubmatch(created.Location)
	require.NotNil(t, m, created.Location)
	appID, base := m[1], created.Location

	again := v.get("/rounds/" + b.round.ID + "/apply")
	require.Contains(t, again.Body, "already has an application in this round")
	require.Contains(t, again.Body, `href="`+base+`"`)
	dup := v.post("/rounds/"+b.round.ID+"/apply", url.Values{"organisation_id": {orgs.Items[0].ID}})
	require.Equal(t, http.StatusConflict, dup.Code)
	require.Contains(t, dup.Body, "Your organisation already has an application in this round")

	// The task list.
	tasks := v.get(base)
	require.Equal(t, http.StatusOK, tasks.Code)
	for _, s := range []string{"Eligibility", "Your project", "Partner organisations", "Grant size and amount", "Supporting documents",
		"Check your answers and submit", "Not started", "Cannot start yet", "govuk-task-list", "You have completed 1 of 5 sections"} {
		require.Contains(t, tasks.Body, s)
	}
	require.Equal(t, 1, strings.Count(tasks.Body, "<h1"))

	// Eligibility questions: an answer is needed to continue.
	elig := v.get(base + "/eligibility")
	require.Equal(t, http.StatusOK, elig.Code)
	require.Contains(t, elig.Body, "Is your work mainly in London?")
	ver := applicantVersionOf(t, elig)
	applicantProblem(t, v.post(base+"/eligibility", url.Values{"version": {ver}, "action": {"continue"}}), http.StatusUnprocessableEntity,
		"answers.london_work", "Answer this question: Is your work mainly in London?")
	next := v.post(base+"/eligibility", url.Values{"version": {ver}, "action": {"continue"}, "answers.london_work": {"yes"}})
	require.Equal(t, http.StatusSeeOther, next.Code, next.Body)
	require.Equal(t, base+"/sections/project", next.Location)

	// The project: a word limit, then save and come back later with part done.
	project := v.get(next.Location)
	require.Equal(t, http.StatusOK, project.Code)
	require.Contains(t, project.Body, "What will you do?")
	require.Contains(t, project.Body, `data-maxlength="250" data-count-type="words"`)
	require.Contains(t, project.Body, "Save and come back later")
	ver = applicantVersionOf(t, project)
	long := strings.Repeat("word ", 251)
	tooLong := v.post(base+"/sections/project", url.Values{"version": {ver}, "action": {"continue"}, "answers.summary": {long}})
	applicantProblem(t, tooLong, http.StatusUnprocessableEntity, "answers.summary", "Use 250 words or fewer")
	require.Contains(t, tooLong.Body, "word word word")
	require.Empty(t, b.applicantApp(t, sam, appID).Answers["summary"], "nothing saved")
	missing := v.post(base+"/sections/project", url.Values{"version": {ver}, "action": {"continue"}})
	applicantProblem(t, missing, http.StatusUnprocessableEntity, "answers.summary", "Answer this question: What will you do?")
	later := v.post(base+"/sections/project", url.Values{"version": {ver}, "action": {"later"}, "answers.summary": {"Weekly cooking clubs"}})
	require.Equal(t, http.StatusSeeOther, later.Code, later.Body)
	require.Equal(t, base+"?saved=1", later.Location)
	home := v.get(later.Location)
	require.Contains(t, home.Body, "Your answers have been saved")
	require.JSONEq(t, `"Weekly cooking clubs"`, string(b.applicantApp(t, sam, appID).Answers["summary"]))

	// A stale version is a conflict that keeps what was typed.
	project = v.get(base + "/sections/project")
	require.Contains(t, project.Body, "Weekly cooking clubs")
	ver = applicantVersionOf(t, project)
	cur := b.applicantApp(t, sam, appID)
	_, err = b.env.App.SaveApplication(ctx, sam, appID, apptest.Body(t, map[string]any{"version": cur.Version, "answers": map[string]any{"summary": "Changed elsewhere"}}))
	require.NoError(t, err)
	stale := v.post(base+"/sections/project", url.Values{"version": {ver}, "action": {"continue"}, "answers.summary": {"My own words"}})
	require.Equal(t, http.StatusConflict, stale.Code, stale.Body)
	require.Contains(t, html.UnescapeString(stale.Body), "While you were editing: you saved a newer version (in another window or tab) on ")
	require.Contains(t, stale.Body, "My own words")
	require.JSONEq(t, `"Changed elsewhere"`, string(b.applicantApp(t, sam, appID).Answers["summary"]))
	require.NotEqual(t, ver, applicantVersionOf(t, stale), "the form moves to the current version")
	cont := v.post(base+"/sections/project", url.Values{"version": {applicantVersionOf(t, stale)}, "action": {"continue"},
		"answers.summary": {"We will run weekly cooking clubs for isolated older people."}})
	require.Equal(t, http.StatusSeeOther, cont.Code, cont.Body)
	require.Equal(t, base+"/partners", cont.Location)

	// Partners: add a row without JavaScript, bad numbers, then save.
	partners := v.get(cont.Location)
	require.Equal(t, http.StatusOK, partners.Code)
	require.Contains(t, partners.Body, "Partner 1")
	ver = applicantVersionOf(t, partners)
	added := v.post(base+"/partners", url.Values{"version": {ver}, "action": {"add"}, "partners-0-name": {"Southwark Pensioners Centre"}})
	require.Equal(t, http.StatusOK, added.Code)
	require.Contains(t, added.Body, "Partner 2")
	require.Contains(t, added.Body, `value="Southwark Pensioners Centre"`)
	none := v.post(base+"/partners", url.Values{"version": {ver}, "action": {"continue"}, "partners-0-name": {""}, "partners-1-name": {""}})
	applicantProblem(t, none, http.StatusUnprocessableEntity, "partners", "Add at least 1 partner organisation")
	badNumber := v.post(base+"/partners", url.Values{"version": {ver}, "action": {"continue"}, "partners-0-name": {""},
		"partners-1-name": {"Pensioners Centre"}, "partners-1-charity_number": {"12"}})
	applicantProblem(t, badNumber, http.StatusUnprocessableEntity, "partners-0-charity_number", "Enter a charity number of 6 to 8 digits")
	require.Contains(t, badNumber.Body, `value="Pensioners Centre"`, "the blank row is dropped and the rest moves up")
	require.Empty(t, b.applicantApp(t, sam, appID).Partners)
	removed := v.post(base+"/partners", url.Values{"version": {ver}, "action": {"remove-0"}, "partners-0-name": {"Gone"}, "partners-1-name": {"Kept"}})
	require.Equal(t, http.StatusOK, removed.Code)
	require.NotContains(t, removed.Body, `value="Gone"`)
	require.Contains(t, removed.Body, `value="Kept"`)
	okPartners := v.post(base+"/partners", url.Values{"version": {ver}, "action": {"continue"}, "partners-0-name": {"Southwark Pensioners Centre"},
		"partners-0-charity_number": {"1012345"}})
	require.Equal(t, http.StatusSeeOther, okPartners.Code, okPartners.Body)
	require.Equal(t, base+"/amount", okPartners.Location)
	saved := b.applicantApp(t, sam, appID).Partners
	require.Len(t, saved, 1)
	require.NotEmpty(t, saved[0].ID)
	saved[0].ID = ""
	require.Equal(t, []app.Partner{{Name: "Southwark Pensioners Centre", CharityNumber: "1012345", Status: app.PartnerNamed}}, saved)

	// Tier and amount, in pounds.
	amount := v.get(okPartners.Location)
	require.Equal(t, http.StatusOK, amount.Code)
	require.Contains(t, amount.Body, "£1,000 to £5,000")
	ver = applicantVersionOf(t, amount)
	fraction := v.post(base+"/amount", url.Values{"version": {ver}, "action": {"continue"}, "tier": {"micro"}, "requested": {"2500.001"}})
	applicantProblem(t, fraction, http.StatusUnprocessableEntity, "requested", "Enter an amount in pounds")
	require.Contains(t, fraction.Body, `value="2500.001"`)
	outside := v.post(base+"/amount", url.Values{"version": {ver}, "action": {"continue"}, "tier": {"micro"}, "requested": {"6000"}})
	applicantProblem(t, outside, http.StatusUnprocessableEntity, "requested", "For this grant size, ask for between £1,000 and £5,000")
	noTier := v.post(base+"/amount", url.Values{"version": {ver}, "action": {"continue"}, "requested": {"2500"}})
	applicantProblem(t, noTier, http.StatusUnprocessableEntity, "tier", "Select the size of grant you are applying for")
	require.Nil(t, b.applicantApp(t, sam, appID).RequestedPence)
	okAmount := v.post(base+"/amount", url.Values{"version": {ver}, "action": {"continue"}, "tier": {"micro"}, "requested": {"£2,500.50"}})
	require.Equal(t, http.StatusSeeOther, okAmount.Code, okAmount.Body)
	require.Equal(t, base+"/documents", okAmount.Location)
	got := b.applicantApp(t, sam, appID)
	require.Equal(t, "micro", *got.Tier)
	require.Equal(t, int64(250050), *got.RequestedPence)

	// Documents: a wrong type, no file, then a PDF, and its download.
	docs := v.get(okAmount.Location)
	require.Equal(t, http.StatusOK, docs.Code)
	require.Contains(t, docs.Body, `enctype="multipart/form-data"`)
	html := v.upload(base+"/documents", url.Values{}, "file", "plan.pdf", []byte("<html><script>alert(1)</script></html>"))
	applicantProblem(t, html, http.StatusUnsupportedMediaType, "file", "Upload a PDF, Word (DOCX)")
	empty := v.upload(base+"/documents", url.Values{}, "other", "x.pdf", applicantPDF)
	applicantProblem(t, empty, http.StatusBadRequest, "file", "Select a file to upload")
	require.Empty(t, b.applicantApp(t, sam, appID).Documents)
	up := v.upload(base+"/documents", url.Values{"return": {base + "/sections/project"}}, "file", "budget plan.pdf", applicantPDF)
	require.Equal(t, http.StatusSeeOther, up.Code, up.Body)
	require.Equal(t, base+"/documents?uploaded=1&return="+url.QueryEscape(base+"/sections/project"), up.Location)
	listed := v.get(up.Location)
	require.Contains(t, listed.Body, "Your file has been uploaded.")
	require.Contains(t, listed.Body, "budget plan.pdf")
	require.Contains(t, listed.Body, "PDF")
	require.Contains(t, listed.Body, "Return to the question")
	docID := b.applicantApp(t, sam, appID).Documents[0].ID
	require.Contains(t, listed.Body, `href="/documents/`+docID+`"`)
	dl := v.get("/documents/" + docID)
	require.Equal(t, http.StatusOK, dl.Code)
	require.Equal(t, "application/pdf", dl.Header.Get("Content-Type"))
	require.Equal(t, "nosniff", dl.Header.Get("X-Content-Type-Options"))
	require.Contains(t, dl.Header.Get("Content-Disposition"), "attachment")
	require.Contains(t, dl.Header.Get("Content-Disposition"), "budget plan.pdf")
	require.Equal(t, string(applicantPDF), dl.Body)

	// The file question now offers the upload.
	project = v.get(base + "/sections/project")
	require.Contains(t, project.Body, `value="`+docID+`"`)
	require.Contains(t, project.Body, "Save and upload a file")
	withFile := v.post(base+"/sections/project", url.Values{"version": {applicantVersionOf(t, project)}, "action": {"continue"},
		"answers.summary": {"We will run weekly cooking clubs for isolated older people."}, "answers.budget_breakdown": {docID}})
	require.Equal(t, http.StatusSeeOther, withFile.Code, withFile.Body)
	require.JSONEq(t, `"`+docID+`"`, string(b.applicantApp(t, sam, appID).Answers["budget_breakdown"]))

	// Check answers and submit.
	tasks = v.get(base)
	require.NotContains(t, tasks.Body, "Cannot start yet")
	require.Contains(t, tasks.Body, `href="`+base+`/check"`)
	check := v.get(base + "/check")
	require.Equal(t, http.StatusOK, check.Code)
	for _, s := range []string{"Check your answers before submitting your application", "We will run weekly cooking clubs", "Yes",
		"Southwark Pensioners Centre", "£2,500.50", "budget plan.pdf", `href="` + base + `/sections/project"`, "Accept and submit",
		`<span class="govuk-visually-hidden"> What will you do?</span>`} {
		require.Contains(t, check.Body, s)
	}
	require.NotContains(t, check.Body, "will not be eligible")
	forged := v.post(base+"/submit", url.Values{"csrf_token": {"forged"}})
	require.Equal(t, http.StatusForbidden, forged.Code)
	require.Equal(t, app.StatusDraft, b.applicantApp(t, sam, appID).Status)
	sent := v.post(base+"/submit", url.Values{})
	require.Equal(t, http.StatusSeeOther, sent.Code, sent.Body)
	require.Equal(t, base+"/confirmation", sent.Location)
	conf := v.get(sent.Location)
	require.Equal(t, http.StatusOK, conf.Code)
	require.Contains(t, conf.Body, "govuk-panel--confirmation")
	require.Contains(t, conf.Body, "Application submitted")
	require.Contains(t, conf.Body, appID)
	require.Contains(t, conf.Body, "What happens next")
	require.Equal(t, app.StatusSubmitted, b.applicantApp(t, sam, appID).Status)

	// After submission: read-only, and the edit pages go back to it.
	after := v.get(base)
	require.Contains(t, after.Body, "Submitted")
	require.Contains(t, after.Body, "We will run weekly cooking clubs")
	require.NotContains(t, after.Body, "govuk-task-list")
	require.NotContains(t, after.Body, ">Change<")
	for _, p := range []string{"/check", "/sections/project", "/partners", "/amount"} {
		r := v.get(base + p)
		require.Equal(t, http.StatusSeeOther, r.Code, p)
		require.Equal(t, base, r.Location)
	}
	resubmit := v.post(base+"/submit", url.Values{})
	require.Equal(t, http.StatusSeeOther, resubmit.Code)
	require.Equal(t, base, resubmit.Location)
}

// TestApplicantOtherApplicantsSeeNothing: every page of an application is
// not found for another applicant, and their posts change nothing.
func TestApplicantOtherApplicantsSeeNothing(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	ctx := context.Background()
	who, _, a := b.draft(t, "owner@example.org")
	doc, err := b.env.App.UploadDocument(ctx, who, a.ID, func() (string, io.Reader, error) {
		return "plan.pdf", bytes.NewReader(applicantPDF), nil
	})
	require.NoError(t, err)
	base := "/applications/" + a.ID
	b.env.User(t, "nosy@example.org")
	v := b.signedIn(t, "nosy@example.org")
	for _, p := range []string{"", "/eligibility", "/sections/project", "/partners", "/amount", "/documents", "/check", "/confirmation", "/withdraw"} {
		require.Equal(t, http.StatusNotFound, v.get(base+p).Code, p)
	}
	v.get("/organisations")
	for _, p := range []string{"/eligibility", "/sections/project", "/partners", "/amount", "/submit", "/withdraw"} {
		r := v.post(base+p, url.Values{"version": {"1"}, "action": {"later"}, "answers.summary": {"Mine now"}, "partners-0-name": {"X"}})
		require.Equal(t, http.StatusNotFound, r.Code, p)
	}
	require.Equal(t, http.StatusNotFound, v.upload(base+"/documents", url.Values{}, "file", "x.pdf", applicantPDF).Code)
	require.Equal(t, http.StatusNotFound, v.get("/documents/"+doc.ID).Code)
	require.Equal(t, http.StatusNotFound, v.get("/documents/doc_nope").Code)
	got := b.applicantApp(t, who, a.ID)
	require.Equal(t, a.Version, got.Version)
	require.Equal(t, app.StatusDraft, got.Status)
	require.Len(t, got.Documents, 1)

	// A manager cannot see a draft either.
	b.env.User(t, "boss@example.org", app.RoleManager)
	require.Equal(t, http.StatusNotFound, b.signedIn(t, "boss@example.org").get(base).Code)

	// Signed out: every page goes to sign-in.
	for _, p := range []string{"", "/sections/project", "/documents", "/check"} {
		r := b.visitor(t).get(base + p)
		require.Equal(t, http.StatusSeeOther, r.Code)
		require.Equal(t, "/sign-in?next="+url.QueryEscape(base+p), r.Location)
	}
}

func TestApplicantSectionNeedsCSRF(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	who, _, a := b.draft(t, "owner@example.org")
	v := b.signedIn(t, "owner@example.org")
	base := "/applications/" + a.ID
	page := v.get(base + "/sections/project")
	require.Equal(t, http.StatusOK, page.Code)
	for _, token := range []string{"", "forged"} {
		r := v.post(base+"/sections/project", url.Values{"csrf_token": {token}, "version": {applicantVersionOf(t, page)},
			"action": {"later"}, "answers.summary": {"Sneaky"}})
		require.Equal(t, http.StatusForbidden, r.Code)
		require.Contains(t, r.Body, "Your form could not be sent")
	}
	require.Empty(t, b.applicantApp(t, who, a.ID).Answers)
	require.Equal(t, http.StatusNotFound, v.get(base+"/sections/nope").Code)
}

func TestApplicantQuestionTypes(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	def := apptest.ExampleRound(t)
	def.MinPartners = 0
	min, maxUsers := int64(10000), int64(1000)
	def.Form.Sections = append(def.Form.Sections, form.Section{Key: "space", Title: "Your space", Questions: []form.Question{
		{Key: "space_type", Type: form.TypeChoice, Title: "What kind of space is it?", Required: true, Multiple: true,
			Options: []form.Option{{Value: "hall", Label: "Community hall"}, {Value: "club", Label: "Social club"}}},
		{Key: "owner", Type: form.TypeChoice, Title: "Who owns it?", Required: true,
			Options: []form.Option{{Value: "council", Label: "The council"}, {Value: "private", Label: "A private landlord"}}},
		{Key: "weekly_users", Type: form.TypeNumber, Title: "How many people use it each week?", Required: true, Max: &maxUsers},
		{Key: "running_costs", Type: form.TypeMoney, Title: "What are its annual running costs?", Required: true, Min: &min},
		{Key: "risk_date", Type: form.TypeDate, Title: "When could you lose the space?", Required: true},
	}})
	r := s.env.Round(t, def)
	who := s.env.User(t, "space@example.org")
	org := s.env.Organisation(t, who, "Space Trust")
	a, err := s.env.App.CreateApplication(context.Background(), who, r.ID, org.ID)
	require.NoError(t, err)
	v := s.signedIn(t, "space@example.org")
	base := "/applications/" + a.ID

	tasks := v.get(base)
	require.Contains(t, tasks.Body, "Your space")
	require.NotContains(t, tasks.Body, "Partner organisations", "the round asks for no partners")
	page := v.get(base + "/sections/space")
	require.Equal(t, http.StatusOK, page.Code)
	for _, want := range []string{`type="checkbox"`, `value="hall"`, `type="radio"`, `value="council"`, `name="answers.risk_date-day"`,
		`inputmode="numeric"`, `govuk-input__prefix`} {
		require.Contains(t, page.Body, want)
	}
	ver := applicantVersionOf(t, page)
	bad := v.post(base+"/sections/space", url.Values{"version": {ver}, "action": {"continue"}, "answers.space_type": {"hall", "club"},
		"answers.weekly_users": {"lots"}, "answers.running_costs": {"50"}, "answers.risk_date-day": {"31"},
		"answers.risk_date-month": {"2"}, "answers.risk_date-year": {"2027"}})
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "answers.weekly_users", "Enter a whole number")
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "answers.running_costs", "Enter an amount of £100 or more")
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "answers.risk_date", "Enter a real date")
	applicantProblem(t, bad, http.StatusUnprocessableEntity, "answers.owner", "Answer this question: Who owns it?")
	require.Contains(t, bad.Body, `value="hall" checked`)
	require.Contains(t, bad.Body, `value="31"`)
	require.Empty(t, s.applicantApp(t, who, a.ID).Answers)

	good := v.post(base+"/sections/space", url.Values{"version": {ver}, "action": {"continue"}, "answers.space_type": {"hall", "club"},
		"answers.owner": {"council"}, "answers.weekly_users": {"1,000"}, "answers.running_costs": {"12,000.50"},
		"answers.risk_date-day": {"30"}, "answers.risk_date-month": {"9"}, "answers.risk_date-year": {"2027"}})
	require.Equal(t, http.StatusSeeOther, good.Code, good.Body)
	require.Equal(t, base+"/amount", good.Location)
	got := s.applicantApp(t, who, a.ID).Answers
	require.JSONEq(t, `["hall","club"]`, string(got["space_type"]))
	require.JSONEq(t, `"council"`, string(got["owner"]))
	require.JSONEq(t, `1000`, string(got["weekly_users"]))
	require.JSONEq(t, `1200050`, string(got["running_costs"]))
	require.JSONEq(t, `"2027-09-30"`, string(got["risk_date"]))

	again := v.get(base + "/sections/space")
	require.Contains(t, again.Body, `value="12000.50"`)
	require.Contains(t, again.Body, `value="club" checked`)
	require.Contains(t, again.Body, `value="30"`)
	check := v.get(base + "/check")
	for _, want := range []string{"Community hall", "Social club", "The council", "£12,000.50", "30 September 2027"} {
		require.Contains(t, check.Body, want)
	}
}

func TestApplicantSubmitProblems(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	who, _, a := b.draft(t, "owner@example.org")
	v := b.signedIn(t, "owner@example.org")
	base := "/applications/" + a.ID

	check := v.get(base + "/check")
	require.Equal(t, http.StatusOK, check.Code)
	require.Contains(t, check.Body, "Not answered")
	incomplete := v.post(base+"/submit", url.Values{})
	applicantProblem(t, incomplete, http.StatusUnprocessableEntity, "answers.summary", "Answer this question: What will you do?")
	require.Contains(t, incomplete.Body, `id="answers.summary"`, "the summary links to the row")
	require.Contains(t, incomplete.Body, `href="#tier"`)
	require.Contains(t, incomplete.Body, `href="#partners"`)
	require.Contains(t, incomplete.Body, "Enter how much you are asking for")
	require.Equal(t, app.StatusDraft, b.applicantApp(t, who, a.ID).Status)

	// Ineligible answers are shown as a warning before submission.
	cur := b.applicantApp(t, who, a.ID)
	patch := apptest.CompleteAnswers(cur.Version)
	patch["answers"].(map[string]any)["london_work"] = false
	_, err := b.env.App.SaveApplication(context.Background(), who, a.ID, apptest.Body(t, patch))
	require.NoError(t, err)
	warn := v.get(base + "/check")
	require.Contains(t, warn.Body, "will not be eligible")
	require.Contains(t, warn.Body, "The work must be mainly in London")
}

func TestApplicantSubmitToClosedRound(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	r := s.env.Round(t, apptest.ExampleRound(t))
	who := s.env.User(t, "late@example.org")
	org := s.env.Organisation(t, who, "Late Org")
	ctx := context.Background()
	a, err := s.env.App.CreateApplication(ctx, who, r.ID, org.ID)
	require.NoError(t, err)
	_, err = s.env.App.SaveApplication(ctx, who, a.ID, apptest.Body(t, apptest.CompleteAnswers(a.Version)))
	require.NoError(t, err)
	v := s.signedIn(t, "late@example.org")
	base := "/applications/" + a.ID
	require.Equal(t, http.StatusOK, v.get(base+"/check").Code)
	// Time passes: the round closes.
	_, err = s.env.Store.Pool.Exec(ctx,
		`UPDATE rounds SET opens_at = now() - interval '2 hours', closes_at = now() - interval '1 second' WHERE id = $1`, r.ID)
	require.NoError(t, err)
	closed := v.post(base+"/submit", url.Values{})
	require.Equal(t, http.StatusConflict, closed.Code, closed.Body)
	require.Contains(t, closed.Body, "There is a problem")
	require.Contains(t, closed.Body, "This round has closed")
	require.Equal(t, app.StatusDraft, s.applicantApp(t, who, a.ID).Status)

	upcoming := apptest.ExampleRound(t)
	upcoming.OpensAt, upcoming.ClosesAt = upcoming.OpensAt.Add(48*time.Hour), upcoming.ClosesAt.Add(48*time.Hour)
	later := s.env.Round(t, upcoming)
	apply := v.get("/rounds/" + later.ID + "/apply")
	require.Equal(t, http.StatusOK, apply.Code)
	require.Contains(t, apply.Body, "This round is not open for applications")
	require.Contains(t, apply.Body, "It opens on")
	require.NotContains(t, apply.Body, "Start application")
}

func TestApplicantWithdrawDraft(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	who, _, a := b.draft(t, "owner@example.org")
	v := b.signedIn(t, "owner@example.org")
	base := "/applications/" + a.ID
	require.Contains(t, v.get(base).Body, `href="`+base+`/withdraw"`)
	confirm := v.get(base + "/withdraw")
	require.Equal(t, http.StatusOK, confirm.Code)
	require.Contains(t, confirm.Body, "Withdraw application")
	require.Equal(t, http.StatusForbidden, v.post(base+"/withdraw", url.Values{"csrf_token": {""}}).Code)
	require.Equal(t, app.StatusDraft, b.applicantApp(t, who, a.ID).Status)
	done := v.post(base+"/withdraw", url.Values{})
	require.Equal(t, http.StatusSeeOther, done.Code, done.Body)
	require.Equal(t, base+"?withdrawn=1", done.Location)
	require.Contains(t, v.get(done.Location).Body, "Your application has been withdrawn.")
	require.Equal(t, app.StatusWithdrawn, b.applicantApp(t, who, a.ID).Status)
	again := v.get(base + "/withdraw")
	require.Contains(t, again.Body, "This application cannot be withdrawn")
	refused := v.post(base+"/withdraw", url.Values{})
	require.Equal(t, http.StatusConflict, refused.Code)
	require.Contains(t, refused.Body, "can no longer be withdrawn")
}

func TestApplicantUploadTooLarge(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	who, _, a := b.draft(t, "owner@example.org")
	v := b.signedIn(t, "owner@example.org")
	base := "/applications/" + a.ID
	require.Equal(t, http.StatusOK, v.get(base+"/documents").Code)
	big := append(append([]byte{}, applicantPDF...), make([]byte, 10<<20)...)
	r := v.upload(base+"/documents", url.Values{}, "file", "big.pdf", big)
	applicantProblem(t, r, http.StatusRequestEntityTooLarge, "file", "Each file must be 10 MB or smaller")
	require.Empty(t, b.applicantApp(t, who, a.ID).Documents)
}

// applicantWellFormed checks what every page must have: one h1 and no
// inline styles or scripts.
func applicantWellFormed(t *testing.T, p page) {
	t.Helper()
	require.Equal(t, 1, strings.Count(p.Body, "<h1"), p.Body)
	require.NotContains(t, p.Body, " style=")
	require.NotRegexp(t, `<script>[^<]`, p.Body)
}

// TestApplicantSeededRounds runs the demo rounds' eligibility checkers and
// question pages: every question type they use renders, and the checker
// asks for the organisation facts their rules need.
func TestApplicantSeededRounds(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	defs, err := seed.Rounds()
	require.NoError(t, err)
	who := s.env.User(t, "demo@example.org")
	v := s.signedIn(t, "demo@example.org")
	for code, def := range defs {
		now := time.Now().UTC().Truncate(time.Second)
		def.OpensAt, def.ClosesAt = now.Add(-time.Hour), now.Add(24*time.Hour)
		r := s.env.Round(t, def)
		org := s.env.Organisation(t, who, "Demo "+code)
		a, err := s.env.App.CreateApplication(context.Background(), who, r.ID, org.ID)
		require.NoError(t, err)

		elig := v.get("/rounds/" + r.ID + "/eligibility")
		require.Equal(t, http.StatusOK, elig.Code, code)
		applicantWellFormed(t, elig)
		form := url.Values{"organisation.annual_income": {"84000"}, "organisation.legal_form": {"charity"}}
		for _, q := range def.Eligibility.Questions {
			require.Contains(t, elig.Body, html.EscapeString(q.Title))
			form.Set("answers."+q.Key, "yes")
		}
		if code == "spaces-at-risk" {
			require.Contains(t, elig.Body, `name="organisation.legal_form"`)
		}
		res := v.post("/rounds/"+r.ID+"/eligibility", form)
		require.Equal(t, http.StatusOK, res.Code, res.Body)
		require.Contains(t, res.Body, "You can apply", code)

		base := "/applications/" + a.ID
		for _, p := range []string{"", "/eligibility", "/amount", "/documents", "/check", "/withdraw"} {
			got := v.get(base + p)
			require.Equal(t, http.StatusOK, got.Code, code+p)
			applicantWellFormed(t, got)
		}
		for _, sec := range def.Form.Sections {
			got := v.get(base + "/sections/" + sec.Key)
			require.Equal(t, http.StatusOK, got.Code, code+" "+sec.Key)
			applicantWellFormed(t, got)
			for _, q := range sec.Questions {
				require.Contains(t, got.Body, html.EscapeString(q.Title))
			}
		}
		if def.MinPartners > 0 {
			applicantWellFormed(t, v.get(base+"/partners"))
		}
	}
	for _, p := range []string{"/organisations", "/organisations/new"} {
		applicantWellFormed(t, v.get(p))
	}
}

// TestApplicantThroughTheWorkflow submits on the web and lets the real
// application workflow run: an eligible application goes into
// assessment and is withdrawn through the workflow; an ineligible one
// shows the reasons.
func TestApplicantThroughTheWorkflow(t *testing.T) {
	t.Parallel()
	b := applicantSetup(t)
	dispatchOnce := b.withWorker(t)
	ctx := context.Background()
	submit := func(email string, londonWork bool) (app.Actor, *visitor, string) {
		who, _, a := b.draft(t, email)
		patch := apptest.CompleteAnswers(a.Version)
		patch["answers"].(map[string]any)["london_work"] = londonWork
		_, err := b.env.App.SaveApplication(ctx, who, a.ID, apptest.Body(t, patch))
		require.NoError(t, err)
		v := b.signedIn(t, email)
		base := "/applications/" + a.ID
		require.Equal(t, http.StatusOK, v.get(base+"/check").Code)
		r := v.post(base+"/submit", url.Values{})
		require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
		return who, v, base
	}
	who, v, base := submit("yes@example.org", true)
	whoNo, vNo, baseNo := submit("no@example.org", false)
	dispatchOnce()
	appID := strings.TrimPrefix(base, "/applications/")
	require.Eventually(t, func() bool {
		return b.applicantApp(t, who, appID).Status == app.StatusInAssessment
	}, 20*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool {
		return b.applicantApp(t, whoNo, strings.TrimPrefix(baseNo, "/applications/")).Status == app.StatusIneligible
	}, 20*time.Second, 100*time.Millisecond)

	inelig := vNo.get(baseNo)
	require.Contains(t, inelig.Body, "Your application is not eligible for this round.")
	require.Contains(t, inelig.Body, "The work must be mainly in London")
	require.NotContains(t, inelig.Body, "/withdraw")

	page := v.get(base)
	require.Contains(t, page.Body, "In assessment")
	require.Contains(t, page.Body, `href="`+base+`/withdraw"`)
	require.Equal(t, http.StatusOK, v.get(base+"/withdraw").Code)
	done := v.post(base+"/withdraw", url.Values{})
	require.Equal(t, http.StatusSeeOther, done.Code, done.Body)
	require.Equal(t, app.StatusWithdrawn, b.applicantApp(t, who, appID).Status)
	require.Contains(t, v.get(done.Location).Body, "Your application has been withdrawn.")
}
