package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
)

// applicantMaxPartners is how many partner rows the page offers (the use
// case's limit).
const applicantMaxPartners = 20

var applicantPartnerFields = []string{"name", "charity_number", "company_number", "contact_email", "share", "share_purpose"}

// applicantPartnerField is the form field of a partner row:
// "partners-0-name" (ids without brackets, which links would escape).
func applicantPartnerField(i int, field string) string {
	return "partners-" + strconv.Itoa(i) + "-" + field
}

// applicantPartnerRename maps the use case's paths (partners[0].name) to
// the form's fields.
func applicantPartnerRename(rows int) map[string]string {
	m := map[string]string{}
	for i := range rows {
		for _, fl := range applicantPartnerFields {
			m["partners["+strconv.Itoa(i)+"]."+fl] = applicantPartnerField(i, fl)
		}
		m["partners["+strconv.Itoa(i)+"].share_pence"] = applicantPartnerField(i, "share")
	}
	return m
}

// applicantPartnerRows is how many partner rows the posted form has.
func applicantPartnerRows(f *Form) int {
	n := 0
	for k := range f.Values {
		rest, ok := strings.CutPrefix(k, "partners-")
		if !ok {
			continue
		}
		idx, _, ok := strings.Cut(rest, "-")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < applicantMaxPartners && i+1 > n {
			n = i + 1
		}
	}
	return n
}

// applicantPartnersFrom reads the partner rows, leaving out blank ones and
// the one at drop (-1: none), and rewrites the form's rows to match, so
// the use case's errors (partners[i].name) land on the right row. Each
// row's hidden id keeps its partner's status; a share that is not an
// amount fails its field.
func applicantPartnersFrom(f *Form, rows, drop int) []app.Partner {
	var out []app.Partner
	var shares []string
	for i := range rows {
		p := app.Partner{ID: f.Get(applicantPartnerField(i, "id")), Name: f.Get(applicantPartnerField(i, "name")),
			CharityNumber: f.Get(applicantPartnerField(i, "charity_number")), CompanyNumber: f.Get(applicantPartnerField(i, "company_number")),
			ContactEmail: f.Get(applicantPartnerField(i, "contact_email")), SharePurpose: f.Get(applicantPartnerField(i, "share_purpose"))}
		share := f.Get(applicantPartnerField(i, "share"))
		for _, fl := range append(applicantPartnerFields, "id") {
			f.Values.Del(applicantPartnerField(i, fl))
		}
		if i == drop || (p.Name == "" && p.CharityNumber == "" && p.CompanyNumber == "" && p.ContactEmail == "" && share == "" && p.SharePurpose == "") {
			continue
		}
		out = append(out, p)
		shares = append(shares, share)
	}
	applicantSetPartners(f, out)
	for i, share := range shares {
		f.Set(applicantPartnerField(i, "share"), share)
		if share == "" {
			continue
		}
		if v, err := money.ParsePounds(share); err != nil {
			f.Fail(applicantPartnerField(i, "share"), "Enter the partner’s share in pounds, like 1000 or 1000.50")
		} else {
			out[i].SharePence = &v
		}
	}
	return out
}

func applicantSetPartners(f *Form, ps []app.Partner) {
	for i, p := range ps {
		f.Set(applicantPartnerField(i, "id"), p.ID)
		f.Set(applicantPartnerField(i, "name"), p.Name)
		f.Set(applicantPartnerField(i, "charity_number"), p.CharityNumber)
		f.Set(applicantPartnerField(i, "company_number"), p.CompanyNumber)
		f.Set(applicantPartnerField(i, "contact_email"), p.ContactEmail)
		f.Set(applicantPartnerField(i, "share_purpose"), p.SharePurpose)
		if p.SharePence != nil {
			f.Set(applicantPartnerField(i, "share"), money.Input(*p.SharePence))
		}
	}
}

// applicantPartnerStatus is how a partner's status reads to the lead.
func applicantPartnerStatus(status string) string {
	switch status {
	case app.PartnerInvited:
		return "Invited: waiting for them to confirm"
	case app.PartnerConfirmed:
		return "Confirmed"
	case app.PartnerDeclined:
		return "Declined"
	}
	return "Not yet asked to confirm"
}

type applicantPartnerRow struct {
	Index                                  int
	ID, Name, CharityNumber, CompanyNumber string // field names
	Mail, Share, SharePurpose              string // field names
	Status                                 string // as the lead reads it ("" for a new row)
	CanInvite                              bool
}

type applicantPartnersData struct {
	Case    applicantCase
	Rows    []applicantPartnerRow
	CanAdd  bool
	Invited string // the name of the partner just invited
	Shared  bool   // the round pays each partner its share
}

