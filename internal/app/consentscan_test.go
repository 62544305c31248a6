package app_test

import (
	"context"
	"fmt"
	"testing"

	"repere/internal/app"
	"repere/internal/documents"
	"repere/internal/patient"
	"repere/internal/store"
	"repere/internal/storetest"
)

// scannedPDF is a paper consent as the scanner gives it.
var scannedPDF = []byte("%PDF-1.4\n% scanned paper consent\n")

// TestScannedConsentRefusedWhenFileChangesMeanwhile: a scanned paper
// consent is attached to the file the page showed (its act, the patient
// named as signer by default); if the patient is renamed, the appointment
// filed on another record or cancelled before the write, the scan is
// refused and nothing is kept. A cancelled appointment takes none. Left
// alone, the scan is kept on the record it was read from, signed by the
// patient as the record names them.
func TestScannedConsentRefusedWhenFileChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		f := hookedFixture(t, st, "consent scan", &change)
		a := f.app
		ap := f.convocable()
		other := f.openReferral().PatientID
		exec := func(ctx context.Context, q string, ids ...any) { // ids only: the same SQL on both engines
			if _, err := st.DB().ExecContext(ctx, fmt.Sprintf(q, ids...)); err != nil {
				t.Fatal(err)
			}
		}
		consents := func() []documents.Consent {
			list, err := st.ConsentsFor(system, ap.ID)
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		scan := func() (int64, error) {
			file, err := a.AppointmentFile(system, ap.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a.SaveScannedConsent(secretary, file, app.ScannedConsent{Lang: "fr", FileName: "consentement.pdf",
				Version: documents.ConsentVersion(file.Act, file.Appointment.VariantID, "fr"), Document: scannedPDF, ContentType: "application/pdf"})
		}
		for _, c := range []struct {
			name, key string
			change    func(ctx context.Context)
			undo      func()
		}{
			{"patient renamed", "consent.err.changed_while_scanning", func(ctx context.Context) {
				p, err := st.Patient(ctx, ap.PatientID)
				if err != nil {
					t.Fatal(err)
				}
				p.BirthName += "-Martin"
				if err := st.UpdatePatient(ctx, p); err != nil {
					t.Fatal(err)
				}
			}, nil},
			{"filed on another record", "consent.err.changed_while_scanning", func(ctx context.Context) {
				exec(ctx, `UPDATE appointments SET patient_id = %d WHERE id = %d`, other, ap.ID)
			}, func() { exec(system, `UPDATE appointments SET patient_id = %d WHERE id = %d`, ap.PatientID, ap.ID) }},
			{"cancelled", "consent.err.cancelled", func(ctx context.Context) {
				if err := a.Cancel(ctx, ap.ID, "patient asked"); err != nil {
					t.Fatal(err)
				}
			}, nil},
		} {
			change = c.change
			_, err := scan()
			if change != nil {
				t.Fatalf("%s: the scan did not reach its write", c.name)
			}
			refusedWith(t, c.name, err, c.key)
			if got := consents(); len(got) != 0 {
				t.Errorf("%s: %d consents kept", c.name, len(got))
			}
			if c.undo != nil {
				c.undo()
			}
		}
		// Cancelled: refused before any change too.
		_, err := scan()
		refusedWith(t, "cancelled before", err, "consent.err.cancelled")

		exec(system, `UPDATE appointments SET status = 'booked' WHERE id = %d`, ap.ID)
		if _, err := scan(); err != nil {
			t.Fatalf("left alone: %v", err)
		}
		p, err := st.Patient(system, ap.PatientID)
		if err != nil {
			t.Fatal(err)
		}
		kept := consents()
		if len(kept) != 1 || kept[0].Kind != documents.ConsentScanned || kept[0].SignerName != p.DisplayName() || kept[0].PatientID != p.ID {
			t.Fatalf("left alone: kept %+v, want one scan signed by %q on record %d", kept, p.DisplayName(), p.ID)
		}
		doc, err := st.ConsentDocument(system, kept[0].ID)
		if err != nil || string(doc.Document) != string(scannedPDF) {
			t.Fatalf("the scan kept is not the file given (%v)", err)
		}
	})
}

// TestRenameWaitsForTheScanItsCheckPassed: once the scan's write unit has
// checked the file, a rename waits for its commit (on PostgreSQL the rows
// are held FOR SHARE): the scan is filed under the name it was checked with.
func TestRenameWaitsForTheScanItsCheckPassed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var patientID int64
		hook, wait := renameDuring(st, "consent scan checked", &patientID, func(p *patient.Patient) { p.BirthName += "-Martin" })
		a, _ := demoApp(t, st, func(c *app.Config) { c.BeforeDocumentWrite = hook })
		f := &raceFixture{t: t, st: st, app: a}
		ap := f.convocable()
		patientID = ap.PatientID
		file, err := a.AppointmentFile(system, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SaveScannedConsent(secretary, file, app.ScannedConsent{Lang: "fr", FileName: "c.pdf", Version: "v",
			Document: scannedPDF, ContentType: "application/pdf"}); err != nil {
			t.Fatal(err)
		}
		during, err := wait()
		if err != nil {
			t.Fatalf("the rename after the scan: %v", err)
		}
		if during {
			t.Error("the patient was renamed between the scan's check and its commit")
		}
	})
}

// TestConsentSigningRefusedOnCancelledAppointment: an appointment
// cancelled while its consent is signed on the tablet takes no consent,
// as a scanned one; signed after the cancellation, it is refused too.
func TestConsentSigningRefusedOnCancelledAppointment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		f := hookedFixture(t, st, "consent", &change)
		a := f.app
		ap := f.convocable()
		sign := func() error {
			file, err := a.AppointmentFile(system, ap.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.SignConsent(secretary, file, app.ConsentSignature{Lang: "fr", SignerName: "Signataire",
				Version: documents.ConsentVersion(file.Act, file.Appointment.VariantID, "fr"), SignaturePNG: drawnSignature(t)})
			return err
		}
		change = func(ctx context.Context) {
			if err := a.Cancel(ctx, ap.ID, "patient asked"); err != nil {
				t.Fatal(err)
			}
		}
		refusedWith(t, "cancelled meanwhile", sign(), "consent.err.cancelled")
		if change != nil {
			t.Fatal("the signature did not reach its write")
		}
		refusedWith(t, "cancelled before", sign(), "consent.err.cancelled")
		if list, err := st.ConsentsFor(system, ap.ID); err != nil || len(list) != 0 {
			t.Fatalf("%d consents kept (%v)", len(list), err)
		}
	})
}
