package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/app/apptest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workflows"
)

// The whole journeys through the web UI in headless Chromium, on a stack
// with the real Temporal dev server (browser_harness_test.go): every page
// passes axe and is saved as a screenshot. People follow the pages' own
// links and buttons; only the first page and the sign-in page are typed in.

// workflowWait bounds how long a journey waits for a workflow to move a
// case on (reloading the page, as a person would).
const workflowWait = 30 * time.Second

// A new applicant finds a round on the home page, reads every question,
// checks eligibility (first failing, then passing), makes an account and
// an organisation (after a missing charity number), starts the
// application and fills in every task, each after a mistake: a missing
// answer (then saved for later), an answer over the word limit (its text
// kept), no partner, an amount outside the grant size. A budget PDF is
// uploaded from its question and chosen as the answer. Check your answers,
// submit, the confirmation with the reference, and "your applications"
// saying what happens next once the eligibility check has run. The
// journey is walked twice: with JavaScript, and without it, as every
// journey must work.
func TestBrowserApplicantJourney(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	for _, tc := range []struct {
		name, email string
		opts        []browserOption
	}{{"javascript", "ada.okafor.js@example.org", nil}, {"no-javascript", "ada.okafor.nojs@example.org", []browserOption{withoutJavaScript()}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			applicantJourney(t, tc.email, tc.opts...)
		})
	}
}

