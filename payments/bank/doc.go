// Package bank owns UK bank account details for the manual payment
// provider: parsing and checking what an organisation admin types (sort
// code, account number, name on the account), showing them masked, and
// encrypting them at rest with GRANTS_ENCRYPTION_KEY (AES-256-GCM, bound
// to the organisation they belong to).
package bank
