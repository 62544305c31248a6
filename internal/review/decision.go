package review

import (
	"time"
)

// Choices of a practice decision.
const (
	// Confirm: the practice confirms the value as its own.
	Confirm = "confirm"
	// Revoke withdraws an earlier decision: the row is open again.
	Revoke = "revoke"
	// KeepCatalogue: of a catalogue value and a seed page's, the practice
	// keeps the catalogue's (it counts as a confirmation).
	KeepCatalogue = "keep_catalogue"
	// AdoptSeed: the practice adopts the seed page's value, which it sets in
	// its own catalogue folder.
	AdoptSeed = "adopt_seed"
)

// Choices lists the valid choices.
var Choices = []string{Confirm, Revoke, KeepCatalogue, AdoptSeed}

// Decision is the practice's decision on one row of the data.
type Decision struct {
	ID          int64
	Key         string // the row's key (screening.RuleKey, HoldKey...; "act:...", "seed:...")
	Fingerprint string // of the row's content when decided
	Choice      string
	Reason      string
	By, ByName  string // login and name of the radiologist
	At          time.Time
}

// Latest returns the latest decision of each row; decisions come oldest first.
func Latest(ds []Decision) map[string]Decision {
	out := map[string]Decision{}
	for _, d := range ds {
		out[d.Key] = d
	}
	return out
}

// Confirmed returns the keys of the rows the practice confirmed, on their
// current content: the latest decision confirms (or keeps the catalogue's
// value) and was taken on the row as it is now. The screening reads it as
// Input.Confirmed.
func Confirmed(fingerprints map[string]string, ds []Decision) map[string]bool {
	out := map[string]bool{}
	for key, d := range Latest(ds) {
		if fp, ok := fingerprints[key]; ok && fp == d.Fingerprint && (d.Choice == Confirm || d.Choice == KeepCatalogue) {
			out[key] = true
		}
	}
	return out
}