func applicantJourney(t *testing.T, email string, opts ...browserOption) {
	s := newStack(t, nil)
	def := apptest.ExampleRound(t)
	require.Equal(t, 1, def.MinPartners, "the journey adds one partner, as the example round needs")
	r := s.env.Round(t, def)
	pdf := writePDF(t, "budget.pdf")
	const (
		name    = "Ada Okafor"
		orgName = "Bermondsey Community Kitchen"
		summary = "We will run weekly cooking clubs for isolated older people in Bermondsey, with a shared lunch."
		partner = "Southwark Pensioners Centre"
	)
	b := newBrowserPage(t, webRoot(s), opts...)

	// The home page lists the round; its page shows every question.
	b.visit("/")
	b.expectHeading("Apply for a community grant")
	b.clickLink(r.Name)
	b.expectPath("/rounds/" + r.ID)
	b.expectHeading(r.Name)
	b.expectText("Apply with at least 1 partner organisation(s)", "Is your work mainly in London?",
		"What will you do? (up to 250 words)", "Budget (optional)", "Need and evidence (weight 40)", "Deliverability (weight 30)")

	// The eligibility checker: not in London, then in London.
	b.clickLink("Check whether you can apply")
	b.expectPath("/rounds/" + r.ID + "/eligibility")
	b.expectHeading("Check whether you can apply")
	b.choose("Is your work mainly in London?", "No")
	b.fillByLabel("What is your organisation’s annual income?", "84000")
	b.clickButton("Check eligibility")
	b.expectHeading("You cannot apply")
	b.expectText("The work must be mainly in London")
	b.clickLink("check again")
	b.expectHeading("Check whether you can apply")
	b.choose("Is your work mainly in London?", "Yes")
	b.fillByLabel("What is your organisation’s annual income?", "84000")
	b.clickButton("Check eligibility")
	b.expectHeading("You can apply")
	b.expectText("meets the rules of this round")

	// Starting needs an account: sign-in, then registration, come back here.
	b.clickButton("Start your application")
	b.expectPath("/sign-in")
	b.expectHeading("Sign in")
	b.clickLink("Create an account")
	b.expectPath("/register")
	b.fillByLabel("Your full name", name)
	b.fillByLabel("Email address", email)
	b.fillByLabel("Create a password", "a long enough password")
	b.fillByLabel("Enter the password again", "a long enough password")
	b.clickButton("Create account")
	// An e-mail to confirm the address is on its way; signing in with the
	// new account comes back to the round, to start the application.
	b.expectHeading("Check your email")
	b.clickLink("Sign in with your new account")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Password", "a long enough password")
	b.clickButton("Sign in")
	b.expectPath("/rounds/" + r.ID + "/apply")
	b.expectHeading("Add your organisation first")

	// The organisation: a registered charity without its number first.
	b.clickButton("Add an organisation")
	b.expectPath("/organisations/new")
	b.expectHeading("Add an organisation")
	b.fillByLabel("Name of the organisation or group", orgName)
	b.choose("What kind of organisation is it?", "Registered charity")
	b.selectOption("London borough", "Southwark")
	b.fillIn("Address", "Address line 1", "1 Example Street")
	b.fillIn("Address", "Town or city", "London")
	b.fillIn("Address", "Postcode", "SE1 7PB")
	b.fillByLabel("Annual income", "84000")
	b.clickButton("Add organisation")
	b.expectInvalid("Enter the charity number")
	require.Equal(t, orgName, b.fieldValue("Name of the organisation or group"))
	require.Equal(t, "SE1 7PB", b.fieldValue("Postcode"))
	b.fillByLabel("Charity number", "1190002")
	b.clickButton("Add organisation")
	b.expectPath("/rounds/" + r.ID + "/apply")
	b.expectHeading("Which organisation is applying?")
	b.choose("Which organisation is applying?", orgName)
	b.clickButton("Start application")
	require.True(t, strings.HasPrefix(b.path(), "/applications/"), b.path())
	appPath := b.path()
	appID := strings.TrimPrefix(appPath, "/applications/")
	b.expectHeading("Your application")
	b.expectText("Applying as "+orgName+".", "You have completed 1 of 5 sections.", "Check your answers and submit Cannot start yet")

	// Eligibility: no answer first, then saved for later.
	b.clickLink("Eligibility")
	b.expectPath(appPath + "/eligibility")
	b.expectHeading("Eligibility")
	b.clickButton("Save and continue")
	b.expectInvalid("Answer this question: Is your work mainly in London?")
	b.choose("Is your work mainly in London?", "Yes")
	b.clickButton("Save and come back later")
	b.expectPath(appPath)
	b.expectText("Your answers have been saved", "Eligibility Completed", "You have completed 2 of 5 sections.")

	// The project: over the word limit (the text is kept), then the
	// budget uploaded from its question and chosen.
	b.clickLink("Your project")
	b.expectPath(appPath + "/sections/project")
	b.expectHeading("Your project")
	long := strings.TrimSpace(strings.Repeat("Cooking clubs for older neighbours every week. ", 40)) // 280 words
	b.paste("What will you do?", long)
	if b.noJS {
		b.expectText("You can enter up to 250 words")
	} else { // GOV.UK Frontend's character count, counting words
		b.waitFor("the word count", `document.querySelector('.govuk-character-count__status').textContent.includes('You have 30 words too many')`, actionTimeout)
	}
	b.clickButton("Save and continue")
	b.expectInvalid("Use 250 words or fewer")
	require.Equal(t, long, b.fieldValue("What will you do?"), "the text typed is kept")
	b.fillByLabel("What will you do?", summary)
	b.clickButton("Save and upload a file")
	b.expectPath(appPath + "/documents")
	b.expectHeading("Supporting documents")
	b.expectText("You have not uploaded any files.")
	b.uploadByLabel("Upload a file", pdf)
	b.clickButton("Upload file")
	b.expectHeading("Supporting documents")
	b.expectText("Your file has been uploaded.", "budget.pdf (download) PDF")
	b.clickButton("Return to the question")
	b.expectPath(appPath + "/sections/project")
	require.Equal(t, summary, b.fieldValue("What will you do?"), "saved before the upload")
	b.choose("Budget (optional)", "budget.pdf")
	b.clickButton("Save and continue")

	// Partners: none first.
	b.expectPath(appPath + "/partners")
	b.expectHeading("Partner organisations")
	b.clickButton("Save and continue")
	b.expectInvalid("Add at least 1 partner organisation")
	b.fillIn("Partner 1", "Organisation name", partner)
	b.fillIn("Partner 1", "Charity number (optional)", "1099876")
	b.clickButton("Save and continue")

	// The amount: outside the grant size first, the amount kept.
	b.expectPath(appPath + "/amount")
	b.expectHeading("Grant size and amount")
	b.choose("What size of grant are you applying for?", "£1,000 to £5,000")
	b.fillByLabel("How much are you asking for?", "6000")
	b.clickButton("Save and continue")
	b.expectInvalid("For this grant size, ask for between £1,000 and £5,000")
	require.Equal(t, "6000", b.fieldValue("How much are you asking for?"))
	b.fillByLabel("How much are you asking for?", "2500")
	b.clickButton("Save and continue")

	// Documents (the budget is there), check your answers, submit.
	b.expectPath(appPath + "/documents")
	b.expectText("budget.pdf (download) PDF")
	b.clickButton("Continue")
	b.expectPath(appPath + "/check")
	b.expectHeading("Check your answers before submitting your application")
	b.expectText("Is your work mainly in London? Yes", summary, "Budget budget.pdf", partner, "Charity number 1099876",
		"Grant size £1,000 to £5,000", "Amount requested £2,500", "File 1 budget.pdf")
	b.expectNoText("will not be eligible")
	// Submitting needs the address confirmed: the e-mailed link does it.
	b.clickButton("Accept and submit")
	b.expectStatus(409)
	b.expectErrorSummary("Confirm your email address first: follow the link we emailed you, or ask for a new one")
	b.visit(s.emailedLink(t, email, "Confirm your email address", "/account/confirm?token="))
	b.clickButton("Confirm email address")
	b.expectHeading("Your email address is confirmed")
	b.visit(appPath + "/check")
	b.clickButton("Accept and submit")
	b.expectPath(appPath + "/confirmation")
	b.expectHeading("Application submitted")
	b.expectText("Your reference number "+appID, "You applied to "+r.Name+".", "What happens next")

	// Your applications: the eligibility check moves it into assessment.
	b.clickLink("your applications")
	b.expectPath("/applications")
	b.expectHeading("Your applications and grants")
	b.expectText("Reference "+appID, "What happens next")
	b.reloadUntil("the eligibility check", "Status In assessment")
	b.expectText("Assessors are scoring your application. We expect the panel to decide by")

	a, err := s.env.App.GetApplication(context.Background(), s.env.Manager, appID)
	require.NoError(t, err)
	require.Equal(t, app.StatusInAssessment, a.Status)
	require.Len(t, a.Documents, 1)
	require.Len(t, a.Partners, 1)
	require.Equal(t, int64(250000), *a.RequestedPence)
}

