package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Partnerships (issue 17): a lead invites a partner; the partner's admin
// reads the invitation and confirms or declines it.

func (h *Handler) invitePartner(c *gin.Context) {
	v, err := h.app.InvitePartner(c.Request.Context(), actor(c), c.Param("id"), c.Param("index"), h.noParams(c))
	h.respond(c, http.StatusOK, v, err)
}

// partnerInvitationToken is the body naming a partner invitation's token.
type partnerInvitationToken struct {
	Token string `json:"token"`
}

func (h *Handler) lookupPartnerInvitation(c *gin.Context) {
	var in partnerInvitationToken
	if !h.bind(c, &in) {
		return
	}
	v, err := h.app.GetPartnerInvitation(c.Request.Context(), actor(c), in.Token)
	h.respond(c, http.StatusOK, v, err)
}

func (h *Handler) answerPartnership(c *gin.Context) {
	var in app.PartnershipAnswer
	if !h.bind(c, &in) {
		return
	}
	v, err := h.app.AnswerPartnership(c.Request.Context(), actor(c), in)
	h.respond(c, http.StatusOK, v, err)
}
