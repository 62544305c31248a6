package app

import (
	"context"

	"repere/internal/mail"
)

// SetBeforeLetterWrite makes a run fn between the read that made a letter
// (m) and the write unit that queues it: a test moves the appointment there.
func SetBeforeLetterWrite(a *App, fn func(ctx context.Context, m mail.Outgoing)) {
	a.beforeLetterWrite = fn
}
