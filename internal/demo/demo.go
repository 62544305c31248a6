// Package demo fills an empty database with a small, realistic, fictional
// practice: one site, two CT rooms, recovery places, three radiologists, staff
// accounts, referring physicians, patients and referrals. Every name is invented.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/billing"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
)

// Account is a demo login to print once at start.
type Account struct {
	Login, Name string
	Role        auth.Role
}

type demoUser struct {
	Account
	acts []string // for radiologists: act ids they perform ("*" = all)
}

var users = []demoUser{
	{Account{"dr.martin", "Dr Hélène Martin", auth.Radiologist}, []string{"*"}},
	{Account{"dr.nguyen", "Dr Thomas Nguyen", auth.Radiologist}, []string{"epidural_blood_patch", "lumbar_epidural_infiltration", "lumbar_foraminal_infiltration", "cervical_foraminal_infiltration", "facet_joint_infiltration"}},
	{Account{"dr.benali", "Dr Karim Benali", auth.Radiologist}, []string{"vertebroplasty", "lumbar_epidural_infiltration", "lumbar_foraminal_infiltration", "facet_joint_infiltration"}},
	{Account{"secretariat", "Sophie Lambert", auth.Secretary}, nil},
	{Account{"manip", "Julien Roux", auth.Radiographer}, nil},
	{Account{"dr.dubois", "Dr Claire Dubois", auth.Referrer}, nil},
}

var rooms = []practice.Room{
	{Name: "Scanner 1 — interventionnel", Kind: practice.CT, StationAETitle: "CT1_INTERV"},
	{Name: "Scanner 2", Kind: practice.CT, StationAETitle: "CT2_INTERV"},
	{Name: "Fauteuil de repos 1", Kind: practice.RecoveryChair},
	{Name: "Fauteuil de repos 2", Kind: practice.RecoveryChair},
	{Name: "Fauteuil de repos 3", Kind: practice.RecoveryChair},
	{Name: "Lit de repos 1", Kind: practice.RecoveryBed},
	{Name: "Lit de repos 2", Kind: practice.RecoveryBed},
	{Name: "Chambre 12 (hospitalisation)", Kind: practice.WardBed},
}

var physicians = []practice.Physician{
	{Name: "Dr Claire Dubois", RPPS: "10000000001", Email: "c.dubois@example.org"}, // linked to the dr.dubois account
	{Name: "Dr Paul Girard", Email: "p.girard@example.org"},
	{Name: "Dr Anne Leroy", Email: "a.leroy@example.org"},
}

type demoCase struct {
	p   patient.Patient
	ref referral.Referral
	doc int // index in physicians
	// When set, the referral is booked on the demo day at this time of day, in
	// the CT room of that index (0 or 1), with the radiologist of that login.
	at     time.Duration
	ct     int
	doctor string
	// Billing: the cover recorded, the variant booked, and for a recent
	// delivery the days between it and the demo day.
	cover            string
	variant          string
	deliveredDaysAgo int
	// nextDay books on the workday after the demo day.
	nextDay bool
}

