package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/id"
)

// rankCursor is where a page of a ranking ends: the keyset of its last
// row (rank key, submission time, id), the running total of undecided
// requests down to it and its rank, so the next page continues both.
type rankCursor struct {
	key       int64
	submitted *time.Time
	id        string
	running   int64
	position  int
}

// firstRankCursor is before every row: rank keys are -10000..1.
var firstRankCursor = rankCursor{key: -10001}

// rankKey is the ranking's first sort key, as the SQL function
// application_rank_key: the negated total, 1 for the unscored (last).
func rankKey(total *int64) int64 {
	if total == nil {
		return 1
	}
	return -*total
}

// applicationRanked is the SQL function application_is_ranked: the
// statuses a ranking shows.
func applicationRanked(status string) bool {
	switch status {
	case StatusInAssessment, StatusApproved, StatusRejected, StatusWaitlisted:
		return true
	}
	return false
}

// rankCursorMAC signs a cursor's payload, so a cursor altered by hand (its
// running total, say) is refused rather than believed.
func (a *App) rankCursorMAC(payload string) []byte {
	key := a.FormKey()
	if key == nil {
		key = []byte("grants ranking cursor v1")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ranking cursor\x00" + payload))
	return m.Sum(nil)[:16]
}

// encodeRankCursor writes a cursor as URL-safe text:
// base64(key.submitted.id.running.position).base64(mac).
func (a *App) encodeRankCursor(c rankCursor) string {
	sub := "n"
	if c.submitted != nil {
		sub = strconv.FormatInt(c.submitted.UnixMicro(), 10)
	}
	payload := strings.Join([]string{strconv.FormatInt(c.key, 10), sub, c.id,
		strconv.FormatInt(c.running, 10), strconv.Itoa(c.position)}, ".")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(a.rankCursorMAC(payload))
}

// decodeRankCursor reads a cursor encodeRankCursor wrote; false for
// anything else.
func (a *App) decodeRankCursor(s string) (rankCursor, bool) {
	enc := base64.RawURLEncoding
	p64, m64, ok := strings.Cut(s, ".")
	if !ok || len(s) > 400 {
		return rankCursor{}, false
	}
	raw, err1 := enc.DecodeString(p64)
	mac, err2 := enc.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, a.rankCursorMAC(string(raw))) {
		return rankCursor{}, false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 5 {
		return rankCursor{}, false
	}
	var c rankCursor
	var err error
	if c.key, err = strconv.ParseInt(parts[0], 10, 64); err != nil || c.key < -10000 || c.key > 1 {
		return rankCursor{}, false
	}
	if parts[1] != "n" {
		us, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return rankCursor{}, false
		}
		t := time.UnixMicro(us).UTC()
		c.submitted = &t
	}
	c.id = parts[2]
	if !id.Valid(id.Application, c.id) {
		return rankCursor{}, false
	}
	if c.running, err = strconv.ParseInt(parts[3], 10, 64); err != nil || c.running < 0 {
		return rankCursor{}, false
	}
	if c.position, err = strconv.Atoi(parts[4]); err != nil || c.position < 1 {
		return rankCursor{}, false
	}
	return c, true
}
