package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"repere/internal/actrecord"
	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/clock"
	"repere/internal/dose"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/screening"
)

// HistoryStats counts what History played.
type HistoryStats struct {
	Referrals, Done, Cancelled, NoShows, Failed int
	// Failures counts the refusals met, by their first words.
	Failures map[string]int
}

// History plays a past year of the demo practice through the application
// layer, so that the dashboards show real shapes on first start and the
// history obeys the same rules as the pages: each workday a few referrals
// arrive, their questionnaire is answered and signed, the act is booked on
// the first free slot, then cancelled (4 %), missed (3 %) or performed:
// check-in on two identifiers, checklist, act, dose report from the
// scanner, act record, discharge, pain scores before and on the follow-up
// days. clk must be the application's (and the store's) clock: History
// moves it through the year and leaves it at until.
func History(ctx context.Context, a *app.App, clk *clock.Offset, until time.Time, perDay int, seed uint64) (HistoryStats, error) {
	stats := HistoryStats{Failures: map[string]int{}}
	st := a.Store()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	loc := a.Location()
	doctor := audit.WithActor(ctx, audit.Actor{Login: "dr.martin", Role: string(auth.Radiologist)})
	physicians, err := st.Physicians(doctor)
	if err != nil || len(physicians) == 0 {
		return stats, fmt.Errorf("demo history needs the demo practice (physicians): %v", err)
	}
	acts := a.Catalog().Acts()
	start := until.AddDate(-1, 0, 0)
	for day := dayStart(start, loc); day.Before(until.AddDate(0, 0, -40)); day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for i := 0; i < perDay; i++ {
			act := acts[rng.IntN(len(acts))]
			clk.Set(day.Add(time.Duration(8*60+rng.IntN(9*60)) * time.Minute))
			stats.Referrals++
			if err := playOne(doctor, a, clk, act, physicians[rng.IntN(len(physicians))].ID, until, rng, &stats); err != nil {
				stats.Failed++
				msg := err.Error()
				stats.Failures[msg[:min(len(msg), 60)]]++
				if stats.Failed > 20 && stats.Failed*2 > stats.Referrals {
					return stats, fmt.Errorf("demo history: most acts fail, the last one: %w", err)
				}
			}
		}
	}
	clk.Set(until)
	return stats, nil
}

func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

var firstNames = []string{"Anne", "Bernard", "Claire", "Denis", "Élodie", "François", "Gisèle", "Hugo", "Inès", "Jacques", "Karine", "Louis", "Maëlle", "Nicolas", "Odile", "Pierre"}
var lastNames = []string{"MOREL", "GIRARD", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "PERRIN", "ROBIN", "CLÉMENT", "MORIN"}

// playOne plays one referral from its arrival to its last pain score.
func playOne(ctx context.Context, a *app.App, clk *clock.Offset, act *catalog.Act, physicianID int64, until time.Time, rng *rand.Rand, stats *HistoryStats) error {
	st := a.Store()
	arrived := clk.Now()
	sex := []string{"F", "M"}[rng.IntN(2)]
	birth := arrived.AddDate(-(35 + rng.IntN(50)), -rng.IntN(12), -rng.IntN(28)).Format(time.DateOnly)
	pid, err := st.CreatePatient(ctx, patient.Patient{BirthName: lastNames[rng.IntN(len(lastNames))], FirstNames: firstNames[rng.IntN(len(firstNames))],
		BirthDate: birth, Sex: sex, Phone: "06 00 00 00 00"})
	if err != nil {
		return err
	}
	ref := referral.Referral{PatientID: pid, PhysicianID: physicianID, ActID: act.ID, Indication: "Douleur (historique de démonstration)",
		PrescriptionDate: arrived.AddDate(0, 0, -3).Format(time.DateOnly)}
	if act.ID == "epidural_blood_patch" {
		ref.Levels = "L3-L4"
	} else if len(act.ID) > 0 {
		ref.Levels = "L4-L5"
	}
	rid, err := st.CreateReferral(ctx, ref)
	if err != nil {
		return err
	}
	answers := screening.Answers{Values: map[string]string{}}
	for _, q := range a.Screening().QuestionsFor(act) {
		switch {
		case q.ID == "weight_kg":
			answers.Values[q.ID] = strconv.Itoa(55 + rng.IntN(45))
		case q.Kind == screening.KindNumber:
			answers.Values[q.ID] = "0"
		case q.YesMeans == "ability":
			answers.Values[q.ID] = screening.Yes
		default:
			answers.Values[q.ID] = screening.No
		}
	}
	if err := a.SaveAnswers(ctx, rid, answers, 0); err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	_ = a.SignScreening(ctx, rid, "", "")
	earliest := arrived.AddDate(0, 0, 2+rng.IntN(12))
	slots, err := a.FreeSlots(ctx, act.ID, earliest, earliest.AddDate(0, 0, 21), 1)
	if err != nil || len(slots) == 0 {
		return fmt.Errorf("no slot for %s: %v", act.ID, err)
	}
	s := slots[0]
	if !s.Start.Before(until) {
		return fmt.Errorf("no slot before the end of the history for %s", act.ID)
	}
	variants := []string{""}
	for _, v := range act.Variants {
		variants = append(variants, v.ID)
	}
	var id int64
	for _, variant := range variants[min(1, len(variants)-1):] {
		id, err = a.Book(ctx, app.BookRequest{ReferralID: rid, Start: s.Start, Variant: variant, RoomID: s.RoomID, RadiologistID: s.RadiologistID,
			PlaceID: s.PlaceID, AnaesthesiaID: s.AnaesthesiaID, WithAnaesthesia: s.AnaesthesiaID != 0})
		if err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("book: %w", err)
	}
	switch r := rng.Float64(); {
	case r < 0.04:
		clk.Set(s.Start.AddDate(0, 0, -1))
		stats.Cancelled++
		return a.Cancel(ctx, id, "Le patient a annulé (historique de démonstration)")
	case r < 0.07:
		clk.Set(s.Start.Add(time.Hour))
		stats.NoShows++
		return a.NoShow(ctx, id, "Absent (historique de démonstration)")
	}
	return perform(ctx, a, clk, act, id, birth, until, rng, stats)
}

