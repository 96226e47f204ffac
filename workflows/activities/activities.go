package activities

import (
	"log/slog"

	"go.temporal.io/sdk/activity"

	"github.com/civicgrants/grants/db"
	"github.com/civicgrants/grants/workflows"
)

// Activities holds the dependencies of every activity.
type Activities struct {
	Store *db.Store
	Log   *slog.Logger
}

// Registrar is the part of a Temporal worker that registers activities.
type Registrar interface {
	RegisterActivityWithOptions(a interface{}, options activity.RegisterOptions)
}

// Register registers every activity under its stable name.
func (a *Activities) Register(r Registrar) {
	r.RegisterActivityWithOptions(a.CheckEligibility, activity.RegisterOptions{Name: workflows.ActivityCheckEligibility})
}
