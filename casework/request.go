package casework

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/workday"
)

// Space is the space a group asks support for (DESIGN §10).
type Space struct {
	Name    string               `json:"name"`
	Kind    string               `json:"kind,omitempty"` // one of SpaceKinds; "" is other
	Address organisation.Address `json:"address"`
	Borough string               `json:"borough"`
	// Uses says what the space is used for, one entry each.
	Uses []string `json:"uses"`
	// UsedBy says who uses it.
	UsedBy          string  `json:"used_by,omitempty"`
	WeeklyUsers     *int64  `json:"weekly_users"`
	Tenure          string  `json:"tenure"`
	LandlordType    *string `json:"landlord_type,omitempty"`
	TenureEndsOn    *string `json:"tenure_ends_on,omitempty"` // YYYY-MM-DD
	AnnualRentPence *int64  `json:"annual_rent_pence,omitempty"`
	// RentChanges says what changed in the rent or its terms lately.
	RentChanges string `json:"rent_changes,omitempty"`
}

// Risk is what puts the space at risk.
type Risk struct {
	Kind        string  `json:"kind"`
	KeyDate     *string `json:"key_date,omitempty"`      // YYYY-MM-DD
	KeyDateKind *string `json:"key_date_kind,omitempty"` // one of KeyDateKinds
	Description string  `json:"description"`
}

// Request is what POST /support-requests takes.
type Request struct {
	OrganisationID string `json:"organisation_id"`
	Space          Space  `json:"space"`
	Risk           Risk   `json:"risk"`
	Urgency        string `json:"urgency"`
	// LedByCommunity: the group is led by and for a community facing the
	// greatest inequalities (it says so; part of the priority).
	LedByCommunity bool  `json:"led_by_community,omitempty"`
	ConsentToShare *bool `json:"consent_to_share"`
	// Programme is the code of the programme the request is for (default:
	// the Spaces at Risk programme, when there is one).
	Programme string `json:"programme,omitempty"`
}

// Checked is a request's values once checked.
type Checked struct {
	Borough      organisation.Borough
	TenureEndsOn *time.Time // UTC midnight of the date
	KeyDate      *time.Time
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (workday.Date, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return workday.Date{}, false
	}
	y, m, d := t.Date()
	return workday.Date{Year: y, Month: m, Day: d}, true
}

// CheckDate checks a date that must be today or later (and within
// MaxFutureYears), writing a message for key into fields. what is the
// date's name in the message ("The key date").
func CheckDate(s, key, what string, today workday.Date, fields map[string]string) (workday.Date, bool) {
	d, ok := ParseDate(s)
	switch {
	case !ok:
		fields[key] = what + " must be a real date, like 2027-03-31"
	case d.Before(today):
		fields[key] = what + " must be today or in the future"
	case today.AddDays(366 * MaxFutureYears).Before(d):
		fields[key] = fmt.Sprintf("%s must be within %d years", what, MaxFutureYears)
	default:
		return d, true
	}
	return workday.Date{}, false
}

// CheckText checks free text: required (when missing is not ""), at most
// max characters. The caller checks that PostgreSQL can store it.
func CheckText(s string, max int, key, missing string, fields map[string]string) {
	switch {
	case strings.TrimSpace(s) == "" && missing != "":
		fields[key] = missing
	case utf8.RuneCountInString(s) > max:
		fields[key] = fmt.Sprintf("Must be %d characters or fewer", max)
	}
}

