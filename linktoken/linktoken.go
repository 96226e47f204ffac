// Package linktoken makes the single-use tokens in e-mailed links
// (confirm an address, reset a password, sign in).
//
// A token is HMAC-SHA-256(key, nonce) in URL-safe base64 (43 characters of
// [A-Za-z0-9_-]). The database keeps the nonce and the token's SHA-256,
// never the token: whoever reads a copy of the database cannot follow a
// link, and the delivery activity, which has the key, can make the same
// token again from the nonce when it renders (or re-renders, after a crash)
// the e-mail. The key is derived from the service's encryption key
// (DeriveKey), so there is no new secret to keep.
package linktoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// KeySize is the size of a key, in bytes.
const KeySize = 32

// Length is the length of a token, in characters.
const Length = 43

const deriveLabel = "grants link tokens v1"

// DeriveKey derives the link key from the service's secret (the decoded
// GRANTS_ENCRYPTION_KEY), under a label of its own so it is never the
// key of anything else.
func DeriveKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(deriveLabel))
	return m.Sum(nil)
}

// NewNonce returns a fresh random nonce.
func NewNonce() ([]byte, error) {
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return nil, fmt.Errorf("link nonce: %w", err)
	}
	return n, nil
}

// Token is the token for nonce under key.
func Token(key, nonce []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(nonce)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Hash is what the database keeps of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WellFormed reports whether s could be a token (its length and alphabet),
// so a malformed one is refused without a query.
func WellFormed(s string) bool {
	if len(s) != Length {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// KeyFromEncryptionKey is DeriveKey of GRANTS_ENCRYPTION_KEY (standard
// base64 of 32 bytes), the one way the API and the worker get the key.
func KeyFromEncryptionKey(b64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("GRANTS_ENCRYPTION_KEY: want 32 bytes in standard base64")
	}
	return DeriveKey(raw), nil
}
