package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// pasquierRequest sends a request for the demo's PASQUIER (sendPasquierRequest)
// and returns the demo's own PASQUIER referral, the request's referral id and
// the request's referral as recorded.
func (h *harness) pasquierRequest(sex string) (known referral.Referral, id string, sent referral.Referral) {
	h.t.Helper()
	demoRef, _ := strconv.ParseInt(h.referralID("PASQUIER"), 10, 64)
	known, _ = h.store.Referral(system, demoRef)
	id = h.sendPasquierRequest(sex)
	ref, _ := strconv.ParseInt(id, 10, 64)
	sent, _ = h.store.Referral(system, ref)
	return known, id, sent
}

// sendPasquierRequest has Dr Dubois send, through the form, a request for
// a patient with the demo's PASQUIER's names and birth date and the sex
// given, and returns the referral's id.
func (h *harness) sendPasquierRequest(sex string) string {
	h.t.Helper()
	c := h.signedIn(auth.Referrer)
	fields := map[string]string{"birth_name": "Pasquier", "first_names": "Jérôme", "birth_date": "1976-07-21", "sex": sex,
		"phone": "06 99 88 77 66", "act": "facet_joint_infiltration", "urgency": "routine", "indication": "Lombalgie facettaire"}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 200)...)
	if r := c.postMultipart("/referrer/requests", fields, "ordo.pdf", pdf); r.status != http.StatusSeeOther {
		h.t.Fatalf("send: %d\n%s", r.status, errorsOf(r.body))
	}
	refs, err := h.store.ListReferrals(system, store.ReferralFilter{Limit: 1})
	if err != nil || len(refs) == 0 || refs[0].ActID != "facet_joint_infiltration" {
		h.t.Fatalf("the request is not recorded: %v", err)
	}
	return itoa(refs[0].ID)
}

// calledPatient is a confirmation form saying the patient was called (a
// new one each time: post adds its token to the form).
func calledPatient() url.Values { return url.Values{"identity_check": {"patient_called"}} }

