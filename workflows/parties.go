package workflows

import "slices"

// Parties is who may act on a case as its applicant, and which staff may
// not act on it at all, as the case's activities last read them from
// PostgreSQL. Validators check an Update's caller against it without I/O;
// the activities check again against PostgreSQL, so a caller who names
// someone else's roles, or a membership made or ended since the last
// read, is still refused where it counts. Loaded is false in a snapshot
// recorded before parties were read (a case started by an earlier
// release): its validators then leave the check to the activity.
type Parties struct {
	Loaded bool `json:"loaded"`
	// MemberIDs are the members (any role) of the applicant organisation.
	MemberIDs []string `json:"member_ids"`
	// AdminIDs are the admins of the applicant organisation and, for
	// payouts, of its host.
	AdminIDs []string `json:"admin_ids"`
	// InterestedStaff are the staff with an interest in the case (a member
	// of a party to it, a declared conflict or affiliation; package
	// interest), who may not decide, moderate, vary, review or approve
	// payments for it.
	InterestedStaff []string `json:"interested_staff"`
	// PartnerAdminIDs are, for a grant paid to each partner, the admins
	// of each partner organisation paid a share (and of its host), by
	// organisation id: who may set up that partner's payouts.
	PartnerAdminIDs map[string][]string `json:"partner_admin_ids,omitempty"`
}

// Refusals of callers, shared by validators and activities.
const (
	RefuseNotMember  = "Only members of the applying organisation can do this"
	RefuseNotAdmin   = "Only an admin of the organisation can do this"
	RefuseInterested = "You have an interest in this application (a member of a party to it, or a declared conflict or affiliation), so you cannot act on it as staff"
)

// checkMember refuses a caller who is not a member of the applicant.
func (p Parties) checkMember(c Caller) error {
	if p.Loaded && !slices.Contains(p.MemberIDs, c.ID) {
		return Reject(RejectForbidden, RefuseNotMember, nil)
	}
	return nil
}

// checkAdmin refuses a caller who is not an admin of the applicant (or,
// for payouts, of its host).
// checkPayoutAdmin refuses a caller who may not set up the payouts of
// orgID, a partner paid a share ("" for the grantee: checkAdmin).
func (p Parties) checkPayoutAdmin(c Caller, orgID string) error {
	if orgID == "" {
		return p.checkAdmin(c)
	}
	if p.Loaded && !slices.Contains(p.PartnerAdminIDs[orgID], c.ID) {
		return Reject(RejectForbidden, RefuseNotAdmin, nil)
	}
	return nil
}

func (p Parties) checkAdmin(c Caller) error {
	if p.Loaded && !slices.Contains(p.AdminIDs, c.ID) {
		return Reject(RejectForbidden, RefuseNotAdmin, nil)
	}
	return nil
}

// checkStaff refuses a staff caller without role, or with an interest in
// the case.
func (p Parties) checkStaff(c Caller, role, refusal string) error {
	if !c.Has(role) {
		return Reject(RejectForbidden, refusal, nil)
	}
	if slices.Contains(p.InterestedStaff, c.ID) {
		return Reject(RejectForbidden, RefuseInterested, nil)
	}
	return nil
}
