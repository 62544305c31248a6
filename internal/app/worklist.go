package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/worklist"
)

// Worklist serves the booked appointments to the scanners (it is the
// worklist server's worklist.Source), with what the console operator must
// see from the safety screening (alerts, contrast allergy, weight, the
// radiologist's premedication and contrast agent), evaluated at each query
// by the same screening as the pages.
type Worklist struct{ a *App }

// Worklist returns the DICOM worklist source of the application.
func (a *App) Worklist() Worklist { return Worklist{a} }

var _ worklist.Source = Worklist{}

// WorklistItems lists the booked acts starting in the range, of one station
// when asked. The query is one read unit of work: on SQLite it reads without
// the write lock, so consoles querying at once do not queue behind each
// other, and its audit entry is committed before the items are returned
// (and so before any answer is sent).
func (w Worklist) WorklistItems(ctx context.Context, r worklist.Range) ([]worklist.Item, error) {
	var items []worklist.Item
	err := w.a.store.ReadUnit(audit.WithActor(ctx, DicomActor), func(ctx context.Context) error {
		var err error
		items, err = w.items(ctx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

func (w Worklist) items(ctx context.Context, r worklist.Range) ([]worklist.Item, error) {
	rows, err := w.a.store.WorklistRows(ctx, r.From, r.To, r.StationAETitle)
	if err != nil {
		return nil, err
	}
	screenings, err := w.a.answeredScreenings(ctx, rows)
	if err != nil {
		return nil, err
	}
	items := make([]worklist.Item, 0, len(rows))
	for _, row := range rows {
		it := w.item(row)
		if st, ok := screenings[row.Appointment.ID]; ok {
			addSafety(&it, st)
		}
		items = append(items, it)
	}
	return items, nil
}

// answeredScreenings evaluates, keyed by appointment id, the screenings
// of the rows whose questionnaire was answered; the others are absent (a
// console is shown nothing of an unanswered screening, so it is not
// evaluated). The rows bring the patient and levels the rules read.
func (a *App) answeredScreenings(ctx context.Context, rows []store.WorklistRow) (map[int64]Screening, error) {
	items := make([]screeningItem, len(rows))
	for i := range rows {
		row := &rows[i]
		items[i] = screeningItem{key: row.Appointment.ID, referralID: row.Appointment.ReferralID, actID: row.Appointment.ActID, appt: &row.Appointment,
			subject: &store.ScreeningSubject{Levels: row.Levels, Patient: screening.Patient{Sex: row.Patient.Sex, BirthDate: row.Patient.BirthDate}}}
	}
	return a.screeningsFor(ctx, items, true)
}

// addSafety puts the screening's console alerts, contrast allergy, the
// patient's weight and the radiologist's prescription on an entry. A
// contraindication no radiologist has lifted heads the alerts.
func addSafety(it *worklist.Item, st Screening) {
	if st.Signed != nil {
		it.Step.PreMedication, it.Step.ContrastAgent = st.Signed.Premedication, st.Signed.ContrastAgent
	}
	it.MedicalAlerts = st.Verdict.MedicalAlerts("fr")
	if st.Verdict.Status == screening.Contraindicated {
		it.MedicalAlerts = append([]string{"CONTRE-INDICATION NON LEVEE"}, it.MedicalAlerts...)
	}
	if allergy := st.Verdict.ContrastAllergy("fr"); allergy != "" {
		it.ContrastAllergies = []string{allergy}
	}
	if kg, ok := st.Answers.Number("weight_kg"); ok && kg > 0 {
		it.PatientWeightKg = kg
	}
}

func (w Worklist) item(row store.WorklistRow) worklist.Item {
	a, p := row.Appointment, row.Patient
	description := a.ActID
	var code *worklist.Code
	if act, ok := w.a.catalog.Act(a.ActID); ok {
		description = act.Name.In("fr")
		if len(act.Billing) > 0 && act.Billing[0].Code != "" && !act.Billing[0].NeedsCheck() {
			code = &worklist.Code{Value: act.Billing[0].Code, Scheme: "CCAM", Meaning: act.Billing[0].Label}
		}
	}
	if row.Levels != "" {
		description += " " + row.Levels
	}
	if row.Side != "" {
		description += " (" + row.Side + ")"
	}
	born, _ := time.Parse(time.DateOnly, p.BirthDate)
	sex := map[string]string{"F": "F", "M": "M"}[p.Sex]
	return worklist.Item{
		PatientName:                   worklist.PersonName{Family: strings.ToUpper(p.BirthName), Given: p.FirstNames},
		PatientID:                     worklistPatientID(p.ID),
		IssuerOfPatientID:             "REPERE",
		PatientBirthDate:              born,
		PatientSex:                    sex,
		AccessionNumber:               a.AccessionNumber,
		RequestedProcedureID:          a.AccessionNumber,
		RequestedProcedureDescription: description,
		RequestedProcedureCode:        code,
		StudyInstanceUID:              a.StudyInstanceUID,
		ReferringPhysician:            worklist.PersonName{Family: row.PhysicianName},
		Step: worklist.ScheduledStep{
			StationAETitle:      row.StationAETitle,
			StationName:         row.RoomName,
			Start:               a.Start,
			End:                 a.RoomEnd,
			PerformingPhysician: worklist.PersonName{Family: row.RadiologistName},
			PerformedStatus:     a.PerformedStatus,
			Description:         description,
			ID:                  "SPS" + strconv.FormatInt(a.ID, 10),
		},
	}
}

// worklistPatientID is the patient identifier the worklist gives the
// scanner (Patient ID, issuer REPERE), which its objects then carry.
func worklistPatientID(patientID int64) string { return "REP" + strconv.FormatInt(patientID, 10) }