var cases = []demoCase{
	{patient.Patient{BirthName: "Bernard", FirstNames: "Lucie", BirthDate: "1988-02-14", Sex: "F", Phone: "06 00 00 00 09"},
		referral.Referral{ActID: "epidural_blood_patch", Levels: "L4-L5", Indication: "Syndrome post-ponction lombaire depuis 5 jours", Urgency: referral.Soon, Status: referral.Received}, 2, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Petit", FirstNames: "Thierry", BirthDate: "1969-10-03", Sex: "M", Phone: "06 00 00 00 10"},
		referral.Referral{ActID: "lumbar_epidural_infiltration", Levels: "L4-L5", Indication: "Lombosciatique bilatérale", PriorImaging: "IRM lombaire 10/2026", Status: referral.Received}, 1, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Durand", FirstNames: "Agnès", BirthDate: "1961-05-19", Sex: "F", Phone: "06 00 00 00 11"},
		referral.Referral{ActID: "lumbar_foraminal_infiltration", Levels: "L4-L5", Side: "right", Indication: "Radiculalgie L4 droite", PriorImaging: "Scanner lombaire 09/2026", Status: referral.Received}, 0, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Lefèvre", FirstNames: "Zoé", BirthDate: "1991-04-12", Sex: "F", Phone: "06 00 00 00 01", Email: "zoe.lefevre@example.org"},
		referral.Referral{ActID: "epidural_blood_patch", Levels: "L3-L4", Indication: "Céphalées orthostatiques après péridurale obstétricale", Urgency: referral.Urgent, Status: referral.Received}, 2,
		9 * time.Hour, 0, "dr.martin", "", "", 6, false},
	{patient.Patient{BirthName: "Caron", UsedName: "Dupré", FirstNames: "Françoise", BirthDate: "1958-09-30", Sex: "F", Phone: "06 00 00 00 02"},
		referral.Referral{ActID: "facet_joint_infiltration", Levels: "L4-L5, L5-S1", Side: "bilateral", Indication: "Lombalgies chroniques, arthrose articulaire postérieure", PriorImaging: "IRM lombaire 09/2026", Status: referral.Screening}, 0, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Lemaître", FirstNames: "René", BirthDate: "1949-01-05", Sex: "M", Phone: "06 00 00 00 03"},
		referral.Referral{ActID: "vertebroplasty", Levels: "L1", Indication: "Fracture ostéoporotique douloureuse résistant au traitement", PriorImaging: "IRM rachis 10/2026", Urgency: referral.Soon, Status: referral.Received}, 1, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "M", Phone: "06 00 00 00 04"},
		referral.Referral{ActID: "lumbar_foraminal_infiltration", Levels: "L5-S1", Side: "left", Indication: "Sciatique L5 gauche sur hernie discale", PriorImaging: "Scanner lombaire 08/2026", Status: referral.Screening}, 0,
		10 * time.Hour, 0, "dr.nguyen", "", "", 0, false},
	{patient.Patient{BirthName: "Rousseau", FirstNames: "Amélie", BirthDate: "1983-11-02", Sex: "F", Phone: "06 00 00 00 05"},
		referral.Referral{ActID: "cervical_foraminal_infiltration", Levels: "C6-C7", Side: "right", Indication: "Névralgie cervico-brachiale C7 droite", PriorImaging: "IRM cervicale 10/2026", Status: referral.Screening}, 1,
		10*time.Hour + 30*time.Minute, 1, "dr.martin", "", "", 0, false},
	{patient.Patient{BirthName: "Fabre", FirstNames: "Noël", BirthDate: "1964-12-25", Sex: "M", Phone: "06 00 00 00 06"},
		referral.Referral{ActID: "lumbar_epidural_infiltration", Levels: "L4-L5", Indication: "Canal lombaire étroit, claudication", PriorImaging: "IRM lombaire 07/2026", Status: referral.Done}, 0, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Le Goff", FirstNames: "Gaëlle", BirthDate: "1995-03-08", Sex: "F", Phone: "06 00 00 00 07"},
		referral.Referral{ActID: "lumbar_foraminal_infiltration", Levels: "L4-L5", Side: "right", Indication: "Cruralgie droite", Status: referral.Cancelled}, 1, 0, 0, "", "", "", 0, false},
	{patient.Patient{BirthName: "Mercier", FirstNames: "Hervé", BirthDate: "1952-06-17", Sex: "M", Phone: "06 00 00 00 08"},
		referral.Referral{ActID: "facet_joint_infiltration", Levels: "C4-C5", Side: "left", Indication: "Cervicalgies, arthrose zygapophysaire", Status: referral.Received}, 0, 0, 0, "", "", "", 0, false},
	// The workday after: every other act is booked with Dr Benali, so that
	// the demo shows a convocation (and its cost estimate) for each act, with
	// the patients' cases an estimate knows: a long-term illness (ALD), a
	// minor, a vertebroplasty above the 120 EUR threshold of the 24 EUR flat
	// fee, a sector 2 extra fee.
	{patient.Patient{BirthName: "Perrot", FirstNames: "Monique", BirthDate: "1955-03-27", Sex: "F", Phone: "06 00 00 00 12"},
		referral.Referral{ActID: "facet_joint_infiltration", Levels: "L4-L5", Side: "bilateral", Indication: "Lombalgies inflammatoires, polyarthrite rhumatoïde (ALD)", PriorImaging: "Scanner lombaire 10/2026", Status: referral.Screening}, 0,
		14 * time.Hour, 0, "dr.benali", "ald", "", 0, true},
	{patient.Patient{BirthName: "Marchand", FirstNames: "Lionel", BirthDate: "1972-08-09", Sex: "M", Phone: "06 00 00 00 13"},
		referral.Referral{ActID: "lumbar_epidural_infiltration", Levels: "L5-S1", Indication: "Lombosciatique gauche rebelle", PriorImaging: "IRM lombaire 09/2026", Status: referral.Screening}, 1,
		14*time.Hour + 30*time.Minute, 0, "dr.benali", "", "", 0, true},
	{patient.Patient{BirthName: "Roche", FirstNames: "Gilbert", BirthDate: "1946-11-14", Sex: "M", Phone: "06 00 00 00 14"},
		referral.Referral{ActID: "vertebroplasty", Levels: "T12", Indication: "Tassement ostéoporotique T12 douloureux", PriorImaging: "IRM rachis 10/2026", Urgency: referral.Soon, Status: referral.Screening}, 1,
		15 * time.Hour, 0, "dr.benali", "", "one_vertebra", 0, true},
	{patient.Patient{BirthName: "Garnier", FirstNames: "Inès", Sex: "F", Phone: "06 00 00 00 15"}, // 16 years old on the demo day
		referral.Referral{ActID: "lumbar_foraminal_infiltration", Levels: "L5-S1", Side: "right", Indication: "Sciatique S1 droite sur hernie discale, échec du traitement médical", PriorImaging: "IRM lombaire 10/2026", Status: referral.Screening}, 0,
		16*time.Hour + 45*time.Minute, 0, "dr.benali", "", "", 0, true},
}

