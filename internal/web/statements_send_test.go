package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/mail"
	"repere/internal/mail/mailtest"
	"repere/internal/mpps"
	"repere/internal/patient"
	"repere/internal/sms"
	"repere/internal/sms/smstest"
	"repere/internal/store"
	"repere/internal/storetest"
)

// postFigure is one POST of a statements test: the route it is counted
// under, where it goes, what it sends, the status it must answer, and the
// most statements and transactions it may run on each engine.
type postFigure struct {
	route, path string
	form        url.Values
	status      int
	// maxima on PostgreSQL, then on SQLite (where a read unit appends its
	// audit in a short write of its own)
	pgStatements, pgTx, liteStatements, liteTx float64
}

// checkFigures posts each figure's form as c and fails above its maxima.
func (h *harness) checkFigures(t *testing.T, c *client, figures []postFigure) {
	t.Helper()
	for _, f := range figures {
		what := f.form.Encode()
		s0, t0 := h.routeFigures(f.route)
		if r := c.post(f.path, f.form); r.status != f.status {
			t.Fatalf("%s %s: %d, want %d\n%s", f.path, what, r.status, f.status, errorsOf(r.body))
		}
		s1, t1 := h.routeFigures(f.route)
		statements, transactions := s1-s0, t1-t0
		t.Logf("%-44s %-40.40s %3.0f statements, %.0f transactions", f.route, what, statements, transactions)
		maxStatements, maxTx := f.pgStatements, f.pgTx
		if h.store.Engine() == store.SQLite {
			maxStatements, maxTx = f.liteStatements, f.liteTx
		}
		if statements > maxStatements || transactions > maxTx {
			t.Errorf("%s %.40s: %v statements in %v transactions, want at most %v in %v", f.path, what, statements, transactions, maxStatements, maxTx)
		}
	}
}

// TestSendingPostStatements counts the statements and transactions of the
// sends to the patient. An email or an SMS (the questionnaire link, the
// portal invitation) is one unit of work: the reads, the link or code and
// the outbox row commit together. A letter and the convocation are made
// outside any transaction (PDF), between a read unit and a write; the
// convocation's write reads the appointment file again (11 statements) to
// refuse a letter the appointment changed under (queueConvocation), after
// holding its rows on PostgreSQL (store.HoldAppointmentFile, 2 statements);
// a letter's write reads its patient again (sameRecipient, 1 statement),
// after holding its rows on PostgreSQL (store.HoldPatient: the patient's,
// and the referral's for the questionnaire letter).
func TestSendingPostStatements(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		smtp := mailtest.Start(t, mailtest.Options{})
		cfg := smtp.Config()
		sender, err := mail.NewSender(cfg)
		if err != nil {
			t.Fatal(err)
		}
		provider := smstest.Start(t, "repere", "s3cret-sms")
		texts, err := sms.New(sms.Config{URL: provider.URL, User: "repere", Password: "s3cret-sms", Template: "{{.Practice}} : {{.Message}} {{.Link}}"})
		if err != nil {
			t.Fatal(err)
		}
		h := newHarnessWith(t, st, func(c *setup) {
			c.app.Mailer = app.NewMailer(sender, cfg.From, "imagerie.example.org")
			c.app.SMS = texts
		})
		patient := itoa(h.zoe())
		ref, appt := h.referralID("LEFÈVRE"), h.appointmentID()
		c := h.signedIn(auth.Secretary)
		const (
			link   = "POST /staff/referrals/{id}/screening/send"
			invite = "POST /staff/patients/{id}/portal/invite"
		)
		h.checkFigures(t, c, []postFigure{
			{link, "/staff/referrals/" + ref + "/screening/send", url.Values{"channel": {"email"}}, http.StatusSeeOther, 10, 1, 10, 1},
			{link, "/staff/referrals/" + ref + "/screening/send", url.Values{"channel": {"sms"}}, http.StatusSeeOther, 10, 1, 10, 1},
			{link, "/staff/referrals/" + ref + "/screening/send", url.Values{"channel": {"letter"}}, http.StatusOK, 16, 2, 16, 3},
			{invite, "/staff/patients/" + patient + "/portal/invite", url.Values{"channel": {"email"}}, http.StatusSeeOther, 7, 1, 7, 1},
			{invite, "/staff/patients/" + patient + "/portal/invite", url.Values{"channel": {"sms"}}, http.StatusSeeOther, 8, 1, 8, 1},
			{invite, "/staff/patients/" + patient + "/portal/invite", url.Values{"channel": {"letter"}}, http.StatusOK, 11, 2, 12, 3},
			{"POST /staff/appointments/{id}/send", "/staff/appointments/" + appt + "/send", nil, http.StatusSeeOther, 30, 2, 30, 3},
			{"POST /staff/referrals/{id}/screening/link", "/staff/referrals/" + ref + "/screening/link", nil, http.StatusOK, 19, 2, 21, 3},
		})
		// The patient asks the portal for a code by email: the attempt
		// counted in a transaction of its own (it stays counted whatever
		// follows), then the codes and their emails in one unit.
		h.checkFigures(t, h.client(), []postFigure{
			{"POST /portal/code", "/portal/code", url.Values{"email": {"zoe.lefevre@example.org"}}, http.StatusOK, 8, 2, 8, 2},
		})
	})
}