func perform(ctx context.Context, a *app.App, clk *clock.Offset, act *catalog.Act, id int64, birth string, until time.Time, rng *rand.Rand, stats *HistoryStats) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	ap := f.Appointment
	clk.Set(ap.Start.Add(-30 * time.Minute))
	if err := a.CheckInPatient(ctx, id, app.CheckIn{NameConfirmed: true, BirthDate: birth}); err != nil {
		return fmt.Errorf("check-in: %w", err)
	}
	state, err := a.Checklist(ctx, f)
	if err != nil {
		return err
	}
	for _, item := range state.Items {
		if err := a.CheckItem(ctx, id, item.ID, "ok", ""); err != nil {
			return fmt.Errorf("checklist: %w", err)
		}
	}
	clk.Set(ap.Start)
	if err := a.StartAct(ctx, id, ap.Start); err != nil {
		if err := a.OverrideChecklist(ctx, id, "Point vérifié oralement (historique de démonstration)"); err != nil {
			return fmt.Errorf("override: %w", err)
		}
		if err := a.StartAct(ctx, id, ap.Start); err != nil {
			return fmt.Errorf("start: %w", err)
		}
	}
	end := ap.Start.Add(time.Duration(ap.RoomMinutes) * time.Minute)
	clk.Set(end)
	if err := a.EndAct(ctx, id, end); err != nil {
		return fmt.Errorf("end: %w", err)
	}
	if err := sendDoseReport(ctx, a, act, ap.AccessionNumber, id, rng); err != nil {
		return err
	}
	if err := saveRecord(ctx, a, id, rng); err != nil {
		return err
	}
	f, _ = a.AppointmentFile(ctx, id)
	monitoringEnd, err := a.MonitoringEnd(ctx, f)
	if err != nil {
		return err
	}
	clk.Set(monitoringEnd.Add(5 * time.Minute))
	checked := map[string]bool{}
	for _, c := range a.FollowUp().DischargeCriteria(act) {
		checked[c.ID] = true
	}
	if err := a.Discharge(ctx, id, checked, ""); err != nil {
		return fmt.Errorf("discharge: %w", err)
	}
	stats.Done++
	return painScores(ctx, a, clk, act, id, ap.Start, until, rng)
}

// doseDLP draws a plausible DLP for a CT-guided act: log-normal around a
// median per act, for the demo only (not a reference).
func doseDLP(act *catalog.Act, rng *rand.Rand) float64 {
	median := map[string]float64{"vertebroplasty": 900, "epidural_blood_patch": 250}[act.ID]
	if median == 0 {
		median = 350
	}
	return math.Round(median*math.Exp(0.45*rng.NormFloat64())*10) / 10
}

