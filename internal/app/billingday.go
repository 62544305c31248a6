package app

import (
	"context"
	"strconv"
	"time"

	"repere/internal/audit"
	"repere/internal/billing"
	"repere/internal/booking"
	"repere/internal/store"
)

// BillingDay is the day's billing: one line per code of every act done that
// day, from its saved act record (or, before the record is saved, from the
// booking), and how many acts of the day are not done.
type BillingDay struct {
	Day     string
	Lines   []billing.DayLine
	Acts    int // acts done
	NotDone int // acts still booked that day (not billed yet)
}

// BillingOfDay gathers the billing of day (YYYY-MM-DD in the practice's
// zone). Every patient read is audited, and the export itself is recorded.
func (a *App) BillingOfDay(ctx context.Context, day string) (BillingDay, error) {
	start, err := time.ParseInLocation(time.DateOnly, day, a.loc)
	if err != nil {
		return BillingDay{}, invalid("billing.err.day")
	}
	out := BillingDay{Day: day}
	appts, err := a.store.ListAppointments(ctx, store.AppointmentFilter{From: start, To: start.AddDate(0, 0, 1), Limit: 2000})
	if err != nil {
		return out, err
	}
	for _, ap := range appts {
		if ap.Status == booking.Booked {
			out.NotDone++
		}
		if ap.Status != booking.Done {
			continue
		}
		lines, err := a.billingLines(ctx, ap.ID)
		if err != nil {
			return out, err
		}
		out.Acts++
		out.Lines = append(out.Lines, lines...)
	}
	actor, _ := audit.ActorFrom(ctx)
	err = a.store.RecordEvent(ctx, actor, "export", "billing", day, "acts="+strconv.Itoa(out.Acts)+" lines="+strconv.Itoa(len(out.Lines)))
	return out, err
}

// billingLines are the codes of one appointment done.
func (a *App) billingLines(ctx context.Context, id int64) ([]billing.DayLine, error) {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return nil, err
	}
	rec, _, err := a.storedRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	recorded := len(rec.Billing) > 0
	billed, err := a.BilledCodes(ctx, f, rec)
	if err != nil {
		return nil, err
	}
	start := f.Appointment.Start.In(a.loc)
	cover := f.Referral.Cover
	if cover == "" {
		cover = billing.CoverGeneral
	}
	convention := f.Estimate.Convention
	if convention == "" {
		convention = billing.Sector1
	}
	var out []billing.DayLine
	for i, b := range billed {
		l := billing.DayLine{Day: start.Format(time.DateOnly), Time: start.Format("15:04"), AppointmentID: id,
			PatientName: f.Patient.DisplayName(), BirthDate: f.Patient.BirthDate, INS: f.Patient.INS, Act: f.Act.Name.In("fr"), ActID: f.Act.ID,
			Radiologist: f.Appointment.RadiologistName, Convention: convention, Cover: cover,
			Code: b.Code, Label: b.Label, Activity: b.Activity, Phase: b.Phase, Modifiers: b.Modifiers, Percent: b.Percent,
			Tariff: billing.Cents(b.TariffCents), Amount: billing.Cents(b.BaseCents), Priced: b.Priced, Recorded: recorded}
		if i == 0 {
			l.ExtraFee = f.Estimate.ExtraFee
		}
		out = append(out, l)
	}
	return out, nil
}
