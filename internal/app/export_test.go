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

// ConvocationRecheck makes the convocation of appointment id as
// SendConvocation does, and returns the check its write unit runs.
func ConvocationRecheck(ctx context.Context, a *App, id int64, lang string) (func(ctx context.Context) error, error) {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := a.convocationMail(f, lang, "convocation")
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return a.letterUnchanged(ctx, f, m, lang) }, nil
}