// A submitted application to a round paid by bank transfer, from
// assessment to payment: the first assessor scores it (after leaving a
// score out), the second declares a conflict and the assessor it passes
// to scores it; the chair reads the ranking against the budget and
// approves an award; the applicant accepts the offer (after forgetting the
// declaration) and adds bank details, which make the first tranche due;
// finance1 approves it and is then not offered a second approval; finance2
// gives it; the payment leaves "awaiting approval", goes into a BACS
// payment run and is marked paid.
func TestBrowserReviewDecideAndPay(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := newStack(t, nil)
	ctx := context.Background()
	assessor1 := s.env.User(t, "assessor1@example.org", app.RoleAssessor)
	assessor2 := s.env.User(t, "assessor2@example.org", app.RoleAssessor)
	chair := s.env.User(t, "chair@example.org", app.RoleChair)
	finance1 := s.env.User(t, "finance1@example.org", app.RoleFinance)
	finance2 := s.env.User(t, "finance2@example.org", app.RoleFinance)
	lead := s.env.User(t, "lead@example.org")

	def := apptest.ManualRound(t)
	def.Name = "Roots Incubator bank transfer round"
	require.Equal(t, 2, def.AssessorsPerApplication)
	guidance := map[string]string{
		"need":     "Look for evidence of need from the people the project serves.",
		"led_by":   "Score higher when the people affected run the project.",
		"delivery": "Is the plan realistic for the money and time?",
	}
	for i := range def.Criteria {
		def.Criteria[i].Guidance = guidance[def.Criteria[i].Key]
	}
	r := s.env.Round(t, def)
	const orgName = "Bermondsey Community Kitchen"
	appID := submitWithBudget(t, s.env, r, lead, orgName)

	// Both assessors are given the case; a third joins the pool only then,
	// so the conflict below passes the case to them and no one else.
	waitAssigned(t, s, appID, 2)
	assessor3 := s.env.User(t, "assessor3@example.org", app.RoleAssessor)

	b := newBrowserPage(t, webRoot(s))
	assessLink := "Assess the application from " + orgName
	scores := []struct{ criterion, score, why string }{
		{"Need and evidence", "4", "Waiting lists at two lunch clubs show the need."},
		{"Led by and for the community", "5", "Run by its older members."},
		{"Deliverability", "4", "A kitchen and volunteers are in place."},
	}

	// Assessor 1: the queue, the application with its document and the
	// criteria's guidance; one score left out, then all of them.
	signIn(b, assessor1.Email)
	b.clickLink("Assessments")
	b.expectPath("/assessments")
	b.expectHeading("Your assessments")
	b.expectText(appID, r.Name, "Not scored")
	b.clickLink(assessLink)
	b.expectHeading(assessLink)
	b.expectText("Amount requested £2,500", "Partners Southwark Pensioners Centre",
		"What will you do? We will run weekly cooking clubs", "Budget budget.pdf", "budget.pdf (application/pdf",
		guidance["need"], guidance["led_by"], guidance["delivery"], "Weight 40. Score from 0 to 5.")
	for i, sc := range scores {
		if i < 2 {
			b.choose("Your score for "+sc.criterion, sc.score)
		}
		b.fillByLabel("Why did you give this score for "+sc.criterion+"?", sc.why)
	}
	b.clickButton("Save scores")
	b.expectInvalid("Choose a score for deliverability")
	require.Equal(t, scores[2].why, b.fieldValue("Why did you give this score for Deliverability?"), "the justification is kept")
	b.choose("Your score for Deliverability", scores[2].score)
	b.clickButton("Save scores")
	b.expectText("Your scores have been saved.", "Your weighted total 86 out of 100")
	b.clickLink("Assessments")
	b.expectText(appID, "Scored")
	b.expectNoText("Not scored")

	// Assessor 2 knows the applicant: a conflict, and the case goes on.
	switchUser(b, assessor2.Email)
	b.clickLink("Assessments")
	b.clickLink(assessLink)
	b.clickLink("Declare a conflict of interest")
	b.expectHeading("Declare a conflict of interest")
	b.clickButton("Declare conflict of interest")
	b.expectInvalid("Say what the conflict of interest is")
	b.fillByLabel("What is the conflict of interest?", "I volunteer in the kitchen's Tuesday lunch club.")
	b.clickButton("Declare conflict of interest")
	b.expectPath("/assessments")
	b.expectText("You declared a conflict of interest. The application has been passed to another assessor.",
		"You have no applications to assess at the moment.")

	// Assessor 3 is given it and scores it.
	switchUser(b, assessor3.Email)
	b.clickLink("Assessments")
	b.reloadUntil("the case to be passed on", assessLink) // assigned in the conflict's update: there already
	b.clickLink(assessLink)
	for _, sc := range []struct{ criterion, score, why string }{
		{"Need and evidence", "4", "Clear evidence of isolation."},
		{"Led by and for the community", "4", "Members sit on the committee."},
		{"Deliverability", "3", "Relies on a few volunteers."},
	} {
		b.choose("Your score for "+sc.criterion, sc.score)
		b.fillByLabel("Why did you give this score for "+sc.criterion+"?", sc.why)
	}
	b.clickButton("Save scores")
	b.expectText("Your scores have been saved.", "Your weighted total 74 out of 100")

	// The chair: the ranking against the budget, the case, an award.
	switchUser(b, chair.Email)
	b.clickLink("Panel")
	b.expectPath("/panel")
	b.expectHeading("Panel")
	b.clickLink(r.Name + ": ranking")
	b.expectPath("/panel/rounds/" + r.ID)
	b.expectHeading(r.Name)
	b.expectText("Budget £500,000", "Committed to awards £0", "Remaining £500,000", "Running total",
		"against the £500,000 remaining", "2 of 2 scored", "Agree (spread 12 points)")
	// Eight columns and a long reference once pushed the table out of the
	// page: the page must not scroll sideways.
	require.LessOrEqual(t, call[int](b, `() => document.documentElement.scrollWidth`), call[int](b, `() => window.innerWidth`),
		"the ranking is wider than the window")
	rankRow := call[string](b, `() => document.querySelector('.govuk-table tbody tr').innerText`)
	require.Equal(t, "1 "+orgName+" "+appID+" £2,500 80 2 of 2 scored Agree (spread 12 points) In assessment £2,500", normSpace(rankRow),
		"rank, score (the mean of 86 and 74), running total")
	b.clickLink(orgName)
	b.expectPath("/cases/" + appID)
	b.expectHeading("Application from " + orgName)
	b.expectText("Weighted score 80 out of 100", "Test "+assessor1.Email, "Test "+assessor3.Email,
		scores[0].why, "Relies on a few volunteers.", "Test "+assessor2.Email+" Conflict")
	b.clickButton("Make a decision")
	b.expectPath("/cases/" + appID + "/decide")
	b.expectHeading("Decide on the application from " + orgName)
	b.expectText("Budget remaining £500,000 of £500,000", "Rank 1 of 1")
	b.choose("What is your decision?", "Approve and offer a grant")
	require.Equal(t, "2500", b.fieldValue("Amount to award"), "the request is offered")
	b.fillByLabel("Amount to award", "2000")
	b.clickButton("Record decision")
	b.expectPath("/cases/" + appID)
	b.expectText("Your decision has been recorded.", "Decision Approve: £2,000 awarded")
	b.clickLink(r.Name + ": ranking")
	b.expectText("Committed to awards £2,000", "Remaining £498,000", "Awarded £2,000", "Committed")

	// The applicant: the offer, accepted (the declaration ticked at the
	// second go), and bank details, which make the first tranche due.
	switchUser(b, lead.Email)
	// The decision is in their notifications, unread (the header counts
	// it), marked read, and it links to the application.
	b.clickLink("Notifications (1 unread)")
	b.expectPath("/notifications")
	b.expectHeading("Notifications")
	b.expectText("Unread Your application has been approved", "You have been offered a grant of £2,000.")
	b.clickButton("Mark as read: Your application has been approved")
	b.expectPath("/notifications")
	b.expectNoText("Unread", "Mark as read")
	b.clickLink("Your application has been approved")
	b.expectPath("/applications/" + appID)
	b.clickLink("Your applications")
	b.expectHeading("Your applications and grants")
	b.expectText("You have been offered a grant of £2,000.")
	b.clickLink(r.Name)
	b.expectHeading("Your grant to " + orgName)
	b.expectText("You have been offered a grant of £2,000.")
	b.clickButton("Accept your offer")
	b.expectHeading("Accept your grant offer")
	b.expectText("£1,000: When you have accepted the offer and can be paid", "£1,000: After your interim report is accepted")
	require.Equal(t, lead.Name, b.fieldValue("Full name of the person accepting"))
	b.fillByLabel("Their role in the organisation", "Chair of trustees")
	b.clickButton("Accept the offer")
	b.expectInvalid("Confirm that you accept the terms of the grant")
	require.Equal(t, "Chair of trustees", b.fieldValue("Their role in the organisation"))
	b.check("I accept the terms and conditions of this grant on behalf of " + orgName)
	b.clickButton("Accept the offer")
	b.expectHeading("Your grant to " + orgName)
	b.expectText("You have accepted the grant", "Status Active", "Not ready to be paid")
	b.clickButton("Add bank details")
	b.expectHeading("Bank details")
	b.fillByLabel("Name on the account", orgName)
	b.fillByLabel("Sort code", "30-94-30")
	b.fillByLabel("Account number", "12345678")
	b.clickButton("Save bank details")
	b.expectText("Bank details saved", "Saved bank details", "5678")
	b.expectNoText("12345678")
	b.clickLink("Return to your grant")
	b.expectText("Ready to be paid")
	b.reloadUntil("the first tranche to fall due", "1 £1,000 When you have accepted the offer and can be paid")
	b.reloadUntil("the first tranche to fall due", "Awaiting approval")

	// Finance 1 approves; a second approval is not theirs to give.
	paymentLink := orgName + ", tranche 1, £1,000"
	switchUser(b, finance1.Email)
	b.clickLink("Payments")
	b.expectPath("/payments")
	b.expectHeading("Payments")
	b.expectText("Every payment needs two approvals from different finance users.", "0 of 2 approvals")
	b.clickLink(paymentLink)
	b.expectHeading("£1,000 to " + orgName)
	b.expectText("Awaiting approval", "Bank transfer (BACS payment run)", "0 of 2 approvals. 2 more approvals from a different finance user are needed.",
		"Yours will be approval 1 of 2.")
	approvePayment(b, "Checked against the offer letter")
	b.expectText("You approved this payment", "1 of 2 approvals: Test "+finance1.Email,
		"1 more approval from a different finance user is needed.",
		"You approved this payment; a different finance user must give the second approval.")
	b.expectNoText("Approve this payment")
	b.clickLink("Payments")
	b.clickLink(paymentLink) // back again: still not offered
	b.expectText("You approved this payment; a different finance user must give the second approval.")
	b.expectNoText("Approve this payment")

	// Finance 2 gives the second approval: the payment is approved, to be
	// sent in the next BACS payment run, which they create and mark paid.
	switchUser(b, finance2.Email)
	b.clickLink("Payments")
	b.expectText("1 of 2 approvals: Test " + finance1.Email)
	b.clickLink(paymentLink)
	b.expectText("Yours will be approval 2 of 2. With it the payment will be ready for the next BACS payment run.")
	approvePayment(b, "")
	b.expectText("You approved this payment", "Approved", "2 of 2 approvals", "This payment has its approvals.")
	b.clickLink("Payments")
	b.expectText("Awaiting approval", "There are no payments here.")
	b.clickLink("Payment runs")
	b.expectPath("/payment-runs")
	b.expectHeading("Payment runs")
	b.expectText("1 approved payment is waiting, £1,000 in total", orgName+", tranche 1: £1,000")
	b.clickButton("Create payment run")
	require.True(t, strings.HasPrefix(b.path(), "/payment-runs/"), b.path())
	b.expectText("Payment run created: download its BACS file and send it to the bank", "Open", "Total £1,000")
	b.clickButton("Mark as paid")
	b.expectInvalid("Confirm that the bank has sent every payment in this run")
	b.check("The bank has sent the payment, £1,000")
	b.clickButton("Mark as paid")
	b.expectText("Payment run marked as paid", "Marked paid")
	b.expectNoText("Mark this run as paid")
	b.clickLink(orgName + ", tranche 1")
	b.expectHeading("£1,000 to " + orgName)
	b.expectText("Paid", "Payment run")

	g, err := s.env.App.GetGrant(ctx, lead, grantOf(t, s, lead, appID))
	require.NoError(t, err)
	require.Equal(t, app.GrantActive, g.Status)
	require.Equal(t, int64(100000), g.PaidPence)
	require.Equal(t, workflows.PaymentPaid, g.Payments[0].Status)
}

