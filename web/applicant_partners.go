package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/money"
)

// applicantMaxPartners is how many partner rows the page offers (the use
// case's limit).
const applicantMaxPartners = 20

var applicantPartnerFields = []string{"name", "charity_number", "company_number", "contact_email"}

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
// the use case's errors (partners[i].name) land on the right row.
func applicantPartnersFrom(f *Form, rows, drop int) []app.Partner {
	var out []app.Partner
	for i := range rows {
		p := app.Partner{Name: f.Get(applicantPartnerField(i, "name")), CharityNumber: f.Get(applicantPartnerField(i, "charity_number")),
			CompanyNumber: f.Get(applicantPartnerField(i, "company_number")), ContactEmail: f.Get(applicantPartnerField(i, "contact_email"))}
		for _, fl := range applicantPartnerFields {
			f.Values.Del(applicantPartnerField(i, fl))
		}
		if i == drop || (p.Name == "" && p.CharityNumber == "" && p.CompanyNumber == "" && p.ContactEmail == "") {
			continue
		}
		out = append(out, p)
	}
	applicantSetPartners(f, out)
	return out
}

func applicantSetPartners(f *Form, ps []app.Partner) {
	for i, p := range ps {
		f.Set(applicantPartnerField(i, "name"), p.Name)
		f.Set(applicantPartnerField(i, "charity_number"), p.CharityNumber)
		f.Set(applicantPartnerField(i, "company_number"), p.CompanyNumber)
		f.Set(applicantPartnerField(i, "contact_email"), p.ContactEmail)
	}
}

type applicantPartnerRow struct {
	Index                                    int
	Name, CharityNumber, CompanyNumber, Mail string // field names
}

type applicantPartnersData struct {
	Case   applicantCase
	Rows   []applicantPartnerRow
	CanAdd bool
}

func (ui *UI) applicantRenderPartners(c *gin.Context, status int, x applicantCase, f *Form, rows int) {
	rows = max(rows, x.Round.MinPartners, 1)
	d := applicantPartnersData{Case: x, CanAdd: rows < applicantMaxPartners}
	for i := range min(rows, applicantMaxPartners) {
		d.Rows = append(d.Rows, applicantPartnerRow{Index: i, Name: applicantPartnerField(i, "name"),
			CharityNumber: applicantPartnerField(i, "charity_number"), CompanyNumber: applicantPartnerField(i, "company_number"),
			Mail: applicantPartnerField(i, "contact_email")})
	}
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
	later := action == "later"
	ps := applicantPartnersFrom(f, rows, -1)
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
	if later {
		redirect(c, x.Base+"?saved=1")
		return
	}
	redirect(c, applicantNext(x, x.Base+"/partners"))
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
