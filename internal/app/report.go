package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/followup"
	"repere/internal/mail"
	"repere/internal/report"
	"repere/internal/store"
)

// ReportContext is what a report prints about the patient and the act.
func (a *App) ReportContext(f AppointmentFile, lang string) report.Context {
	return report.Context{PatientName: f.Patient.DisplayName(), BirthDate: birthDate(f.Patient).Format("02/01/2006"), Sex: f.Patient.Sex, Indication: f.Referral.Indication,
		Referrer: f.Referral.PhysicianName, Radiologist: f.Appointment.RadiologistName, Date: f.Appointment.Start, Lang: lang,
		Location: a.loc, Equipment: f.Appointment.RoomName, Fields: a.records}
}

// ReportText is the report being written: the draft if any, else the last
// signed version, else a draft made from the act record.
func (a *App) ReportText(ctx context.Context, f AppointmentFile, versions []report.Signed, lang string) (report.Text, error) {
	draft, err := a.store.DraftOf(ctx, f.Appointment.ID)
	switch {
	case err == nil:
		return report.Text{Title: draft.Title, Body: draft.Body}, nil
	case !errors.Is(err, store.ErrNotFound):
		return report.Text{}, err
	case len(versions) > 0:
		last := versions[len(versions)-1]
		return report.Text{Title: last.Title, Body: last.Body}, nil
	}
	rec, _, err := a.storedRecord(ctx, f.Appointment.ID)
	if err != nil {
		return report.Text{}, err
	}
	return report.Draft(f.Act, f.Appointment.VariantID, rec, a.ReportContext(f, lang))
}

// SaveReportDraft keeps the text being written.
func (a *App) SaveReportDraft(ctx context.Context, id int64, t report.Text) error {
	if r := reportTextRefusal(t); r != nil {
		return r
	}
	return a.store.SaveDraft(ctx, id, t.Title, t.Body)
}

func reportTextRefusal(t report.Text) *Refusal {
	if strings.TrimSpace(t.Title) == "" || strings.TrimSpace(t.Body) == "" || len(t.Body) > 20000 {
		return invalid("report.err.empty")
	}
	return nil
}

// SignReport freezes a version of the report, signed by the radiologist
// acting: only once the act is done; an amendment (any version after the
// first) needs its reason. The PDF goes to the referring physician.
func (a *App) SignReport(ctx context.Context, id int64, t report.Text, reason, lang string) (report.Signed, error) {
	actor, _ := audit.ActorFrom(ctx)
	if actor.Role != string(auth.Radiologist) {
		return report.Signed{}, refuse("report.err.radiologist")
	}
	if r := reportTextRefusal(t); r != nil {
		return report.Signed{}, r
	}
	if mark := report.Placeholder(t.Body); mark != "" {
		return report.Signed{}, invalid("report.err.placeholder", "Mark", mark)
	}
	// The reads in one read unit; the PDF rendered outside any transaction
	// (it must not hold SQLite's write lock); the signed version and its
	// sending in one write unit, which reads the file again and refuses a
	// PDF made from data changed meanwhile (reportFileUnchanged). A version
	// signed meanwhile is refused by the store's version check.
	var f AppointmentFile
	var versions []report.Signed
	var fp string
	signer := actor.Login
	err := a.store.ReadUnit(ctx, func(ctx context.Context) error {
		var err error
		if f, err = a.AppointmentFile(ctx, id); err != nil {
			return err
		}
		if versions, err = a.store.ReportsOf(ctx, id); err != nil {
			return err
		}
		signer = a.signerName(ctx, actor.UserID, actor.Login)
		fp, err = a.reportFingerprint(ctx, f, signer, lang)
		return err
	})
	if err != nil {
		return report.Signed{}, err
	}
	if f.Appointment.Status != booking.Done {
		return report.Signed{}, refuse("report.err.not_done")
	}
	v := report.Version{Number: len(versions) + 1, Text: t, SignedBy: signer, SignedAt: a.Now()}
	if v.Number > 1 {
		if reason = strings.TrimSpace(reason); reason == "" {
			return report.Signed{}, invalid("report.err.reason")
		}
		v.Amends, v.Reason = v.Number-1, reason
	}
	pdf, err := report.PDF(v, a.ReportContext(f, lang), reportHeader(f))
	if err != nil {
		return report.Signed{}, err
	}
	sum := sha256.Sum256(pdf)
	a.beforeDocumentWrite(ctx, "report", id)
	var signed report.Signed
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := a.store.HoldAppointmentFile(ctx, id); err != nil {
			return err
		}
		now, err := a.reportFileUnchanged(ctx, id, fp, a.signerName(ctx, actor.UserID, actor.Login), lang)
		if err != nil {
			return err
		}
		a.beforeDocumentWrite(ctx, "report checked", id)
		signed, err = a.store.SaveSignedReport(ctx, report.Signed{AppointmentID: id, Number: v.Number, Amends: v.Amends,
			Title: t.Title, Body: t.Body, Reason: v.Reason, SignedBy: v.SignedBy, SignedAt: v.SignedAt, SHA256: hex.EncodeToString(sum[:]), PDF: pdf})
		if err != nil {
			return err
		}
		return a.sendReport(ctx, now, signed, lang)
	})
	if errors.Is(err, store.ErrStale) {
		return signed, refuse("report.err.stale")
	}
	return signed, err
}

