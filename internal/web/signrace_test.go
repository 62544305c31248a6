package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestReportSignRefusedWhenFileChangesMeanwhile: the patient's name is
// corrected while the report's PDF is being made; the page refuses the
// signature in French, keeps the title and text typed, and signs nothing.
// Signed again, the report goes out with the corrected name.
func TestReportSignRefusedWhenFileChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		h := newHarnessWith(t, st, func(c *setup) {
			c.app.Mailer = nullMailer{}
			c.app.BeforeDocumentWrite = func(ctx context.Context, kind string, id int64) {
				if ch := change; ch != nil {
					change = nil
					ch(ctx)
				}
			}
		})
		appt := h.appointmentID()
		ap := h.performed(appt)
		doc := h.signedIn(auth.Radiologist)
		typed := url.Values{"title": {"Compte rendu tapé"}, "body": {"INDICATION\nTexte tapé avant la signature."}, "action": {"sign"}}
		change = correctFirstNames(t, st, ap.PatientID)
		r := doc.post("/staff/appointments/"+appt+"/report", typed)
		if change != nil {
			t.Fatal("the signature did not reach its write")
		}
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Le dossier a changé pendant la signature") {
			t.Fatalf("signing while the name is corrected: %d\n%s", r.status, errorsOf(r.body))
		}
		if !strings.Contains(r.body, `value="Compte rendu tapé"`) || !strings.Contains(r.body, "Texte tapé avant la signature.") {
			t.Error("the refusal lost the text typed")
		}
		if !strings.Contains(r.body, "-Anne") {
			t.Error("the refusal shows the file as it was read, not the corrected name")
		}
		if versions, err := st.ReportsOf(system, ap.ID); err != nil || len(versions) != 0 {
			t.Fatalf("%d versions signed (%v)", len(versions), err)
		}
		if r := doc.post("/staff/appointments/"+appt+"/report", typed); r.status != http.StatusSeeOther {
			t.Fatalf("signing again: %d\n%s", r.status, errorsOf(r.body))
		}
		mails, err := st.MailFor(system, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if m.Kind == "report" && !strings.Contains(m.Text, "-Anne") {
				t.Errorf("the report went out without the corrected name: %s", m.Text)
			}
		}
	})
}

// TestConsentSignRefusedWhenFileChangesMeanwhile: the patient's name is
// corrected while the consent's PDF is being made on the tablet; the page
// refuses the signature in French, shows the corrected name and keeps
// the signer's name typed, and keeps no consent. The patient's own link
// (/q/…/consent) is refused alike. Signed again, it is kept.
func TestConsentSignRefusedWhenFileChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		h, appt, sec, version := consentTablet(t, st, &change)
		signed := url.Values{"signer_name": {"Signataire Tapé"}, "signature": {signaturePNG(t, false)}, "version": {version}}
		id, _ := strconv.ParseInt(appt, 10, 64)
		list, err := st.ListAppointments(system, store.AppointmentFilter{ID: id})
		if err != nil || len(list) != 1 {
			t.Fatalf("appointment %s: %v", appt, err)
		}
		rename := correctFirstNames(t, st, list[0].PatientID)
		change = rename
		r := sec.post("/staff/appointments/"+appt+"/consent", signed)
		if change != nil {
			t.Fatal("the signature did not reach its write")
		}
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Le dossier a changé pendant la signature") {
			t.Fatalf("signing while the name is corrected: %d\n%s", r.status, errorsOf(r.body))
		}
		if !strings.Contains(r.body, `value="Signataire Tapé"`) || !strings.Contains(r.body, "-Anne") {
			t.Error("the refusal lost the name typed, or shows the file as it was read")
		}
		if list, err := st.ConsentsFor(system, id); err != nil || len(list) != 0 {
			t.Fatalf("%d consents kept (%v)", len(list), err)
		}
		// The same on the patient's own link: SignConsent's check holds
		// there too.
		link := "/q/" + h.questionnaireToken()
		patient := h.client()
		if r := patient.post(link, url.Values{"birth_date": {"1991-04-12"}}); r.status != http.StatusSeeOther {
			t.Fatalf("the link's birth date: %d", r.status)
		}
		page := patient.get(link + "/consent")
		own := regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(page.body)
		if own == nil {
			t.Fatalf("the link's consent page: %d", page.status)
		}
		change = rename
		r = patient.post(link+"/consent", url.Values{"signer_name": {"Zoé Lefèvre"}, "signature": {signaturePNG(t, false)}, "version": {own[1]}})
		if change != nil {
			t.Fatal("the link's signature did not reach its write")
		}
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Le dossier a changé pendant la signature") || strings.Contains(r.body, `id="consent-done"`) {
			t.Fatalf("signing on the link while the name is corrected: %d\n%s", r.status, errorsOf(r.body))
		}
		if list, err := st.ConsentsFor(system, id); err != nil || len(list) != 0 {
			t.Fatalf("the link: %d consents kept (%v)", len(list), err)
		}
		if r := sec.post("/staff/appointments/"+appt+"/consent", signed); r.status != http.StatusSeeOther {
			t.Fatalf("signing again: %d\n%s", r.status, errorsOf(r.body))
		}
	})
}