// Check normalises and checks a request, returning its checked values and
// a message per field at fault (nil when there is none). today is the
// London date: no date may be in the past. Whether the organisation exists
// and the caller belongs to it is for the caller.
func (r *Request) Check(today workday.Date) (Checked, map[string]string) {
	fields := map[string]string{}
	var out Checked
	r.OrganisationID = strings.TrimSpace(r.OrganisationID)
	if r.OrganisationID == "" {
		fields["organisation_id"] = "Choose the organisation asking for support"
	}
	s := &r.Space
	s.Name = strings.TrimSpace(s.Name)
	CheckText(s.Name, MaxName, "space.name", "Enter the name of the space", fields)
	if s.Kind == "" {
		s.Kind = "other"
	} else if !Known(SpaceKinds, s.Kind) {
		fields["space.kind"] = "Kind of space must be one of " + strings.Join(Values(SpaceKinds), ", ")
	}
	if pc, ok := organisation.NormalisePostcode(s.Address.Postcode); ok {
		s.Address.Postcode = pc
	}
	organisation.CheckAddress(s.Address, "space.address.", fields)
	b, ok := organisation.LookupBorough(s.Borough)
	switch {
	case strings.TrimSpace(s.Borough) == "":
		fields["space.borough"] = "Enter the borough the space is in"
	case !ok:
		fields["space.borough"] = "Borough must be a London borough or the City of London"
	default:
		out.Borough = b
		s.Borough = b.Name
	}
	uses := s.Uses[:0:0]
	for i, u := range s.Uses {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if utf8.RuneCountInString(u) > MaxUse {
			fields[fmt.Sprintf("space.uses[%d]", i)] = fmt.Sprintf("Each use must be %d characters or fewer", MaxUse)
		}
		uses = append(uses, u)
	}
	s.Uses = uses
	switch {
	case len(uses) == 0:
		fields["space.uses"] = "Say what the space is used for"
	case len(uses) > MaxUses:
		fields["space.uses"] = fmt.Sprintf("List at most %d uses", MaxUses)
	}
	CheckText(s.UsedBy, MaxDescription, "space.used_by", "", fields)
	switch {
	case s.WeeklyUsers == nil:
		fields["space.weekly_users"] = "Enter about how many people use the space in a week"
	case *s.WeeklyUsers < 0 || *s.WeeklyUsers > MaxWeeklyUsers:
		fields["space.weekly_users"] = fmt.Sprintf("Weekly users must be between 0 and %d", MaxWeeklyUsers)
	}
	if !Known(Tenures, s.Tenure) {
		fields["space.tenure"] = "Tenure must be one of " + strings.Join(Values(Tenures), ", ")
	}
	if s.LandlordType != nil && !Known(LandlordTypes, *s.LandlordType) {
		fields["space.landlord_type"] = "Landlord type must be one of " + strings.Join(Values(LandlordTypes), ", ")
	}
	if s.LandlordType == nil && s.Tenure != "" && s.Tenure != "owned" && Known(Tenures, s.Tenure) {
		fields["space.landlord_type"] = "Choose who the landlord is"
	}
	if s.TenureEndsOn != nil {
		if d, ok := CheckDate(*s.TenureEndsOn, "space.tenure_ends_on", "The end date of the lease or licence", today, fields); ok {
			t := DateTime(d)
			out.TenureEndsOn = &t
		}
	}
	if s.AnnualRentPence != nil && (*s.AnnualRentPence < 0 || *s.AnnualRentPence > MaxRentPence) {
		fields["space.annual_rent_pence"] = "Annual rent must be 0 or more, in pence"
	}
	CheckText(s.RentChanges, MaxDescription, "space.rent_changes", "", fields)

	k := &r.Risk
	if !Known(RiskKinds, k.Kind) {
		fields["risk.kind"] = "Risk must be one of " + strings.Join(Values(RiskKinds), ", ")
	}
	if k.KeyDate != nil {
		if d, ok := CheckDate(*k.KeyDate, "risk.key_date", "The key date", today, fields); ok {
			t := DateTime(d)
			out.KeyDate = &t
		}
		if k.KeyDateKind == nil {
			kind := "other"
			k.KeyDateKind = &kind
		}
	}
	if k.KeyDateKind != nil && !Known(KeyDateKinds, *k.KeyDateKind) {
		fields["risk.key_date_kind"] = "Kind of key date must be one of " + strings.Join(Values(KeyDateKinds), ", ")
	}
	k.Description = strings.TrimSpace(k.Description)
	CheckText(k.Description, MaxDescription, "risk.description", "Describe what is putting the space at risk", fields)
	if !Known(Urgencies, r.Urgency) {
		fields["urgency"] = "Urgency must be one of " + strings.Join(Values(Urgencies), ", ")
	}
	if r.ConsentToShare == nil {
		fields["consent_to_share"] = "Say whether we may share your case with partners"
	}
	if len(fields) == 0 {
		return out, nil
	}
	return out, fields
}