// fees are the demo radiologists' conventions and extra fees (cents): Dr
// Martin is in sector 1; Dr Nguyen and Dr Benali in sector 2 with OPTAM,
// asking 40 EUR (the extra fee page 001 mentions) and 30 EUR.
var fees = map[string]billing.Radiologist{
	"dr.martin": {Convention: billing.Sector1},
	"dr.nguyen": {Convention: billing.Sector2OPTAM, ExtraFee: 4000},
	"dr.benali": {Convention: billing.Sector2OPTAM, ExtraFee: 3000},
}

// NextWorkday returns the start of the first weekday (Monday to Friday, when
// the demo practice is open) after now, in loc.
func NextWorkday(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return FirstDay(time.Date(y, m, d+1, 0, 0, 0, 0, loc), loc)
}

// FirstDay is the demo day: the start of today in loc if the demo practice
// is open today (Monday to Friday), else of the next workday. A newcomer's
// first start shows a day board with patients on it, and the demo's other
// acts on the workday after.
func FirstDay(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
	return day
}

// Load adds the demo practice unless the database already has a site, with
// some referrals booked on day (a midnight in the practice's zone). It returns
// the demo accounts (all sharing password, to be changed at first sign-in)
// or nil when it did nothing.
func Load(ctx context.Context, st *store.Store, cat *catalog.Catalog, password string, day time.Time) ([]Account, error) {
	sites, err := st.Sites(ctx)
	if err != nil {
		return nil, err
	}
	if len(sites) > 0 {
		return nil, nil
	}
	ctx = audit.WithActor(ctx, audit.System("demo"))
	siteID, err := st.CreateSite(ctx, practice.Site{Name: "Centre d'imagerie du Parc (démonstration)", Address: "12 rue des Tilleuls, 60000 Beauvais", Phone: "03 00 00 00 00"})
	if err != nil {
		return nil, err
	}
	roomIDs := map[string]int64{}
	var cts []int64
	for _, r := range rooms {
		r.SiteID = siteID
		id, err := st.CreateRoom(ctx, r)
		if err != nil {
			return nil, err
		}
		roomIDs[r.Name] = id
		if r.Kind == practice.CT {
			cts = append(cts, id)
		}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	var accounts []Account
	userIDs := map[string]int64{}
	for _, u := range users {
		// The demo accounts share one password, printed at start: each must
		// choose its own at first sign-in.
		id, err := st.CreateUser(ctx, auth.User{Login: u.Login, DisplayName: u.Name, Role: u.Role, PasswordHash: hash, MustChangePassword: true})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.Login, err)
		}
		userIDs[u.Login] = id
		accounts = append(accounts, u.Account)
		if fee, ok := fees[u.Login]; ok {
			if err := st.SetRadiologistBilling(ctx, id, fee); err != nil {
				return nil, err
			}
		}
		if u.acts != nil {
			if err := st.SetRadiologistActs(ctx, id, expandActs(cat, u.acts)); err != nil {
				return nil, err
			}
		}
	}
	if err := openingHours(ctx, st, cts, userIDs); err != nil {
		return nil, err
	}
	// An anaesthetist attends vertebroplasties under general anaesthesia on
	// Tuesday and Thursday mornings.
	team, err := st.CreateAnaesthesiaTeam(ctx, practice.AnaesthesiaTeam{SiteID: siteID, Name: "Dr Perrin"})
	if err != nil {
		return nil, err
	}
	for _, d := range []time.Weekday{time.Tuesday, time.Thursday} {
		if _, err := st.AddOpeningHours(ctx, practice.OpeningHours{ResourceKind: practice.ResourceAnaesthesia, ResourceID: team, Weekday: int(d), StartMinute: 8 * 60, EndMinute: 12*60 + 30}); err != nil {
			return nil, err
		}
	}
	docIDs := make([]int64, len(physicians))
	for i, p := range physicians {
		if i == 0 {
			p.UserID = userIDs["dr.dubois"]
		}
		if docIDs[i], err = st.CreatePhysician(ctx, p); err != nil {
			return nil, err
		}
	}
	for _, c := range cases {
		if _, ok := cat.Act(c.ref.ActID); !ok {
			return nil, fmt.Errorf("demo referral names act %q, absent from the catalogue", c.ref.ActID)
		}
		if c.p.BirthDate == "" { // the minor: 16 years old whatever the demo day
			c.p.BirthDate = day.AddDate(-16, -2, 0).Format(time.DateOnly)
		}
		pid, err := st.CreatePatient(ctx, c.p)
		if err != nil {
			return nil, err
		}
		c.ref.PatientID, c.ref.PhysicianID, c.ref.PrescriptionDate = pid, docIDs[c.doc], day.AddDate(0, 0, -20).Format(time.DateOnly)
		rid, err := st.CreateReferral(ctx, c.ref)
		if err != nil {
			return nil, err
		}
		if c.cover != "" || c.deliveredDaysAgo > 0 {
			var start, delivered string
			if c.deliveredDaysAgo > 0 {
				d := day.AddDate(0, 0, -c.deliveredDaysAgo)
				start, delivered = d.AddDate(0, -9, 0).Format(time.DateOnly), d.Format(time.DateOnly)
			}
			if err := st.SetReferralBilling(ctx, rid, c.cover, start, delivered); err != nil {
				return nil, err
			}
		}
		if c.at != 0 {
			on := day
			if c.nextDay {
				on = NextWorkday(day, day.Location())
			}
			if err := book(ctx, st, cat, c, rid, on, cts[c.ct], userIDs[c.doctor], roomIDs); err != nil {
				return nil, err
			}
			if err := answer(ctx, st, cat, c, rid); err != nil {
				return nil, err
			}
		}
	}
	return accounts, nil
}

