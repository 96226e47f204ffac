// Package apptest builds a use-case layer on a fresh, migrated PostgreSQL
// database for tests, with fixtures for the people and rounds most tests
// need. Packages using it call dbtest.Main from TestMain.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/app"
	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/dbtest"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/document"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/organisation"
	"github.com/civicgrants/grants/round"
)

// Password is every fixture user's password.
const Password = "correct horse battery"

// EncryptionKey is the fixed bank-details key of test environments: the
// base64 of the 32 bytes 0, 1, …, 31.
const EncryptionKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// AuditKey is the fixed audit-sealing key of test environments: the base64
// of the 32 bytes 32, 33, …, 63.
const AuditKey = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

// Signer returns the audit signer of test environments (key AuditKey).
func Signer(t testing.TB) *audit.Signer {
	t.Helper()
	key, err := audit.ParseKey(AuditKey)
	require.NoError(t, err)
	s, err := audit.NewSigner(key)
	require.NoError(t, err)
	return s
}

// WebhookSecret is the Stripe webhook signing secret of test environments.
const WebhookSecret = "whsec_test"

// Env is a use-case layer on its own database.
type Env struct {
	App     *app.App
	Store   *db.Store
	Docs    string // the document store's directory ("" with NewWithDocs)
	Manager app.Actor
}

// New returns a fresh Env with the two programmes and a manager, its
// documents in a directory of its own.
func New(t testing.TB) *Env {
	t.Helper()
	dir := t.TempDir()
	docs, err := document.NewStore(dir)
	require.NoError(t, err)
	e := NewWithDocs(t, docs)
	e.Docs = dir
	return e
}

// NewWithDocs is New with its documents in docs (Env.Docs is then "").
func NewWithDocs(t testing.TB, docs document.Blobs) *Env {
	t.Helper()
	return newEnv(t, dbtest.New(t), docs)
}

// NewOnPool is New on a migrated database of the caller's (such as one
// on a cluster a fault test restarts), through pool.
func NewOnPool(t testing.TB, pool *pgxpool.Pool) *Env {
	t.Helper()
	dir := t.TempDir()
	docs, err := document.NewStore(dir)
	require.NoError(t, err)
	e := newEnv(t, pool, docs)
	e.Docs = dir
	return e
}

func newEnv(t testing.TB, pool *pgxpool.Pool, docs document.Blobs) *Env {
	t.Helper()
	signer := Signer(t)
	store := signer.Install(db.NewStore(pool)) // every transaction seals its audit events
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a := app.New(store, docs, app.Config{EncryptionKey: EncryptionKey, StripeWebhookSecret: WebhookSecret, Audit: signer,
		PasswordCost: bcrypt.MinCost}, log)
	ctx := context.Background()
	for _, code := range []string{"roots-incubator", "spaces-at-risk"} {
		_, err := a.EnsureProgramme(ctx, app.Programme{Code: code, Name: code})
		require.NoError(t, err)
	}
	e := &Env{App: a, Store: store}
	e.Manager = e.User(t, "manager@example.org", app.RoleManager)
	return e
}

type testWriter struct{ t testing.TB }

// Write logs p on the test. A fuzz test's log is dropped: *testing.F may
// not log once its fuzz target runs, and the target reports its own
// failures.
func (w testWriter) Write(p []byte) (int, error) {
	if _, fuzz := w.t.(*testing.F); !fuzz {
		w.t.Log(string(p))
	}
	return len(p), nil
}

// User creates a user with the given staff roles (none: an applicant).
func (e *Env) User(t testing.TB, email string, roles ...string) app.Actor {
	t.Helper()
	u, err := e.App.CreateUser(context.Background(), app.RegisterInput{Email: email, Name: "Test " + email, Password: Password}, roles)
	require.NoError(t, err)
	return app.Actor{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles, EmailVerified: u.EmailVerified}
}

// ExampleRound is DESIGN §7's example round body, open from an hour ago
// for a day unless changed.
func ExampleRound(t testing.TB) round.Definition {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "round", "testdata", "example.json"))
	require.NoError(t, err)
	var def round.Definition
	require.NoError(t, json.Unmarshal(raw, &def))
	now := time.Now().UTC().Truncate(time.Second)
	def.OpensAt, def.ClosesAt = now.Add(-time.Hour), now.Add(24*time.Hour)
	return def
}

// Round creates a round from def as the manager.
func (e *Env) Round(t testing.TB, def round.Definition) app.Round {
	t.Helper()
	r, err := e.App.CreateRound(context.Background(), e.Manager, def)
	require.NoError(t, err)
	return r
}

