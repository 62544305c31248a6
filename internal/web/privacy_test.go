package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

func TestPatientExportAndErasure(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	admin := h.signedIn(auth.Admin)
	// A patient recorded by mistake: no act, no consent.
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
	exp := admin.get("/admin/patients/" + itoa(id) + "/export")
	var x struct {
		Patient   patient.Patient     `json:"patient"`
		Referrals []referral.Referral `json:"referrals"`
		Access    []audit.Entry       `json:"access_log"`
	}
	if exp.status != http.StatusOK || json.Unmarshal([]byte(exp.body), &x) != nil || x.Patient.Email != "erreur@example.org" || len(x.Referrals) != 1 || len(x.Access) == 0 {
		t.Fatalf("export: %d %+v", exp.status, x)
	}
	if r := admin.post("/admin/patients/"+itoa(id)+"/erase", url.Values{"reason": {"saisie en double"}}); r.status != http.StatusConflict || !strings.Contains(r.body, "Cochez la case") {
		t.Fatalf("erase without confirming: %d", r.status)
	}
	if r := admin.post("/admin/patients/"+itoa(id)+"/erase", url.Values{"reason": {"saisie en double"}, "confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("erase: %d\n%s", r.status, errorsOf(r.body))
	}
	p, _ := h.store.Patient(system, id)
	if p.BirthName != "ANONYME-"+itoa(id) || p.Email != "" || p.FirstNames != "" {
		t.Errorf("after erasure: %+v", p)
	}
	if n := h.auditCount(audit.Filter{PatientID: id, Action: "anonymise"}); n != 1 {
		t.Errorf("%d erasure entries in the audit log", n)
	}
	// A patient with a signed consent is kept.
	appt := h.appointmentID()
	h.consentID()
	list, _ := h.store.ListAppointments(system, storeFilterID(appt))
	if r := admin.get("/admin/patients/" + itoa(list[0].PatientID) + "/privacy"); !strings.Contains(r.body, "doit être conservé") || strings.Contains(r.body, "/erase") {
		t.Errorf("a patient with a signed consent is offered erasure")
	}
	if r := admin.post("/admin/patients/"+itoa(list[0].PatientID)+"/erase", url.Values{"reason": {"x"}, "confirm": {"yes"}}); r.status != http.StatusConflict {
		t.Errorf("erasing a kept record: %d", r.status)
	}
}

func storeFilterID(id string) store.AppointmentFilter {
	n, _ := strconv.ParseInt(id, 10, 64)
	return store.AppointmentFilter{ID: n}
}