// TestReferralIdentityBanner: a request filed on the demo's PASQUIER is
// marked in the lists where referrals are triaged and its page shows, in
// French or English, the identity sent, the record and why it is not
// booked; booking and the questionnaire are refused; a secretary confirms
// (audited) and it may then be booked; a radiographer may not confirm.
func TestReferralIdentityBanner(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		known, id, r0 := h.pasquierRequest("M")
		if r0.PatientID != known.PatientID || !r0.IdentityToConfirm || r0.SentIdentity.Phone != "06 99 88 77 66" {
			t.Fatalf("recorded %+v", r0)
		}
		sec := h.signedIn(auth.Secretary)
		for _, path := range []string{"/staff/referrals", "/staff/work", "/staff/patients/" + itoa(r0.PatientID)} {
			if r := sec.get(path); r.status != http.StatusOK || !strings.Contains(r.body, `class="tag identity-to-confirm">Identité à confirmer`) {
				t.Errorf("%s: %d, no identity marker", path, r.status)
			}
		}
		page := sec.get("/staff/referrals/" + id)
		for _, want := range []string{`id="identity"`, "Identité à confirmer", "Transmise par le prescripteur", "06 99 88 77 66", "Dossier de rattachement",
			`href="/staff/patients/` + itoa(r0.PatientID) + `"`, `id="book-blocked"`, "avant de la programmer", `id="identity-confirm"`, `name="target" value="new"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the referral's page lacks %q", want)
			}
		}
		if strings.Contains(page.body, `id="book-submit"`) || strings.Contains(page.body, `/screening/link"`) {
			t.Error("the page offers to book or to make a questionnaire link")
		}
		if en := h.signedIn(auth.Secretary).get("/staff/referrals/" + id + "?lang=en"); !strings.Contains(en.body, "Identity to confirm") || !strings.Contains(en.body, "before booking it") {
			t.Error("the English page does not say why")
		}
		day := nextDay(3, time.Tuesday, time.Wednesday, time.Thursday).Format(time.DateOnly)
		if r := sec.post("/staff/referrals/"+id+"/book", url.Values{"date": {day}, "time": {"10:00"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "avant de la programmer") {
			t.Errorf("booking: %d %s", r.status, errorsOf(r.body))
		}
		if r := sec.post("/staff/referrals/"+id+"/screening/send", url.Values{"channel": {"letter"}}); r.status != http.StatusSeeOther {
			t.Errorf("sending the questionnaire: %d", r.status)
		}
		if p := sec.get("/staff/referrals/" + id); !strings.Contains(p.body, "rien n&#39;est envoyé au patient") {
			t.Error("the refused send is not explained")
		}
		if n := h.auditCount(audit.Filter{Action: "send"}); n != 0 {
			t.Errorf("%d sends recorded", n)
		}
		if r := h.signedIn(auth.Radiographer).post("/staff/referrals/"+id+"/identity/confirm", calledPatient()); r.status != http.StatusForbidden {
			t.Errorf("a radiographer confirms: %d", r.status)
		}
		if r := sec.post("/staff/referrals/"+id+"/identity/confirm", calledPatient()); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", r.status, errorsOf(r.body))
		}
		page = sec.get("/staff/referrals/" + id)
		if !strings.Contains(page.body, "Le dossier de la demande est confirmé") || strings.Contains(page.body, `id="identity-confirm"`) ||
			!strings.Contains(page.body, `id="book-submit"`) || !strings.Contains(page.body, "Identité transmise par le prescripteur") {
			t.Error("after the confirmation the page still blocks the booking, or hides the identity sent")
		}
		if n := h.auditCount(audit.Filter{Actor: roleLogins[auth.Secretary], Action: "identity_confirm"}); n != 1 {
			t.Errorf("confirmation audited %d times", n)
		}
		if r := sec.post("/staff/referrals/"+id+"/identity/confirm", calledPatient()); r.status != http.StatusConflict || !strings.Contains(r.body, "pas d&#39;identité à confirmer") {
			t.Errorf("a second confirmation: %d", r.status)
		}
	})
}

