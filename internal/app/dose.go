package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"repere/internal/actrecord"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/dose"
	"repere/internal/store"
)

// DoseReports receives the scanners' radiation dose reports (it is the
// DICOM store handler's dose.Receiver).
type DoseReports struct{ a *App }

// DoseReports returns the receiver of dose reports.
func (a *App) DoseReports() DoseReports { return DoseReports{a} }

var _ dose.Receiver = DoseReports{}

// ReceiveReport keeps a report, attaches it to the act of its accession
// number or study, and makes the act's dose the combination of its
// reports, unless the team typed another one (with a reason). A report
// received twice changes nothing.
func (d DoseReports) ReceiveReport(ctx context.Context, r dose.Report, callingAE string) (attached bool, err error) {
	// One unit of work: two reports of one study received at once cannot
	// leave the act with the combination of fewer reports.
	err = d.a.store.WriteUnit(audit.WithActor(ctx, DicomActor), func(ctx context.Context) error {
		attached, err = d.receiveReport(ctx, r, callingAE)
		return err
	})
	return attached, err
}

func (d DoseReports) receiveReport(ctx context.Context, r dose.Report, callingAE string) (bool, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return false, err
	}
	id, duplicate, err := d.a.store.SaveDoseReport(ctx, store.DoseReport{SOPInstanceUID: r.SOPInstanceUID, SOPClassUID: r.SOPClassUID,
		StudyInstanceUID: r.StudyInstanceUID, AccessionNumber: r.AccessionNumber, CallingAE: callingAE, StationName: r.StationName,
		TotalDLP: r.DLP(), MaxCTDIvol: r.MaxCTDIvol(), Report: data})
	if err != nil || id == 0 || duplicate {
		return id != 0, err
	}
	return true, d.a.doseFromReports(ctx, id)
}

// doseFromReports makes an act's dose the combination of its reports,
// unless the team typed another one (SetActDose keeps it).
func (a *App) doseFromReports(ctx context.Context, appointmentID int64) error {
	ad, err := a.store.ActDoseOf(ctx, appointmentID)
	if err != nil {
		return err
	}
	summary, _, err := combineReports(ad.Reports)
	if err != nil {
		return err
	}
	return a.store.SetActDose(ctx, appointmentID, summary.DLP, summary.CTDIvol, store.DoseFromReport, "", false)
}

// UnattachedReport is a dose report that matched no act (its accession
// number and study unknown here: typed by hand on the console, or an
// emergency registered there), with the acts of its day it may belong to.
type UnattachedReport struct {
	store.DoseReport
	Dose       dose.Report
	Day        time.Time // the study's day (its study date, else the day received), local midnight
	Candidates []DoseCandidate
}

// DoseCandidate is an act of the report's day, not cancelled.
type DoseCandidate struct {
	booking.Appointment
	// SamePatient: the report carries this patient's identifier, the one
	// the worklist gave the scanner.
	SamePatient bool
	ActName     string // the act, to compare with the report's protocols
}

// maxUnattachedReports bounds the list: more waiting means the scanner's
// configuration is wrong, which the list's length already says.
const maxUnattachedReports = 50

