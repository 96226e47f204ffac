package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/civicgrants/grants/audit"
	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/db/sqlc"
	"github.com/civicgrants/grants/id"
	"github.com/civicgrants/grants/linktoken"
	"github.com/civicgrants/grants/mailq"
)

// Accounts (DESIGN §10). No answer tells whether an address has an
// account: registering a taken address and asking for a link to an
// unknown one answer as the normal case does, and the e-mail says what
// happened. Links carry single-use tokens (package linktoken) that expire:
// confirm after ConfirmLinkTTL, reset and sign-in after SignInLinkTTL.
const (
	ConfirmLinkTTL = 7 * 24 * time.Hour
	ResetLinkTTL   = time.Hour
	SignInLinkTTL  = time.Hour
)

// Purposes of account tokens.
const (
	tokenConfirm = "confirm"
	tokenReset   = "reset"
	tokenSignIn  = "sign_in"
)

// Accepted is the answer of a request that sends an e-mail (202).
type Accepted struct {
	Status string `json:"status"`
}

// EmailConfirmed is the answer of POST /auth/confirm.
type EmailConfirmed struct {
	EmailVerified bool `json:"email_verified"`
}

// PasswordChange is the body of PUT /me/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

// PasswordReset is the body of POST /auth/password-reset/complete.
type PasswordReset struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// ErrEmailUnverified refuses submitting or accepting before the address is
// confirmed.
var ErrEmailUnverified = &Error{Kind: KindConflict, Code: "email_unverified",
	Message: "Confirm your email address first: follow the link we emailed you, or ask for a new one"}

// requireVerified refuses an actor whose address is not confirmed.
func requireVerified(actor Actor) error {
	if !actor.EmailVerified {
		return ErrEmailUnverified
	}
	return nil
}

// Register creates an applicant account that can sign in and draft at
// once, and e-mails a link to confirm the address. An address that has an
// account gets an e-mail saying so instead, and the answer is the same.
func (a *App) Register(ctx context.Context, in RegisterInput) (Accepted, error) {
	if err := a.throttleClient(ctx); err != nil {
		return Accepted{}, err
	}
	in, hash, err := a.checkNewUser(in, nil)
	if err != nil {
		return Accepted{}, err
	}
	key, err := a.linkKey(ctx)
	if err != nil {
		return Accepted{}, err
	}
	if err := a.throttleMail(ctx, in.Email); err != nil {
		return Accepted{}, err
	}
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		u, err := q.UserCreate(ctx, sqlc.UserCreateParams{ID: id.New(id.User), Email: in.Email, Name: in.Name,
			PasswordHash: string(hash), Roles: []string{}})
		if db.IsConstraint(err, "users_email_key") {
			return errTaken
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if err := a.sendLink(ctx, q, key, u, tokenConfirm, mailq.EmailConfirm); err != nil {
			return err
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "user:" + u.ID, Actor: u.ID, Action: "user.registered", Entity: "user:" + u.ID})
		return err
	})
	if errors.Is(err, errTaken) {
		err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
			u, err := q.UserGetByEmail(ctx, in.Email)
			if err != nil {
				return fmt.Errorf("find user: %w", err)
			}
			_, err = mailq.Queue(ctx, q, sqlc.EmailInsertParams{Kind: mailq.EmailAccountExists, ToAddress: u.Email, UserID: &u.ID})
			return err
		})
	}
	if err != nil {
		return Accepted{}, err
	}
	return Accepted{Status: "confirmation_sent"}, nil
}

// errTaken ends Register's transaction when the address has an account.
var errTaken = fmt.Errorf("address taken")

// ResendConfirmation e-mails the caller a new confirmation link (nothing
// when already confirmed).
func (a *App) ResendConfirmation(ctx context.Context, actor Actor) (Accepted, error) {
	key, err := a.linkKey(ctx)
	if err != nil {
		return Accepted{}, err
	}
	if err := a.throttleMail(ctx, actor.Email); err != nil {
		return Accepted{}, err
	}
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		u, err := q.UserGet(ctx, actor.ID)
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		if u.EmailVerifiedAt != nil {
			return nil
		}
		return a.sendLink(ctx, q, key, u, tokenConfirm, mailq.EmailConfirm)
	})
	if err != nil {
		return Accepted{}, err
	}
	return Accepted{Status: "confirmation_sent"}, nil
}

// ConfirmEmail spends a confirmation link's token: the address it was
// sent to is confirmed. Sessions carry on.
func (a *App) ConfirmEmail(ctx context.Context, token string) (EmailConfirmed, error) {
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		t, err := a.useToken(ctx, q, token, tokenConfirm)
		if err != nil {
			return err
		}
		if _, err := q.UserConfirmEmail(ctx, sqlc.UserConfirmEmailParams{ID: t.UserID, Now: a.now().UTC()}); err != nil {
			return fmt.Errorf("confirm email: %w", err)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "user:" + t.UserID, Actor: t.UserID, Action: "user.email_confirmed",
			Entity: "user:" + t.UserID})
		return err
	})
	if err != nil {
		return EmailConfirmed{}, err
	}
	return EmailConfirmed{EmailVerified: true}, nil
}

