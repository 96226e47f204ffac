package interest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/organisation"
)

// ErrStored is stored data that cannot be read (an application's
// partners, a user's affiliations).
var ErrStored = errors.New("stored data unreadable")

// Identity is an organisation as named somewhere (a partner, an
// affiliation): only the name is required.
type Identity struct {
	Name          string `json:"name"`
	CharityNumber string `json:"charity_number"`
	CompanyNumber string `json:"company_number"`
	// OrganisationID is set for a partner that is an organisation on the
	// system (invited and answered, issue 17).
	OrganisationID string `json:"organisation_id,omitempty"`
}

// Keys is the identity keys (organisation.MatchKey) of one or more
// organisations; two organisations are the same if any keys are equal.
type Keys map[string]bool

// Add adds the keys of one organisation.
func (k Keys) Add(name, charity, company string) {
	for _, key := range organisation.MatchKey(name, charity, company) {
		k[key] = true
	}
}

// Meets reports whether the two sets share a key.
func (k Keys) Meets(other Keys) bool {
	for key := range other {
		if k[key] {
			return true
		}
	}
	return false
}

// Case is an application's parties: its lead organisation, the lead's
// host (an unconstituted group's), and every key of the lead, the host and
// the partners.
type Case struct {
	ApplicationID string
	Lead          sqlc.Organisation
	HostID        string // "" when the lead has no host
	// PartnerIDs are the partners that are organisations on the system.
	PartnerIDs []string
	Keys       Keys
}

// Load reads the parties of an application.
func Load(ctx context.Context, q *sqlc.Queries, app sqlc.Application) (Case, error) {
	c := Case{ApplicationID: app.ID, Keys: Keys{}}
	org, err := q.OrganisationGet(ctx, app.OrganisationID)
	if err != nil {
		return c, fmt.Errorf("load organisation: %w", err)
	}
	c.Lead = org
	c.Keys.Add(org.Name, deref(org.CharityNumber), deref(org.CompanyNumber))
	if org.HostOrganisationID != nil {
		host, err := q.OrganisationGet(ctx, *org.HostOrganisationID)
		if err != nil {
			return c, fmt.Errorf("load host organisation: %w", err)
		}
		c.HostID = host.ID
		c.Keys.Add(host.Name, deref(host.CharityNumber), deref(host.CompanyNumber))
	}
	var partners []Identity
	if err := json.Unmarshal(app.Partners, &partners); err != nil {
		return c, fmt.Errorf("%w: application %s partners: %w", ErrStored, app.ID, err)
	}
	for _, p := range partners {
		c.Keys.Add(p.Name, p.CharityNumber, p.CompanyNumber)
		if p.OrganisationID == "" {
			continue
		}
		// The partner as it is on the system, whatever the lead typed.
		org, err := q.OrganisationGet(ctx, p.OrganisationID)
		if err != nil {
			return c, fmt.Errorf("load partner organisation: %w", err)
		}
		c.PartnerIDs = append(c.PartnerIDs, org.ID)
		c.Keys.Add(org.Name, deref(org.CharityNumber), deref(org.CompanyNumber))
	}
	return c, nil
}

// ConflictKeys is the identity keys of a declared conflict's organisation.
func ConflictKeys(c sqlc.AssessorConflict) Keys {
	keys := Keys{}
	keys.Add("", deref(c.CharityNumber), deref(c.CompanyNumber))
	if c.NameKey != "" {
		keys["name:"+c.NameKey] = true
	}
	return keys
}

// AffiliationKeys is the identity keys of a user's declared affiliations.
func AffiliationKeys(u sqlc.User) (Keys, error) {
	var affs []Identity
	if err := json.Unmarshal(u.Affiliations, &affs); err != nil {
		return nil, fmt.Errorf("%w: user %s affiliations: %w", ErrStored, u.ID, err)
	}
	keys := Keys{}
	for _, f := range affs {
		keys.Add(f.Name, f.CharityNumber, f.CompanyNumber)
	}
	return keys, nil
}

// NameKey is an organisation's name as conflict detection compares it
// (organisation.MatchKey's name key without its prefix); "" when nothing
// is left of the name.
func NameKey(name string) string {
	for _, k := range organisation.MatchKey(name, "", "") {
		if n, ok := strings.CutPrefix(k, "name:"); ok {
			return n
		}
	}
	return ""
}

