package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"repere/internal/booking"
	"repere/internal/followup"
	"repere/internal/store"
)

// Watch is what the team records during an appointment's monitoring: the
// act's watch from the follow-up data (a practice default, so marked).
func (a *App) Watch(f AppointmentFile) followup.Watch { return a.followup.WatchOf(f.Act) }

// RecordObservation records one set of monitoring values while the patient
// is watched. Every kind the act's watch asks must be given, within its
// range; a changed neurological check needs a note saying what changed.
func (a *App) RecordObservation(ctx context.Context, id int64, o followup.Observation) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.recordObservation(ctx, id, o) })
}

func (a *App) recordObservation(ctx context.Context, id int64, o followup.Observation) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	if f.Appointment.DayStatus != booking.Monitoring {
		return refuse("observation.err.not_watched")
	}
	w := a.Watch(f)
	o.Note = strings.TrimSpace(o.Note)
	r := &Refusal{Invalid: true}
	bad := func(key, field string) { r.Reasons = append(r.Reasons, Reason{Key: key, Field: field}) }
	if w.Asks(followup.BloodPressure) {
		switch {
		case o.Systolic < 40 || o.Systolic > 300:
			bad("observation.err.systolic", "systolic")
		case o.Diastolic < 20 || o.Diastolic > 200 || o.Diastolic >= o.Systolic:
			bad("observation.err.diastolic", "diastolic")
		}
		if o.HeartRate != 0 && (o.HeartRate < 20 || o.HeartRate > 250) {
			bad("observation.err.heart_rate", "heart_rate")
		}
	} else {
		o.Systolic, o.Diastolic, o.HeartRate = 0, 0, 0
	}
	if w.Asks(followup.PainScore) {
		if o.Pain == nil || *o.Pain < 0 || *o.Pain > 10 {
			bad("observation.err.pain", "pain")
		}
	} else {
		o.Pain = nil
	}
	if w.Asks(followup.NeuroCheck) {
		switch {
		case o.Neuro != followup.NeuroAsBefore && o.Neuro != followup.NeuroChanged:
			bad("observation.err.neuro", "neuro")
		case o.Neuro == followup.NeuroChanged && o.Note == "":
			bad("observation.err.neuro_note", "note")
		}
	} else {
		o.Neuro = ""
	}
	if len(r.Reasons) > 0 {
		return r
	}
	if err := a.store.AddObservation(ctx, id, o); errors.Is(err, store.ErrNotMonitored) {
		// Discharged between the check above and the write.
		return refuse("observation.err.not_watched")
	} else if err != nil {
		return err
	}
	return nil
}

// Observations lists an appointment's monitoring observations, oldest first.
func (a *App) Observations(ctx context.Context, id int64) ([]followup.Observation, error) {
	return a.store.Observations(ctx, id)
}

// ObservationsDue gives, for each appointment of list in monitoring whose
// act's watch asks observations, when the next one is due: its latest
// observation (or the start of monitoring) plus the watch's interval. The
// day board shows it, so an overdue check is seen from the whole team.
func (a *App) ObservationsDue(ctx context.Context, list []booking.Appointment) (map[int64]time.Time, error) {
	every := map[int64]time.Duration{}
	var ids []int64
	for _, ap := range list {
		if ap.DayStatus != booking.Monitoring || ap.MonitoringFrom.IsZero() {
			continue
		}
		act, ok := a.catalog.Act(ap.ActID)
		if !ok {
			continue
		}
		if w := a.followup.WatchOf(act); w.EveryMinutes > 0 && len(w.Kinds) > 0 {
			every[ap.ID] = time.Duration(w.EveryMinutes) * time.Minute
			ids = append(ids, ap.ID)
		}
	}
	out := map[int64]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	last, err := a.store.LastObservations(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, ap := range list {
		interval, ok := every[ap.ID]
		if !ok {
			continue
		}
		from := ap.MonitoringFrom
		if t, ok := last[ap.ID]; ok && t.After(from) {
			from = t
		}
		out[ap.ID] = from.Add(interval)
	}
	return out, nil
}