// UnattachedDoseReports lists the dose reports that matched no act, the
// latest first, each with the acts of its day (radiologists and
// radiographers: attaching a dose is part of the act's record).
func (a *App) UnattachedDoseReports(ctx context.Context) ([]UnattachedReport, error) {
	if err := doseTeamOnly(ctx); err != nil {
		return nil, err
	}
	stored, err := a.store.UnattachedDoseReports(ctx, maxUnattachedReports)
	if err != nil {
		return nil, err
	}
	loc := a.loc
	out := make([]UnattachedReport, 0, len(stored))
	days := map[time.Time][]booking.Appointment{}
	for _, s := range stored {
		u := UnattachedReport{DoseReport: s}
		if err := json.Unmarshal(s.Report, &u.Dose); err != nil {
			return nil, fmt.Errorf("dose report %s: %w", s.SOPInstanceUID, err)
		}
		received := s.ReceivedAt.In(loc)
		u.Day = time.Date(received.Year(), received.Month(), received.Day(), 0, 0, 0, 0, loc)
		if d, err := time.ParseInLocation("20060102", u.Dose.StudyDate, loc); err == nil {
			u.Day = d
		}
		acts, ok := days[u.Day]
		if !ok {
			acts, err = a.store.ListAppointments(ctx, store.AppointmentFilter{From: u.Day, To: u.Day.AddDate(0, 0, 1),
				Statuses: []booking.Status{booking.Booked, booking.Done}})
			if err != nil {
				return nil, err
			}
			days[u.Day] = acts
		}
		for _, appt := range acts {
			c := DoseCandidate{Appointment: appt, SamePatient: u.Dose.PatientID != "" && u.Dose.PatientID == worklistPatientID(appt.PatientID),
				ActName: a.actName(appt.ActID)}
			u.Candidates = append(u.Candidates, c)
		}
		// The act of the same patient first, then by time.
		slices.SortStableFunc(u.Candidates, func(x, y DoseCandidate) int {
			switch {
			case x.SamePatient && !y.SamePatient:
				return -1
			case y.SamePatient && !x.SamePatient:
				return 1
			}
			return 0
		})
		out = append(out, u)
	}
	return out, nil
}

// AttachDoseReport attaches a dose report that matched no act to an act,
// with the reason (how the person knows it is this act's), and makes the
// act's dose its reports' unless the team typed another. A cancelled act
// or a no-show had no dose.
func (a *App) AttachDoseReport(ctx context.Context, sopInstanceUID string, appointmentID int64, reason string) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.attachDoseReport(ctx, sopInstanceUID, appointmentID, reason) })
}

func (a *App) attachDoseReport(ctx context.Context, sopInstanceUID string, appointmentID int64, reason string) error {
	if err := doseTeamOnly(ctx); err != nil {
		return err
	}
	if appointmentID == 0 {
		return invalid("dose.err.attach_act")
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		return invalid("dose.err.attach_reason")
	}
	appt, err := a.appointment(ctx, appointmentID)
	if errors.Is(err, ErrNotFound) {
		return invalid("dose.err.attach_act")
	}
	if err != nil {
		return err
	}
	if appt.Status != booking.Booked && appt.Status != booking.Done {
		return invalid("dose.err.attach_status")
	}
	switch err := a.store.AttachDoseReport(ctx, sopInstanceUID, appointmentID, reason); {
	case errors.Is(err, store.ErrAlreadyAttached):
		return refuse("dose.err.attached_meanwhile")
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case err != nil:
		return err
	}
	return a.doseFromReports(ctx, appointmentID)
}

// doseTeamOnly: the act's dose is the radiologists' and radiographers'.
func doseTeamOnly(ctx context.Context) error {
	if actor, _ := audit.ActorFrom(ctx); actor.Role != string(auth.Radiologist) && actor.Role != string(auth.Radiographer) {
		return refuse("dose.err.attach_role")
	}
	return nil
}

// ReceivedReport is a dose report attached to an act, as received.
type ReceivedReport struct {
	dose.Report
	CallingAE  string
	ReceivedAt time.Time
	// AttachedBy and AttachReason: the person who attached a report that
	// matched no act, and why.
	AttachedBy, AttachReason string
}

// ActDose is an act's radiation dose: the value that counts (the team's
// typed one, or the dose reports', or the MPPS's), where it comes from, and
// what the scanner sent.
type ActDose struct {
	DLP, CTDIvol *float64
	Source       string // store.DoseFromMPPS, DoseFromReport, DoseTyped or ""
	// Scanner is the reports' combined dose (Reports > 0), else the MPPS's.
	Scanner dose.Summary
	Reports []ReceivedReport
}

