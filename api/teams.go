package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Teams and invitations (DESIGN §10 "Teams", "Staff").

func (h *Handler) listMembers(c *gin.Context) {
	page, err := h.app.ListMembers(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) setMemberRole(c *gin.Context) {
	m, err := h.app.SetMemberRole(c.Request.Context(), actor(c), c.Param("id"), c.Param("user_id"), h.body(c))
	h.respond(c, http.StatusOK, m, err)
}

func (h *Handler) removeMember(c *gin.Context) {
	h.noContent(c, h.app.RemoveMember(c.Request.Context(), actor(c), c.Param("id"), c.Param("user_id")))
}

func (h *Handler) inviteMember(c *gin.Context) {
	inv, err := h.app.InviteMember(c.Request.Context(), actor(c), c.Param("id"), h.body(c))
	h.respond(c, http.StatusCreated, inv, err)
}

func (h *Handler) listInvitations(c *gin.Context) {
	page, err := h.app.ListInvitations(c.Request.Context(), actor(c), c.Param("id"))
	h.respond(c, http.StatusOK, page, err)
}

func (h *Handler) cancelInvitation(c *gin.Context) {
	h.noContent(c, h.app.CancelInvitation(c.Request.Context(), actor(c), c.Param("id"), c.Param("invitation_id")))
}

func (h *Handler) inviteStaff(c *gin.Context) {
	var in app.StaffInvitationInput
	if !h.bind(c, &in) {
		return
	}
	inv, err := h.app.InviteStaff(c.Request.Context(), actor(c), in)
	h.respond(c, http.StatusCreated, inv, err)
}

// acceptInvitation is public: a new address accepts without an account;
// an address with one accepts signed in as it.
func (h *Handler) acceptInvitation(c *gin.Context) {
	var in app.AcceptInvitationInput
	if !h.bind(c, &in) {
		return
	}
	res, err := h.app.AcceptInvitation(c.Request.Context(), actor(c), in)
	h.respond(c, http.StatusOK, res, err)
}

// noContent answers 204, or err.
func (h *Handler) noContent(c *gin.Context, err error) {
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}
