package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

type roundGroup struct {
	Programme app.Programme
	Rounds    []app.Round
}

// home lists the programmes and their rounds.
func (ui *UI) home(c *gin.Context) {
	ctx := c.Request.Context()
	progs, err := ui.app.ListProgrammes(ctx)
	if err != nil {
		ui.fail(c, err)
		return
	}
	rounds, err := ui.app.ListRounds(ctx, app.RoundFilter{Page: app.PageQuery{Limit: "200"}, Viewer: visitorActor(c)})
	if err != nil {
		ui.fail(c, err)
		return
	}
	groups := make([]roundGroup, 0, len(progs))
	for _, p := range progs {
		g := roundGroup{Programme: p}
		for _, r := range rounds.Items {
			if r.Programme == p.Code {
				g.Rounds = append(g.Rounds, r)
			}
		}
		groups = append(groups, g)
	}
	ui.render(c, http.StatusOK, "home", page{Title: "Apply for a community grant", Data: groups})
}

// round is a programme round's start page: who can apply, every question
// and how applications are assessed, readable before signing up.
func (ui *UI) round(c *gin.Context) {
	r, err := ui.app.ReadRound(c.Request.Context(), visitorActor(c), c.Param("id"))
	if err != nil {
		ui.fail(c, err)
		return
	}
	ui.render(c, http.StatusOK, "round", page{Title: r.Name, Data: r})
}
