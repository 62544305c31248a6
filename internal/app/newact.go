package app

import (
	"context"
	"time"

	"repere/internal/referral"
)

// OfferNewAct creates a referral for the same act as appointment id's,
// prefilled from its referral, when the act's follow-up offers one (it
// failed, or the pain came back); the indication says why, in lang. The
// appointment's file, the follow-up's check and the new referral are one
// unit of work (store.WriteUnit).
func (a *App) OfferNewAct(ctx context.Context, id int64, lang string) (int64, error) {
	var newID int64
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		f, err := a.AppointmentFile(ctx, id)
		if err != nil {
			return err
		}
		fu, err := a.FollowUpOf(ctx, f)
		if err != nil {
			return err
		}
		if !fu.Outcome.OfferNewAct {
			return refuse("followup.err.no_offer")
		}
		l, prev := a.i18n.For(lang), f.Referral
		ref := referral.Referral{PatientID: prev.PatientID, PhysicianID: prev.PhysicianID, ActID: prev.ActID, Levels: prev.Levels, Side: prev.Side,
			Urgency: referral.Soon, PrescriptionDate: a.Now().In(a.loc).Format(time.DateOnly), Status: referral.Received,
			Indication: l.T("followup.indication", "Status", l.T("followup.status."+fu.Outcome.Status), "Date", l.Date(f.Appointment.Start.In(a.loc)),
				"Previous", prev.Indication),
			PriorImaging: prev.PriorImaging}
		newID, err = a.store.CreateReferral(ctx, ref)
		return err
	})
	return newID, err
}
