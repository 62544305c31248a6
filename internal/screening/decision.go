package screening

import "time"

// Kinds of screening decisions.
const (
	DecisionSigned   = "signed"
	DecisionOverride = "override"
)

// Decision is a radiologist's signature of a screening or override
// of one of its findings.
type Decision struct {
	ID, ReferralID int64
	Kind           string
	RuleID, Reason string
	AnswersVersion int
	VerdictStatus  string
	At             time.Time
	Actor          string
	// With a signature: what the radiologist prescribes for the act.
	Premedication, ContrastAgent string
}