// screeningAnswers are the demo's particular answers; every other question
// of the act gets the reassuring answer.
var screeningAnswers = map[string]map[string]string{
	"Pasquier": {"allergy_contrast": "yes", "weight_kg": "81"},
	"Lefèvre":  {"weight_kg": "62"},
	"Rousseau": {"weight_kg": "58", "accompanying_person": "no"},
}

// answer fills the safety questionnaire of a booked demo referral.
func answer(ctx context.Context, st *store.Store, cat *catalog.Catalog, c demoCase, referralID int64) error {
	set, err := screening.Load(cat, "")
	if err != nil {
		return err
	}
	act, _ := cat.Act(c.ref.ActID)
	a := screening.Answers{Values: map[string]string{}}
	for _, q := range set.QuestionsForPatient(act, screening.Patient{Sex: c.p.Sex, BirthDate: c.p.BirthDate}) {
		switch {
		case q.Kind == "number":
			a.Values[q.ID] = "0"
		case q.Kind != "yes_no":
		case q.ID == "can_lie_prone_30min" || q.ID == "accompanying_person":
			a.Values[q.ID] = "yes"
		default:
			a.Values[q.ID] = "no"
		}
	}
	for k, v := range screeningAnswers[c.p.BirthName] {
		a.Values[k] = v
	}
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = st.SaveScreening(ctx, referralID, data, 0)
	return err
}

