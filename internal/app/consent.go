package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"unicode/utf8"

	"repere/internal/booking"
	"repere/internal/documents"
	"repere/internal/patient"
)

// ConsentSignature is a consent signed on a screen, the staff's tablet or
// the patient's own: who signed and how, and the text they read.
type ConsentSignature struct {
	Lang         string
	Version      string // the version of the text read (documents.ConsentVersion)
	SignerName   string // typed by the signer (the patient or their representative)
	SignaturePNG []byte // the drawn signature
}

// consentSubject is what a signed consent's PDF says of whom and of what:
// the record it is filed on, the patient's identity as printed, the act.
type consentSubject struct {
	PatientID             int64
	PatientName, BirthDay string
	ActID, VariantID      string
}

func subjectOf(p patient.Patient, actID, variantID string) consentSubject {
	return consentSubject{PatientID: p.ID, PatientName: p.DisplayName(), BirthDay: p.BirthDate, ActID: actID, VariantID: variantID}
}

// SignConsent freezes the consent of f's appointment signed as sig: the
// PDF with the patient's identity, the act's text in the version read, the
// typed name and the drawn signature, kept with its SHA-256. f is the file
// the caller read (in its read unit); the PDF is made outside any
// transaction; the consent is saved in a write unit that reads the
// appointment and its patient again and refuses
// (consent.err.changed_while_signing) when the patient was renamed, the
// appointment filed on another record or changed to another act meanwhile:
// the frozen PDF would name someone else than the record it is filed on
// (the portal and the FHIR API give it out); a cancelled or missed
// appointment takes none (consent.err.cancelled). A text changed since it
// was read gives consent.err.version.
func (a *App) SignConsent(ctx context.Context, f AppointmentFile, sig ConsentSignature) (int64, error) {
	signed := documents.SignedConsent{Act: f.Act, Variant: f.Appointment.VariantID, Lang: sig.Lang, Version: sig.Version,
		SignerName: sig.SignerName, SignaturePNG: sig.SignaturePNG, SignedAt: a.Now(),
		PatientName: f.Patient.DisplayName(), BirthDate: birthDate(f.Patient), Location: a.loc}
	pdf, sum, err := documents.SignedConsentPDF(signed)
	if errors.Is(err, documents.ErrVersionMismatch) {
		return 0, invalid("consent.err.version")
	}
	if err != nil {
		return 0, err
	}
	id, read := f.Appointment.ID, subjectOf(f.Patient, f.Act.ID, f.Appointment.VariantID)
	a.beforeDocumentWrite(ctx, "consent", id)
	var consentID int64
	err = a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := a.heldConsentFile(ctx, id, read, "consent.err.changed_while_signing"); err != nil {
			return err
		}
		a.beforeDocumentWrite(ctx, "consent checked", id)
		var err error
		consentID, err = a.store.SaveConsent(ctx, documents.Consent{AppointmentID: id, ActID: f.Act.ID, VariantID: f.Appointment.VariantID,
			Lang: sig.Lang, Version: sig.Version, Kind: documents.ConsentSigned, SignerName: sig.SignerName, SignaturePNG: sig.SignaturePNG,
			Document: pdf, ContentType: "application/pdf", SHA256: sum, SignedAt: signed.SignedAt})
		return err
	})
	return consentID, err
}

// heldConsentFile holds appointment id's file (store.HoldAppointmentFile)
// in the write unit of ctx, reads the appointment and its patient again,
// and refuses with changedKey when they no longer are read, the subject a
// consent was made from: the appointment gone, filed on another record,
// changed to another act, or the patient renamed. A cancelled or missed
// appointment takes no consent (consent.err.cancelled).
func (a *App) heldConsentFile(ctx context.Context, id int64, read consentSubject, changedKey string) error {
	changed := refuse(changedKey)
	if err := a.store.HoldAppointmentFile(ctx, id); err != nil {
		return err
	}
	ap, err := a.appointment(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return changed
	}
	if err != nil {
		return err
	}
	p, err := a.store.Patient(ctx, ap.PatientID)
	if err != nil {
		return err
	}
	if subjectOf(p, ap.ActID, ap.VariantID) != read {
		return changed
	}
	if ap.Status == booking.Cancelled || ap.Status == booking.NoShow {
		return refuse("consent.err.cancelled")
	}
	return nil
}

// MaxSignerName bounds the name of who signs a consent, in characters.
const MaxSignerName = 120

// ScannedConsent is a paper consent the patient signed, scanned.
type ScannedConsent struct {
	Lang        string
	Version     string // the version of the text the page showed (documents.ConsentVersion)
	FileName    string // the scan's file name, kept with the version
	SignerName  string // as typed; "" for the patient, as the record names them
	Document    []byte
	ContentType string // application/pdf, image/jpeg or image/png
}

// SaveScannedConsent keeps a scanned paper consent for f's appointment, f
// the file the page read. Like SignConsent, the write unit reads the
// appointment and its patient again and refuses
// (consent.err.changed_while_signing) when the patient was renamed, the
// appointment filed on another record or changed to another act
// meanwhile; a cancelled or missed appointment takes no consent
// (consent.err.cancelled).
func (a *App) SaveScannedConsent(ctx context.Context, f AppointmentFile, scan ScannedConsent) (int64, error) {
	signer := scan.SignerName
	if signer == "" {
		signer = f.Patient.DisplayName()
	}
	if utf8.RuneCountInString(signer) > MaxSignerName {
		return 0, invalid("consent.err.name")
	}
	sum := sha256.Sum256(scan.Document)
	c := documents.Consent{AppointmentID: f.Appointment.ID, ActID: f.Act.ID, VariantID: f.Appointment.VariantID,
		Lang: scan.Lang, Version: scan.Version + " (" + scan.FileName + ")", Kind: documents.ConsentScanned, SignerName: signer,
		Document: scan.Document, ContentType: scan.ContentType, SHA256: hex.EncodeToString(sum[:]), SignedAt: a.Now()}
	read := subjectOf(f.Patient, f.Act.ID, f.Appointment.VariantID)
	a.beforeDocumentWrite(ctx, "consent scan", c.AppointmentID)
	var consentID int64
	err := a.store.WriteUnit(ctx, func(ctx context.Context) error {
		if err := a.heldConsentFile(ctx, c.AppointmentID, read, "consent.err.changed_while_scanning"); err != nil {
			return err
		}
		a.beforeDocumentWrite(ctx, "consent scan checked", c.AppointmentID)
		var err error
		consentID, err = a.store.SaveConsent(ctx, c)
		return err
	})
	return consentID, err
}

// beforeDocumentWrite runs the tests' hook (Config.BeforeDocumentWrite)
// between the read a document was made from and the write that keeps it.
func (a *App) beforeDocumentWrite(ctx context.Context, kind string, appointmentID int64) {
	if a.cfg.BeforeDocumentWrite != nil {
		a.cfg.BeforeDocumentWrite(ctx, kind, appointmentID)
	}
}