// TestScannedConsentRefusedWhenFileChangesMeanwhile: the patient's name is
// corrected while a scanned paper consent is being attached; the
// appointment page refuses it in French (409), by the scan form, showing
// the corrected name and keeping the signer's name typed, and keeps no
// consent. On a cancelled appointment the scan is refused too. Attached
// again on a booked appointment, it is kept.
func TestScannedConsentRefusedWhenFileChangesMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		h := newHarnessWith(t, st, func(c *setup) {
			c.app.BeforeDocumentWrite = func(ctx context.Context, kind string, id int64) {
				if ch := change; ch != nil && kind == "consent scan" {
					change = nil
					ch(ctx)
				}
			}
		})
		appt := h.appointmentID()
		id, _ := strconv.ParseInt(appt, 10, 64)
		list, err := st.ListAppointments(system, store.AppointmentFilter{ID: id})
		if err != nil || len(list) != 1 {
			t.Fatalf("appointment %s: %v", appt, err)
		}
		sec := h.signedIn(auth.Secretary)
		pdf := []byte("%PDF-1.4\n% scanned\n")
		consents := func() int {
			list, err := st.ConsentsFor(system, id)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		change = func(ctx context.Context) {
			p, err := st.Patient(ctx, list[0].PatientID)
			if err != nil {
				t.Fatal(err)
			}
			p.FirstNames += "-Anne"
			if err := st.UpdatePatient(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		r := sec.scanConsent(appt, "Signataire Tapé", "consentement.pdf", pdf)
		if change != nil {
			t.Fatal("the scan did not reach its write")
		}
		if r.status != http.StatusConflict || !strings.Contains(r.body, `id="scan-errors"`) || !strings.Contains(r.body, "Le dossier a changé pendant l&#39;ajout du consentement numérisé") {
			t.Fatalf("scanning while the name is corrected: %d\n%s", r.status, errorsOf(r.body))
		}
		if !strings.Contains(r.body, `name="signer_name" value="Signataire Tapé"`) || !strings.Contains(r.body, "-Anne") {
			t.Error("the refusal lost the name typed, or shows the file as it was read")
		}
		if n := consents(); n != 0 {
			t.Fatalf("%d consents kept", n)
		}
		change = func(ctx context.Context) {
			if _, err := st.DB().ExecContext(ctx, `UPDATE appointments SET status = 'cancelled' WHERE id = `+appt); err != nil {
				t.Fatal(err)
			}
		}
		if r := sec.scanConsent(appt, "", "consentement.pdf", pdf); r.status != http.StatusConflict || !strings.Contains(r.body, "Ce rendez-vous est annulé") {
			t.Fatalf("scanning while the appointment is cancelled: %d\n%s", r.status, errorsOf(r.body))
		}
		if n := consents(); n != 0 {
			t.Fatalf("cancelled: %d consents kept", n)
		}
		if _, err := st.DB().ExecContext(system, `UPDATE appointments SET status = 'booked' WHERE id = `+appt); err != nil {
			t.Fatal(err)
		}
		if r := sec.scanConsent(appt, "", "consentement.pdf", pdf); r.status != http.StatusSeeOther {
			t.Fatalf("scanning again: %d\n%s", r.status, errorsOf(r.body))
		}
		if n := consents(); n != 1 {
			t.Fatalf("scanned again: %d consents kept, want 1", n)
		}
	})
}

// TestConsentSignRefusedWhenCancelledMeanwhile: the appointment is
// cancelled while the consent signed on the tablet is made; the page
// refuses it in French (409), keeps the signer's name typed, keeps no
// consent.
func TestConsentSignRefusedWhenCancelledMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		var change func(ctx context.Context)
		_, appt, sec, version := consentTablet(t, st, &change)
		change = func(ctx context.Context) {
			if _, err := st.DB().ExecContext(ctx, `UPDATE appointments SET status = 'cancelled' WHERE id = `+appt); err != nil {
				t.Fatal(err)
			}
		}
		r := sec.post("/staff/appointments/"+appt+"/consent", url.Values{"signer_name": {"Signataire Tapé"}, "signature": {signaturePNG(t, false)}, "version": {version}})
		if change != nil {
			t.Fatal("the signature did not reach its write")
		}
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Ce rendez-vous est annulé") || !strings.Contains(r.body, `value="Signataire Tapé"`) {
			t.Fatalf("signing while the appointment is cancelled: %d\n%s", r.status, errorsOf(r.body))
		}
		id, _ := strconv.ParseInt(appt, 10, 64)
		if list, err := st.ConsentsFor(system, id); err != nil || len(list) != 0 {
			t.Fatalf("%d consents kept (%v)", len(list), err)
		}
	})
}

// consentTablet opens the consent page of the harness's appointment on the
// tablet as a secretary, and returns the consent text's version the page
// carries; *change, when set, runs once just before the consent's write.
func consentTablet(t *testing.T, st *store.Store, change *func(ctx context.Context)) (h *harness, appt string, sec *client, version string) {
	t.Helper()
	h = newHarnessWith(t, st, func(c *setup) {
		c.app.BeforeDocumentWrite = func(ctx context.Context, kind string, id int64) {
			if ch := *change; ch != nil && kind == "consent" {
				*change = nil
				ch(ctx)
			}
		}
	})
	appt = h.appointmentID()
	sec = h.signedIn(auth.Secretary)
	form := sec.get("/staff/appointments/" + appt + "/consent")
	m := regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(form.body)
	if m == nil {
		t.Fatalf("consent page: %d", form.status)
	}
	return h, appt, sec, m[1]
}

// correctFirstNames is an identity correction made by another desk: "-Anne"
// added to the patient's first names.
func correctFirstNames(t *testing.T, st *store.Store, patientID int64) func(ctx context.Context) {
	return func(ctx context.Context) {
		p, err := st.Patient(ctx, patientID)
		if err != nil {
			t.Fatal(err)
		}
		p.FirstNames += "-Anne"
		if err := st.UpdatePatient(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
}
