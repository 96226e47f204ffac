// Package id makes the opaque identifiers of grants: a short type prefix, an
// underscore and 26 characters of Crockford base32 holding a 48-bit
// millisecond timestamp and 80 random bits. They are URL-safe and sort by
// creation time, which list cursors rely on.
package id

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Prefixes of the identifiers of each kind of object.
const (
	User         = "usr"
	Programme    = "prg"
	Round        = "rnd"
	Organisation = "org"
	Application  = "app"
	Document     = "doc"
	Assessment   = "asm"
	Grant        = "gnt"
	Payment      = "pay"
	Report       = "rpt"
	PaymentRun   = "run"
	Variation    = "var"
	Invitation   = "inv"
	// Spaces at Risk casework.
	SupportRequest = "spr"
	Case           = "cas"
	CaseAction     = "cac"
	CaseNote       = "cnt"
	CaseContact    = "ccn"
	CaseKeyDate    = "ckd"
	// Partner is a partner of an application (its id inside the
	// application's partners).
	Partner = "ptn"
)

// New returns a fresh identifier with the given prefix.
func New(prefix string) string {
	return newAt(prefix, time.Now())
}

func newAt(prefix string, t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(t.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	// 128 bits as 26 base32 digits, most significant first.
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	out := make([]byte, 0, len(prefix)+27)
	out = append(out, prefix...)
	out = append(out, '_')
	var digits [26]byte
	for i := 25; i >= 0; i-- {
		digits[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(append(out, digits[:]...))
}

// Valid reports whether s looks like an identifier with the given prefix.
// It is a cheap guard against junk in paths, not proof the object exists.
func Valid(prefix, s string) bool {
	if len(s) != len(prefix)+27 || s[:len(prefix)] != prefix || s[len(prefix)] != '_' {
		return false
	}
	for i := len(prefix) + 1; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