// ---- Helpers of the journeys.

// writePDF writes a small PDF to a temporary file and returns its path.
func writePDF(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, pdfBytes(), 0o644))
	return path
}

// pdfBytes is a minimal one-page PDF.
func pdfBytes() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n" +
		"trailer << /Root 1 0 R >>\n%%EOF\n")
}

// submitWithBudget submits, through the use cases, a complete application
// to r from a new charity led by lead, with a budget PDF answering the
// round's file question; it returns the application's id.
func submitWithBudget(t *testing.T, env *apptest.Env, r app.Round, lead app.Actor, orgName string) string {
	t.Helper()
	ctx := context.Background()
	income := int64(8_400_000)
	org, err := env.App.CreateOrganisation(ctx, lead, organisation.Input{Name: orgName, LegalForm: organisation.LegalFormCharity,
		CharityNumber: apptest.CharityNumber(), Borough: "Southwark", AnnualIncomePence: &income,
		Address: organisation.Address{Line1: "1 Example Street", Town: "London", Postcode: "SE1 7PB"}})
	require.NoError(t, err)
	a, err := env.App.CreateApplication(ctx, lead, r.ID, org.ID)
	require.NoError(t, err)
	doc, err := env.App.UploadDocument(ctx, lead, a.ID, func() (string, io.Reader, error) {
		return "budget.pdf", bytes.NewReader(pdfBytes()), nil
	})
	require.NoError(t, err)
	cur, err := env.App.GetApplication(ctx, lead, a.ID) // the upload may have moved its version on
	require.NoError(t, err)
	patch := apptest.CompleteAnswers(cur.Version)
	patch["answers"].(map[string]any)["budget_breakdown"] = doc.ID
	_, err = env.App.SaveApplication(ctx, lead, a.ID, apptest.Body(t, patch))
	require.NoError(t, err)
	_, err = env.App.SubmitApplication(ctx, lead, a.ID, func() error { return nil })
	require.NoError(t, err)
	return a.ID
}

