package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"repere/internal/booking"
	"repere/internal/practice"
	"repere/internal/report"
)

// reportSource is what a signed report's PDF is made from and what its
// sending depends on: the patient's identity, the act and its file as the
// PDF prints them, the practice's letterhead, the signer's name, and the
// referring physician the PDF is mailed to. Two reads of an appointment
// that give the same source give the same PDF to the same doctor.
type reportSource struct {
	Context       reportContextPrint
	Header        report.PracticeHeader
	Signer        string
	Status        booking.Status
	AppointmentID int64
	PatientID     int64
	ReferralID    int64
	Accession     string
	ActID         string
	Physician     practice.Physician
}

// reportContextPrint is report.Context without its rule tables and time
// zone, which are the application's own and do not change while it runs.
type reportContextPrint struct {
	PatientName, BirthDate, Sex, Indication, Referrer, Radiologist string
	Date                                                           time.Time
	Lang, Equipment                                                string
}

// reportHeader is the letterhead of f's reports.
func reportHeader(f AppointmentFile) report.PracticeHeader {
	return report.PracticeHeader{Name: f.Site.Name, Address: f.Site.Address, Phone: f.Site.Phone}
}

// reportFingerprint is the SHA-256 of f's report source in lang, signed by
// signer: SignReport's write unit compares it with the one its read gave.
func (a *App) reportFingerprint(ctx context.Context, f AppointmentFile, signer, lang string) (string, error) {
	doctor, err := a.referrer(ctx, f)
	if err != nil {
		return "", err
	}
	c := a.ReportContext(f, lang)
	src := reportSource{
		Context: reportContextPrint{PatientName: c.PatientName, BirthDate: c.BirthDate, Sex: c.Sex, Indication: c.Indication,
			Referrer: c.Referrer, Radiologist: c.Radiologist, Date: c.Date.UTC(), Lang: c.Lang, Equipment: c.Equipment},
		Header: reportHeader(f), Signer: signer, Status: f.Appointment.Status,
		AppointmentID: f.Appointment.ID, PatientID: f.Patient.ID, ReferralID: f.Referral.ID,
		Accession: f.Appointment.AccessionNumber, ActID: f.Act.ID, Physician: doctor,
	}
	b, err := json.Marshal(src)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// referrer is the referring physician f's report goes to; zero when the
// referral names none on the practice's list.
func (a *App) referrer(ctx context.Context, f AppointmentFile) (practice.Physician, error) {
	if f.Referral.PhysicianID == 0 {
		return practice.Physician{}, nil
	}
	doctors, err := a.store.Physicians(ctx)
	if err != nil {
		return practice.Physician{}, err
	}
	for _, d := range doctors {
		if d.ID == f.Referral.PhysicianID {
			return d, nil
		}
	}
	return practice.Physician{}, nil
}

// reportFileUnchanged refuses, in SignReport's write unit, a report whose
// appointment file no longer reads as its PDF was made from it (fp, from
// reportFingerprint): the patient renamed, the referral filed on another
// record, the act's status or the referring physician changed while the
// PDF was made. The signed PDF is a frozen legal document: it must not
// carry yesterday's identity, nor go to the wrong doctor.
func (a *App) reportFileUnchanged(ctx context.Context, id int64, fp, signer, lang string) (AppointmentFile, error) {
	changed := refuse("report.err.changed_while_signing")
	now, err := a.AppointmentFile(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return now, changed
	}
	if err != nil {
		return now, err
	}
	again, err := a.reportFingerprint(ctx, now, signer, lang)
	if err != nil {
		return now, err
	}
	if again != fp {
		return now, changed
	}
	return now, nil
}
