package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/storetest"
)

// distinctive strings written into a patient's data, then looked for after
// the erasure: in every table and, on SQLite, in the file's bytes.
const (
	secretEmail   = "zq.erase.7f3a@example.org"
	secretPhone   = "06 91 73 58 24"
	secretAddress = "17 rue Qxerasure-Distinctive"
	secretNote    = "Qxnote-rappeler-le-soir"
)

// TestPatientExportAndErasure: the admin finds a patient recorded by mistake
// (no act, no consent, no report), erasure asks for a reason and a
// confirmation, then erases the identity too.
func TestPatientExportAndErasure(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin := h.signedIn(auth.Admin)
		id, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Erreur", FirstNames: "Saisie", BirthDate: "1990-02-02", Sex: "F", Email: "erreur@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.CreateReferral(system, referral.Referral{PatientID: id, ActID: "facet_joint_infiltration", Indication: "lombalgie"}); err != nil {
			t.Fatal(err)
		}
		if r := admin.get("/admin/privacy?q=erreur"); r.status != http.StatusOK || !strings.Contains(r.body, "/admin/patients/"+itoa(id)+"/privacy") {
			t.Fatalf("search: %d", r.status)
		}
		if r := admin.post("/admin/patients/"+itoa(id)+"/erase", url.Values{"reason": {"saisie en double"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "Cochez la case") {
			t.Fatalf("erase without confirming: %d", r.status)
		}
		if r := admin.post("/admin/patients/"+itoa(id)+"/erase", url.Values{"confirm": {"yes"}}); r.status != http.StatusConflict {
			t.Fatalf("erase without a reason: %d", r.status)
		}
		if r := admin.post("/admin/patients/"+itoa(id)+"/erase", url.Values{"reason": {"saisie en double"}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
			t.Fatalf("erase: %d\n%s", r.status, errorsOf(r.body))
		}
		p, _ := h.store.Patient(system, id)
		if p.BirthName != "ANONYME-"+itoa(id) || p.Email != "" || p.FirstNames != "" {
			t.Errorf("after erasure: %+v", p)
		}
		if n := h.auditCount(audit.Filter{PatientID: id, Action: "erase"}); n != 1 {
			t.Errorf("%d erasure entries in the audit log", n)
		}
	})
}

// TestErasureKeepsTheMedicalRecord: a patient with a signed report on an act
// still booked (no act done, no consent) asks for erasure. The report, the
// record of the act and the checks are the medical record: they stay, with
// the patient's identity, and the page says which rule keeps them and until
// when; contact details, portal codes, questionnaire links, emails and the
// waiting list go, leaving no readable bytes.
func TestErasureKeepsTheMedicalRecord(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin := h.signedIn(auth.Admin)
		appt, patientID := h.recordedPatient()
		report := h.reportID()
		doc := h.signedIn(auth.Radiologist)
		before := doc.get("/staff/reports/" + report)
		page := admin.get("/admin/patients/" + itoa(patientID) + "/privacy")
		for _, want := range []string{"R1112-7", "Conservé jusqu", "Effacé", "Comptes rendus signés", "Coordonnées"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the privacy page does not show %q before the erasure", want)
			}
		}
		if r := admin.post("/admin/patients/"+itoa(patientID)+"/erase", url.Values{"reason": {"demande écrite du patient"}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
			t.Fatalf("erase: %d\n%s", r.status, errorsOf(r.body))
		}
		p, err := h.store.Patient(system, patientID)
		if err != nil || p.BirthName != "Lefèvre" || p.Email != "" || p.Phone != "" || p.Address != "" {
			t.Errorf("after erasure the identity must stay with the record and the contact go: %+v (%v)", p, err)
		}
		if after := doc.get("/staff/reports/" + report); after.status != http.StatusOK || after.body != before.body {
			t.Errorf("the signed report changed or went: %d", after.status)
		}
		if rec, err := h.store.ActRecordOf(system, appt); err != nil || len(rec.Record) == 0 {
			t.Errorf("the act record went: %v", err)
		}
		if list, _ := h.store.ListAppointments(system, store.AppointmentFilter{ID: appt}); len(list) != 1 || list[0].Status != "cancelled" {
			t.Errorf("the booked act is not cancelled: %+v", list)
		}
		for table, n := range h.rowsOf(patientID, "portal_codes", "screening_links", "outbox", "waiting_list") {
			if n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		page = admin.get("/admin/patients/" + itoa(patientID) + "/privacy")
		if !strings.Contains(page.body, "demande écrite du patient") || !strings.Contains(page.body, "R1112-7") {
			t.Error("the privacy page does not show the erasure done and the rule that keeps the record")
		}
		for _, s := range []string{secretEmail, secretPhone, secretAddress, secretNote} {
			h.assertNowhere(t, s)
		}
	})
}