// TestPracticeAdminPostStatements: each change of the practice's setup is
// one unit of work of the application (the reads it is checked against,
// the change and its audit entry); the page is read only to show a refused
// form again, in a read unit of its own.
func TestPracticeAdminPostStatements(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Admin)
		rooms, _ := h.store.Rooms(system)
		doctors, _ := h.store.Radiologists(system)
		const route = "POST /admin/practice/{action}"
		h.checkFigures(t, c, []postFigure{
			{route, "/admin/practice/hours", url.Values{"resource": {"room:" + itoa(rooms[0].ID)}, "weekday": {"0"}, "start": {"08:00"}, "end": {"12:30"}}, http.StatusSeeOther, 8, 1, 8, 1},
			{route, "/admin/practice/hours", url.Values{"resource": {"room:999999"}, "weekday": {"0"}, "start": {"08:00"}, "end": {"12:30"}}, http.StatusUnprocessableEntity, 15, 2, 17, 3},
			{route, "/admin/practice/room", url.Values{"name": {"Scanner 3"}, "kind": {"ct"}, "station_ae_title": {"CT3"}}, http.StatusSeeOther, 8, 1, 8, 1},
			{route, "/admin/practice/acts", url.Values{"id": {itoa(doctors[0].ID)}, "act": {"vertebroplasty"}}, http.StatusSeeOther, 7, 1, 7, 1},
			{route, "/admin/practice/settings", url.Values{"turnover": {"10"}, "ward_discharge": {"11:00"}}, http.StatusSeeOther, 8, 1, 8, 1},
			{"POST /admin/feeds", "/admin/feeds", url.Values{"resource": {"radiologist:" + itoa(doctors[0].ID)}}, http.StatusCreated, 17, 2, 19, 3},
		})
	})
}

