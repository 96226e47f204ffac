package payments

import "fmt"

// Payee is where a payment would go now: the organisation paid (the
// grantee, or the host of an unconstituted group), whether that host has
// consented, and a fingerprint of the destination ("stripe:<account>" or
// "bank:<sha-256 of the encrypted details>"; "" when there is none yet).
type Payee struct {
	OrganisationID string
	Name           string
	HostConsented  bool
	Fingerprint    string
}

// Binding is what one approval approved: the payee, the destination's
// fingerprint and the amount in pence.
type Binding struct {
	ApproverID     string
	OrganisationID string
	Fingerprint    string
	AmountPence    int64
}

// Payable says why nothing can be paid to p ("" when it can): a host that
// has not consented, or no destination.
func Payable(p Payee) string {
	switch {
	case !p.HostConsented:
		return "The host organisation has not consented to receive this group's grant"
	case p.Fingerprint == "":
		return p.Name + " has no bank details or payout account to pay into"
	}
	return ""
}

// Approved says why a payment of amountPence to p is not what its
// approvals approved ("" when every approval names this payee, this
// destination and this amount). The payee and its consent must be payable
// too. Whether there are enough approvals is the caller's rule.
func Approved(p Payee, amountPence int64, approvals []Binding) string {
	if why := Payable(p); why != "" {
		return why
	}
	for _, b := range approvals {
		switch {
		case b.OrganisationID != p.OrganisationID:
			return "The organisation to be paid has changed since this payment was approved"
		case b.Fingerprint != p.Fingerprint:
			return fmt.Sprintf("%s's bank details or payout account changed after this payment was approved", p.Name)
		case b.AmountPence != amountPence:
			return "The amount has changed since this payment was approved"
		}
	}
	return ""
}
