package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/workflows"
	"github.com/civicgrants/grants/workflows/wftest"
)

// supportRequestOf sends a support request of orgID as member.
func supportRequestOf(t *testing.T, env *apptest.Env, member app.Actor, orgID, space string) app.SupportRequest {
	t.Helper()
	body := apptest.SupportBody(orgID)
	body["space"].(map[string]any)["name"] = space
	r, err := env.App.CreateSupportRequest(context.Background(), member, apptest.Body(t, body))
	require.NoError(t, err)
	return r
}

// supportCaseOf opens a case for orgID: member asks, a caseworker of its
// own accepts (the case's workflow is queued, not started).
func supportCaseOf(t *testing.T, env *apptest.Env, member app.Actor, orgID string) string {
	t.Helper()
	r := supportRequestOf(t, env, member, orgID, "Walworth Hall")
	cw := env.User(t, "caseworker-"+strings.ToLower(orgID)+"@example.org", app.RoleCaseworker)
	res, err := env.App.TriageSupportRequest(context.Background(), cw, r.ID, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	require.NotNil(t, res.CaseID)
	return *res.CaseID
}

// supportForm is the web form of a whole, valid request.
func supportForm(orgID string) url.Values {
	key := time.Now().AddDate(0, 2, 0)
	return url.Values{"organisation_id": {orgID}, "space.name": {"Walworth Hall"}, "space.kind": {"community_centre"},
		"space.address.line1": {"1 Walworth Road"}, "space.address.town": {"London"}, "space.address.postcode": {"se17 1rw"},
		"space.borough": {"Southwark"}, "space.uses": {"Lunch club for older people\n\n  Youth theatre  \n"},
		"space.used_by": {"Older people and young people from the Aylesbury estate"}, "space.weekly_users": {"120"},
		"space.tenure": {"lease"}, "space.landlord_type": {"council"}, "space.annual_rent": {"£12,000"},
		"space.rent_changes": {"A rent review doubled the rent"}, "risk.kind": {"rent_rise"},
		"risk.key_date-day": {key.Format("2")}, "risk.key_date-month": {key.Format("1")}, "risk.key_date-year": {key.Format("2006")},
		"risk.key_date_kind": {"rent_review"}, "risk.description": {"The new rent is more than we can pay"}, "urgency": {"medium"},
		"led_by_community": {"yes"}, "consent_to_share": {"no"}}
}

// The public page shows every question before sign-up, and sends a
// visitor to sign in on the way to the form.
func TestSupportStartShowsEveryQuestion(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	v := s.visitor(t)
	r := v.get("/support")
	require.Equal(t, http.StatusOK, r.Code)
	for _, q := range []string{"Which organisation is asking for support?", "Name of the space", "What kind of space is it?",
		"Address line 1", "Postcode", "London borough", "What is the space used for?", "Who uses it?",
		"About how many people use the space in a typical week?", "How does your group hold the space?", "Who is the landlord?",
		"When does the lease or licence end?", "Annual rent", "Has the rent or its terms changed recently?",
		"What is putting the space at risk?", "Is there a key date?", "What happens on the key date?",
		"Describe what is putting the space at risk", "How urgent is it?",
		"Our group is led by and for a community facing the greatest inequalities", "May we share your case with our partners?",
		// and the choices of the lists
		"Licence or hire agreement", "Housing association", "Business rates", "Planning decision", "Medium: within months", "Social club"} {
		require.Contains(t, r.Body, q)
	}
	require.Contains(t, r.Body, `href="/sign-in?next=%2Fsupport%2Fnew"`)
	require.Contains(t, r.Body, "Sign in or create an account to ask for support")
	require.NotContains(t, r.Body, `action="/support/new"`, "signed out, the questions are not a form")

	r = v.get("/support/new")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/sign-in?next=%2Fsupport%2Fnew", r.Location)

	home := v.get("/")
	require.Contains(t, home.Body, `href="/support"`)
}

func TestSupportRequestForm(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	member := s.env.User(t, "ama@example.org")
	org := s.env.Organisation(t, member, "Walworth Community Association")
	stranger := s.env.User(t, "other@example.org")
	theirs := s.env.Organisation(t, stranger, "Hackney Food Bank")
	v := s.signedIn(t, "ama@example.org")

	r := v.get("/support")
	require.Contains(t, r.Body, `href="/support/new"`, "signed in, the start page leads to the form")
	r = v.get("/support/new")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, `value="`+org.ID+`" checked`, "the only organisation is chosen")
	require.Contains(t, r.Body, "Support for a space", "the applicant's navigation")

	t.Run("nothing given", func(t *testing.T) {
		before := s.env.Snapshot(t, "support_requests")
		r := v.post("/support/new", url.Values{"space.name": {"Walworth Hall"}, "space.uses": {"Lunch club\nYouth theatre"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Code)
		for _, msg := range []string{`href="#organisation_id">Choose the organisation asking for support`,
			`href="#space.address.postcode">Enter the postcode`, `href="#space.borough">Enter the borough the space is in`,
			`href="#space.tenure">Tenure must be one of`, `href="#risk.description">Describe what is putting the space at risk`,
			`href="#consent_to_share">Say whether we may share your case with partners`, `href="#space.weekly_users">`} {
			require.Contains(t, r.Body, msg)
		}
		require.Contains(t, r.Body, `id="space.address.postcode-error"`, "the message is by the field too")
		require.Contains(t, r.Body, `value="Walworth Hall"`, "what was typed is kept")
		require.Contains(t, r.Body, "Lunch club\nYouth theatre</textarea>")
		require.Equal(t, before, s.env.Snapshot(t, "support_requests"))
	})

	t.Run("not numbers, amounts or dates", func(t *testing.T) {
		f := supportForm(org.ID)
		f.Set("space.weekly_users", "lots")
		f.Set("space.annual_rent", "twelve thousand")
		f.Set("risk.key_date-month", "13")
		r := v.post("/support/new", f)
		require.Equal(t, http.StatusUnprocessableEntity, r.Code)
		require.Contains(t, r.Body, `href="#space.weekly_users">Enter a whole number of people`)
		require.Contains(t, r.Body, `href="#space.annual_rent">Enter the annual rent in pounds`)
		require.Contains(t, r.Body, `href="#risk.key_date">Enter a real date`)
		require.Contains(t, r.Body, `value="twelve thousand"`)
	})

	t.Run("the use case's rules", func(t *testing.T) {
		f := supportForm(org.ID)
		past := time.Now().AddDate(0, 0, -10)
		f.Set("risk.key_date-day", past.Format("2"))
		f.Set("risk.key_date-month", past.Format("1"))
		f.Set("risk.key_date-year", past.Format("2006"))
		f.Set("space.uses", "Lunch club\n"+strings.Repeat("x", 101))
		r := v.post("/support/new", f)
		require.Equal(t, http.StatusUnprocessableEntity, r.Code)
		require.Contains(t, r.Body, `href="#space.uses">Each use must be 100 characters or fewer`)
		require.Contains(t, r.Body, `href="#risk.key_date">The key date must be today or in the future`)
		require.Regexp(t, regexp.MustCompile(`(?s)#space\.uses.*#risk\.key_date`), r.Body, "the summary in page order")
	})

	t.Run("another organisation", func(t *testing.T) {
		before := s.env.Snapshot(t, "support_requests")
		r := v.post("/support/new", supportForm(theirs.ID))
		require.Equal(t, http.StatusUnprocessableEntity, r.Code)
		require.Contains(t, r.Body, `href="#organisation_id">Choose an organisation you are a member of`)
		require.Equal(t, before, s.env.Snapshot(t, "support_requests"))
	})

	r = v.post("/support/new", supportForm(org.ID))
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	m := regexp.MustCompile(`^/support-requests/(spr_[A-Za-z0-9]+)\?sent=1$`).FindStringSubmatch(r.Location)
	require.NotNil(t, m, r.Location)
	got, err := s.env.App.GetSupportRequest(ctx, member, m[1])
	require.NoError(t, err)
	require.Equal(t, []string{"Lunch club for older people", "Youth theatre"}, got.Space.Uses)
	require.Equal(t, int64(1_200_000), *got.Space.AnnualRentPence)
	require.Equal(t, "SE17 1RW", got.Space.Address.Postcode)
	require.Equal(t, "rent_review", *got.Risk.KeyDateKind)
	require.True(t, got.LedByCommunity)
	require.False(t, got.ConsentToShare)
	require.NotNil(t, got.Risk.KeyDate)

	r = v.get(r.Location)
	require.Equal(t, http.StatusOK, r.Code)
	for _, want := range []string{"govuk-panel--confirmation", "Request sent", "Walworth Hall", "Youth theatre", "£12,000",
		"Waiting for triage", "(rent review)", "Medium: within months"} {
		require.Contains(t, r.Body, want)
	}
}

// A group without an organisation is sent to add one, and back.
func TestSupportFormWithoutOrganisation(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.env.User(t, "new@example.org")
	v := s.signedIn(t, "new@example.org")
	r := v.get("/support/new")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, `href="/organisations/new?next=%2Fsupport%2Fnew"`)
	require.NotContains(t, r.Body, `action="/support/new"`)
}

// Members see their organisations' requests and cases, shared notes only;
// another organisation's are not found; caseworkers go to their own page.
func TestSupportMemberPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	ama := s.env.User(t, "ama@example.org")
	org := s.env.Organisation(t, ama, "Walworth Community Association")
	ben := s.env.User(t, "ben@example.org")
	other := s.env.Organisation(t, ben, "Hackney Food Bank")

	caseID := supportCaseOf(t, s.env, ama, org.ID)
	waiting := supportRequestOf(t, s.env, ama, org.ID, "Elephant Youth Club")
	otherCase := supportCaseOf(t, s.env, ben, other.ID)
	otherReq := supportRequestOf(t, s.env, ben, other.ID, "Dalston Social Club")
	k, err := s.env.App.GetCase(ctx, ama, caseID)
	require.NoError(t, err)
	now := time.Now().UTC()
	for _, n := range []struct {
		body   string
		shared bool
	}{{"We have written to the council's property team", true}, {"The landlord sounded hostile: do not share", false}} {
		_, err := s.env.Store.CaseNoteInsert(ctx, sqlc.CaseNoteInsertParams{ID: id.New(id.CaseNote), CaseID: caseID, Body: n.body,
			Shared: n.shared, AuthorID: k.CaseworkerID, CreatedAt: now})
		require.NoError(t, err)
	}

	v := s.signedIn(t, "ama@example.org")
	r := v.get("/support-requests")
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Walworth Hall")
	require.Contains(t, r.Body, "Elephant Youth Club")
	require.Contains(t, r.Body, `href="/support/cases/`+caseID+`"`)
	require.Contains(t, r.Body, "Accepted")
	require.NotContains(t, r.Body, "Dalston Social Club")
	require.NotContains(t, r.Body, "Hackney Food Bank")

	r = v.get("/support-requests/" + waiting.ID)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Waiting for triage")
	require.NotContains(t, r.Body, "govuk-panel--confirmation")

	r = v.get("/support/cases/" + caseID)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "We have written to the council&#39;s property team")
	require.NotContains(t, r.Body, "do not share")
	require.Contains(t, r.Body, k.CaseworkerName)
	require.Contains(t, r.Body, "Lease ending")
	require.Contains(t, r.Body, `action="/support/cases/`+caseID+`/notes"`)

	for _, path := range []string{"/support/cases/" + otherCase, "/support-requests/" + otherReq.ID, "/support/cases/" + otherCase + "/documents/" + id.New(id.Document),
		"/support/cases/cas_nope", "/support-requests/spr_nope"} {
		require.Equal(t, http.StatusNotFound, v.get(path).Code, path)
	}

	// The group's notifications lead to its case and its requests.
	notes, err := s.env.App.ListNotifications(ctx, ama, app.NotificationQuery{})
	require.NoError(t, err)
	links := map[string]bool{}
	for _, n := range notes.Items {
		r := v.get("/notifications/" + n.ID)
		require.Equal(t, http.StatusSeeOther, r.Code)
		links[r.Location] = true
		require.Equal(t, http.StatusOK, v.get(r.Location).Code, r.Location)
	}
	require.True(t, links["/support/cases/"+caseID], "links: %v", links)

	// One record: the organisation's page lists its support.
	r = v.get("/organisations/" + org.ID)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Support cases")
	require.Contains(t, r.Body, `href="/support/cases/`+caseID+`"`)
	require.Contains(t, r.Body, `href="/support-requests/`+waiting.ID+`"`)
	require.NotContains(t, r.Body, otherCase)

	// A note: the use case's checks come back on the page.
	before := s.env.Snapshot(t, "case_notes")
	r = v.post("/support/cases/"+caseID+"/notes", url.Values{"body": {"  "}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Code)
	require.Contains(t, r.Body, `href="#body">Write the note`)
	r = v.post("/support/cases/"+otherCase+"/notes", url.Values{"body": {"Hello"}})
	require.Equal(t, http.StatusNotFound, r.Code)
	require.Equal(t, before, s.env.Snapshot(t, "case_notes"))

	// Caseworkers work on cases from their own pages.
	cw := s.signedIn(t, "caseworker-"+strings.ToLower(org.ID)+"@example.org")
	cw.get("/dashboard") // the session's form token
	r = cw.get("/support/cases/" + caseID)
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/casework/cases/"+caseID, r.Location)
	r = cw.get("/support-requests/" + waiting.ID)
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/casework/requests/"+waiting.ID, r.Location)
	r = cw.get("/support-requests")
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, "/casework", r.Location)
	r = cw.post("/support/cases/"+caseID+"/notes", url.Values{"body": {"Hello"}})
	require.Equal(t, http.StatusSeeOther, r.Code)
	require.Equal(t, before, s.env.Snapshot(t, "case_notes"))
}

