package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

const (
	actorKey = "grants.actor"
	tokenKey = "grants.token"
)

// authenticate resolves a bearer token, if any. A bad token is refused even
// on public routes, so a client learns at once that its token is stale.
func (h *Handler) authenticate(c *gin.Context) {
	hdr := c.GetHeader("Authorization")
	if hdr == "" {
		c.Next()
		return
	}
	tok, ok := strings.CutPrefix(hdr, "Bearer ")
	if !ok {
		writeError(c, h.log, app.ErrUnauthenticated)
		return
	}
	actor, err := h.app.Authenticate(c.Request.Context(), strings.TrimSpace(tok))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.Set(actorKey, actor)
	c.Set(tokenKey, strings.TrimSpace(tok))
	c.Next()
}

func (h *Handler) requireUser(c *gin.Context) {
	if _, ok := c.Get(actorKey); !ok {
		writeError(c, h.log, app.ErrUnauthenticated)
		return
	}
	c.Next()
}

func (h *Handler) requireRole(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !actor(c).Has(role) {
			writeError(c, h.log, &app.Error{Kind: app.KindForbidden, Code: "forbidden", Message: "Your role cannot use this endpoint"})
			return
		}
		c.Next()
	}
}

func actor(c *gin.Context) app.Actor {
	a, _ := c.Get(actorKey)
	act, _ := a.(app.Actor)
	return act
}

func (h *Handler) register(c *gin.Context) {
	var in app.RegisterInput
	if !h.bind(c, &in) {
		return
	}
	res, err := h.app.Register(c.Request.Context(), in)
	h.respond(c, http.StatusAccepted, res, err)
}

type tokenInput struct {
	Token string `json:"token"`
}

type emailInput struct {
	Email string `json:"email"`
}

func (h *Handler) confirmEmail(c *gin.Context) {
	var in tokenInput
	if !h.bind(c, &in) {
		return
	}
	res, err := h.app.ConfirmEmail(c.Request.Context(), in.Token)
	h.respond(c, http.StatusOK, res, err)
}

func (h *Handler) resendConfirmation(c *gin.Context) {
	if !h.emptyBody(c) {
		return
	}
	res, err := h.app.ResendConfirmation(c.Request.Context(), actor(c))
	h.respond(c, http.StatusAccepted, res, err)
}

func (h *Handler) requestPasswordReset(c *gin.Context) {
	var in emailInput
	if !h.bind(c, &in) {
		return
	}
	res, err := h.app.RequestPasswordReset(c.Request.Context(), in.Email)
	h.respond(c, http.StatusAccepted, res, err)
}

// passwordResetDone is the answer of a completed reset.
type passwordResetDone struct {
	Status string `json:"status"`
}

func (h *Handler) completePasswordReset(c *gin.Context) {
	var in app.PasswordReset
	if !h.bind(c, &in) {
		return
	}
	_, err := h.app.CompletePasswordReset(c.Request.Context(), in)
	h.respond(c, http.StatusOK, passwordResetDone{Status: "password_reset"}, err)
}

func (h *Handler) requestSignInLink(c *gin.Context) {
	var in emailInput
	if !h.bind(c, &in) {
		return
	}
	res, err := h.app.RequestSignInLink(c.Request.Context(), in.Email)
	h.respond(c, http.StatusAccepted, res, err)
}

func (h *Handler) completeSignInLink(c *gin.Context) {
	var in tokenInput
	if !h.bind(c, &in) {
		return
	}
	tok, err := h.app.CompleteSignInLink(c.Request.Context(), in.Token)
	h.respond(c, http.StatusOK, tok, err)
}

// passwordChanged is the answer of PUT /me/password.
type passwordChanged struct {
	Status string `json:"status"`
}

func (h *Handler) changePassword(c *gin.Context) {
	var in app.PasswordChange
	if !h.bind(c, &in) {
		return
	}
	err := h.app.ChangePassword(c.Request.Context(), actor(c), c.GetString(tokenKey), in)
	h.respond(c, http.StatusOK, passwordChanged{Status: "password_changed"}, err)
}

type loginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (h *Handler) login(c *gin.Context) {
	var in loginInput
	if !h.bind(c, &in) {
		return
	}
	tok, err := h.app.Login(c.Request.Context(), in.Email, in.Password)
	h.respond(c, http.StatusOK, tok, err)
}

func (h *Handler) logout(c *gin.Context) {
	if !h.emptyBody(c) {
		return
	}
	err := h.app.Logout(c.Request.Context(), c.GetString(tokenKey))
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) me(c *gin.Context) {
	me, err := h.app.Me(c.Request.Context(), actor(c))
	h.respond(c, http.StatusOK, me, err)
}
