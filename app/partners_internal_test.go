package app

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/round"
)

func pence(v int64) *int64 { return &v }

// A save keeps each partner's status by its id, with the rules of a
// change: a confirmed partner's new share or purpose needs confirming
// again; an invited partner's new address needs a new invitation; a
// partner without a known id (or one given twice) is new.
func TestKeepPartnerStatus(t *testing.T) {
	t.Parallel()
	old := []Partner{
		{ID: "ptn_a", Name: "A", Status: PartnerConfirmed, OrganisationID: "org_a", SharePence: pence(100), SharePurpose: "Rent"},
		{ID: "ptn_b", Name: "B", Status: PartnerInvited, ContactEmail: "b@example.org"},
		{ID: "ptn_c", Name: "C", Status: PartnerDeclined},
	}
	for _, tc := range []struct {
		name       string
		given      Partner
		wantStatus string
		wantOrg    string
		newID      bool
	}{
		{"confirmed, unchanged", Partner{ID: "ptn_a", Name: "A renamed", SharePence: pence(100), SharePurpose: "Rent"}, PartnerConfirmed, "org_a", false},
		{"confirmed, share changed", Partner{ID: "ptn_a", Name: "A", SharePence: pence(101), SharePurpose: "Rent"}, PartnerNamed, "org_a", false},
		{"confirmed, share removed", Partner{ID: "ptn_a", Name: "A", SharePurpose: "Rent"}, PartnerNamed, "org_a", false},
		{"confirmed, purpose changed", Partner{ID: "ptn_a", Name: "A", SharePence: pence(100), SharePurpose: "Staff"}, PartnerNamed, "org_a", false},
		{"invited, same address any case", Partner{ID: "ptn_b", Name: "B", ContactEmail: "B@example.org"}, PartnerInvited, "", false},
		{"invited, new address", Partner{ID: "ptn_b", Name: "B", ContactEmail: "x@example.org"}, PartnerNamed, "", false},
		{"declined stays declined", Partner{ID: "ptn_c", Name: "C", SharePence: pence(5)}, PartnerDeclined, "", false},
		{"status and organisation sent are ignored", Partner{Name: "D", Status: PartnerConfirmed, OrganisationID: "org_x"}, PartnerNamed, "", true},
		{"unknown id is new", Partner{ID: "ptn_zzz", Name: "E"}, PartnerNamed, "", true},
	} {
		got := keepPartnerStatus(old, []Partner{tc.given})[0]
		require.Equal(t, tc.wantStatus, got.Status, tc.name)
		require.Equal(t, tc.wantOrg, got.OrganisationID, tc.name)
		require.Equal(t, tc.newID, got.ID != tc.given.ID, tc.name)
		require.NotEmpty(t, got.ID, tc.name)
	}
	twice := keepPartnerStatus(old, []Partner{{ID: "ptn_a", Name: "A", SharePence: pence(100), SharePurpose: "Rent"}, {ID: "ptn_a", Name: "A again"}})
	require.Equal(t, PartnerConfirmed, twice[0].Status)
	require.Equal(t, PartnerNamed, twice[1].Status, "an id given twice is a new partner the second time")
	require.NotEqual(t, "ptn_a", twice[1].ID)
}

// The submission rules of a partnership, each problem on its field.
func TestCheckPartnership(t *testing.T) {
	t.Parallel()
	optional := round.Definition{}
	required := round.Definition{PartnerConsent: round.PartnerConsentRequired}
	each := round.Definition{PartnerPayments: round.PartnerPaymentsEach}
	named := Partner{Name: "N", Status: PartnerNamed}
	confirmed := Partner{Name: "C", Status: PartnerConfirmed, OrganisationID: "org_c"}
	for _, tc := range []struct {
		name      string
		def       round.Definition
		requested int64
		partners  []Partner
		want      []string
	}{
		{"optional: a named partner never blocks", optional, 1000, []Partner{named}, nil},
		{"no shares: all the lead's", optional, 1000, []Partner{confirmed}, nil},
		{"shares leave the lead some", optional, 1000, []Partner{withShare(confirmed, 999)}, nil},
		{"shares leave the lead nothing", optional, 1000, []Partner{withShare(confirmed, 600), withShare(named, 400), named},
			[]string{"partners[0].share_pence", "partners[1].share_pence"}},
		{"shares over the request", optional, 1000, []Partner{withShare(confirmed, 1001)}, []string{"partners[0].share_pence"}},
		{"required: every partner confirmed", required, 1000, []Partner{confirmed, named, {Name: "I", Status: PartnerInvited}, {Name: "D", Status: PartnerDeclined}},
			[]string{"partners[1].status", "partners[2].status", "partners[3].status"}},
		{"each: a share needs confirming", each, 1000, []Partner{withShare(named, 100), withShare(named, 0), named}, []string{"partners[0].status"}},
	} {
		fields := map[string]string{}
		checkPartnership(tc.def, Application{RequestedPence: pence(tc.requested), Partners: tc.partners}, fields)
		var got []string
		for k := range fields {
			got = append(got, k)
		}
		require.ElementsMatch(t, tc.want, got, tc.name)
	}
	require.Equal(t, 1, countPartners(required, []Partner{confirmed, named}), "required: only confirmed partners count")
	require.Equal(t, 2, countPartners(optional, []Partner{confirmed, named}))
}

func withShare(p Partner, share int64) Partner {
	p.SharePence = &share
	return p
}
