package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"

	"repere/internal/app"
	"repere/internal/documents"
	"repere/internal/store"
	"repere/internal/storetest"
)

// drawnSignature is a stroke as the tablet's canvas draws it.
func drawnSignature(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 40))
	for x := 10; x < 110; x++ {
		img.Set(x, 20+x%7, color.NRGBA{0, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestConsentSigningRefusedWhenFileChangesMeanwhile: the signed consent's
// PDF is made from a read; if the patient is renamed, or the appointment
// filed on another record, before the write, the consent is refused and
// nothing is kept (it would name someone else than the record it is filed
// on). Left alone, the same signature is kept, filed on the record it names.
func TestConsentSigningRefusedWhenFileChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		f := hookedFixture(t, st, "consent", &change)
		a := f.app
		ap := f.convocable()
		other := f.openReferral().PatientID
		if other == ap.PatientID {
			t.Fatal("the demo's open referral and convocable appointment are the same patient's")
		}
		exec := func(ctx context.Context, q string, ids ...any) { // ids only: the same SQL on both engines
			if _, err := st.DB().ExecContext(ctx, fmt.Sprintf(q, ids...)); err != nil {
				t.Fatal(err)
			}
		}
		consents := func() int {
			list, err := st.ConsentsFor(system, ap.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		sign := func() (int64, error) {
			file, err := a.AppointmentFile(system, ap.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a.SignConsent(secretary, file, app.ConsentSignature{Lang: "fr", SignerName: "Signataire",
				Version: documents.ConsentVersion(file.Act, file.Appointment.VariantID, "fr"), SignaturePNG: drawnSignature(t)})
		}
		for _, c := range []struct {
			name   string
			change func(ctx context.Context)
		}{
			{"patient renamed", func(ctx context.Context) {
				p, err := st.Patient(ctx, ap.PatientID)
				if err != nil {
					t.Fatal(err)
				}
				p.BirthName += "-Martin"
				if err := st.UpdatePatient(ctx, p); err != nil {
					t.Fatal(err)
				}
			}},
			{"filed on another record", func(ctx context.Context) {
				// The store refuses to re-file a referral booked: what a
				// merge or a repair would do, the check must see too.
				exec(ctx, `UPDATE referrals SET patient_id = %d WHERE id = %d`, other, ap.ReferralID)
				exec(ctx, `UPDATE appointments SET patient_id = %d WHERE id = %d`, other, ap.ID)
			}},
		} {
			before := consents()
			change = c.change
			_, err := sign()
			if change != nil {
				t.Fatalf("%s: the signature did not reach its write", c.name)
			}
			refusedWith(t, c.name, err, "consent.err.changed_while_signing")
			if got := consents(); got != before {
				t.Errorf("%s: %d consents kept", c.name, got-before)
			}
		}
		if _, err := sign(); err != nil {
			t.Fatalf("left alone: %v", err)
		}
		kept, err := st.ConsentsOfPatient(system, other)
		if err != nil || len(kept) != 1 {
			t.Fatalf("left alone: %d consents on the record it names (%v)", len(kept), err)
		}
	})
}

// hookedFixture is the demo's race fixture whose *change, when set, runs
// once just before the write of a document of kind (see
// Config.BeforeDocumentWrite).
func hookedFixture(t *testing.T, st *store.Store, kind string, change *func(ctx context.Context)) *raceFixture {
	t.Helper()
	a, _ := demoApp(t, st, func(c *app.Config) {
		c.BeforeDocumentWrite = func(ctx context.Context, k string, id int64) {
			if ch := *change; ch != nil && k == kind {
				*change = nil
				ch(ctx)
			}
		}
	})
	return &raceFixture{t: t, st: st, app: a}
}