// TestReferralRefiledFromItsPage: a namesake of another sex gets a new
// record, marked, with the demo's record as a candidate; a re-filing
// without a reason comes back as typed; the patient search finds another
// record; the referral is re-filed on the candidate, audited with the reason.
func TestReferralRefiledFromItsPage(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		known, id, r0 := h.pasquierRequest("F")
		if r0.PatientID == known.PatientID || !r0.IdentityToConfirm {
			t.Fatalf("another sex filed on %d (demo's %d), to confirm %v", r0.PatientID, known.PatientID, r0.IdentityToConfirm)
		}
		sec := h.signedIn(auth.Secretary)
		page := sec.get("/staff/referrals/" + id)
		if !strings.Contains(page.body, "Autre dossier") || !strings.Contains(page.body, "autre sexe") || !strings.Contains(page.body, `name="target" value="`+itoa(known.PatientID)+`"`) {
			t.Error("the candidate of another sex is not listed")
		}
		r := sec.post("/staff/referrals/"+id+"/identity/refile", url.Values{"target": {itoa(known.PatientID)}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Indiquez la raison du rattachement") ||
			!strings.Contains(r.body, `value="`+itoa(known.PatientID)+`" checked`) {
			t.Errorf("no reason: %d", r.status)
		}
		if found := sec.get("/staff/referrals/" + id + "?idq=mercier"); !strings.Contains(found.body, "MERCIER") {
			t.Error("the patient search finds nothing")
		}
		r = sec.post("/staff/referrals/"+id+"/identity/refile", url.Values{"target": {itoa(known.PatientID)}, "reason": {"Erreur de sexe sur l'ordonnance, vérifiée par téléphone"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("re-file: %d\n%s", r.status, errorsOf(r.body))
		}
		moved, _ := h.store.Referral(system, r0.ID)
		if moved.PatientID != known.PatientID || moved.IdentityToConfirm {
			t.Errorf("re-filed: %+v", moved)
		}
		entries, _ := h.store.SearchAudit(system, audit.Filter{Action: "refile", PatientID: known.PatientID})
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, "Erreur de sexe") {
			t.Errorf("audit %+v", entries)
		}
		// The demo's booked request of PASQUIER cannot be moved.
		if r := sec.post("/staff/referrals/"+itoa(known.ID)+"/identity/refile", url.Values{"target": {itoa(r0.PatientID)}, "reason": {"x"}}); r.status != http.StatusConflict ||
			!strings.Contains(r.body, "rendez-vous programmé ou réalisé") {
			t.Errorf("a booked referral re-filed: %d", r.status)
		}
	})
}

// TestNoConvocationWhileIdentityToConfirm: whatever made an appointment
// for a referral whose identity is to confirm (a booking is refused then),
// no convocation is sent, no reminder queued and no letter made.
func TestNoConvocationWhileIdentityToConfirm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		h := newHarnessWith(t, st, func(c *setup) { c.app.Mailer = nullMailer{} })
		appt := h.appointmentID()
		h.before(appt, 20*time.Hour) // within the reminder's two days
		list, _ := h.store.ListAppointments(system, storeFilterID(appt))
		p, _ := h.store.Patient(system, list[0].PatientID)
		p.Email = "patient@example.org"
		if err := h.store.UpdatePatient(system, p); err != nil {
			t.Fatal(err)
		}
		mark := `UPDATE referrals SET identity_to_confirm = ? WHERE id = ?`
		if st.Engine() == store.Postgres {
			mark = `UPDATE referrals SET identity_to_confirm = $1 WHERE id = $2`
		}
		if _, err := st.DB().Exec(mark, true, list[0].ReferralID); err != nil {
			t.Fatal(err)
		}
		sec := h.signedIn(auth.Secretary)
		if r := sec.post("/staff/appointments/"+appt+"/send", nil); r.status != http.StatusConflict || !strings.Contains(r.body, "identité du patient de cette demande reste à confirmer") {
			t.Errorf("sending the convocation: %d", r.status)
		}
		if r := sec.get("/staff/appointments/" + appt + "/convocation.pdf"); r.status != http.StatusConflict || strings.HasPrefix(r.body, "%PDF") {
			t.Errorf("the convocation letter: %d", r.status)
		}
		if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
		if mails, _ := h.store.MailFor(system, list[0].ID); len(mails) != 0 {
			t.Errorf("queued for the appointment: %+v", mails)
		}
		ref, _ := h.store.Referral(system, list[0].ReferralID)
		if ref.Status != referral.Booked {
			t.Fatalf("the demo's referral is %s", ref.Status)
		}
	})
}

// TestErasureClearsTheIdentitySent: a patient erased without a medical
// record leaves nothing of the identity the referring physician typed.
func TestErasureClearsTheIdentitySent(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Referrer)
		fields := map[string]string{"birth_name": "Qxsentname", "first_names": "Qxsentfirst", "birth_date": "1961-02-03", "sex": "F",
			"phone": "06 31 41 59 26", "act": "facet_joint_infiltration", "urgency": "routine"}
		if r := c.postMultipart("/referrer/requests", fields, "ordo.pdf", []byte("%PDF-1.4 ordonnance")); r.status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", r.status, errorsOf(r.body))
		}
		refs, _ := h.store.ListReferrals(system, store.ReferralFilter{Limit: 1})
		if len(refs) != 1 || refs[0].IdentityToConfirm {
			t.Fatalf("an unknown patient's request: %+v", refs)
		}
		admin := h.signedIn(auth.Admin)
		if r := admin.post("/admin/patients/"+itoa(refs[0].PatientID)+"/erase", url.Values{"reason": {"saisie en double"}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
			t.Fatalf("erase: %d\n%s", r.status, errorsOf(r.body))
		}
		for _, s := range []string{"Qxsentname", "Qxsentfirst", "06 31 41 59 26"} {
			h.assertNowhere(t, s)
		}
	})
}

