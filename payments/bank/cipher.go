package bank

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// KeySize is the length of the encryption key in bytes (AES-256).
const KeySize = 32

// sealVersion is the first byte of a sealed value, so that the format (or
// the key) can change later without guessing.
const sealVersion byte = 1

// Cipher encrypts bank details at rest with AES-256-GCM under the key in
// GRANTS_ENCRYPTION_KEY. A sealed value is bound to its organisation: it
// opens only with the same key and organisation id.
type Cipher struct {
	aead cipher.AEAD
}

// NewCipher returns a Cipher for a key given in standard base64, as in
// GRANTS_ENCRYPTION_KEY; it must decode to exactly 32 bytes.
func NewCipher(keyBase64 string) (*Cipher, error) {
	key, err := base64.StdEncoding.DecodeString(keyBase64)
	if err != nil {
		return nil, errors.New("GRANTS_ENCRYPTION_KEY is not valid standard base64 (generate one with `openssl rand -base64 32`)")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("GRANTS_ENCRYPTION_KEY must decode to %d bytes, not %d (generate one with `openssl rand -base64 32`)", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("GRANTS_ENCRYPTION_KEY: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("GRANTS_ENCRYPTION_KEY: %w", err)
	}
	return &Cipher{aead: aead}, nil
}

// GenerateKey returns a fresh random key in standard base64, for
// GRANTS_ENCRYPTION_KEY (the dev stack makes one).
func GenerateKey() string {
	key := make([]byte, KeySize)
	_, _ = rand.Read(key) // never fails: crypto/rand panics instead
	return base64.StdEncoding.EncodeToString(key)
}

// Seal encrypts d for organisationID: a version byte, a random nonce, then
// the ciphertext, with the organisation id as additional data.
func (c *Cipher) Seal(d Details, organisationID string) ([]byte, error) {
	if organisationID == "" {
		return nil, errors.New("seal bank details: no organisation id")
	}
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("seal bank details: %w", err)
	}
	n := c.aead.NonceSize()
	out := make([]byte, 1+n, 1+n+len(plain)+c.aead.Overhead())
	out[0] = sealVersion
	nonce := out[1 : 1+n]
	_, _ = rand.Read(nonce) // never fails: crypto/rand panics instead
	//nolint:gosec // G407: the nonce is filled from crypto/rand just above, not hardcoded
	return c.aead.Seal(out, nonce, plain, []byte(organisationID)), nil
}

// Open decrypts what Seal returned for organisationID. A wrong key, another
// organisation's value or a tampered one gives an error.
func (c *Cipher) Open(b []byte, organisationID string) (Details, error) {
	n := c.aead.NonceSize()
	if len(b) < 1+n+c.aead.Overhead() {
		return Details{}, errors.New("open bank details: too short")
	}
	if b[0] != sealVersion {
		return Details{}, fmt.Errorf("open bank details: unknown format version %d", b[0])
	}
	plain, err := c.aead.Open(nil, b[1:1+n], b[1+n:], []byte(organisationID))
	if err != nil {
		return Details{}, errors.New("open bank details: cannot decrypt (wrong key, wrong organisation or tampered)")
	}
	var d Details
	if err := json.Unmarshal(plain, &d); err != nil {
		return Details{}, fmt.Errorf("open bank details: %w", err)
	}
	return d, nil
}