// TestErasureLeavesNoBytes: a patient without any medical record is erased
// whole, and none of what was typed about them stays readable in any table
// or, on SQLite, in the database file and its WAL.
func TestErasureLeavesNoBytes(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin := h.signedIn(auth.Admin)
		id, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Qxbirthname", FirstNames: "Qxfirst", BirthDate: "1990-02-02", Sex: "F",
			Email: secretEmail, Phone: secretPhone, Address: secretAddress})
		if err != nil {
			t.Fatal(err)
		}
		ref, err := h.store.CreateReferral(system, referral.Referral{PatientID: id, ActID: "facet_joint_infiltration", Indication: "Qxindication lombalgie"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.AddToWaitingList(system, ref, "", "", secretNote); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.EnqueueMail(system, mail.Outgoing{Kind: "portal_code", PatientID: id, To: secretEmail, Subject: "Code", Text: "Bonjour Qxfirst " + secretNote}); err != nil {
			t.Fatal(err)
		}
		if r := admin.post("/admin/patients/"+itoa(id)+"/erase", url.Values{"reason": {"saisie en double"}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
			t.Fatalf("erase: %d\n%s", r.status, errorsOf(r.body))
		}
		for _, s := range []string{secretEmail, secretPhone, secretAddress, secretNote, "Qxbirthname", "Qxfirst", "Qxindication"} {
			h.assertNowhere(t, s)
		}
	})
}

// TestPatientExportCoversEveryTable: the export is a ZIP with data.json and
// the stored documents as files; every table of the schema that holds the
// patient (a patient_id, appointment_id, referral_id column, or a foreign key
// to such a table) has its section, so a table added later cannot be
// forgotten; the export is in the patient's audit trail.
func TestPatientExportCoversEveryTable(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin := h.signedIn(auth.Admin)
		_, patientID := h.recordedPatient()
		h.reportID()
		h.consentID()
		r := admin.get("/admin/patients/" + itoa(patientID) + "/export")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %d %s", r.status, r.header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(r.body)), int64(len(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		var data struct {
			Tables map[string][]map[string]any `json:"tables"`
		}
		if err := json.Unmarshal(files["data.json"], &data); err != nil {
			t.Fatalf("data.json: %v (files %v)", err, keys(files))
		}
		for _, table := range holdingTables(t, h.store) {
			if _, ok := data.Tables[table]; !ok {
				t.Errorf("table %s holds patient data but the export has no section for it", table)
			}
		}
		for _, table := range []string{"patients", "referrals", "appointments", "reports", "act_records", "followup_scores", "checklist_checks",
			"screening_decisions", "screenings", "consents", "outbox", "audit_log"} {
			if len(data.Tables[table]) == 0 {
				t.Errorf("the export has no row of %s", table)
			}
		}
		// Every stored document is a file whose bytes match its recorded hash.
		for _, table := range []string{"reports", "consents"} {
			for _, row := range data.Tables[table] {
				name, _ := row["pdf"].(string)
				if table == "consents" {
					name, _ = row["document"].(string)
				}
				sum := sha256.Sum256(files[name])
				if name == "" || hex.EncodeToString(sum[:]) != row["sha256"] {
					t.Errorf("%s %v: file %q missing or not matching its hash", table, row["id"], name)
				}
			}
		}
		if !strings.Contains(string(files["data.json"]), secretEmail) {
			t.Error("the export lacks the patient's contact details")
		}
		if n := h.auditCount(audit.Filter{PatientID: patientID, Action: "export"}); n != 1 {
			t.Errorf("%d export entries in the patient's audit trail", n)
		}
	})
}