func (ui *UI) applicantRenderPartners(c *gin.Context, status int, x applicantCase, f *Form, rows int) {
	rows = max(rows, x.Round.MinPartners, 1)
	d := applicantPartnersData{Case: x, CanAdd: rows < applicantMaxPartners, Shared: x.Round.PaysEachPartner()}
	statusOf := map[string]string{}
	for _, p := range x.App.Partners {
		statusOf[p.ID] = p.Status
	}
	for i := range min(rows, applicantMaxPartners) {
		r := applicantPartnerRow{Index: i, ID: applicantPartnerField(i, "id"), Name: applicantPartnerField(i, "name"),
			CharityNumber: applicantPartnerField(i, "charity_number"), CompanyNumber: applicantPartnerField(i, "company_number"),
			Mail: applicantPartnerField(i, "contact_email"), Share: applicantPartnerField(i, "share"),
			SharePurpose: applicantPartnerField(i, "share_purpose")}
		if st, ok := statusOf[f.Get(r.ID)]; ok {
			r.Status, r.CanInvite = applicantPartnerStatus(st), st != app.PartnerConfirmed
		}
		d.Rows = append(d.Rows, r)
	}
	d.Invited = c.Query("invited")
	ui.render(c, status, "applicant-partners", page{Title: "Partner organisations", Form: f, Back: x.Base, Data: d})
}

// applicantPartnersPage lists the partner organisations as rows of fields.
func (ui *UI) applicantPartnersPage(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	if !x.Draft() {
		redirect(c, x.Base)
		return
	}
	f := newForm()
	applicantSetPartners(f, x.App.Partners)
	f.Set("version", strconv.Itoa(int(x.App.Version)))
	ui.applicantRenderPartners(c, http.StatusOK, x, f, len(x.App.Partners))
}

// applicantSavePartners adds a blank row ("Add another partner"), removes
// one, or saves the list (blank rows left out).
func (ui *UI) applicantSavePartners(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	f := postedForm(c)
	rows := applicantPartnerRows(f)
	action := f.Get("action")
	switch {
	case action == "add":
		ps := applicantPartnersFrom(f, rows, -1)
		ui.applicantRenderPartners(c, http.StatusOK, x, f, len(ps)+1)
		return
	case strings.HasPrefix(action, "remove-"):
		i, err := strconv.Atoi(strings.TrimPrefix(action, "remove-"))
		if err != nil {
			i = -1
		}
		ps := applicantPartnersFrom(f, rows, i)
		ui.applicantRenderPartners(c, http.StatusOK, x, f, len(ps))
		return
	}
	invite := -1
	if rest, ok := strings.CutPrefix(action, "invite-"); ok {
		if i, err := strconv.Atoi(rest); err == nil {
			invite = i
		}
	}
	later := action == "later" || invite >= 0
	ps := applicantPartnersFrom(f, rows, -1)
	if f.Invalid() {
		ui.applicantRenderPartners(c, http.StatusUnprocessableEntity, x, f, len(ps))
		return
	}
	if !later && len(ps) < x.Round.MinPartners {
		msg := "Add at least " + strconv.Itoa(x.Round.MinPartners) + " partner organisation"
		if x.Round.MinPartners > 1 {
			msg += "s"
		}
		f.Fail("partners", msg)
		ui.applicantRenderPartners(c, http.StatusUnprocessableEntity, x, f, len(ps))
		return
	}
	if ps == nil {
		ps = []app.Partner{}
	}
	saved, err := ui.app.SaveApplication(c.Request.Context(), actor(c), x.App.ID,
		jsonBody(map[string]any{"version": applicantVersion(f), "partners": ps}))
	if err != nil {
		var order []string
		for i := range ps {
			for _, fl := range applicantPartnerFields {
				order = append(order, applicantPartnerField(i, fl))
			}
		}
		if status, shown := ui.applicantSaveFailed(c, f, x, err, applicantPartnerRename(len(ps)), order...); shown {
			ui.applicantRenderPartners(c, status, x, f, len(ps))
		}
		return
	}
	x.App = saved
	if invite >= 0 {
		ui.applicantInvitePartner(c, x, invite)
		return
	}
	if later {
		redirect(c, x.Base+"?saved=1")
		return
	}
	redirect(c, applicantNext(x, x.Base+"/partners"))
}