// charityNumbers hands out distinct charity numbers (a registered number
// belongs to one organisation).
var charityNumbers atomic.Int64

// CharityNumber is a valid England and Wales charity number no other
// call in this process returns: 7 digits from 2000001 up.
func CharityNumber() string {
	return strconv.FormatInt(2_000_000+charityNumbers.Add(1), 10)
}

// Organisation creates a London charity, with a charity number of its own
// (CharityNumber), administered by admin.
func (e *Env) Organisation(t testing.TB, admin app.Actor, name string) app.Organisation {
	t.Helper()
	income := int64(8_400_000)
	o, err := e.App.CreateOrganisation(context.Background(), admin, organisation.Input{
		Name: name, LegalForm: "charity", CharityNumber: CharityNumber(), Borough: "Southwark",
		Address: organisation.Address{Line1: "1 Example Street", Town: "London", Postcode: "SE1 7PB"}, AnnualIncomePence: &income,
	})
	require.NoError(t, err)
	return o
}

// CompleteAnswers is a patch that completes an application to the example
// round; version is the application's current version.
func CompleteAnswers(version int32) map[string]any {
	return map[string]any{
		"version":         version,
		"tier":            "micro",
		"requested_pence": 250000,
		"answers":         map[string]any{"london_work": true, "summary": "We will run weekly cooking clubs for isolated older people in Bermondsey."},
		"partners":        []map[string]any{{"name": "Southwark Pensioners Centre"}},
	}
}

// Body turns a value into an app.Body, as the API would decode it.
func Body(t testing.TB, v any) app.Body {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return func(dst any) error { return app.DecodeStrict(bytes.NewReader(raw), dst) }
}

// Submitted creates an applicant, their charity and a complete application
// to r, submits it and returns its id. With londonWork false the applicant
// answers the example round's eligibility question so as to be ineligible.
func (e *Env) Submitted(t testing.TB, r app.Round, email string, londonWork bool) string {
	t.Helper()
	ctx := context.Background()
	who := e.User(t, email)
	org := e.Organisation(t, who, "Org of "+email)
	a, err := e.App.CreateApplication(ctx, who, r.ID, org.ID)
	require.NoError(t, err)
	patch := CompleteAnswers(a.Version)
	patch["answers"].(map[string]any)["london_work"] = londonWork
	_, err = e.App.SaveApplication(ctx, who, a.ID, Body(t, patch))
	require.NoError(t, err)
	_, err = e.App.SubmitApplication(ctx, who, a.ID, func() error { return nil })
	require.NoError(t, err)
	return a.ID
}

// Snapshot is every row of each table, as JSON in a fixed order: two
// snapshots are equal when nothing in those tables changed. Tests take
// one before a refused request and compare it with one after.
func (e *Env) Snapshot(t testing.TB, tables ...string) map[string]string {
	t.Helper()
	out := make(map[string]string, len(tables))
	for _, table := range tables {
		var rows string
		require.NoError(t, e.Store.Pool.QueryRow(context.Background(),
			`SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]')::text FROM `+table+` x`).Scan(&rows))
		out[table] = rows
	}
	return out
}

// Must returns a function that fails t on a call's error and returns its
// value: apptest.Must[T](t)(f(…)).
func Must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		require.NoError(t, err)
		return v
	}
}

// LinkToken is the token of the newest e-mailed link of a purpose
// (confirm, reset, sign_in) sent to email, made as the delivery activity
// makes it: what the person would find in the link.
func (e *Env) LinkToken(t testing.TB, email, purpose string) string {
	t.Helper()
	nonce, err := e.Store.AccountTokenLatestNonce(context.Background(), sqlc.AccountTokenLatestNonceParams{Email: email, Purpose: purpose})
	require.NoError(t, err)
	key, err := linktoken.KeyFromEncryptionKey(EncryptionKey)
	require.NoError(t, err)
	return linktoken.Token(key, nonce)
}

// InvitationToken is the token of the newest invitation e-mailed to
// email, as the link in the e-mail carries it.
func (e *Env) InvitationToken(t testing.TB, email string) string {
	t.Helper()
	nonce, err := e.Store.InvitationLatestNonce(context.Background(), email)
	require.NoError(t, err)
	key, err := linktoken.KeyFromEncryptionKey(EncryptionKey)
	require.NoError(t, err)
	return linktoken.Token(key, nonce)
}
