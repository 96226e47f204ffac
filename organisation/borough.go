package organisation

import (
	"sort"
	"strings"
)

// Borough is one of the 33 London local authorities (the 32 London boroughs
// and the City of London) with its GSS (Government Statistical Service) code.
type Borough struct {
	// Name is the canonical name, e.g. "Hammersmith and Fulham".
	Name string `json:"name"`
	// GSS is the local authority district code, e.g. "E09000013".
	GSS string `json:"gss_code"`
}

// boroughs lists the London local authorities in GSS code order.
var boroughs = []Borough{
	{"City of London", "E09000001"},
	{"Barking and Dagenham", "E09000002"},
	{"Barnet", "E09000003"},
	{"Bexley", "E09000004"},
	{"Brent", "E09000005"},
	{"Bromley", "E09000006"},
	{"Camden", "E09000007"},
	{"Croydon", "E09000008"},
	{"Ealing", "E09000009"},
	{"Enfield", "E09000010"},
	{"Greenwich", "E09000011"},
	{"Hackney", "E09000012"},
	{"Hammersmith and Fulham", "E09000013"},
	{"Haringey", "E09000014"},
	{"Harrow", "E09000015"},
	{"Havering", "E09000016"},
	{"Hillingdon", "E09000017"},
	{"Hounslow", "E09000018"},
	{"Islington", "E09000019"},
	{"Kensington and Chelsea", "E09000020"},
	{"Kingston upon Thames", "E09000021"},
	{"Lambeth", "E09000022"},
	{"Lewisham", "E09000023"},
	{"Merton", "E09000024"},
	{"Newham", "E09000025"},
	{"Redbridge", "E09000026"},
	{"Richmond upon Thames", "E09000027"},
	{"Southwark", "E09000028"},
	{"Sutton", "E09000029"},
	{"Tower Hamlets", "E09000030"},
	{"Waltham Forest", "E09000031"},
	{"Wandsworth", "E09000032"},
	{"Westminster", "E09000033"},
}

// boroughsByKey indexes boroughs by their lookup key.
var boroughsByKey = func() map[string]Borough {
	m := make(map[string]Borough, len(boroughs))
	for _, b := range boroughs {
		m[boroughKey(b.Name)] = b
	}
	return m
}()

// boroughKey folds a borough name for comparison: lower case, "&" read as
// "and", hyphens read as spaces, runs of whitespace collapsed.
func boroughKey(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "&", " and ")
	s = strings.ReplaceAll(s, "-", " ")
	return strings.Join(strings.Fields(s), " ")
}

// LookupBorough finds a London local authority by name. The match ignores
// case, surrounding and repeated whitespace, and accepts "&" for "and" (and a
// hyphen for a space), so "hammersmith  & fulham" finds Hammersmith and
// Fulham. Prefixes such as "Royal Borough of" are not recognised.
func LookupBorough(s string) (Borough, bool) {
	b, ok := boroughsByKey[boroughKey(s)]
	return b, ok
}

// Boroughs returns the 33 London local authorities sorted by name. The slice
// is a fresh copy the caller may modify.
func Boroughs() []Borough {
	out := make([]Borough, len(boroughs))
	copy(out, boroughs)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