// RequestPasswordReset e-mails a reset link to an address with an
// account, and to any other address an e-mail saying there is none.
func (a *App) RequestPasswordReset(ctx context.Context, email string) (Accepted, error) {
	return a.requestLink(ctx, email, tokenReset, mailq.EmailPasswordReset, mailq.EmailPasswordResetUnknown)
}

// RequestSignInLink e-mails a sign-in link to an address with an account,
// and to any other address an e-mail saying there is none.
func (a *App) RequestSignInLink(ctx context.Context, email string) (Accepted, error) {
	return a.requestLink(ctx, email, tokenSignIn, mailq.EmailSignInLink, mailq.EmailSignInLinkUnknown)
}

func (a *App) requestLink(ctx context.Context, email, purpose, kind, unknownKind string) (Accepted, error) {
	if err := a.throttleClient(ctx); err != nil {
		return Accepted{}, err
	}
	email = strings.TrimSpace(email)
	if !validEmail(email) {
		return Accepted{}, Invalid(map[string]string{"email": badEmail})
	}
	key, err := a.linkKey(ctx)
	if err != nil {
		return Accepted{}, err
	}
	if err := a.throttleMail(ctx, email); err != nil {
		return Accepted{}, err
	}
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		u, err := q.UserGetByEmail(ctx, email)
		if isNotFound(err) {
			_, err = mailq.Queue(ctx, q, sqlc.EmailInsertParams{Kind: unknownKind, ToAddress: email})
			return err
		}
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if u.DeactivatedAt != nil {
			return nil // a deactivated account gets no link; the answer is the same
		}
		if err := a.sendLink(ctx, q, key, u, purpose, kind); err != nil {
			return err
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "user:" + u.ID, Actor: "anonymous", Action: "user.link_requested",
			Entity: "user:" + u.ID, Data: map[string]any{"purpose": purpose}})
		return err
	})
	if err != nil {
		return Accepted{}, err
	}
	return Accepted{Status: "email_sent"}, nil
}

// CompletePasswordReset spends a reset link's token and sets the new
// password; every session and token of the user ends, as do their other
// unused links, and they are told by e-mail. Following the link proves the
// address, so it is confirmed too. It returns the user, for signing in.
func (a *App) CompletePasswordReset(ctx context.Context, in PasswordReset) (User, error) {
	if n := len(in.Password); n < minPasswordLen || n > maxPasswordLen {
		if !linktoken.WellFormed(in.Token) {
			return User{}, Invalid(map[string]string{"token": badLink, "password": passwordRule()})
		}
		return User{}, Invalid(map[string]string{"password": passwordRule()})
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), a.cfg.PasswordCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	var u sqlc.User
	err = a.store.InTx(ctx, func(q *sqlc.Queries) error {
		t, err := a.useToken(ctx, q, in.Token, tokenReset)
		if err != nil {
			return err
		}
		if err := q.UserSetPassword(ctx, sqlc.UserSetPasswordParams{ID: t.UserID, PasswordHash: string(hash)}); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if u, err = q.UserConfirmEmail(ctx, sqlc.UserConfirmEmailParams{ID: t.UserID, Now: a.now().UTC()}); err != nil {
			return fmt.Errorf("confirm email: %w", err)
		}
		return a.passwordChanged(ctx, q, u, nil, "user.password_reset")
	})
	if err != nil {
		return User{}, err
	}
	if err := a.loginSucceeded(ctx, u.Email); err != nil {
		return User{}, err
	}
	return userView(u), nil
}

