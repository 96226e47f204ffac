package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
)

// User is the public view of a user.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	Roles         []string  `json:"roles"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

// Membership is one organisation a user belongs to.
type Membership struct {
	OrganisationID   string `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	Role             string `json:"role"`
}

// Me is the caller with their memberships and, for assessors, the
// affiliations they declared (empty for everyone else).
type Me struct {
	User
	Memberships  []Membership  `json:"memberships"`
	Affiliations []Affiliation `json:"affiliations"`
}

// Token is a bearer credential.
type Token struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RegisterInput is the body of POST /auth/register.
type RegisterInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

const (
	maxEmailLen    = 254 // as validEmail allows
	minPasswordLen = 10
	maxPasswordLen = 72 // bcrypt's limit
)

func userView(u sqlc.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles, EmailVerified: u.EmailVerifiedAt != nil, CreatedAt: u.CreatedAt}
}

// badEmail is the one message for an address that is not one.
const badEmail = "Enter an email address in the correct format, like name@example.org"

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= maxEmailLen
}

// CreateUser creates a user with staff roles, its address taken as
// confirmed; for admin tasks and seeding.
func (a *App) CreateUser(ctx context.Context, in RegisterInput, roles []string) (User, error) {
	in, hash, err := a.checkNewUser(in, roles)
	if err != nil {
		return User{}, err
	}
	if roles == nil {
		roles = []string{}
	}
	now := a.now().UTC()
	var u sqlc.User
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		var err error
		u, err = q.UserCreate(ctx, sqlc.UserCreateParams{
			ID: id.New(id.User), Email: in.Email, Name: in.Name, PasswordHash: string(hash), Roles: roles, EmailVerifiedAt: &now,
		})
		if err != nil {
			if db.IsConstraint(err, "users_email_key") {
				return &Error{Kind: KindConflict, Code: "conflict", Message: "An account with this email address already exists",
					Fields: map[string]string{"email": "An account with this email address already exists"}}
			}
			return fmt.Errorf("create user: %w", err)
		}
		if len(roles) == 0 {
			return nil
		}
		// Staff made outside the service (the CLI's first admin, the
		// seed) are on the staff chain like those an admin invites.
		_, err = audit.Append(ctx, q, audit.Event{Chain: StaffChain, Actor: "system", Action: "staff.created",
			Entity: "user:" + u.ID, Data: map[string]any{"roles": roles}})
		return err
	})
	if err != nil {
		return User{}, err
	}
	return userView(u), nil
}

// checkNewUser validates a new user and hashes its password (always, so
// every answer takes as long).
func (a *App) checkNewUser(in RegisterInput, roles []string) (RegisterInput, []byte, error) {
	in.Email = strings.TrimSpace(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	fields := map[string]string{}
	if !validEmail(in.Email) {
		fields["email"] = badEmail
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		fields["name"] = "Enter your name (up to 200 characters)"
	}
	if n := len(in.Password); n < minPasswordLen || n > maxPasswordLen {
		fields["password"] = fmt.Sprintf("Password must be between %d and %d characters", minPasswordLen, maxPasswordLen)
	}
	for _, r := range roles {
		if !KnownRole(r) {
			fields["roles"] = "Unknown role " + r
		}
	}
	if len(fields) > 0 {
		return in, nil, Invalid(fields)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), a.cfg.PasswordCost)
	if err != nil {
		return in, nil, fmt.Errorf("hash password: %w", err)
	}
	return in, hash, nil
}

// defaultDummyHash keeps login timing the same whether or not the email
// exists: a bcrypt hash at bcrypt.DefaultCost (10), as passwords are
// hashed, fixed here rather than computed (~50 ms) whenever the package is
// loaded.
var defaultDummyHash = []byte("$2a$10$jgYVpADd4Zs3dyuclHUp2eaALSO.zwFEEkRsoMUmY0Nl50EaGacrK")

// Login checks a password and issues a bearer token.
func (a *App) Login(ctx context.Context, email, password string) (Token, error) {
	return a.login(ctx, email, password, "api", a.cfg.TokenTTL)
}

func (a *App) login(ctx context.Context, email, password, kind string, ttl time.Duration) (Token, error) {
	if err := a.throttleClient(ctx); err != nil {
		return Token{}, err
	}
	if len(email) > maxEmailLen || strings.ContainsRune(email, 0) || !utf8.ValidString(email) {
		_ = bcrypt.CompareHashAndPassword(a.dummyHash, []byte(password))
		return Token{}, badLogin() // no account has such an address; nothing to count it under
	}
	if err := a.beginLogin(ctx, email); err != nil { // counted before the password is checked
		return Token{}, err
	}
	u, err := a.store.UserGetByEmail(ctx, strings.TrimSpace(email))
	if err != nil {
		if !isNotFound(err) {
			return Token{}, fmt.Errorf("find user: %w", err)
		}
		_ = bcrypt.CompareHashAndPassword(a.dummyHash, []byte(password))
		return Token{}, badLogin()
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return Token{}, badLogin()
	}
	if u.DeactivatedAt != nil {
		return Token{}, ErrDeactivated
	}
	if err := a.loginSucceeded(ctx, email); err != nil {
		return Token{}, err
	}
	return a.issueToken(ctx, u.ID, kind, ttl)
}

// issueToken makes a bearer token or web session (kind) for a user who
// has proved who they are.
func (a *App) issueToken(ctx context.Context, userID, kind string, ttl time.Duration) (Token, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return Token{}, fmt.Errorf("token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(secret)
	now := a.now().UTC()
	exp := now.Add(ttl).Truncate(time.Second)
	if err := a.store.AuthTokenCreate(ctx, sqlc.AuthTokenCreateParams{
		TokenHash: hashToken(tok), UserID: userID, Kind: kind, ExpiresAt: exp, CreatedAt: now,
	}); err != nil {
		return Token{}, fmt.Errorf("store token: %w", err)
	}
	return Token{Token: tok, ExpiresAt: exp}, nil
}

// ErrDeactivated refuses signing in to an account an administrator has
// deactivated (said only to someone who gave its password).
var ErrDeactivated = &Error{Kind: KindForbidden, Code: "account_deactivated",
	Message: "This account has been deactivated. Ask an administrator if you need it again"}

func badLogin() *Error {
	return &Error{Kind: KindUnauthenticated, Code: "unauthenticated", Message: "Email address or password is not right"}
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// Authenticate resolves an API bearer token to its user. Only API tokens
// pass (a web session's cookie is refused), before their expiry and while
// used within TokenIdle; a use is noted at most once a minute.
func (a *App) Authenticate(ctx context.Context, token string) (Actor, error) {
	if token == "" || len(token) > 200 {
		return Actor{}, ErrUnauthenticated
	}
	now := a.now().UTC()
	row, err := a.store.AuthTokenAPI(ctx, sqlc.AuthTokenAPIParams{TokenHash: hashToken(token), Now: now, IdleSince: now.Add(-a.cfg.TokenIdle)})
	if err != nil {
		if isNotFound(err) {
			return Actor{}, ErrUnauthenticated
		}
		return Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if now.Sub(row.TokenLastUsedAt) >= time.Minute {
		if err := a.store.AuthTokenTouch(ctx, sqlc.AuthTokenTouchParams{TokenHash: hashToken(token), Now: now,
			TouchedBefore: now.Add(-time.Minute)}); err != nil {
			return Actor{}, fmt.Errorf("note token use: %w", err)
		}
	}
	return Actor{ID: row.ID, Email: row.Email, Name: row.Name, Roles: row.Roles, EmailVerified: row.EmailVerifiedAt != nil}, nil
}

// Logout revokes a token.
func (a *App) Logout(ctx context.Context, token string) error {
	if err := a.store.AuthTokenDelete(ctx, hashToken(token)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// Me returns the caller and their memberships.
func (a *App) Me(ctx context.Context, actor Actor) (Me, error) {
	u, err := a.store.UserGet(ctx, actor.ID)
	if err != nil {
		return Me{}, fmt.Errorf("load user: %w", err)
	}
	rows, err := a.store.OrganisationMembershipsForUser(ctx, actor.ID)
	if err != nil {
		return Me{}, fmt.Errorf("load memberships: %w", err)
	}
	affiliations, err := decodeAffiliations(u)
	if err != nil {
		return Me{}, err
	}
	me := Me{User: userView(u), Memberships: make([]Membership, 0, len(rows)), Affiliations: affiliations}
	for _, r := range rows {
		me.Memberships = append(me.Memberships, Membership{OrganisationID: r.OrganisationID, OrganisationName: r.Name, Role: r.Role})
	}
	return me, nil
}

// UserByEmail finds a user; for admin tasks and seeding.
func (a *App) UserByEmail(ctx context.Context, email string) (User, bool, error) {
	u, err := a.store.UserGetByEmail(ctx, email)
	if err != nil {
		if isNotFound(err) {
			return User{}, false, nil
		}
		return User{}, false, fmt.Errorf("find user: %w", err)
	}
	return userView(u), true, nil
}