// Staff reading an application see a summary of its support case where
// the group consented, and nothing where it did not.
func TestSupportCaseSummaryForStaff(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	rd := s.env.Round(t, apptest.ExampleRound(t))
	s.env.User(t, "chair@example.org", app.RoleChair)
	chair := s.signedIn(t, "chair@example.org")

	link := func(email string, consent bool) (appID, reqID string) {
		appID = s.env.Submitted(t, rd, email, true)
		who, err := s.env.App.GetApplication(ctx, s.env.Manager, appID)
		require.NoError(t, err)
		members, err := s.env.Store.OrganisationMemberList(ctx, who.OrganisationID)
		require.NoError(t, err)
		body := apptest.SupportBody(who.OrganisationID)
		body["consent_to_share"] = consent
		r, err := s.env.App.CreateSupportRequest(ctx, app.Actor{ID: members[0].UserID}, apptest.Body(t, body))
		require.NoError(t, err)
		_, err = s.env.Store.Pool.Exec(ctx, `UPDATE support_requests SET application_id = $1 WHERE id = $2`, appID, r.ID)
		require.NoError(t, err)
		return appID, r.ID
	}
	shared, reqID := link("shared@example.org", true)
	private, _ := link("private@example.org", false)

	r := chair.get("/cases/" + shared)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Support case")
	require.Contains(t, r.Body, "Support request waiting for triage")
	require.Contains(t, r.Body, "Lease ending")

	cw := s.env.User(t, "caseworker@example.org", app.RoleCaseworker)
	res, err := s.env.App.TriageSupportRequest(ctx, cw, reqID, apptest.Body(t, map[string]any{"outcome": "accept"}))
	require.NoError(t, err)
	r = chair.get("/cases/" + shared)
	require.Contains(t, r.Body, "Case open")
	require.Contains(t, r.Body, "Test caseworker@example.org")
	require.Contains(t, r.Body, "Open actions")
	require.NotContains(t, r.Body, *res.CaseID, "no link into the case for the panel")
	// An assessor of the application sees the same summary.
	assessor := s.env.User(t, "assessor@example.org", app.RoleAssessor)
	_, err = s.env.Store.ApplicationSetEligibility(ctx, sqlc.ApplicationSetEligibilityParams{ID: shared, Status: app.StatusInAssessment,
		Eligibility: []byte(`{"eligible":true,"reasons":[]}`)})
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Microsecond)
	asm, err := s.env.Store.AssessmentInsert(ctx, sqlc.AssessmentInsertParams{ID: id.New(id.Assessment), ApplicationID: shared,
		RoundID: rd.ID, AssessorID: assessor.ID, Deadline: now.Add(7 * 24 * time.Hour), AssignedAt: now})
	require.NoError(t, err)
	r = s.signedIn(t, "assessor@example.org").get("/assessments/" + asm.ID)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, "Support case")
	require.Contains(t, r.Body, "Case open")

	group := s.signedIn(t, "shared@example.org")
	r = group.get("/applications/" + shared)
	require.Equal(t, http.StatusOK, r.Code)
	require.Contains(t, r.Body, `href="/support/cases/`+*res.CaseID+`"`, "the group follows its case from its application")

	r = chair.get("/cases/" + private)
	require.Equal(t, http.StatusOK, r.Code)
	require.NotContains(t, r.Body, "Support case")
}

