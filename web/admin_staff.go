package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Staff administration for admins: the list of staff with filters, and a
// page per person to change their roles or deactivate and reactivate
// them. The rules (never oneself, never the last admin) are the use
// cases'; these pages show what they decided.

// roleChoices are the staff roles as pages name them, in app.StaffRoles
// order.
var roleChoices = []choice{
	{Value: app.RoleManager, Text: "Programme manager", Hint: "Runs rounds and programmes, moderates and reads payments"},
	{Value: app.RoleChair, Text: "Panel chair", Hint: "Decides applications"},
	{Value: app.RoleAssessor, Text: "Assessor", Hint: "Scores the applications assigned to them"},
	{Value: app.RoleFinance, Text: "Finance", Hint: "Approves and releases payments"},
	{Value: app.RoleCaseworker, Text: "Caseworker", Hint: "Supports community spaces at risk"},
	{Value: app.RoleAdmin, Text: "Administrator", Hint: "Manages staff and their roles"},
}

// roleText is a role's name on pages.
func roleText(r string) string {
	for _, c := range roleChoices {
		if c.Value == r {
			return c.Text
		}
	}
	return r
}

type staffListData struct {
	Items       []app.StaffMember
	Role        string
	Active      string
	RoleChoices []choice
	Next        string
}

func (d staffListData) RoleText(r string) string { return roleText(r) }

// adminStaff lists staff, by role and whether active.
func (ui *UI) adminStaff(c *gin.Context) {
	f := app.StaffFilter{Role: c.Query("role"), Active: c.Query("active"), Page: app.PageQuery{Cursor: c.Query("cursor"), Limit: "50"}}
	p, err := ui.app.ListStaff(c.Request.Context(), actor(c), f)
	if err != nil {
		ui.failList(c, err)
		return
	}
	d := staffListData{Items: p.Items, Role: f.Role, Active: f.Active, RoleChoices: roleChoices}
	if p.NextCursor != nil {
		q := url.Values{"cursor": {*p.NextCursor}}
		if f.Role != "" {
			q.Set("role", f.Role)
		}
		if f.Active != "" {
			q.Set("active", f.Active)
		}
		d.Next = "/admin/staff?" + q.Encode()
	}
	pg := page{Title: "Staff", Data: d}
	if who := c.Query("invited"); who != "" {
		pg.Flash = "An invitation has been sent to " + who + "."
	}
	ui.render(c, http.StatusOK, "admin-staff", pg)
}

type staffMemberData struct {
	Member      app.StaffMember
	RoleChoices []choice
	Self        bool
}

func (d staffMemberData) RoleText(r string) string { return roleText(r) }

func (ui *UI) staffMemberPage(c *gin.Context, status int, f *Form, flash string) {
	m, err := ui.app.GetStaffMember(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	if f == nil {
		f = newForm()
	}
	if _, ok := f.Values["roles"]; !ok { // refused, or not posted: as they are
		f.Values["roles"] = m.Roles
	}
	ui.render(c, status, "admin-staff-member", page{Title: m.Name, Form: f, Flash: flash, Back: "/admin/staff",
		Data: staffMemberData{Member: m, RoleChoices: roleChoices, Self: m.UserID == actor(c).ID}})
}

// adminStaffMember shows one person's roles and whether they are active.
func (ui *UI) adminStaffMember(c *gin.Context) {
	flash := ""
	switch c.Query("done") {
	case "roles":
		flash = "Their roles have been changed."
	case "deactivated":
		flash = "The account has been deactivated and signed out everywhere."
	case "reactivated":
		flash = "The account has been reactivated. They can sign in again."
	}
	ui.staffMemberPage(c, http.StatusOK, nil, flash)
}

// adminStaffRoles sets a person's roles to those ticked.
func (ui *UI) adminStaffRoles(c *gin.Context) {
	f := postedForm(c)
	roles := f.All("roles")
	if roles == nil {
		roles = []string{}
	}
	_, err := ui.app.ChangeStaff(c.Request.Context(), actor(c), c.Param("id"), jsonBody(app.StaffChange{Roles: &roles}))
	if err == nil {
		redirect(c, "/admin/staff/"+url.PathEscape(c.Param("id"))+"?done=roles")
		return
	}
	if !f.FromApp(err, nil, "roles") {
		ui.fail(c, err)
		return
	}
	ui.staffMemberPage(c, refusal(c, err), f, "")
}

// adminStaffActive deactivates (active=no) or reactivates (active=yes).
func (ui *UI) adminStaffActive(c *gin.Context) {
	f := postedForm(c)
	var active bool
	switch f.Get("active") {
	case "yes":
		active = true
	case "no":
	default:
		ui.fail(c, app.Invalid(map[string]string{"active": "Choose whether the account is active"}))
		return
	}
	_, err := ui.app.ChangeStaff(c.Request.Context(), actor(c), c.Param("id"), jsonBody(app.StaffChange{Active: &active}))
	if err == nil {
		done := "deactivated"
		if active {
			done = "reactivated"
		}
		redirect(c, "/admin/staff/"+url.PathEscape(c.Param("id"))+"?done="+done)
		return
	}
	cur := newForm()
	if !cur.FromApp(err, nil, "active") {
		ui.fail(c, err)
		return
	}
	ui.staffMemberPage(c, refusal(c, err), cur, "")
}