// Reasons a person has an interest, as people read them.
const (
	ReasonMember      = "You are a member of the organisation that applied"
	ReasonHost        = "You are a member of the organisation that hosts the applicant"
	ReasonParty       = "You are a member of an organisation that is a party to this application (the applicant, its host or a partner)"
	ReasonConflict    = "You declared a conflict of interest with an organisation that is a party to this application"
	ReasonAffiliation = "Your declared affiliations include an organisation that is a party to this application"
)

// Find returns, for each of users that has an interest in the case, why
// (one of the Reason constants). A user whose affiliations cannot be read
// is treated as interested: unreadable data never clears anyone.
func Find(ctx context.Context, q *sqlc.Queries, c Case, users []sqlc.User) (map[string]string, error) {
	out := map[string]string{}
	if len(users) == 0 {
		return out, nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	memberships, err := q.OrganisationsOfUsers(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	for _, m := range memberships {
		mine := Keys{}
		mine.Add(m.Name, deref(m.CharityNumber), deref(m.CompanyNumber))
		switch {
		case m.ID == c.Lead.ID:
			out[m.UserID] = ReasonMember
		case m.ID == c.HostID && out[m.UserID] == "":
			out[m.UserID] = ReasonHost
		case (slices.Contains(c.PartnerIDs, m.ID) || mine.Meets(c.Keys)) && out[m.UserID] == "":
			out[m.UserID] = ReasonParty
		}
	}
	conflicts, err := q.AssessorConflictList(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	for _, cf := range conflicts {
		if out[cf.AssessorID] == "" && ConflictKeys(cf).Meets(c.Keys) {
			out[cf.AssessorID] = ReasonConflict
		}
	}
	for _, u := range users {
		if out[u.ID] != "" {
			continue
		}
		keys, err := AffiliationKeys(u)
		if err != nil || keys.Meets(c.Keys) {
			out[u.ID] = ReasonAffiliation
		}
	}
	return out, nil
}

// Of returns why the user has an interest in the application, or "" when
// they have none; an unknown user has none.
func Of(ctx context.Context, q *sqlc.Queries, userID string, app sqlc.Application) (string, error) {
	u, err := q.UserGet(ctx, userID)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return "", nil
		}
		return "", fmt.Errorf("load user: %w", err)
	}
	c, err := Load(ctx, q, app)
	if err != nil {
		return "", err
	}
	found, err := Find(ctx, q, c, []sqlc.User{u})
	if err != nil {
		return "", err
	}
	return found[u.ID], nil
}

// ReasonPayee is why a member of the organisation a payment goes to (the
// grantee, or the host paying through) has an interest in it.
const ReasonPayee = "You are a member of the organisation being paid"

// OfPayment returns why the user has an interest in a payment — in the
// application its grant was awarded on (Of), else as a member of its
// grantee or payee (ReasonPayee) — or "" when they have none: the interest
// the two-approver rule (workflows.ApprovalRefusal) reads.
func OfPayment(ctx context.Context, q *sqlc.Queries, userID string, p sqlc.Payment) (string, error) {
	g, err := q.GrantGet(ctx, p.GrantID)
	if err != nil {
		return "", fmt.Errorf("load grant: %w", err)
	}
	app, err := q.ApplicationGet(ctx, g.ApplicationID)
	if err != nil {
		return "", fmt.Errorf("load application: %w", err)
	}
	why, err := Of(ctx, q, userID, app)
	if err != nil || why != "" {
		return why, err
	}
	members, err := q.PaymentPayeeMemberIDs(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("list payee members: %w", err)
	}
	if slices.Contains(members, userID) {
		return ReasonPayee, nil
	}
	return "", nil
}

// Staff lists, sorted, the staff (users with any staff role) who have an
// interest in the application: the list the workflows' validators check.
func Staff(ctx context.Context, q *sqlc.Queries, app sqlc.Application) ([]string, error) {
	users, err := q.UserListStaff(ctx)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	c, err := Load(ctx, q, app)
	if err != nil {
		return nil, err
	}
	found, err := Find(ctx, q, c, users)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
