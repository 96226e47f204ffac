package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/registers"
)

// applicantLegalForms are the legal forms as radio options.
var applicantLegalForms = []choice{
	{Value: organisation.LegalFormCharity, Text: "Registered charity", Hint: "A charitable trust or association registered with the Charity Commission or OSCR"},
	{Value: organisation.LegalFormCIO, Text: "Charitable incorporated organisation (CIO)"},
	{Value: organisation.LegalFormCompany, Text: "Company limited by guarantee", Hint: "Not a registered charity"},
	{Value: organisation.LegalFormCIC, Text: "Community interest company (CIC)"},
	{Value: organisation.LegalFormCommunityGroup, Text: "Constituted community group", Hint: "A group with a written constitution or set of rules, not registered as a charity or company"},
	{Value: organisation.LegalFormUnconstitutedGroup, Text: "Unconstituted group", Hint: "An informal group. Another organisation must agree to receive the grant for you"},
}

// applicantLegalFormName is a legal form as people say it.
func applicantLegalFormName(v string) string {
	for _, c := range applicantLegalForms {
		if c.Value == v {
			return c.Text
		}
	}
	return humanise(v)
}

// applicantBoroughs are the London boroughs as select options, with an
// empty first choice.
func applicantBoroughs() []choice {
	out := []choice{{Value: "", Text: "Select a borough"}}
	for _, b := range organisation.Boroughs() {
		out = append(out, choice{Value: b.Name, Text: b.Name})
	}
	return out
}

// applicantOrgFields are the organisation form's fields in page order; the
// use case's paths are the same but for the income, which is in pounds
// here.
var applicantOrgFields = []string{"name", "legal_form", "charity_number", "company_number", "host_organisation_id", "borough",
	"address.line1", "address.line2", "address.town", "address.postcode", "annual_income"}

var applicantOrgRename = map[string]string{"annual_income_pence": "annual_income"}

type applicantOrgRow struct {
	app.Organisation
	LegalFormName string
}

type applicantOrgListData struct {
	Organisations []applicantOrgRow
}

// applicantOrganisations lists the visitor's organisations.
func (ui *UI) applicantOrganisations(c *gin.Context) {
	orgs, err := ui.app.ListOrganisations(c.Request.Context(), actor(c), app.PageQuery{Limit: "200"})
	if err != nil {
		ui.fail(c, err)
		return
	}
	d := applicantOrgListData{}
	for _, o := range orgs.Items {
		d.Organisations = append(d.Organisations, applicantOrgRow{Organisation: o, LegalFormName: applicantLegalFormName(o.LegalForm)})
	}
	p := page{Title: "Your organisations", Data: d}
	switch {
	case c.Query("hosted") == "1":
		p.Flash = "You have agreed to host the group. Its grants can now be paid to your organisation."
	case c.Query("left") == "1":
		p.Flash = "You have left the organisation's team."
	case c.Query("asked") == "1":
		p.Flash = "We have asked the organisation's admins to add you to its team. They will invite you by e-mail."
	}
	ui.render(c, http.StatusOK, "applicant-organisations", p)
}

type applicantOrgFormData struct {
	Action     string
	Heading    string
	Button     string
	Next       string
	LegalForms []choice
	Boroughs   []choice
	// Find is the "Find on the register" form (new organisations only);
	// Found says what the register gave, FindProblem why it could not.
	Find        *Form
	Found       string
	FindProblem string
	// JoinCharity and JoinCompany are a claimed number the visitor may
	// ask the holding organisation's admins to join by.
	JoinCharity string
	JoinCompany string
}

func (ui *UI) applicantRenderOrgForm(c *gin.Context, status int, f *Form, d applicantOrgFormData, back string) {
	d.LegalForms = applicantLegalForms
	d.Boroughs = applicantBoroughs()
	ui.render(c, status, "applicant-organisation-form", page{Title: d.Heading, Form: f, Back: back, Data: d})
}

// applicantNextPath keeps a ?next= of this site only.
func applicantNextPath(next string) string {
	if next == "" {
		return ""
	}
	if s := safeNext(next); s == next {
		return s
	}
	return ""
}

func (ui *UI) applicantNewOrganisationPage(c *gin.Context) {
	d := applicantOrgFormData{Action: "/organisations/new", Heading: "Add an organisation",
		Button: "Add organisation", Next: applicantNextPath(c.Query("next")), Find: newForm()}
	charity, company := strings.TrimSpace(c.Query("find_charity_number")), strings.TrimSpace(c.Query("find_company_number"))
	if charity == "" && company == "" {
		ui.applicantRenderOrgForm(c, http.StatusOK, nil, d, "/organisations")
		return
	}
	d.Find.Set("find_charity_number", charity).Set("find_company_number", company)
	found, err := ui.app.LookupRegister(c.Request.Context(), actor(c), charity, company)
	if err != nil {
		e, ok := app.AsError(err)
		if !ok {
			ui.fail(c, err)
			return
		}
		d.FindProblem = e.Message
		for k, v := range e.Fields {
			d.Find.Fail("find_"+k, v)
		}
		ui.applicantRenderOrgForm(c, http.StatusOK, nil, d, "/organisations")
		return
	}
	if found.Status != registers.StatusPassed {
		d.FindProblem = fmt.Sprintf("The %s register says: %s. Check the number, or enter the details yourself.",
			registers.SourceName(found.Source), found.Details.Reason)
		ui.applicantRenderOrgForm(c, http.StatusOK, nil, d, "/organisations")
		return
	}
	ui.applicantRenderOrgForm(c, http.StatusOK, registerPrefill(found), withFound(d, found), "/organisations")
}

