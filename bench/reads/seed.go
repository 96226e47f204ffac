package reads

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/form"
	"github.com/civicgrants/grants/round"
	"github.com/civicgrants/grants/seed"
)

//go:embed seed.sql
var seedSQL string

// assessors is the size of the round's assessor pool: about two thirds of
// the applications' assessments each, in queues of thousands at 100,000.
const assessors = 20

// steps splits seed.sql into its statements by their "-- step: name"
// comments.
func steps() map[string]string {
	out := map[string]string{}
	for _, block := range strings.Split(seedSQL, "-- step: ")[1:] {
		head, sql, _ := strings.Cut(block, "\n")
		name, _, _ := strings.Cut(head, " (")
		out[name] = sql
	}
	return out
}

// fixture is what the seed made: the run's tag, its users' password, the
// programme and the two rounds.
type fixture struct {
	tag       string
	password  string
	programme string
	round     string // the round being assessed
	past      string // the round of awarded grants
}

func (f fixture) email(role string, n int) string {
	return fmt.Sprintf("bench-%s-%s%d@example.org", f.tag, role, n)
}

// newFixture picks the run's tag and password.
func newFixture() fixture {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	b := make([]byte, 6+18)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return fixture{tag: string(tag), password: fmt.Sprintf("%x", b[6:])}
}

// seedUsers writes the manager (1), the chair (2) and the assessor pool
// (3…) in SQL, each able to sign in with the fixture's password.
func seedUsers(ctx context.Context, conn *pgx.Conn, f fixture) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(f.password), bcrypt.MinCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if _, err := conn.Exec(ctx, steps()["users"], f.tag, string(hash), assessors); err != nil {
		return fmt.Errorf("seed users: %w", err)
	}
	return nil
}

// benchRound is the seeded Roots Incubator round under another name and
// programme, open now (the past one is created open too; only its grants
// matter).
func benchRound(programme, name string) (round.Definition, error) {
	rounds, err := seed.Rounds()
	if err != nil {
		return round.Definition{}, err
	}
	d, ok := rounds["roots-incubator"]
	if !ok {
		return round.Definition{}, fmt.Errorf("no roots-incubator seed round")
	}
	now := time.Now().UTC().Truncate(time.Second)
	d.Programme, d.Name = programme, name
	d.OpensAt, d.ClosesAt = now.Add(-24*time.Hour), now.Add(30*24*time.Hour)
	return d, nil
}

// answersFor is a complete set of answers to d's form and eligibility
// questions, as long as a careful applicant writes them: text answers at
// two thirds of their word limit.
func answersFor(d round.Definition) ([]byte, error) {
	words := strings.Fields("our group meets every week in the community hall and will use the grant to run " +
		"sessions with local families who have told us what they need most this year including advice food and company")
	text := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = words[i%len(words)]
		}
		return strings.Join(out, " ")
	}
	answers := map[string]any{}
	var qs []form.Question
	for _, s := range d.Form.Sections {
		qs = append(qs, s.Questions...)
	}
	qs = append(qs, d.Eligibility.Questions...)
	for _, q := range qs {
		switch q.Type {
		case form.TypeText:
			n := 150
			if q.MaxWords != nil {
				n = *q.MaxWords * 2 / 3
			}
			answers[q.Key] = text(n)
		case form.TypeMoney, form.TypeNumber:
			v := int64(250)
			if q.Min != nil && *q.Min > v {
				v = *q.Min
			}
			answers[q.Key] = v
		case form.TypeDate:
			answers[q.Key] = "2027-04-01"
		case form.TypeChoice:
			if len(q.Options) > 0 {
				if q.Multiple {
					answers[q.Key] = []string{q.Options[0].Value}
				} else {
					answers[q.Key] = q.Options[0].Value
				}
			}
		case form.TypeYesNo:
			answers[q.Key] = true
		}
	}
	b, err := json.Marshal(answers)
	if err != nil {
		return nil, fmt.Errorf("encode answers: %w", err)
	}
	return b, nil
}

// seedRounds fills the two rounds the API made: n organisations, n
// applications in assessment (and decided, moderated) with their
// assessments in f.round, and n awarded, accepted grants in f.past; then
// VACUUM (ANALYZE), as autovacuum would soon.
func seedRounds(ctx context.Context, conn *pgx.Conn, f fixture, d round.Definition, n int, progress io.Writer) error {
	answers, err := answersFor(d)
	if err != nil {
		return err
	}
	if len(d.Tiers) == 0 || len(d.Criteria) == 0 {
		return fmt.Errorf("the bench round needs tiers and criteria")
	}
	tier := d.Tiers[0]
	var keys []string
	var weights, maxes []int32
	for _, c := range d.Criteria {
		keys, weights, maxes = append(keys, c.Key), append(weights, int32(c.Weight)), append(maxes, int32(c.MaxScore))
	}
	st := steps()
	run := []struct {
		step, table string
		args        []any
	}{
		{"organisations", "organisations", []any{f.tag, n}},
		{"applications", "applications", []any{f.tag, f.round, n, answers, tier.Key, tier.MinPence, tier.MaxPence}},
		{"assessments", "assessments", []any{f.tag, f.round, n, assessors, keys, weights, maxes}},
		{"moderation", "applications", []any{f.tag, f.round}},
		{"past applications", "applications", []any{f.tag, f.past, n, answers, tier.Key, tier.MinPence, tier.MaxPence}},
		{"grants", "grants", []any{f.tag, f.past, n}},
		{"grant links", "applications", []any{f.tag, f.past}},
	}
	// Each step commits and is analysed before the next, so the next
	// one's plans (foreign-key checks, the ranking trigger) know the
	// tables' sizes.
	for _, r := range run {
		start := time.Now()
		if _, err := conn.Exec(ctx, st[r.step], r.args...); err != nil {
			return fmt.Errorf("seed %s: %w", r.step, err)
		}
		if _, err := conn.Exec(ctx, "ANALYZE "+r.table); err != nil {
			return fmt.Errorf("analyze %s: %w", r.table, err)
		}
		fmt.Fprintf(progress, "reads: seeded %s in %.1fs\n", r.step, time.Since(start).Seconds())
	}
	for _, table := range []string{"organisations", "applications", "assessments", "grants", "users"} {
		if _, err := conn.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			return fmt.Errorf("vacuum %s: %w", table, err)
		}
	}
	return nil
}