// supportLiveCase is a case of a group (ama@example.org, a member of
// "Walworth Community Association") whose workflow runs, and that
// member's visitor on its page; ben@example.org belongs to another
// organisation.
func supportLiveCase(t *testing.T) (s *site, caseID string, v *visitor) {
	t.Helper()
	s = newSite(t)
	dispatch := s.withWorker(t)
	ama := s.env.User(t, "ama@example.org")
	org := s.env.Organisation(t, ama, "Walworth Community Association")
	s.env.Organisation(t, s.env.User(t, "ben@example.org"), "Hackney Food Bank")
	caseID = supportCaseOf(t, s.env, ama, org.ID)
	dispatch()
	_, err := wftest.Client(t).DescribeWorkflowExecution(context.Background(), workflows.CaseWorkflowID(caseID), "")
	require.NoError(t, err, "the case's workflow started")
	v = s.signedIn(t, "ama@example.org")
	v.get("/support/cases/" + caseID)
	return s, caseID, v
}

// The group adds a note to its case through the case's workflow.
func TestSupportCaseNotes(t *testing.T) {
	t.Parallel()
	_, caseID, v := supportLiveCase(t)
	r := retryingPost(t, v, "/support/cases/"+caseID+"/notes", url.Values{"body": {"Our AGM voted to fight the closure"}})
	require.Equal(t, http.StatusSeeOther, r.Code, r.Body)
	require.Equal(t, "/support/cases/"+caseID+"?noted=1", r.Location)
	r = v.get(r.Location)
	require.Contains(t, r.Body, "Your note has been added.")
	require.Contains(t, r.Body, "Our AGM voted to fight the closure")
	require.Contains(t, r.Body, "Test ama@example.org")
}