// applicantInvitePartner e-mails partner i (just saved) its invitation
// and shows the list again; a partner without an address, or one that has
// confirmed, shows why on its row.
func (ui *UI) applicantInvitePartner(c *gin.Context, x applicantCase, i int) {
	saved, err := ui.app.InvitePartner(c.Request.Context(), actor(c), x.App.ID, strconv.Itoa(i), noParams)
	if err != nil {
		e, ok := app.AsError(err)
		if !ok || (e.Kind != app.KindInvalid && e.Kind != app.KindConflict) {
			ui.fail(c, err)
			return
		}
		f := newForm()
		applicantSetPartners(f, x.App.Partners)
		f.Set("version", strconv.Itoa(int(x.App.Version)))
		field := applicantPartnerField(i, "contact_email")
		if e.Kind == app.KindConflict {
			field = applicantPartnerField(i, "name")
		}
		msg := e.Message
		for _, m := range e.Fields {
			msg = m
		}
		f.Fail(field, msg)
		ui.applicantRenderPartners(c, http.StatusUnprocessableEntity, x, f, len(x.App.Partners))
		return
	}
	redirect(c, x.Base+"/partners?invited="+url.QueryEscape(saved.Partners[i].Name))
}

type applicantAmountData struct {
	Case  applicantCase
	Tiers []choice
}

func (ui *UI) applicantRenderAmount(c *gin.Context, status int, x applicantCase, f *Form) {
	d := applicantAmountData{Case: x}
	for _, t := range x.Round.Tiers {
		text := money.Pounds(t.MinPence) + " to " + money.Pounds(t.MaxPence)
		hint := ""
		if t.Title != "" {
			text, hint = t.Title, money.Pounds(t.MinPence)+" to "+money.Pounds(t.MaxPence)
		}
		d.Tiers = append(d.Tiers, choice{Value: t.Key, Text: text, Hint: hint})
	}
	ui.render(c, status, "applicant-amount", page{Title: "Grant size and amount", Form: f, Back: x.Base, Data: d})
}

// applicantAmountPage asks for the tier and the amount in pounds.
func (ui *UI) applicantAmountPage(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	if !x.Draft() {
		redirect(c, x.Base)
		return
	}
	f := newForm()
	switch {
	case x.App.Tier != nil:
		f.Set("tier", *x.App.Tier)
	case len(x.Round.Tiers) == 1:
		f.Set("tier", x.Round.Tiers[0].Key)
	}
	if x.App.RequestedPence != nil {
		f.Set("requested", money.Input(*x.App.RequestedPence))
	}
	f.Set("version", strconv.Itoa(int(x.App.Version)))
	ui.applicantRenderAmount(c, http.StatusOK, x, f)
}

// applicantSaveAmount saves the tier and the amount; "Save and continue"
// needs both, the amount within the tier.
func (ui *UI) applicantSaveAmount(c *gin.Context) {
	x, ok := ui.applicantLoad(c)
	if !ok {
		return
	}
	f := postedForm(c)
	later := f.Get("action") == "later"
	body := map[string]any{"version": applicantVersion(f), "tier": nil, "requested_pence": nil}
	tierKey := f.Get("tier")
	tier, haveTier := x.Round.Tier(tierKey)
	switch {
	case tierKey == "":
		if !later {
			f.Fail("tier", "Select the size of grant you are applying for")
		}
	case !haveTier:
		f.Fail("tier", "Select one of the grant sizes shown")
	default:
		body["tier"] = tierKey
	}
	if s := f.Get("requested"); s == "" {
		if !later {
			f.Fail("requested", "Enter how much you are asking for")
		}
	} else if p, err := money.ParsePounds(s); err != nil {
		f.Fail("requested", "Enter an amount in pounds, like 2500 or 2500.50")
	} else {
		body["requested_pence"] = p
		if haveTier && (p < tier.MinPence || p > tier.MaxPence) && (!later || p > x.Round.MaxTierPence()) {
			f.Fail("requested", "For this grant size, ask for between "+money.Pounds(tier.MinPence)+" and "+money.Pounds(tier.MaxPence))
		} else if p > x.Round.MaxTierPence() {
			f.Fail("requested", "Ask for no more than "+money.Pounds(x.Round.MaxTierPence()))
		}
	}
	if f.Invalid() {
		ui.applicantRenderAmount(c, http.StatusUnprocessableEntity, x, f)
		return
	}
	saved, err := ui.app.SaveApplication(c.Request.Context(), actor(c), x.App.ID, jsonBody(body))
	if err != nil {
		if status, shown := ui.applicantSaveFailed(c, f, x, err, map[string]string{"requested_pence": "requested"}, "tier", "requested"); shown {
			ui.applicantRenderAmount(c, status, x, f)
		}
		return
	}
	x.App = saved
	if later {
		redirect(c, x.Base+"?saved=1")
		return
	}
	redirect(c, applicantNext(x, x.Base+"/amount"))
}
