package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestPortal: the patient asks a code by email, signs in with it and the
// birth date, sees only their own appointments and documents, and cannot
// open another patient's; every access is audited.
func TestPortal(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	cfg := smtp.Config()
	sender, err := mail.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) { c.app.Mailer = app.NewMailer(sender, cfg.From, "imagerie.example.org") })
	appt := h.appointmentID() // LEFÈVRE Zoé, zoe.lefevre@example.org
	h.consentID()
	h.reportID()
	other, _ := h.store.ListAppointments(system, storeFilterID(appt))
	// Another patient's appointment, to try to read.
	var otherID string
	all, _ := h.store.ListAppointments(system, store.AppointmentFilter{})
	for _, a := range all {
		if a.PatientID != other[0].PatientID {
			otherID = itoa(a.ID)
		}
	}
	if otherID == "" {
		t.Fatal("the demo has no other patient's appointment")
	}
	p := h.client()
	if r := p.get("/portal/appointments/" + appt + "/convocation.pdf"); r.status != http.StatusUnauthorized {
		t.Fatalf("document before signing in: %d", r.status)
	}
	if r := p.post("/portal/code", url.Values{"email": {"inconnu@example.org"}}); r.status != http.StatusOK || !strings.Contains(r.body, `id="portal-sent"`) {
		t.Fatalf("unknown address: %d (the answer must not tell)", r.status)
	}
	if r := p.post("/portal/code", url.Values{"email": {"zoe.lefevre@example.org"}}); r.status != http.StatusOK {
		t.Fatalf("code request: %d", r.status)
	}
	if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
		t.Fatal(err)
	}
	var code string
	for _, m := range smtp.Wait(1, 5*time.Second) {
		if c := regexp.MustCompile(`code d'accès est : (\d{6})`).FindStringSubmatch(m.Text); c != nil {
			code = c[1]
		}
	}
	if code == "" {
		t.Fatal("no code delivered")
	}
	if r := p.post("/portal/verify", url.Values{"email": {"zoe.lefevre@example.org"}, "code": {code}, "birth_date": {"1991-04-13"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong birth date: %d", r.status)
	}
	if r := p.post("/portal/verify", url.Values{"email": {"zoe.lefevre@example.org"}, "code": {code}, "birth_date": {"1991-04-12"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d\n%s", r.status, errorsOf(r.body))
	}
	// An infiltration done 16 days ago: its day-15 pain score is due.
	rooms, _ := h.store.Rooms(system)
	doctors, _ := h.store.Radiologists(system)
	ref, err := h.store.CreateReferral(system, referral.Referral{PatientID: other[0].PatientID, ActID: "facet_joint_infiltration"})
	if err != nil {
		t.Fatal(err)
	}
	past, err := h.store.Book(system, booking.Request{ReferralID: ref, RoomID: rooms[0].ID, RadiologistID: doctors[0].ID, PlaceID: rooms[len(rooms)-1].ID,
		Start: storetest.Now().AddDate(0, 0, -16).Truncate(time.Hour), RoomMinutes: 30, MonitoringMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.CheckIn(system, past, "test"); err != nil {
		t.Fatal(err)
	}
	for _, to := range []booking.DayStatus{booking.InRoom, booking.Monitoring} {
		if err := h.store.MoveDay(system, past, to, storetest.Now().AddDate(0, 0, -16), ""); err != nil {
			t.Fatal(err)
		}
	}
	// An act done 15 days ago, on the patient's email: the day-15 question goes out.
	ref15, _ := h.store.CreateReferral(system, referral.Referral{PatientID: other[0].PatientID, ActID: "facet_joint_infiltration"})
	loc := paris
	now := storetest.Now().In(loc)
	day15 := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, loc).AddDate(0, 0, -15)
	a15, err := h.store.Book(system, booking.Request{ReferralID: ref15, RoomID: rooms[0].ID, RadiologistID: doctors[0].ID, PlaceID: rooms[len(rooms)-1].ID,
		Start: day15, RoomMinutes: 30, MonitoringMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	h.store.CheckIn(system, a15, "test")
	for _, to := range []booking.DayStatus{booking.InRoom, booking.Monitoring} {
		if err := h.store.MoveDay(system, a15, to, day15, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
		t.Fatal(err)
	}
	asked := false
	for _, m := range smtp.Wait(2, 5*time.Second) {
		asked = asked || (strings.Contains(m.Text, "Il y a 15 jours") && strings.Contains(m.Text, "/portal/"))
	}
	if !asked {
		t.Error("the day-15 pain question was not emailed")
	}
	if page := h.signedIn(auth.Secretary).get("/staff/appointments/" + itoa(a15)); !strings.Contains(page.body, "Suivi de la douleur (courriel)") {
		t.Error("the follow-up email is not listed on the appointment")
	}
	home := p.get("/portal/")
	if !strings.Contains(home.body, `id="score-`+itoa(past)+`"`) || !strings.Contains(home.body, "15 jours après") {
		t.Fatal("the day-15 pain score is not asked on the portal")
	}
	if r := p.post("/portal/appointments/"+itoa(past)+"/score", url.Values{"value": {"3"}}); r.status != http.StatusSeeOther {
		t.Fatalf("portal score: %d", r.status)
	}
	if scores, _ := h.store.PainScores(system, past); len(scores) != 1 || scores[0].Day != 15 || scores[0].Value != 3 || !strings.HasPrefix(scores[0].By, "portal:patient:") {
		t.Errorf("scores %+v", scores)
	}
	home = p.get("/portal/")
	if !strings.Contains(home.body, "/portal/reports/"+h.reportID()) {
		t.Error("the signed report is not listed on the portal")
	}
	if !strings.Contains(home.body, "LEFÈVRE Zoé") || !strings.Contains(home.body, "portal-appt-"+appt) || strings.Contains(home.body, "portal-appt-"+otherID) {
		t.Fatalf("portal home does not show exactly the patient's own appointments")
	}
	if r := p.get("/portal/appointments/" + appt + "/convocation.pdf"); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") {
		t.Errorf("own convocation: %d", r.status)
	}
	if r := p.get("/portal/consents/" + h.consentID()); r.status != http.StatusOK {
		t.Errorf("own consent: %d", r.status)
	}
	if r := p.get("/portal/reports/" + h.reportID()); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF") {
		t.Errorf("own report: %d", r.status)
	}
	if r := p.get("/portal/appointments/" + otherID + "/convocation.pdf"); r.status != http.StatusNotFound {
		t.Errorf("another patient's convocation: %d, want 404", r.status)
	}
	if r := p.post("/portal/verify", url.Values{"email": {"zoe.lefevre@example.org"}, "code": {code}, "birth_date": {"1991-04-12"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a used code worked again: %d", r.status)
	}
	if n := h.auditCount(audit.Filter{Actor: "portal:patient:" + itoa(other[0].PatientID)}); n == 0 {
		t.Error("the portal accesses are not audited under the patient")
	}
	p.post("/portal/logout", nil)
	if r := p.get("/portal/appointments/" + appt + "/convocation.pdf"); r.status != http.StatusUnauthorized {
		t.Errorf("after sign-out: %d", r.status)
	}
}
