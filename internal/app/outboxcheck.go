package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/i18n"
	"repere/internal/mail"
	"repere/internal/store"
)

// withheld says why a message claimed from the outbox must not go out (a
// message key), or "". A message waits in the outbox for its retries
// (hours) and an SMS for its provider; meanwhile the patient may have given
// another address, or the appointment moved or been cancelled: the old
// address should not receive the patient's name and act, nor the patient
// a letter with the old date. A report goes to the referring physician:
// not checked.
func (a *App) withheld(ctx context.Context, m mail.Outgoing) (string, error) {
	if m.PatientID == 0 || m.Kind == "report" {
		return "", nil
	}
	why, err := a.recipientChanged(ctx, m)
	if why != "" || err != nil {
		return why, err
	}
	return a.appointmentChanged(ctx, m)
}

// withhold records that m is not sent, and why: a reminder or a follow-up
// question is cancelled, for the outbox to queue it again from the record
// as it is now; any other message (sent by the staff) is given up, and the
// staff sees it among the failed ones, to send again.
func (a *App) withhold(ctx context.Context, m mail.Outgoing, why string) error {
	reason := a.i18n.For(i18n.Default).T(why)
	if m.Kind == "reminder" || strings.HasPrefix(m.Kind, "followup_") {
		return a.store.MailWithheld(ctx, m.ID, reason)
	}
	return a.store.MailAttemptFailed(ctx, m.ID, reason, time.Time{})
}

// recipientChanged says why m must not go to its recipient: the patient's
// address (or phone, for an SMS) is no longer the one it was queued to, or
// the record is gone.
func (a *App) recipientChanged(ctx context.Context, m mail.Outgoing) (string, error) {
	p, err := a.store.Patient(ctx, m.PatientID)
	if errors.Is(err, store.ErrNotFound) {
		return "mail.withheld.record_gone", nil
	}
	if err != nil {
		return "", err
	}
	now := p.Email
	if m.Channel == mail.ChannelSMS {
		now = p.Phone
	}
	if now != m.To {
		return "mail.withheld.address_changed", nil
	}
	return "", nil
}

// appointmentChanged says why a convocation, reminder or follow-up
// question is out of date: its appointment is gone, filed on another
// record, no longer booked (done, for a follow-up), or, for a letter, the
// letter made again from the appointment's file at the instant the
// message was queued is not the one it carries (its doc_version, in either
// language: the row does not keep the one it was made in).
func (a *App) appointmentChanged(ctx context.Context, m mail.Outgoing) (string, error) {
	changed := "mail.withheld.appointment_changed"
	letter := m.Kind == "reminder" || strings.HasPrefix(m.Kind, "convocation")
	if m.AppointmentID == 0 || (!letter && !strings.HasPrefix(m.Kind, "followup_")) {
		return "", nil
	}
	f, err := a.appointmentFileAt(ctx, m.AppointmentID, m.CreatedAt)
	if errors.Is(err, ErrNotFound) {
		return changed, nil
	}
	if err != nil {
		return "", err
	}
	want := booking.Done
	if letter {
		want = booking.Booked
	}
	if f.Appointment.Status != want || f.Patient.ID != m.PatientID {
		return changed, nil
	}
	if !letter {
		return "", nil
	}
	for _, lang := range i18n.Supported {
		_, html, err := a.convocationHTML(f, lang)
		if _, refused := AsRefusal(err); refused {
			return changed, nil
		}
		if err != nil {
			return "", err
		}
		if letterVersion(html) == m.Version {
			return "", nil
		}
	}
	return changed, nil
}