// recordedPatient fills the first demo appointment (LEFÈVRE Zoé, booked,
// nothing done yet) with a medical record and administrative data: an act
// record, a pain score, a checklist check, a signed screening, the answers,
// and contact details, a portal code, a questionnaire link, an email with an
// attachment and a waiting-list entry. It returns the appointment and patient.
func (h *harness) recordedPatient() (appt, patientID int64) {
	h.t.Helper()
	appt, _ = strconv.ParseInt(h.appointmentID(), 10, 64)
	list, err := h.store.ListAppointments(system, store.AppointmentFilter{ID: appt})
	if err != nil || len(list) != 1 {
		h.t.Fatalf("appointment %d: %v", appt, err)
	}
	a := list[0]
	p, err := h.store.Patient(system, a.PatientID)
	if err != nil {
		h.t.Fatal(err)
	}
	p.Email, p.Phone, p.Address = secretEmail, secretPhone, secretAddress
	steps := []error{
		h.store.UpdatePatient(system, p),
		h.store.AddPainScore(system, appt, 0, 7),
		h.store.AddCheck(system, appt, "identity", "ok", ""),
		h.store.CreatePortalCode(system, a.PatientID, "code-hash", storetest.Now().Add(10*60*1e9)),
	}
	_, err = h.store.SaveActRecord(system, appt, []byte(`{"levels":"L3-L4","blood_ml":18}`), 0)
	steps = append(steps, err)
	version := 0
	if sc, err := h.store.Screening(system, a.ReferralID); err == nil {
		version = sc.Version
	}
	version, err = h.store.SaveScreening(system, a.ReferralID, []byte(`{"anticoagulant":"no"}`), version)
	steps = append(steps, err)
	_, err = h.store.AddScreeningDecision(system, screening.Decision{ReferralID: a.ReferralID, Kind: "signed", AnswersVersion: version, VerdictStatus: "clear"})
	steps = append(steps, err)
	_, err = h.store.AddToWaitingList(system, a.ReferralID, "", "", secretNote)
	steps = append(steps, err)
	_, err = h.store.EnqueueMail(system, mail.Outgoing{Kind: "convocation", AppointmentID: appt, PatientID: a.PatientID, To: secretEmail, Subject: "Convocation",
		Text: "Bonjour", Attachments: []mail.Attachment{{Name: "convocation.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 convocation")}}})
	steps = append(steps, err)
	for _, err := range steps {
		if err != nil {
			h.t.Fatal(err)
		}
	}
	h.questionnaireToken()
	return appt, a.PatientID
}

// rowsOf counts the rows of each table that belong to the patient.
func (h *harness) rowsOf(patientID int64, tables ...string) map[string]int {
	h.t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		where := map[string]string{
			"portal_codes":    "patient_id = ?",
			"screening_links": "referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)",
			"waiting_list":    "referral_id IN (SELECT id FROM referrals WHERE patient_id = ?)",
			"outbox":          "patient_id = ?",
		}[table]
		q := "SELECT COUNT(*) FROM " + table + " WHERE " + where
		if h.store.Engine() == store.Postgres {
			q = strings.Replace(q, "?", "$1", 1)
		}
		var n int
		if err := h.store.DB().QueryRow(q, patientID).Scan(&n); err != nil {
			h.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (h *harness) assertNowhere(t *testing.T, needle string) {
	t.Helper()
	storetest.AssertNowhere(t, h.store, needle)
}

func holdingTables(t *testing.T, s *store.Store) []string { return storetest.PatientTables(t, s) }

func storeFilterID(id string) store.AppointmentFilter {
	n, _ := strconv.ParseInt(id, 10, 64)
	return store.AppointmentFilter{ID: n}
}