// registerPrefill is the organisation form filled from what a register
// says: name, number, legal form and registered address.
func registerPrefill(found app.RegisterLookup) *Form {
	f := newForm().Set("name", found.Details.RegisteredName)
	if found.Source == registers.SourceCharityCommission {
		f.Set("charity_number", found.Number).Set("legal_form", organisation.LegalFormCharity)
	} else {
		f.Set("company_number", found.Number).Set("legal_form", organisation.LegalFormCompany)
	}
	if a := found.Details.RegisteredAddress; a != nil {
		f.Set("address.line1", a.Line1).Set("address.line2", a.Line2).Set("address.town", a.Town).Set("address.postcode", a.Postcode)
	}
	return f
}

func withFound(d applicantOrgFormData, found app.RegisterLookup) applicantOrgFormData {
	d.Found = fmt.Sprintf("We found %s on the %s register and filled in its name and registered address. Check them, then add the rest.",
		found.Details.RegisteredName, registers.SourceName(found.Source))
	return d
}

// applicantAskToJoin asks the admins of the organisation holding a
// claimed charity or company number to add the visitor to its team.
func (ui *UI) applicantAskToJoin(c *gin.Context) {
	f := postedForm(c)
	_, err := ui.app.RequestToJoinByNumber(c.Request.Context(), actor(c), f.Get("charity_number"), f.Get("company_number"),
		jsonBody(app.JoinRequestInput{Message: f.Get("message")}))
	if err != nil {
		ui.fail(c, err)
		return
	}
	redirect(c, "/organisations?asked=1")
}

// applicantOrgInput reads the organisation form; an income that is not an
// amount in pounds is recorded on the form.
func applicantOrgInput(f *Form) organisation.Input {
	in := organisation.Input{
		Name: f.Get("name"), LegalForm: f.Get("legal_form"), CharityNumber: f.Get("charity_number"), CompanyNumber: f.Get("company_number"),
		Borough: f.Get("borough"), HostOrganisationID: f.Get("host_organisation_id"),
		Address: organisation.Address{Line1: f.Get("address.line1"), Line2: f.Get("address.line2"), Town: f.Get("address.town"),
			Postcode: f.Get("address.postcode")},
	}
	if in.LegalForm != organisation.LegalFormUnconstitutedGroup {
		in.HostOrganisationID = "" // only a group has a host; the field may hold a leftover
	}
	if s := f.Get("annual_income"); s != "" {
		if p, err := money.ParsePounds(s); err == nil {
			in.AnnualIncomePence = &p
		} else {
			f.Fail("annual_income", "Enter the annual income in pounds, like 84000 or 84000.50")
		}
	}
	return in
}

// applicantCreateOrganisation adds an organisation with the visitor as its
// admin, then goes to ?next= (the apply page) or the organisation's page.
func (ui *UI) applicantCreateOrganisation(c *gin.Context) {
	f := postedForm(c)
	next := applicantNextPath(f.Get("next"))
	in := applicantOrgInput(f)
	d := applicantOrgFormData{Action: "/organisations/new", Heading: "Add an organisation", Button: "Add organisation", Next: next}
	if f.Invalid() {
		ui.applicantRenderOrgForm(c, http.StatusUnprocessableEntity, f, d, "/organisations")
		return
	}
	o, err := ui.app.CreateOrganisation(c.Request.Context(), actor(c), in)
	if err != nil {
		if !f.FromApp(err, applicantOrgRename, applicantOrgFields...) {
			ui.fail(c, err)
			return
		}
		if e, ok := app.AsError(err); ok && e.Kind == app.KindConflict {
			// A claimed number: offer to ask its organisation to join.
			if e.Fields["charity_number"] != "" {
				d.JoinCharity = in.CharityNumber
			} else if e.Fields["company_number"] != "" {
				d.JoinCompany = in.CompanyNumber
			}
		}
		ui.applicantRenderOrgForm(c, refusal(c, err), f, d, "/organisations")
		return
	}
	if next != "" {
		redirect(c, next)
		return
	}
	redirect(c, "/organisations/"+o.ID+"?created=1")
}

type applicantOrgData struct {
	Org        app.Organisation
	LegalForm  string
	Admin      bool
	NeedsHost  bool
	ConsentURL string
	Record     orgRecord // its applications, grants and support
}