func sendDoseReport(ctx context.Context, a *app.App, act *catalog.Act, accession string, id int64, rng *rand.Rand) error {
	dlp := doseDLP(act, rng)
	scout := math.Round(dlp*0.04*10) / 10
	uid := fmt.Sprintf("2.25.%d%06d", id, rng.IntN(1000000))
	r := dose.Report{SOPClassUID: "1.2.840.10008.5.1.4.1.1.88.67", SOPInstanceUID: uid, StudyInstanceUID: uid + ".1", AccessionNumber: accession,
		StationName: "CT1", TotalDLP: ptr(dlp + scout), Events: []dose.Event{
			{UID: uid + ".2", AcquisitionType: dose.Code{Value: "113805", Scheme: "DCM", Meaning: "Constant Angle Acquisition"}, CTDIvol: ptr(0.6), DLP: ptr(scout), Protocol: "Topogramme"},
			{UID: uid + ".3", AcquisitionType: dose.Code{Value: "P5-08001", Scheme: "SRT", Meaning: "Spiral Acquisition"}, CTDIvol: ptr(math.Round(dlp/12*10) / 10), DLP: ptr(dlp), Protocol: "Rachis interventionnel"},
		}}
	if _, err := a.DoseReports().ReceiveReport(ctx, r, "CT1_INTERV"); err != nil {
		return fmt.Errorf("dose report: %w", err)
	}
	return nil
}

func ptr(v float64) *float64 { return &v }

// saveRecord fills the act's required fields with usual values.
func saveRecord(ctx context.Context, a *app.App, id int64, rng *rand.Rand) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	rec, version, err := a.ActRecord(ctx, f)
	if err != nil {
		return err
	}
	if rec.Start.IsZero() {
		rec.Start = f.Appointment.Start
		rec.End = f.Appointment.Start.Add(time.Duration(f.Appointment.RoomMinutes) * time.Minute)
	}
	for _, field := range a.Records().FieldsFor(f.Act, f.Appointment.VariantID, nil) {
		fillField(&rec, field, rng)
	}
	out, err := a.SaveRecord(ctx, id, app.RecordSave{Record: rec, Version: version})
	if err != nil {
		return err
	}
	if !out.Saved {
		return fmt.Errorf("record of %s not saved: %v %v", f.Act.ID, out.Errors, out.Unconfirmed)
	}
	return nil
}

func fillField(rec *actrecord.Record, field actrecord.Field, rng *rand.Rand) {
	switch field.Kind {
	case actrecord.KindLevels:
		known := map[string]bool{}
		for _, c := range field.Choices {
			known[c.Key] = true
		}
		if len(field.Choices) > 0 && (len(rec.Levels) == 0 || !known[rec.Levels[0]]) {
			rec.Levels = []string{field.Choices[len(field.Choices)/2].Key}
		}
	case actrecord.KindChoice:
		if len(field.Choices) > 0 {
			switch field.ID {
			case "side":
				if rec.Side == "" {
					rec.Side = field.Choices[0].Key
				}
			case "approach":
				rec.Approach = field.Choices[0].Key
			case "needle_gauge":
				rec.NeedleGauge, _ = strconv.Atoi(field.Choices[0].Key)
			}
		}
	case actrecord.KindDrug:
		if len(field.Drugs) > 0 && field.Required {
			d := field.Drugs[0]
			mg := 10.0
			if d.Usual != nil && d.Usual.Min != nil {
				mg = *d.Usual.Min
			}
			rec.Drugs = append(rec.Drugs, actrecord.DrugDose{DrugID: d.ID, DoseMg: mg})
		}
	case actrecord.KindNumber:
		if field.ID == "blood_ml" {
			rec.BloodML = ptr(float64(15 + rng.IntN(8)))
		}
	case actrecord.KindPerLevel:
		rec.CementML = map[string]float64{}
		for _, lv := range rec.Levels {
			rec.CementML[lv] = float64(3 + rng.IntN(3))
		}
	case actrecord.KindComplications:
		rec.Complications = []string{actrecord.ComplicationNone}
		if rng.Float64() < 0.03 && len(field.Choices) > 2 {
			rec.Complications = []string{field.Choices[1+rng.IntN(len(field.Choices)-2)].Key}
		}
	}
}

// painScores gives the score before the act and, most of the time, the
// follow-up ones: relief for most, none for some.
func painScores(ctx context.Context, a *app.App, clk *clock.Offset, act *catalog.Act, id int64, start, until time.Time, rng *rand.Rand) error {
	before := 5 + rng.IntN(5)
	clk.Set(start.Add(-20 * time.Minute))
	if err := a.AddPainScore(ctx, id, 0, before); err != nil {
		return fmt.Errorf("score before: %w", err)
	}
	relief := rng.Float64() < 0.7
	for _, d := range a.FollowUp().FollowUpDays(act) {
		if rng.Float64() < 0.12 {
			break // the patient stops answering
		}
		score := before - rng.IntN(2)
		if relief {
			score = max(0, before-3-rng.IntN(before-2))
		}
		at := start.AddDate(0, 0, d).Add(10 * time.Hour)
		if at.After(until) {
			break // not yet due
		}
		clk.Set(at)
		if err := a.AddPainScore(ctx, id, d, score); err != nil {
			return fmt.Errorf("score D%d: %w", d, err)
		}
	}
	return nil
}
