package activities

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/round"
)

func partnersJSON(t *testing.T, ps ...partnerShare) []byte {
	t.Helper()
	raw, err := json.Marshal(ps)
	require.NoError(t, err)
	return raw
}

func pence(v int64) *int64 { return &v }

// Who a grant is paid to: the lead alone unless the round pays each
// partner; then each confirmed partner with a share, the lead last with
// what the shares leave of the request.
func TestPayeesOf(t *testing.T) {
	t.Parallel()
	each := round.Definition{PartnerPayments: round.PartnerPaymentsEach}
	confirmed := partnerShare{OrganisationID: "org_a", Status: "confirmed", SharePence: pence(30000)}
	for _, tc := range []struct {
		name     string
		def      round.Definition
		partners []partnerShare
		want     []payee
	}{
		{"lead only by default", round.Definition{}, []partnerShare{confirmed}, []payee{{Weight: 1}}},
		{"each: partner then lead", each, []partnerShare{confirmed}, []payee{{"org_a", 30000}, {"", 70000}}},
		{"each: no shares, lead only", each, []partnerShare{{OrganisationID: "org_a", Status: "confirmed"}}, []payee{{Weight: 1}}},
		{"each: unconfirmed and zero shares left out", each, []partnerShare{
			{OrganisationID: "org_b", Status: "declined", SharePence: pence(10000)},
			{Status: "named", SharePence: pence(10000)},
			{OrganisationID: "org_c", Status: "confirmed", SharePence: pence(0)},
			confirmed,
		}, []payee{{"org_a", 30000}, {"", 70000}}},
	} {
		got, err := payeesOf(tc.def, 100000, partnersJSON(t, tc.partners...))
		require.NoError(t, err, tc.name)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(payee{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	_, err := payeesOf(each, 30000, partnersJSON(t, confirmed))
	require.Error(t, err, "shares leaving nothing to the lead")
}

// A tranche split across payees: shares scaled to the tranche, rounded
// down, the remainder on the lead (last), summing exactly.
func TestSplitTranche(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		amount int64
		payees []payee
		want   []int64
	}{
		{"request split 30/70, award as requested", 100000, []payee{{"a", 30000}, {"", 70000}}, []int64{30000, 70000}},
		{"award smaller than the request: shares scaled", 50000, []payee{{"a", 30000}, {"", 70000}}, []int64{15000, 35000}},
		{"not divisible: remainder to the lead", 100001, []payee{{"a", 1}, {"b", 1}, {"", 1}}, []int64{33333, 33333, 33335}},
		{"a penny goes to the lead", 1, []payee{{"a", 50}, {"", 50}}, []int64{0, 1}},
		{"half of an odd tranche", 33333, []payee{{"a", 25000}, {"b", 25000}, {"", 50000}}, []int64{8333, 8333, 16667}},
		{"lead alone", 12345, []payee{{"", 1}}, []int64{12345}},
		{"largest amount, no overflow", math.MaxInt64, []payee{{"a", 1}, {"", 1}}, []int64{math.MaxInt64 / 2, math.MaxInt64 - math.MaxInt64/2}},
	} {
		if diff := cmp.Diff(tc.want, splitTranche(tc.amount, tc.payees)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// Whatever the amount and the shares, a tranche's parts sum to it
// exactly, none is negative, and no partner gets more than its exact
// proportion (the lead takes the rounding).
func FuzzSplitTranche(f *testing.F) {
	f.Add(int64(100000), int64(30000), int64(20000), int64(50000))
	f.Add(int64(1), int64(1), int64(1), int64(1))
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64/4), int64(3), int64(7))
	f.Fuzz(func(t *testing.T, amount, a, b, lead int64) {
		if amount < 0 || a <= 0 || b <= 0 || lead <= 0 || a > math.MaxInt64/4 || b > math.MaxInt64/4 || lead > math.MaxInt64/4 {
			t.Skip()
		}
		payees := []payee{{"a", a}, {"b", b}, {"", lead}}
		parts := splitTranche(amount, payees)
		var sum int64
		for i, p := range parts {
			if p < 0 {
				t.Fatalf("part %d is negative: %v", i, parts)
			}
			sum += p
		}
		if sum != amount {
			t.Fatalf("parts %v sum to %d, not %d", parts, sum, amount)
		}
		total := float64(a) + float64(b) + float64(lead)
		for i, w := range []int64{a, b} {
			if exact := float64(amount) * float64(w) / total; float64(parts[i]) > exact*(1+1e-9)+1 {
				t.Fatalf("partner %d gets %d, more than its proportion %.2f", i, parts[i], exact)
			}
		}
	})
}
