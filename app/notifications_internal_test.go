package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every entity the activities write (workflows/activities: appChain,
// grantChain, paymentEntity, "assessment:", the round chain) links to the
// page its reader sees; anything else links nowhere.
func TestNotificationLink(t *testing.T) {
	t.Parallel()
	applicant := Actor{ID: "u1"}
	manager := Actor{ID: "u2", Roles: []string{RoleManager}}
	chair := Actor{ID: "u3", Roles: []string{RoleChair}}
	finance := Actor{ID: "u4", Roles: []string{RoleFinance}}
	assessor := Actor{ID: "u5", Roles: []string{RoleAssessor}}
	for _, tc := range []struct {
		name   string
		actor  Actor
		entity string
		want   string // "" is no link
	}{
		{"applicant's application", applicant, "application:app_1", "/applications/app_1"},
		{"manager's application is its case", manager, "application:app_1", "/cases/app_1"},
		{"chair's application is its case", chair, "application:app_1", "/cases/app_1"},
		{"finance sees no case page", finance, "application:app_1", "/applications/app_1"},
		{"grantee's grant", applicant, "grant:gr_1", "/grants/gr_1"},
		{"finance's grant", finance, "grant:gr_1", "/grants/gr_1"},
		{"finance's payment", finance, "payment:pay_1", "/payments/pay_1"},
		{"manager's payment", manager, "payment:pay_1", "/payments/pay_1"},
		{"applicant has no payment page", applicant, "payment:pay_1", ""},
		{"assessor's assessment", assessor, "assessment:asm_1", "/assessments/asm_1"},
		{"no assessor, no assessment page", manager, "assessment:asm_1", ""},
		{"manager's round", manager, "round:rnd_1", "/panel/rounds/rnd_1"},
		{"applicant's round is public", applicant, "round:rnd_1", "/rounds/rnd_1"},
		{"unknown kind", manager, "report:rep_1", ""},
		{"no id", applicant, "application:", ""},
		{"no colon", applicant, "application", ""},
		{"empty", applicant, "", ""},
		{"id with a path", applicant, "grant:gr_1/../../admin", ""},
		{"id with a query", applicant, "grant:gr_1?x=1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := notificationLink(tc.actor, tc.entity)
			if tc.want == "" {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			require.Equal(t, tc.want, *got)
		})
	}
}