// waitAssigned waits until the case's workflow has given appID to n
// assessors, and returns the assessments.
func waitAssigned(t *testing.T, s *stack, appID string, n int) []sqlc.Assessment {
	t.Helper()
	var list []sqlc.Assessment
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		list, err = s.env.Store.AssessmentListByApplication(context.Background(), appID)
		require.NoError(c, err)
		require.Len(c, list, n)
	}, workflowWait, 100*time.Millisecond, "assessors assigned")
	return list
}

// grantOf is the id of the grant an application was awarded.
func grantOf(t *testing.T, s *stack, who app.Actor, appID string) string {
	t.Helper()
	a, err := s.env.App.GetApplication(context.Background(), who, appID)
	require.NoError(t, err)
	require.NotNil(t, a.GrantID)
	return *a.GrantID
}

// switchUser signs out and signs in as email on the sign-in page that
// signing out leads to.
func switchUser(b *browserPage, email string) {
	b.t.Helper()
	b.clickButton("Sign out")
	b.expectPath("/sign-in")
	b.expectText("You have signed out.")
	b.fillByLabel("Email address", email)
	b.fillByLabel("Password", apptest.Password)
	b.clickButton("Sign in")
	b.expectPath("/dashboard")
	b.expectText("(" + email + ")")
}

