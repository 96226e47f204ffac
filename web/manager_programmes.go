package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Programmes for managers: the list, a new programme, and editing one.

type programmesData struct {
	Items []app.Programme
}

type programmeFormData struct {
	Programme *app.Programme // nil for a new programme
	Action    string
}

// managerProgrammes lists every programme.
func (ui *UI) managerProgrammes(c *gin.Context) {
	ps, err := ui.app.ListProgrammes(c.Request.Context())
	if err != nil {
		ui.fail(c, err)
		return
	}
	pg := page{Title: "Programmes", Data: programmesData{Items: ps}}
	switch c.Query("done") {
	case "created":
		pg.Flash = "The programme has been created. You can now create rounds in it."
	case "saved":
		pg.Flash = "The programme has been saved."
	}
	ui.render(c, http.StatusOK, "manager-programmes", pg)
}

func (ui *UI) managerNewProgrammePage(c *gin.Context) {
	ui.render(c, http.StatusOK, "manager-programme", page{Title: "Create a programme", Form: newForm(), Back: "/manage/programmes",
		Data: programmeFormData{Action: "/manage/programmes/new"}})
}

// programmeFields are the form's fields in the order the page shows them.
var programmeFields = []string{"code", "name", "description", "funder_name", "giving_prefix", "case_first_contact_days"}

// programmeInput is the form as the use case's body. An empty first-contact
// promise is null (the service's default); one that is not a whole number
// fails on the form.
func programmeInput(f *Form) map[string]any {
	in := map[string]any{"code": f.Get("code"), "name": f.Raw("name"), "description": f.Raw("description"),
		"funder_name": f.Raw("funder_name"), "giving_prefix": f.Raw("giving_prefix"), "case_first_contact_days": nil}
	if s := f.Get("case_first_contact_days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Fail("case_first_contact_days", "Enter a whole number of working days, like 5")
		}
		in["case_first_contact_days"] = n
	}
	return in
}

func (ui *UI) managerCreateProgramme(c *gin.Context) {
	f := postedForm(c)
	in := programmeInput(f)
	if f.Invalid() {
		ui.render(c, http.StatusUnprocessableEntity, "manager-programme", page{Title: "Create a programme", Form: f, Back: "/manage/programmes",
			Data: programmeFormData{Action: "/manage/programmes/new"}})
		return
	}
	_, err := ui.app.CreateProgramme(c.Request.Context(), actor(c), jsonBody(in))
	if err == nil {
		redirect(c, "/manage/programmes?done=created")
		return
	}
	if !f.FromApp(err, nil, programmeFields...) {
		ui.fail(c, err)
		return
	}
	ui.render(c, refusal(c, err), "manager-programme", page{Title: "Create a programme", Form: f, Back: "/manage/programmes",
		Data: programmeFormData{Action: "/manage/programmes/new"}})
}

func (ui *UI) managerEditProgrammePage(c *gin.Context) {
	p, err := ui.app.GetProgramme(c.Request.Context(), c.Param("code"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := newForm().Set("name", p.Name).Set("description", p.Description).Set("funder_name", p.FunderName).
		Set("giving_prefix", p.GivingPrefix)
	if p.CaseFirstContactDays != nil {
		f.Set("case_first_contact_days", strconv.Itoa(int(*p.CaseFirstContactDays)))
	}
	ui.render(c, http.StatusOK, "manager-programme", page{Title: "Edit " + p.Name, Form: f, Back: "/manage/programmes",
		Data: programmeFormData{Programme: &p, Action: "/manage/programmes/" + url.PathEscape(p.Code) + "/edit"}})
}

func (ui *UI) managerUpdateProgramme(c *gin.Context) {
	p, err := ui.app.GetProgramme(c.Request.Context(), c.Param("code"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	f := postedForm(c)
	in := programmeInput(f)
	in["code"] = "" // named by the address
	if f.Invalid() {
		ui.render(c, http.StatusUnprocessableEntity, "manager-programme", page{Title: "Edit " + p.Name, Form: f, Back: "/manage/programmes",
			Data: programmeFormData{Programme: &p, Action: "/manage/programmes/" + url.PathEscape(p.Code) + "/edit"}})
		return
	}
	_, err = ui.app.UpdateProgramme(c.Request.Context(), actor(c), p.Code, jsonBody(in))
	if err == nil {
		redirect(c, "/manage/programmes?done=saved")
		return
	}
	if !f.FromApp(err, nil, programmeFields...) {
		ui.fail(c, err)
		return
	}
	ui.render(c, refusal(c, err), "manager-programme", page{Title: "Edit " + p.Name, Form: f, Back: "/manage/programmes",
		Data: programmeFormData{Programme: &p, Action: "/manage/programmes/" + url.PathEscape(p.Code) + "/edit"}})
}