// TestIdentityDecisionsInTheReferralHistory: the confirmation of a
// request's record and its re-filings (onto an existing record, onto a new
// record) are in the referral's history on its page, with who, when, the
// records and the reason, in French and English.
func TestIdentityDecisionsInTheReferralHistory(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		known, id, r0 := h.pasquierRequest("F")
		sec := h.signedIn(auth.Secretary)
		if r := sec.post("/staff/referrals/"+id+"/identity/confirm", calledPatient()); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", r.status, errorsOf(r.body))
		}
		reason := "Erreur de sexe sur l'ordonnance, vérifiée par téléphone"
		if r := sec.post("/staff/referrals/"+id+"/identity/refile", url.Values{"target": {itoa(known.PatientID)}, "reason": {reason}}); r.status != http.StatusSeeOther {
			t.Fatalf("re-file: %d\n%s", r.status, errorsOf(r.body))
		}
		if r := sec.post("/staff/referrals/"+id+"/identity/refile", url.Values{"target": {"new"}, "reason": {"Homonyme après tout"}}); r.status != http.StatusSeeOther {
			t.Fatalf("re-file on a new record: %d\n%s", r.status, errorsOf(r.body))
		}
		made, _ := h.store.Referral(system, r0.ID)
		record := func(id int64) string { return `<a href="/staff/patients/` + itoa(id) + `">` }
		history := func(body string) string {
			i := strings.Index(body, `id="referral-history"`)
			if i < 0 {
				t.Fatal("the page has no history")
			}
			return body[i:]
		}
		fr := history(sec.get("/staff/referrals/" + id).body)
		login := roleLogins[auth.Secretary]
		for _, want := range []string{
			login + " : identité vérifiée, dossier confirmé (" + record(r0.PatientID) + "dossier n° " + itoa(r0.PatientID),
			login + " : rattachée à un autre dossier : " + record(r0.PatientID), "→ " + record(known.PatientID), "Erreur de sexe sur l&#39;ordonnance",
			login + " : rattachée à un nouveau dossier, créé à partir de l&#39;identité transmise : " + record(known.PatientID), "→ " + record(made.PatientID), "(Homonyme après tout)",
		} {
			if !strings.Contains(fr, want) {
				t.Errorf("the history lacks %q:\n%s", want, fr)
			}
		}
		en := history(sec.get("/staff/referrals/" + id + "?lang=en").body)
		for _, want := range []string{"identity checked, record confirmed", "filed on another record", "filed on a new record, made from the identity sent", "record no. " + itoa(known.PatientID)} {
			if !strings.Contains(en, want) {
				t.Errorf("the English history lacks %q", want)
			}
		}
	})
}

// TestNoSecondRecordFromTheRequest: a request filed on the record made
// from its own identity, which holds nothing else, is not offered a new
// record; one asked all the same is refused in French with the form kept.
func TestNoSecondRecordFromTheRequest(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		id := h.sendPasquierRequest("F")
		sec := h.signedIn(auth.Secretary)
		page := sec.get("/staff/referrals/" + id)
		if strings.Contains(page.body, `name="target" value="new"`) || !strings.Contains(page.body, `id="no-new-record"`) {
			t.Error("the page offers a second record made from the request")
		}
		r := sec.post("/staff/referrals/"+id+"/identity/refile", url.Values{"target": {"new"}, "reason": {"Homonyme"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "un nouveau dossier en serait le doublon") || !strings.Contains(r.body, `value="Homonyme"`) {
			t.Errorf("a second record: %d %s", r.status, errorsOf(r.body))
		}
		if en := sec.post("/staff/referrals/"+id+"/identity/refile?lang=en", url.Values{"target": {"new"}, "reason": {"Homonyme"}}); !strings.Contains(en.body, "a new record would duplicate it") {
			t.Errorf("the English refusal: %s", errorsOf(en.body))
		}
	})
}