// approvePayment approves the payment on its page, with a note. A payment
// shown due a moment before its workflow has started is refused with
// "try again in a moment"; then it tries again, as a person would.
func approvePayment(b *browserPage, note string) {
	b.t.Helper()
	untilReady(b, "the approval", func() {
		b.fillByLabel("Note (optional)", note)
		b.clickButton("Approve payment")
	})
}

// untilReady sends a form with send until it is not refused because its
// workflow is still starting ("try again in a moment", 409), as a person
// would press the button again; what names the form's command.
func untilReady(b *browserPage, what string, send func()) {
	b.t.Helper()
	deadline := time.Now().Add(workflowWait)
	for {
		send()
		if b.status() != 409 {
			return
		}
		st := b.mustState()
		if !strings.Contains(st.Summary, "try again") || time.Now().After(deadline) {
			b.fatalf("%s was refused", what)
		}
		b.t.Logf("%s refused for now (%s); trying again", what, st.Summary)
		time.Sleep(500 * time.Millisecond)
	}
}

// paste puts value into the field labelled label at once, as pasting
// does (typing a long text key by key takes seconds).
func (p *browserPage) paste(label, value string) {
	p.t.Helper()
	el := p.find("control", "", label)
	call[bool](p, `(sel, v) => {
		const el = document.querySelector(sel);
		el.focus();
		el.value = v;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		return true;
	}`, el.Sel, value)
}

// shows reports whether the page shows every one of texts.
func (p *browserPage) shows(texts ...string) bool {
	p.t.Helper()
	body := normSpace(p.text())
	for _, s := range texts {
		if !strings.Contains(body, normSpace(s)) {
			return false
		}
	}
	return true
}

// reloadUntil reloads the page, up to workflowWait, until it shows every
// one of texts (what a workflow changes), and checks the page it ends on.
func (p *browserPage) reloadUntil(what string, texts ...string) {
	p.t.Helper()
	d := workflowWait
	deadline := time.Now().Add(d)
	reloaded := false
	for !p.shows(texts...) {
		if time.Now().After(deadline) {
			p.fatalf("waited %s for %s: the page does not show %q", d, what, texts)
		}
		time.Sleep(250 * time.Millisecond)
		p.load("reload for "+what, func() error { return p.do(loadTimeout, chromedp.Reload()) })
		reloaded = true
	}
	if reloaded {
		p.checkPage()
	}
}