// TestFollowUpPostStatements counts the statements and transactions of the
// referral's status change, the consent signed on the tablet, the pain
// scores and the new act offered from a failed one. The status change, the
// scores and the new act are one transaction each; the consent reads its
// page in a read unit, makes its PDF outside any, then writes it in a unit
// that reads its appointment and patient again (2 statements, SignConsent),
// after holding their rows on PostgreSQL (2 statements).
func TestFollowUpPostStatements(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		sec := h.signedIn(auth.Secretary)
		appt, ref := h.appointmentID(), h.referralID("LEMAÎTRE")
		form := sec.get("/staff/appointments/" + appt + "/consent")
		version := regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(form.body)
		if version == nil {
			t.Fatalf("consent page: %d", form.status)
		}
		h.checkFigures(t, sec, []postFigure{
			{"POST /staff/referrals/{id}/status", "/staff/referrals/" + ref + "/status", url.Values{"status": {"cancelled"}, "reason": {"hospitalisée ailleurs"}},
				http.StatusSeeOther, 8, 1, 8, 1},
			{"POST /staff/appointments/{id}/consent", "/staff/appointments/" + appt + "/consent",
				url.Values{"signer_name": {"Zoé Lefèvre"}, "signature": {signaturePNG(t, false)}, "version": {version[1]}}, http.StatusSeeOther, 22, 2, 22, 3},
		})
		page := sec.get("/staff/appointments/" + appt)
		consent := regexp.MustCompile(`/staff/consents/(\d+)/document`).FindStringSubmatch(page.body)
		if consent == nil {
			t.Fatal("the signed consent is not listed")
		}
		h.checkFigures(t, sec, []postFigure{
			{"POST /staff/consents/{id}/withdraw", "/staff/consents/" + consent[1] + "/withdraw", url.Values{"reason": {"la patiente renonce"}}, http.StatusSeeOther, 7, 1, 7, 1},
		})
		h.performed(appt)
		h.checkFigures(t, sec, []postFigure{
			{"POST /staff/appointments/{id}/score", "/staff/appointments/" + appt + "/score", url.Values{"day": {"0"}, "value": {"8"}}, http.StatusSeeOther, 17, 1, 17, 1},
			{"POST /staff/appointments/{id}/score", "/staff/appointments/" + appt + "/score", url.Values{"day": {"2"}, "value": {"8"}}, http.StatusSeeOther, 17, 1, 17, 1},
			{"POST /staff/appointments/{id}/new-act", "/staff/appointments/" + appt + "/new-act", nil, http.StatusSeeOther, 18, 1, 18, 1},
		})
	})
}

// TestIntakePostStatements: recording a patient (the duplicates looked for,
// then the record) and a referral (with a new physician) are one unit of
// work each; a consent's withdrawal too.
func TestIntakePostStatements(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		pid, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Compte", FirstNames: "Requête", BirthDate: "1970-01-01", Sex: "F"})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"birth_name": {"Lefèvre"}, "first_names": {"Zoé"}, "birth_date": {"1991-04-12"}, "sex": {"F"}}
		other := url.Values{"birth_name": {"Lefèvre"}, "first_names": {"Chloé"}, "birth_date": {"1991-04-12"}, "sex": {"F"}}
		referral := url.Values{"act": {"epidural_blood_patch"}, "levels": {"L3-L4"}, "urgency": {"urgent"}, "indication": {"Céphalées posturales"},
			"other_physician": {"Dr Marc Olivier"}, "physician_id": {"0"}}
		h.checkFigures(t, c, []postFigure{
			{"POST /staff/patients", "/staff/patients", form, http.StatusConflict, 5, 1, 5, 1},
			{"POST /staff/patients", "/staff/patients", other, http.StatusSeeOther, 6, 1, 6, 1},
			// The patient's recent referrals are read (a form sent twice records
			// one), after the patient's row is locked on PostgreSQL.
			{"POST /staff/patients/{id}/referrals", "/staff/patients/" + itoa(pid) + "/referrals", referral, http.StatusSeeOther, 9, 1, 8, 1},
		})
	})
}