// The group adds a document to its case and downloads it; another group
// cannot.
func TestSupportCaseDocuments(t *testing.T) {
	t.Parallel()
	s, caseID, v := supportLiveCase(t)
	r := v.upload("/support/cases/"+caseID+"/documents", url.Values{}, "other", "lease.pdf", applicantPDF)
	require.Equal(t, http.StatusBadRequest, r.Code)
	require.Contains(t, r.Body, `href="#file">Select a file to upload`)
	var up page
	require.Eventually(t, func() bool { // a person presses the button again while the case opens
		up = v.upload("/support/cases/"+caseID+"/documents", url.Values{}, "file", "lease.pdf", applicantPDF)
		return up.Code != http.StatusConflict || up.Header.Get("Retry-After") == ""
	}, 20*time.Second, 200*time.Millisecond)
	require.Equal(t, http.StatusSeeOther, up.Code, up.Body)
	r = v.get(up.Location)
	require.Contains(t, r.Body, "Your document has been added.")
	m := regexp.MustCompile(`href="(/support/cases/` + caseID + `/documents/doc_[A-Za-z0-9]+)">lease.pdf<`).FindStringSubmatch(r.Body)
	require.NotNil(t, m, "the document is listed with its link")
	dl := v.get(m[1])
	require.Equal(t, http.StatusOK, dl.Code)
	require.Equal(t, "application/pdf", dl.Header.Get("Content-Type"))
	require.Contains(t, dl.Header.Get("Content-Disposition"), "attachment")
	require.Equal(t, string(applicantPDF), dl.Body)

	ben := s.signedIn(t, "ben@example.org")
	require.Equal(t, http.StatusNotFound, ben.get(m[1]).Code)
}
