package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/organisation"
)

type granteeBankData struct {
	Org     app.Organisation
	Account *app.BankAccount // masked; nil when none are saved
	Hosted  bool             // an unconstituted group: paid through its host
	GrantID string           // the grant the visitor came from, if any
}

// granteeBankLoad reads an organisation whose bank details the visitor
// manages: another organisation's is not found, a plain member's or
// staff's is forbidden (as the use case says).
func (ui *UI) granteeBankLoad(c *gin.Context, grantID string) (granteeBankData, bool) {
	ctx := c.Request.Context()
	o, err := ui.app.GetOrganisation(ctx, actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return granteeBankData{}, false
	}
	if o.Role != app.MemberAdmin {
		ui.forbidden(c)
		return granteeBankData{}, false
	}
	d := granteeBankData{Org: o, Hosted: o.LegalForm == organisation.LegalFormUnconstitutedGroup}
	if strings.HasPrefix(grantID, "gnt_") && strings.Trim(grantID, "abcdefghijklmnopqrstuvwxyz0123456789_") == "" {
		d.GrantID = grantID
	}
	b, err := ui.app.GetBankAccount(ctx, actor(c), o.ID)
	switch {
	case err == nil:
		d.Account = &b
	case isNotFound(err): // none saved yet
	default:
		ui.fail(c, err)
		return d, false
	}
	return d, true
}

func (d granteeBankData) back() string {
	if d.GrantID != "" {
		return "/grants/" + url.PathEscape(d.GrantID)
	}
	return "/organisations/" + url.PathEscape(d.Org.ID)
}

// granteeBankPage shows an organisation's bank details, masked, with a
// form to add or replace them (the manual payment provider).
func (ui *UI) granteeBankPage(c *gin.Context) {
	d, ok := ui.granteeBankLoad(c, c.Query("grant"))
	if !ok {
		return
	}
	p := page{Title: "Bank details for " + d.Org.Name, Data: d, Back: d.back()}
	if c.Query("saved") == "1" && d.Account != nil {
		p.Flash = "Bank details saved"
	}
	ui.render(c, http.StatusOK, "grantee-bank", p)
}

// granteeBankSave saves the bank details; problems re-render the form
// with what was typed.
func (ui *UI) granteeBankSave(c *gin.Context) {
	f := postedForm(c)
	d, ok := ui.granteeBankLoad(c, f.Get("grant"))
	if !ok {
		return
	}
	_, err := ui.app.SetBankAccount(c.Request.Context(), actor(c), d.Org.ID, jsonBody(app.BankAccountInput{
		AccountName: f.Get("account_name"), SortCode: f.Get("sort_code"), AccountNumber: f.Get("account_number")}))
	if err == nil {
		to := "/organisations/" + url.PathEscape(d.Org.ID) + "/bank-account?saved=1"
		if d.GrantID != "" {
			to += "&grant=" + url.QueryEscape(d.GrantID)
		}
		redirect(c, to)
		return
	}
	if !f.FromApp(err, nil, "account_name", "sort_code", "account_number") {
		ui.fail(c, err)
		return
	}
	ui.render(c, refusal(c, err), "grantee-bank", page{Title: "Bank details for " + d.Org.Name, Form: f, Data: d, Back: d.back()})
}