// TestScannerStepStatements: an MPPS message from the scanner (the act
// started, then completed) and the day's move it causes are one unit of
// work each.
func TestScannerStepStatements(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		appt := h.appointmentID()
		a := h.onTheDay(appt)
		count := func(what string, send func(ctx context.Context) error, maxStatements int64) {
			t.Helper()
			c := &store.Counter{}
			if err := send(store.WithCounter(system, c)); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			t.Logf("%-30s %3d statements, %d transactions", what, c.Statements(), c.Transactions())
			if c.Transactions() != 1 || c.Statements() > maxStatements {
				t.Errorf("%s: %d statements in %d transactions, want at most %d in 1", what, c.Statements(), c.Transactions(), maxStatements)
			}
		}
		count("MPPS N-CREATE (in progress)", func(ctx context.Context) error {
			return h.app.Steps().CreateStep(ctx, mpps.PerformedStep{SOPInstanceUID: "2.25.77", Status: mpps.StatusInProgress, AccessionNumber: a.AccessionNumber, Start: a.Start})
		}, 20) // before the unit: 27 statements in 8 transactions
		count("MPPS N-SET (completed)", func(ctx context.Context) error {
			return h.app.Steps().UpdateStep(ctx, "2.25.77", func(cur *mpps.PerformedStep) error {
				cur.Status, cur.End = mpps.StatusCompleted, a.Start.Add(20*time.Minute)
				return nil
			})
		}, 16) // before: 19 in 4
	})
}

// TestMovePostStatements: a move is the use case's one unit of work (the
// appointment read inside it); a refused move reads its page after it.
func TestMovePostStatements(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		ref := h.referralID("LEFÈVRE")
		m := regexp.MustCompile(`/staff/appointments/(\d+)/move`).FindStringSubmatch(c.get("/staff/referrals/" + ref).body)
		if m == nil {
			t.Fatal("no move form on a booked referral")
		}
		ids := resourceIDs(t, h)
		day := nextDay(2, time.Tuesday, time.Thursday).Format(time.DateOnly) // Scanner 2 is open on Tuesday and Thursday mornings
		move := func(at, reason string) url.Values {
			return url.Values{"date": {day}, "time": {at}, "room_id": {ids["Scanner 2"]}, "radiologist_id": {ids["dr.martin"]},
				"place_id": {ids["Lit de repos 2"]}, "reason": {reason}}
		}
		const route = "POST /staff/appointments/{id}/move"
		path := "/staff/appointments/" + m[1] + "/move"
		h.checkFigures(t, c, []postFigure{
			{route, path, move("03:00", "patiente indisponible"), http.StatusConflict, 31, 3, 33, 4}, // before: 37 in 9
			{route, path, move("11:00", "patiente indisponible"), http.StatusSeeOther, 26, 1, 25, 1}, // before: 27-28 in 2
		})
	})
}

// TestIdentityCorrectionPostStatements: the correction of a patient's
// identity is one unit of work of the application layer, its reads
// included; the page is read again only to show a refusal, after the unit.
func TestIdentityCorrectionPostStatements(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		pid, err := h.store.CreatePatient(system, patient.Patient{BirthName: "Compte", FirstNames: "Requête", BirthDate: "1970-01-01", Sex: "F"})
		if err != nil {
			t.Fatal(err)
		}
		path := "/staff/patients/" + itoa(pid) + "/identity"
		corrected := url.Values{"birth_name": {"Comte"}, "first_names": {"Requête"}, "birth_date": {"1970-01-01"}, "sex": {"F"},
			"document": {"cni"}, "reason": {"Nom mal orthographié, carte d'identité vue"}}
		noReason := url.Values{"birth_name": {"Conte"}, "first_names": {"Requête"}, "birth_date": {"1970-01-01"}, "sex": {"F"}, "document": {"cni"}}
		// Before the unit: 12 statements in 4 transactions, refused 9 in 3, on either engine.
		h.checkFigures(t, c, []postFigure{
			{"POST /staff/patients/{id}/identity", path, corrected, http.StatusSeeOther, 7, 1, 7, 1},
			// The form alone is wrong: no transaction before the page's.
			{"POST /staff/patients/{id}/identity", path, noReason, http.StatusUnprocessableEntity, 6, 1, 8, 2},
			// Refused against the record (nothing changes): the unit, which
			// commits the audit of its read, then the page.
			{"POST /staff/patients/{id}/identity", path, corrected, http.StatusUnprocessableEntity, 8, 2, 10, 3},
		})
	})
}