// ChangePassword sets a signed-in user's password, given the current one
// (counted as a sign-in attempt, so it cannot be guessed faster). Every
// other session and token ends; keepToken (the caller's own) carries on.
func (a *App) ChangePassword(ctx context.Context, actor Actor, keepToken string, in PasswordChange) error {
	fields := map[string]string{}
	if in.CurrentPassword == "" {
		fields["current_password"] = "Enter your current password"
	}
	if n := len(in.Password); n < minPasswordLen || n > maxPasswordLen {
		fields["password"] = passwordRule()
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	if err := a.beginLogin(ctx, actor.Email); err != nil {
		return err
	}
	u, err := a.store.UserGet(ctx, actor.ID)
	if err != nil {
		return fmt.Errorf("load user: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(in.CurrentPassword)) != nil {
		return Invalid(map[string]string{"current_password": "Your current password is not right"})
	}
	if err := a.loginSucceeded(ctx, actor.Email); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), a.cfg.PasswordCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	keep := hashToken(keepToken)
	return a.store.InTx(ctx, func(q *sqlc.Queries) error {
		if err := q.UserSetPassword(ctx, sqlc.UserSetPasswordParams{ID: u.ID, PasswordHash: string(hash)}); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return a.passwordChanged(ctx, q, u, keep, "user.password_changed")
	})
}

// passwordChanged ends the user's sessions and tokens (all but keep), and
// their unused reset and sign-in links, tells them by e-mail, and audits
// action.
func (a *App) passwordChanged(ctx context.Context, q *sqlc.Queries, u sqlc.User, keep []byte, action string) error {
	var ended int64
	var err error
	if keep == nil {
		ended, err = q.AuthTokenDeleteForUser(ctx, u.ID)
	} else {
		ended, err = q.AuthTokenDeleteOthersForUser(ctx, sqlc.AuthTokenDeleteOthersForUserParams{UserID: u.ID, KeepHash: keep})
	}
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	if err := q.AccountTokenRevokeForUser(ctx, sqlc.AccountTokenRevokeForUserParams{UserID: u.ID,
		Purposes: []string{tokenReset, tokenSignIn}, Now: a.now().UTC()}); err != nil {
		return fmt.Errorf("end links: %w", err)
	}
	if _, err := mailq.Queue(ctx, q, sqlc.EmailInsertParams{Kind: mailq.EmailPasswordChanged, ToAddress: u.Email, UserID: &u.ID}); err != nil {
		return err
	}
	_, err = audit.Append(ctx, q, audit.Event{Chain: "user:" + u.ID, Actor: u.ID, Action: action, Entity: "user:" + u.ID,
		Data: map[string]any{"sessions_ended": ended}})
	return err
}

// CompleteSignInLink spends a sign-in link's token and issues an API
// token, as POST /auth/login does.
func (a *App) CompleteSignInLink(ctx context.Context, token string) (Token, error) {
	return a.signInByLink(ctx, token, "api", a.cfg.TokenTTL)
}

// SignInByLink spends a sign-in link's token and starts a web session.
func (a *App) SignInByLink(ctx context.Context, token string) (Token, error) {
	return a.signInByLink(ctx, token, "session", a.cfg.SessionIdle)
}

func (a *App) signInByLink(ctx context.Context, token, kind string, ttl time.Duration) (Token, error) {
	if err := a.throttleClient(ctx); err != nil {
		return Token{}, err
	}
	var u sqlc.User
	err := a.store.InTx(ctx, func(q *sqlc.Queries) error {
		t, err := a.useToken(ctx, q, token, tokenSignIn)
		if err != nil {
			return err
		}
		if u, err = q.UserConfirmEmail(ctx, sqlc.UserConfirmEmailParams{ID: t.UserID, Now: a.now().UTC()}); err != nil {
			return fmt.Errorf("confirm email: %w", err)
		}
		_, err = audit.Append(ctx, q, audit.Event{Chain: "user:" + u.ID, Actor: u.ID, Action: "user.signed_in_by_link", Entity: "user:" + u.ID})
		return err
	})
	if err != nil {
		return Token{}, err
	}
	if err := a.loginSucceeded(ctx, u.Email); err != nil {
		return Token{}, err
	}
	return a.issueToken(ctx, u.ID, kind, ttl)
}

// badLink is the one answer for a link token that cannot be used: unknown,
// used, expired, for another purpose, or sent to an address the account
// no longer has.
const badLink = "This link has expired or has already been used. Ask for a new one"

func passwordRule() string {
	return fmt.Sprintf("Password must be between %d and %d characters", minPasswordLen, maxPasswordLen)
}

// useToken spends a link token of a purpose, inside q's transaction.
func (a *App) useToken(ctx context.Context, q *sqlc.Queries, token, purpose string) (sqlc.AccountTokenUseRow, error) {
	if !linktoken.WellFormed(token) {
		return sqlc.AccountTokenUseRow{}, Invalid(map[string]string{"token": badLink})
	}
	t, err := q.AccountTokenUse(ctx, sqlc.AccountTokenUseParams{TokenHash: linktoken.Hash(token), Purpose: purpose, Now: a.now().UTC()})
	if isNotFound(err) {
		return t, Invalid(map[string]string{"token": badLink})
	}
	if err != nil {
		return t, fmt.Errorf("use link: %w", err)
	}
	return t, nil
}

// sendLink makes a link token for u and queues the e-mail (kind) carrying
// it, inside q's transaction.
func (a *App) sendLink(ctx context.Context, q *sqlc.Queries, key []byte, u sqlc.User, purpose, kind string) error {
	nonce, err := linktoken.NewNonce()
	if err != nil {
		return err
	}
	ttl := map[string]time.Duration{tokenConfirm: ConfirmLinkTTL, tokenReset: ResetLinkTTL, tokenSignIn: SignInLinkTTL}[purpose]
	now := a.now().UTC()
	tid, err := q.AccountTokenCreate(ctx, sqlc.AccountTokenCreateParams{Purpose: purpose, UserID: u.ID, Email: u.Email,
		Nonce: nonce, TokenHash: linktoken.Hash(linktoken.Token(key, nonce)), Now: now, ExpiresAt: now.Add(ttl)})
	if err != nil {
		return fmt.Errorf("make link: %w", err)
	}
	_, err = mailq.Queue(ctx, q, sqlc.EmailInsertParams{Kind: kind, ToAddress: u.Email, UserID: &u.ID, AccountTokenID: &tid})
	return err
}