// applicantOrganisation shows an organisation's details.
func (ui *UI) applicantOrganisation(c *gin.Context) {
	o, err := ui.app.GetOrganisation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	rec, err := ui.orgRecordOf(c.Request.Context(), actor(c), o.ID)
	if err != nil {
		ui.fail(c, err)
		return
	}
	p := page{Title: o.Name, Back: "/organisations", Data: applicantOrgData{Org: o, LegalForm: applicantLegalFormName(o.LegalForm),
		Admin: o.Role == app.MemberAdmin, NeedsHost: o.HostOrganisationID != nil && o.HostConsentedAt == nil,
		ConsentURL: "/organisations/" + o.ID + "/host-consent", Record: rec}}
	switch {
	case c.Query("created") == "1":
		p.Flash = "Your organisation has been added."
	case c.Query("saved") == "1":
		p.Flash = "Your organisation's details have been saved."
	}
	ui.render(c, http.StatusOK, "applicant-organisation", p)
}

// applicantOrgForm prefills the form with an organisation's details.
func applicantOrgForm(o app.Organisation) *Form {
	f := newForm()
	f.Set("name", o.Name).Set("legal_form", o.LegalForm).Set("borough", o.Borough).
		Set("address.line1", o.Address.Line1).Set("address.line2", o.Address.Line2).Set("address.town", o.Address.Town).
		Set("address.postcode", o.Address.Postcode).Set("annual_income", money.Input(o.AnnualIncomePence))
	if o.CharityNumber != nil {
		f.Set("charity_number", *o.CharityNumber)
	}
	if o.CompanyNumber != nil {
		f.Set("company_number", *o.CompanyNumber)
	}
	if o.HostOrganisationID != nil {
		f.Set("host_organisation_id", *o.HostOrganisationID)
	}
	return f
}

func applicantEditData(o app.Organisation) applicantOrgFormData {
	return applicantOrgFormData{Action: "/organisations/" + o.ID, Heading: "Change " + o.Name + "’s details", Button: "Save changes"}
}

// applicantEditOrganisationPage is the edit form, for the organisation's
// admins.
func (ui *UI) applicantEditOrganisationPage(c *gin.Context) {
	o, err := ui.app.GetOrganisation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	if o.Role != app.MemberAdmin {
		ui.forbidden(c)
		return
	}
	ui.applicantRenderOrgForm(c, http.StatusOK, applicantOrgForm(o), applicantEditData(o), "/organisations/"+o.ID)
}

// applicantUpdateOrganisation saves the edit form.
func (ui *UI) applicantUpdateOrganisation(c *gin.Context) {
	o, err := ui.app.GetOrganisation(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	in := applicantOrgInput(f)
	d := applicantEditData(o)
	if f.Invalid() {
		ui.applicantRenderOrgForm(c, http.StatusUnprocessableEntity, f, d, "/organisations/"+o.ID)
		return
	}
	var income any
	if in.AnnualIncomePence != nil {
		income = *in.AnnualIncomePence
	}
	_, err = ui.app.UpdateOrganisation(c.Request.Context(), actor(c), o.ID, jsonBody(map[string]any{
		"name": in.Name, "legal_form": in.LegalForm, "charity_number": in.CharityNumber, "company_number": in.CompanyNumber,
		"borough": in.Borough, "address": in.Address, "annual_income_pence": income, "host_organisation_id": in.HostOrganisationID,
	}))
	if err != nil {
		if !f.FromApp(err, applicantOrgRename, applicantOrgFields...) {
			ui.fail(c, err)
			return
		}
		ui.applicantRenderOrgForm(c, refusal(c, err), f, d, "/organisations/"+o.ID)
		return
	}
	redirect(c, "/organisations/"+o.ID+"?saved=1")
}

type applicantHostData struct {
	ID        string
	Request   app.HostRequest
	LegalForm string
}

// applicantHostConsentPage asks an admin of a host organisation to agree
// to hold an unconstituted group's grants, showing which group it is (name,
// legal form, borough) and who asked. The group's members send them the
// link.
func (ui *UI) applicantHostConsentPage(c *gin.Context) {
	d, err := ui.applicantHostData(c)
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "applicant-host-consent", page{Title: "Agree to host " + d.Request.GroupName, Back: "/organisations", Data: d})
}

func (ui *UI) applicantHostData(c *gin.Context) (applicantHostData, error) {
	r, err := ui.app.GetHostRequest(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return applicantHostData{}, err
	}
	return applicantHostData{ID: r.GroupID, Request: r, LegalForm: applicantLegalFormName(r.LegalForm)}, nil
}

// applicantHostConsent records the host's consent (the use case checks
// that the visitor is an admin of the group's host).
func (ui *UI) applicantHostConsent(c *gin.Context) {
	id := c.Param("id")
	_, err := ui.app.ConsentToHost(c.Request.Context(), actor(c), id, noParams)
	if err != nil {
		f := newForm()
		if !f.FromApp(err, nil) {
			ui.fail(c, err)
			return
		}
		status := refusal(c, err)
		d, derr := ui.applicantHostData(c)
		if derr != nil {
			ui.fail(c, err)
			return
		}
		ui.render(c, status, "applicant-host-consent", page{Title: "Agree to host " + d.Request.GroupName, Form: f, Back: "/organisations",
			Data: d})
		return
	}
	redirect(c, "/organisations?hosted=1")
}