// ActDoseOf reads an act's dose and what the scanner sent for it.
func (a *App) ActDoseOf(ctx context.Context, appointmentID int64) (ActDose, error) {
	ad, err := a.store.ActDoseOf(ctx, appointmentID)
	if err != nil {
		return ActDose{}, err
	}
	out := ActDose{DLP: ad.DLP, CTDIvol: ad.CTDIvol, Source: ad.Source}
	out.Scanner, out.Reports, err = combineReports(ad.Reports)
	if err != nil || out.Scanner.Reports > 0 {
		return out, err
	}
	step, err := a.store.PerformedFor(ctx, appointmentID)
	switch {
	case err == nil:
		out.Scanner.DLP, out.Scanner.CTDIvol = step.DLP, step.CTDIvol
	case !errors.Is(err, store.ErrNotFound):
		return out, err
	}
	return out, nil
}

// combineReports decodes the stored reports (the one reader of their JSON)
// and combines them.
func combineReports(stored []store.DoseReport) (dose.Summary, []ReceivedReport, error) {
	reports := make([]dose.Report, 0, len(stored))
	received := make([]ReceivedReport, 0, len(stored))
	for _, s := range stored {
		var r dose.Report
		if err := json.Unmarshal(s.Report, &r); err != nil {
			return dose.Summary{}, nil, fmt.Errorf("dose report %s: %w", s.SOPInstanceUID, err)
		}
		reports = append(reports, r)
		received = append(received, ReceivedReport{Report: r, CallingAE: s.CallingAE, ReceivedAt: s.ReceivedAt, AttachedBy: s.AttachedBy, AttachReason: s.AttachReason})
	}
	if len(reports) == 0 {
		return dose.Summary{}, received, nil
	}
	return dose.Combine(reports), received, nil
}

// withScannerDose shows in the record the dose that counts when it comes
// from the scanner: a later report replaces what the form last saved.
func withScannerDose(rec actrecord.Record, ad ActDose) actrecord.Record {
	if ad.Source == store.DoseFromReport || ad.Source == store.DoseFromMPPS {
		rec.DLP, rec.CTDIvol = copyFloat(ad.DLP), copyFloat(ad.CTDIvol)
	}
	return rec
}

func copyFloat(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// saveDose records the dose of a saved act record. A dose that differs
// from the scanner's needs a reason (the second result names the error);
// the scanner's dose, or one typed where the scanner sent none, needs none.
func (a *App) saveDose(ctx context.Context, id int64, rec actrecord.Record, check bool) (string, error) {
	ad, err := a.ActDoseOf(ctx, id)
	if err != nil {
		return "", err
	}
	scanner := ad.Scanner
	hasScanner := scanner.DLP != nil || scanner.CTDIvol != nil
	same := sameDose(rec.DLP, scanner.DLP) && sameDose(rec.CTDIvol, scanner.CTDIvol)
	switch {
	case hasScanner && !same && rec.DoseReason == "":
		return "record.err.dose_reason", nil
	case check:
		return "", nil
	case hasScanner && same:
		source := store.DoseFromMPPS
		if scanner.Reports > 0 {
			source = store.DoseFromReport
		}
		return "", a.store.SetActDose(ctx, id, scanner.DLP, scanner.CTDIvol, source, "", true)
	case rec.DLP == nil && rec.CTDIvol == nil && ad.Source == "":
		return "", nil
	}
	return "", a.store.SetActDose(ctx, id, rec.DLP, rec.CTDIvol, store.DoseTyped, rec.DoseReason, true)
}

// sameDose compares a typed dose with the scanner's to the precision a
// form shows (0.01).
func sameDose(typed, scanner *float64) bool {
	switch {
	case typed == nil || scanner == nil:
		return typed == nil && scanner == nil
	}
	return math.Abs(*typed-*scanner) < 0.005
}
