package apptest

// The actors of the authorisation matrices (the API's and the web's), in
// their column order: who may do what is one table per face, read across.
const (
	ActorAnon       = iota // no token or session
	ActorMember            // member of the applying organisation
	ActorAdmin             // its admin
	ActorStranger          // admin of an unrelated organisation
	ActorAssigned          // assessor assigned to the application
	ActorUnassigned        // assessor not assigned to it
	ActorConflicted        // assessor who declared a conflict on it
	ActorReleased          // assessor released from it (deadline passed)
	ActorChair             // panel chair
	ActorChairM            // panel chair who is a member of the applicant
	ActorManager           // programme manager
	ActorManagerM          // programme manager who is a member of the applicant
	ActorFinance           // finance
	ActorFinanceM          // finance who is a member of the payee
	Actors                 // how many
)

// ActorNames name the matrix actors, in column order.
var ActorNames = [Actors]string{"anon", "member", "admin", "stranger", "assigned", "unassigned", "conflicted", "released",
	"chair", "chair-member", "manager", "manager-member", "finance", "finance-member"}
