package web

import (
	"strings"

	"github.com/civicgrants/grants/app"
)

// navItem is one link of the service navigation.
type navItem struct {
	Href, Text string
	Active     bool
}

// navFor lists the sections the actor's roles open, marking the one the
// current path is in.
func navFor(a app.Actor, path string) []navItem {
	items := []navItem{{Href: "/dashboard", Text: "Dashboard"}}
	if a.Has(app.RoleAssessor) {
		items = append(items, navItem{Href: "/assessments", Text: "Assessments"})
	}
	if a.Has(app.RoleChair) || a.Has(app.RoleManager) {
		items = append(items, navItem{Href: "/panel", Text: "Panel"})
	}
	if a.Has(app.RoleFinance) {
		items = append(items, navItem{Href: "/payments", Text: "Payments"}, navItem{Href: "/payment-runs", Text: "Payment runs"})
	}
	if a.Has(app.RoleManager) {
		if !a.Has(app.RoleFinance) { // managers read payments; finance act on them
			items = append(items, navItem{Href: "/payments", Text: "Payments"})
		}
		items = append(items, navItem{Href: "/manage/programmes", Text: "Programmes"}, navItem{Href: "/manage/rounds", Text: "Rounds"},
			navItem{Href: "/manage/reports", Text: "Reports"}, navItem{Href: "/manage/emails", Text: "Undelivered email"}, navItem{Href: "/manage/equality", Text: "Equality"})
	}
	if a.Has(app.RoleCaseworker) {
		items = append(items, navItem{Href: "/casework", Text: "Intake queue"}, navItem{Href: "/casework/cases", Text: "Cases"},
			navItem{Href: "/casework/figures", Text: "Casework figures"})
	} else if a.Has(app.RoleManager) {
		items = append(items, navItem{Href: "/casework/figures", Text: "Casework figures"})
	}
	if a.Has(app.RoleAdmin) {
		items = append(items, navItem{Href: "/admin/staff", Text: "Staff"})
	}
	if !a.Staff() {
		items = append(items, navItem{Href: "/applications", Text: "Your applications"}, navItem{Href: "/organisations", Text: "Your organisations"},
			navItem{Href: "/support-requests", Text: "Support for a space"})
	}
	best := -1
	for i, it := range items {
		if path == it.Href || strings.HasPrefix(path, it.Href+"/") {
			if best < 0 || len(it.Href) > len(items[best].Href) {
				best = i
			}
		}
	}
	if best >= 0 {
		items[best].Active = true
	}
	return items
}