// signerName is the name a report is signed with: the user's display
// name, else their login.
func (a *App) signerName(ctx context.Context, userID int64, login string) string {
	if u, err := a.store.UserByID(ctx, userID); err == nil {
		return u.DisplayName
	}
	return login
}

// sendReport queues the signed report to the referring physician, when
// email is set up and the physician has an address.
func (a *App) sendReport(ctx context.Context, f AppointmentFile, rep report.Signed, lang string) error {
	if a.cfg.Mailer == nil {
		return nil
	}
	d, err := a.referrer(ctx, f)
	if err != nil || d.Email == "" {
		return err
	}
	l := a.i18n.For(lang)
	id := strconv.FormatInt(f.Appointment.ID, 10)
	_, err = a.store.EnqueueMail(ctx, mail.Outgoing{Kind: "report", AppointmentID: f.Appointment.ID, PatientID: f.Patient.ID, To: d.Email,
		// The subject travels in clear through every relay: no health data in it.
		Subject: l.T("mail.subject.report", "Ref", f.Appointment.AccessionNumber),
		Text:    l.T("mail.text.report", "Doctor", d.Name, "Patient", f.Patient.DisplayName(), "Act", f.Act.Name.In(l.Lang), "Version", rep.Number),
		Attachments: []mail.Attachment{{Name: "compte-rendu-" + id + "-v" + strconv.Itoa(rep.Number) + ".pdf",
			ContentType: "application/pdf", Data: rep.PDF}}})
	return err
}

// FollowUp is an act's follow-up: its scores and the outcome the rules read.
type FollowUp struct {
	Days    []int
	Scores  []followup.Score
	Latest  map[int]followup.Score // day -> latest score
	Outcome followup.Outcome
}

// FollowUpOf reads an act's pain scores and its outcome.
func (a *App) FollowUpOf(ctx context.Context, f AppointmentFile) (FollowUp, error) {
	v := FollowUp{Days: append([]int{0}, a.followup.FollowUpDays(f.Act)...), Latest: map[int]followup.Score{}}
	var err error
	if v.Scores, err = a.store.PainScores(ctx, f.Appointment.ID); err != nil {
		return v, err
	}
	for _, sc := range v.Scores {
		v.Latest[sc.Day] = sc
	}
	v.Outcome = a.followup.Outcome(f.Act, v.Scores)
	return v, nil
}

// AddPainScore records a pain score (0 to 10) for one of the act's days: the
// score before the act (day 0) from the act's day on, a follow-up day's
// score only once the act has taken place. Each score keeps the time it was
// actually given.
//
// The appointment's file, the checks and the score are one unit of work
// (store.WriteUnit).
func (a *App) AddPainScore(ctx context.Context, id int64, day, value int) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error { return a.addPainScore(ctx, id, day, value) })
}

func (a *App) addPainScore(ctx context.Context, id int64, day, value int) error {
	f, err := a.AppointmentFile(ctx, id)
	if err != nil {
		return err
	}
	days := append([]int{0}, a.followup.FollowUpDays(f.Act)...)
	switch {
	case value < 0 || value > 10 || !containsInt(days, day):
		return invalid("followup.err.score")
	case f.Appointment.Status != booking.Booked && f.Appointment.Status != booking.Done:
		return refuse("followup.err.not_performed")
	case day == 0 && a.today().Before(a.dayOf(f.Appointment.Start)):
		return refuse("followup.err.before_act", "Day", DateArg(a.dayOf(f.Appointment.Start)))
	case day > 0 && (f.Appointment.Status != booking.Done || a.Now().Before(f.Appointment.Start)):
		return refuse("followup.err.not_performed")
	}
	return a.store.AddPainScore(ctx, id, day, value)
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// ScoreDue is the latest follow-up day reached since the act whose pain
// score is still missing (0 when none is due): what the portal asks.
func (a *App) ScoreDue(ctx context.Context, ap booking.Appointment) (int, error) {
	act, ok := a.catalog.Act(ap.ActID)
	if !ok || ap.Status != booking.Done {
		return 0, nil
	}
	scores, err := a.store.PainScores(ctx, ap.ID)
	if err != nil {
		return 0, err
	}
	given := map[int]bool{}
	for _, sc := range scores {
		given[sc.Day] = true
	}
	since := int(a.today().Sub(a.dayOf(ap.Start)).Hours()/24 + 0.5)
	due := 0
	for _, d := range a.followup.FollowUpDays(act) {
		if d <= since && !given[d] {
			due = d
		}
	}
	return due, nil
}

// AddDuePainScore records the score the portal asks a patient for, that of
// the latest follow-up day due (ScoreDue) of one of their own appointments
// (store.ErrNotFound for anyone else's), with its checks in one unit of
// work; no score due gives an invalid refusal "followup.err.score".
func (a *App) AddDuePainScore(ctx context.Context, patientID, appointmentID int64, value int) error {
	return a.store.WriteUnit(ctx, func(ctx context.Context) error {
		list, err := a.store.ListAppointments(ctx, store.AppointmentFilter{ID: appointmentID, PatientID: patientID})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return store.ErrNotFound
		}
		day, err := a.ScoreDue(ctx, list[0])
		if err != nil {
			return err
		}
		if day == 0 {
			return invalid("followup.err.score")
		}
		return a.addPainScore(ctx, appointmentID, day, value)
	})
}