// book places a demo referral on the demo day with the act's own durations
// (its variant's room time) and the first free monitoring place of the kind
// it needs.
func book(ctx context.Context, st *store.Store, cat *catalog.Catalog, c demoCase, referralID int64, day time.Time, ct, doctor int64, roomIDs map[string]int64) error {
	act, _ := cat.Act(c.ref.ActID)
	places := map[string][]string{
		catalog.PlaceRecoveryChair: {"Fauteuil de repos 1", "Fauteuil de repos 2", "Fauteuil de repos 3"},
		catalog.PlaceRecoveryBed:   {"Lit de repos 1", "Lit de repos 2"},
		catalog.PlaceWardOvernight: {"Chambre 12 (hospitalisation)"},
	}[act.Monitoring.Place]
	minutes := act.RoomMinutes.Value
	if v, ok := act.Variant(c.variant); ok {
		minutes = v.RoomMinutes.Value
	}
	var err error
	for _, place := range places {
		_, err = st.Book(ctx, booking.Request{ReferralID: referralID, VariantID: c.variant, RoomID: ct, RadiologistID: doctor, PlaceID: roomIDs[place],
			Start: day.Add(c.at), RoomMinutes: minutes, MonitoringMinutes: act.Monitoring.Minutes})
		var conflict *booking.ConflictError
		if !errors.As(err, &conflict) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("demo booking of %s: %w", c.ref.ActID, err)
	}
	return nil
}

func expandActs(cat *catalog.Catalog, ids []string) []string {
	if len(ids) == 1 && ids[0] == "*" {
		ids = nil
		for _, a := range cat.Acts() {
			ids = append(ids, a.ID)
		}
	}
	var out []string
	for _, id := range ids {
		if _, ok := cat.Act(id); ok {
			out = append(out, id)
		}
	}
	return out
}

// openingHours gives the demo its week: scanner 1 interventional every
// weekday, scanner 2 on Tuesday and Thursday mornings, each radiologist on
// their own days.
func openingHours(ctx context.Context, st *store.Store, cts []int64, users map[string]int64) error {
	morning, afternoon := [2]int{8 * 60, 12*60 + 30}, [2]int{13*60 + 30, 17*60 + 30}
	type span struct {
		kind  string
		id    int64
		days  []time.Weekday
		spans [][2]int
	}
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	plan := []span{
		{practice.ResourceRoom, cts[0], weekdays, [][2]int{morning, afternoon}},
		{practice.ResourceRoom, cts[1], []time.Weekday{time.Tuesday, time.Thursday}, [][2]int{morning}},
		{practice.ResourceRadiologist, users["dr.martin"], weekdays, [][2]int{morning, afternoon}},
		{practice.ResourceRadiologist, users["dr.nguyen"], []time.Weekday{time.Monday, time.Tuesday, time.Thursday}, [][2]int{morning, afternoon}},
		{practice.ResourceRadiologist, users["dr.benali"], []time.Weekday{time.Tuesday, time.Wednesday, time.Friday}, [][2]int{morning, afternoon}},
	}
	for _, p := range plan {
		for _, d := range p.days {
			for _, sp := range p.spans {
				if _, err := st.AddOpeningHours(ctx, practice.OpeningHours{ResourceKind: p.kind, ResourceID: p.id, Weekday: int(d), StartMinute: sp[0], EndMinute: sp[1]}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
