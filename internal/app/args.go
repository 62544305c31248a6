package app

import (
	"time"

	"repere/internal/catalog"
)

// Refusal arguments that the entry point renders in its user's language.
type (
	// DateArg is a calendar day.
	DateArg time.Time
	// TimeArg is an instant (date and time).
	TimeArg time.Time
	// MinutesArg is a duration, said in minutes or hours.
	MinutesArg time.Duration
	// TextArg is a catalogue text in both languages.
	TextArg catalog.Text
	// KeyArg is another message key.
	KeyArg string
)
