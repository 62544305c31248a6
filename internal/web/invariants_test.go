package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/dimse"
	"repere/internal/dose"
	"repere/internal/fhir"
	"repere/internal/mail"
	"repere/internal/mpps"
	"repere/internal/pdftest"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/storetest"
	"repere/internal/worklist"
)

// The safety core's invariants, each tried through every entry point that
// can reach it: the pages, the documents (HTML, PDF, calendar file), the
// emails and reminders of the outbox, the patient portal, the DICOM
// worklist (queried with dcmtk's findscu) and MPPS (sent by a DIMSE
// client), FHIR and the identity correction. A row fails when its entry
// point bypasses the rule. Every scenario runs on both engines.

// fixture is one scenario's running product and what the rows need.
type fixture struct {
	h              *harness
	appt           string // LEFÈVRE Zoé's blood patch, booked on the demo day
	apptID         int64
	ref            string // its referral
	start          time.Time
	sec, tech, doc *client
	dicom          string // the worklist and MPPS server's address
	portal         *client
}

// entryPoint is one way into the product, checked for the scenario's rule.
type entryPoint struct {
	path  string
	check func(t *testing.T, f *fixture)
}

type invariantCase struct {
	name    string
	prepare func(t *testing.T, f *fixture)
	entries []entryPoint
}

func TestInvariantsHoldOnEveryPath(t *testing.T) {
	findscu, err := exec.LookPath("findscu")
	if err != nil {
		storetest.Require(t, "dcmtk's findscu")
	}
	for _, inv := range invariantCases(findscu) {
		t.Run(inv.name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, st *store.Store) {
				f := newFixture(t, st)
				inv.prepare(t, f)
				for _, e := range inv.entries {
					if !t.Run(e.path, func(t *testing.T) { e.check(t, f) }) {
						return // the rows follow one another on one practice
					}
				}
			})
		})
	}
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	h := newHarnessWith(t, st, func(c *setup) { c.app.Mailer = nullMailer{} })
	f := &fixture{h: h, appt: h.appointmentID(), ref: h.referralID("LEFÈVRE"),
		sec: h.signedIn(auth.Secretary), tech: h.signedIn(auth.Radiographer), doc: h.signedIn(auth.Radiologist)}
	f.apptID, _ = strconv.ParseInt(f.appt, 10, 64)
	a, err := h.app.Appointment(system, f.apptID)
	if err != nil || a.ReferralID != mustID(f.ref) {
		t.Fatalf("the first demo appointment is not LEFÈVRE's blood patch: %+v %v", a, err)
	}
	f.start = a.Start
	f.dicom = h.dicomServer(t)
	return f
}

// dicomServer serves the harness's worklist, MPPS and dose reports on a
// loopback port.
func (h *harness) dicomServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dimse.Server{AETitle: "REPERE",
		Find:   worklist.NewHandler(worklist.Config{Source: h.app.Worklist(), Charset: dimse.CharsetUTF8, AllowUnmappedAll: true, Location: paris}),
		MPPS:   mpps.NewHandler(mpps.Config{Store: h.app.Steps(), Location: paris, Now: h.app.Now}),
		Store:  dose.NewHandler(h.app.DoseReports(), nil),
		Limits: dimse.Limits{MaxDepth: 16}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// answer saves a questionnaire for a referral: every question of its act
// answered reassuringly, then values and treatments as given.
func (f *fixture) answer(t *testing.T, ref string, values map[string]string, treatments ...screening.Treatment) {
	t.Helper()
	r, err := f.h.store.Referral(system, mustID(ref))
	if err != nil {
		t.Fatal(err)
	}
	act, _ := f.h.cat.Act(r.ActID)
	a := screening.Answers{Values: map[string]string{}, Treatments: treatments}
	for _, q := range f.h.app.Screening().QuestionsFor(act) {
		switch {
		case q.ID == "weight_kg":
			a.Values[q.ID] = "70"
		case q.Kind == screening.KindNumber:
			a.Values[q.ID] = "0"
		case q.YesMeans == "ability":
			a.Values[q.ID] = screening.Yes
		default:
			a.Values[q.ID] = screening.No
		}
	}
	if len(treatments) > 0 {
		a.Values[screening.QuestionTakesMedicines] = screening.Yes
	}
	for k, v := range values {
		a.Values[k] = v
	}
	st, err := f.h.app.ScreeningOf(system, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.h.app.SaveAnswers(system, r.ID, a, st.Version); err != nil {
		t.Fatal(err)
	}
}

// signInPortal signs LEFÈVRE in to the portal with birthDate, reading the
// code from the outbox.
func (f *fixture) signInPortal(t *testing.T, birthDate string) (*client, response) {
	t.Helper()
	p := f.h.client()
	if r := p.post("/portal/code", url.Values{"email": {"zoe.lefevre@example.org"}}); r.status != http.StatusOK {
		t.Fatalf("portal code: %d", r.status)
	}
	var text string
	if err := f.h.store.DB().QueryRow(`SELECT body_text FROM outbox WHERE kind = 'portal_code' ORDER BY id DESC LIMIT 1`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(text)
	if code == nil {
		t.Fatalf("no code in %q", text)
	}
	return p, p.post("/portal/verify", url.Values{"email": {"zoe.lefevre@example.org"}, "code": {code[1]}, "birth_date": {birthDate}})
}

// worklistFor asks the worklist, with findscu, for the entries of the act's day.
func (f *fixture) worklistFor(t *testing.T, findscu string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(f.dicom)
	out, err := exec.Command(findscu, "-W", "-aec", "REPERE", "-aet", "CT1_INTERV", "-k", "PatientName", "-k", "MedicalAlerts",
		"-k", "AccessionNumber", "-k", "(0040,0100)[0].ScheduledProcedureStepStartDate="+f.start.In(paris).Format("20060102"),
		"-k", "(0040,0100)[0].ScheduledProcedureStepStatus", host, port).CombinedOutput()
	if err != nil {
		t.Fatalf("findscu: %v\n%s", err, out)
	}
	return string(out)
}

// mpps sends an N-CREATE IN PROGRESS (end zero) or an N-SET COMPLETED for the act.
func (f *fixture) mpps(t *testing.T, uid string, completed bool) {
	t.Helper()
	a, _ := f.h.app.Appointment(system, f.apptID)
	ctx := context.Background()
	c, err := dimse.Connect(ctx, f.dicom, dimse.ClientOptions{CallingAE: "CT1_INTERV", AbstractSyntaxes: []string{dimse.ModalityPerformedProcedureStepSOPClass}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release(ctx)
	now := f.h.app.Now().In(paris)
	if completed {
		err = c.NSet(ctx, dimse.ModalityPerformedProcedureStepSOPClass, uid, dimse.NewDataset(
			dimse.NewString(0x00400250, now.Format("20060102")), dimse.NewString(0x00400251, now.Format("150405")),
			dimse.NewString(0x00400252, "COMPLETED")))
	} else {
		_, err = c.NCreate(ctx, dimse.ModalityPerformedProcedureStepSOPClass, uid, dimse.NewDataset(
			dimse.NewString(dimse.TagSpecificCharacterSet, "ISO_IR 192"),
			dimse.NewSequence(0x00400270, dimse.NewDataset(dimse.NewText(dimse.TagAccessionNumber, dimse.SH, a.AccessionNumber, dimse.CharsetUTF8),
				dimse.NewString(dimse.TagStudyInstanceUID, a.StudyInstanceUID))),
			dimse.NewString(0x00400241, "CT1_INTERV"), dimse.NewString(0x00400253, "PPS-"+uid), dimse.NewString(0x00080060, "CT"),
			dimse.NewString(0x00400244, now.Format("20060102")),
			dimse.NewString(0x00400245, now.Format("150405")), dimse.NewString(0x00400252, "IN PROGRESS")))
	}
	if err != nil {
		t.Fatalf("MPPS %s: %v", uid, err)
	}
}

func (f *fixture) appointment(t *testing.T) booking.Appointment {
	t.Helper()
	a, err := f.h.app.Appointment(system, f.apptID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) mails(t *testing.T, kind string) []mail.Outgoing {
	t.Helper()
	all, err := f.h.store.MailFor(system, f.apptID)
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Outgoing
	for _, m := range all {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// expect fails unless a response has the status and every text.
func expect(t *testing.T, what string, r response, status int, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d, want %d\n%s", what, r.status, status, errorsOf(r.body))
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s: the answer lacks %q\n%s", what, s, errorsOf(r.body))
		}
	}
}

func invariantCases(findscu string) []invariantCase {
	return []invariantCase{contraindicationCase(findscu), treatmentsCase(), dayOrderCase(findscu), recordCase(), identityCase()}
}

// contraindicationCase: a blood patch whose questionnaire says fever or
// infection is contraindicated; no path books or moves it, and no letter,
// email, reminder or portal document convokes the patient, until a
// radiologist overrides it with a reason. The scanner sees it in red.
func contraindicationCase(findscu string) invariantCase {
	const fever = "Contre-indication :"
	var bernard string
	return invariantCase{
		name: "contraindicated act is neither booked nor convoked",
		prepare: func(t *testing.T, f *fixture) {
			bernard = f.h.referralID("BERNARD")
			f.answer(t, f.ref, map[string]string{"fever_or_infection": screening.Yes})
			f.answer(t, bernard, map[string]string{"fever_or_infection": screening.Yes})
		},
		entries: []entryPoint{
			{"web: book", func(t *testing.T, f *fixture) {
				page := f.sec.get("/staff/referrals/" + bernard)
				slot := regexp.MustCompile(`class="slots"[^>]*>\s*<li><a href="(/staff/referrals/\d+\?[^"#]+)`).FindStringSubmatch(page.body)
				if slot == nil {
					t.Fatal("no slot proposed")
				}
				q, _ := url.ParseQuery(strings.ReplaceAll(slot[1][strings.Index(slot[1], "?")+1:], "&amp;", "&"))
				expect(t, "booking", f.sec.post("/staff/referrals/"+bernard+"/book", q), http.StatusConflict, "contre-indication", fever, `value="`+q.Get("time")+`"`)
				if appts, _ := f.h.store.ListAppointments(system, storeFilterReferral(bernard)); len(appts) != 0 {
					t.Fatal("booked all the same")
				}
			}},
			{"web: move", func(t *testing.T, f *fixture) {
				day := nextDay(7, time.Monday, time.Wednesday, time.Friday).Format(time.DateOnly)
				a := f.appointment(t)
				expect(t, "moving", f.sec.post("/staff/appointments/"+f.appt+"/move", url.Values{"date": {day}, "time": {"09:00"}, "reason": {"patiente"},
					"room_id": {itoa(a.RoomID)}, "radiologist_id": {itoa(a.RadiologistID)}, "place_id": {itoa(a.PlaceID)}}), http.StatusConflict, fever)
				if moved := f.appointment(t); !moved.Start.Equal(a.Start) {
					t.Fatal("moved all the same")
				}
			}},
			{"web: appointment page", func(t *testing.T, f *fixture) {
				expect(t, "page", f.sec.get("/staff/appointments/"+f.appt), http.StatusOK, `id="no-convocation"`)
			}},
			{"document: convocation PDF", func(t *testing.T, f *fixture) {
				expect(t, "PDF", f.sec.get("/staff/appointments/"+f.appt+"/convocation.pdf"), http.StatusConflict, "Pas de convocation")
			}},
			{"document: calendar file", func(t *testing.T, f *fixture) {
				expect(t, "ICS", f.sec.get("/staff/appointments/"+f.appt+"/convocation.ics"), http.StatusConflict, "Pas de convocation")
			}},
			{"email: convocation", func(t *testing.T, f *fixture) {
				expect(t, "sending", f.sec.post("/staff/appointments/"+f.appt+"/send", nil), http.StatusConflict, "Pas de convocation")
				if m := f.mails(t, "convocation"); len(m) != 0 {
					t.Fatal("a convocation email was queued")
				}
			}},
			{"outbox: J-2 reminder", func(t *testing.T, f *fixture) {
				f.h.clock.Set(f.start.Add(-36 * time.Hour))
				if err := f.h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
					t.Fatal(err)
				}
				if m := f.mails(t, "reminder"); len(m) != 0 {
					t.Fatal("a reminder convokes the patient")
				}
			}},
			{"portal: convocation", func(t *testing.T, f *fixture) {
				p, r := f.signInPortal(t, "1991-04-12")
				expect(t, "portal sign-in", r, http.StatusSeeOther)
				expect(t, "portal PDF", p.get("/portal/appointments/"+f.appt+"/convocation.pdf"), http.StatusConflict, "Pas de convocation")
			}},
			{"DICOM worklist: the console sees it", func(t *testing.T, f *fixture) {
				if out := f.worklistFor(t, findscu); !strings.Contains(out, "CONTRE-INDICATION NON LEVEE") {
					t.Fatalf("the worklist entry does not carry the contraindication:\n%s", out)
				}
			}},
			{"web: a radiologist's override lifts it", func(t *testing.T, f *fixture) {
				expect(t, "override without reason", f.doc.post("/staff/referrals/"+f.ref+"/screening/override", url.Values{"rule": {feverRule(t, f, f.ref)}}),
					http.StatusUnprocessableEntity)
				expect(t, "override", f.doc.post("/staff/referrals/"+f.ref+"/screening/override", url.Values{"rule": {feverRule(t, f, f.ref)},
					"reason": {"fièvre d'origine urinaire traitée, apyrexie depuis 48 h"}}), http.StatusSeeOther)
				expect(t, "PDF after override", f.sec.get("/staff/appointments/"+f.appt+"/convocation.pdf"), http.StatusOK, "%PDF")
				if out := f.worklistFor(t, findscu); strings.Contains(out, "CONTRE-INDICATION NON LEVEE") {
					t.Fatal("the console still sees the contraindication as not lifted")
				}
			}},
		},
	}
}

// feverRule is the id of the fever finding of a referral's screening.
func feverRule(t *testing.T, f *fixture, ref string) string {
	t.Helper()
	r, _ := f.h.store.Referral(system, mustID(ref))
	st, err := f.h.app.ScreeningOf(system, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range st.Verdict.Reasons {
		if x.Outcome == screening.OutcomeContraindicated && strings.Contains(strings.Join(x.Questions, ","), "fever") {
			return x.RuleID
		}
	}
	t.Fatalf("no fever finding in %+v", st.Verdict.Reasons)
	return ""
}

// treatmentsCase: a blood patch, renal failure, dabigatran without eGFR,
// aspirin in secondary prevention and a medicine not in the list. No
// document says that nothing is to be stopped: each treatment has its line
// telling the patient not to change it and that the practice will call.
func treatmentsCase() invariantCase {
	lines := []string{"Dabigatran : ne modifiez pas ce traitement", "Aspirine (prévention secondaire) : ne modifiez pas ce traitement",
		"Mystérix : ne modifiez pas ce traitement", "Le cabinet vous appellera avant le"}
	const never = "Aucun médicament à arrêter"
	has := func(t *testing.T, what, text string) {
		t.Helper()
		text = strings.Join(strings.Fields(text), " ") // the PDF's and calendar file's lines are folded
		for _, want := range lines {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", what, want)
			}
		}
		if strings.Contains(text, never) {
			t.Errorf("%s says %q", what, never)
		}
	}
	return invariantCase{
		name: "documents never silent on a treatment",
		prepare: func(t *testing.T, f *fixture) {
			// Dabigatran's last dose ten days before: its hold is respected,
			// but its interval needs the eGFR nobody gave.
			f.answer(t, f.ref, map[string]string{"renal_failure": screening.Yes},
				screening.Treatment{DrugID: "dabigatran", LastDose: f.start.AddDate(0, 0, -10)}, screening.Treatment{DrugID: "aspirin_secondary"},
				screening.Treatment{OtherName: "Mystérix"})
		},
		entries: []entryPoint{
			{"web: appointment page", func(t *testing.T, f *fixture) {
				r := f.sec.get("/staff/appointments/" + f.appt)
				expect(t, "page", r, http.StatusOK)
				has(t, "the page's letter", strings.ReplaceAll(r.body, "&#39;", "'"))
			}},
			{"document: convocation PDF", func(t *testing.T, f *fixture) {
				r := f.sec.get("/staff/appointments/" + f.appt + "/convocation.pdf")
				expect(t, "PDF", r, http.StatusOK)
				has(t, "the PDF", pdftest.Text(t, []byte(r.body)))
			}},
			{"document: calendar file", func(t *testing.T, f *fixture) {
				r := f.sec.get("/staff/appointments/" + f.appt + "/convocation.ics")
				expect(t, "ICS", r, http.StatusOK)
				has(t, "the calendar file", unfoldICS(r.body))
			}},
			{"email: convocation", func(t *testing.T, f *fixture) {
				expect(t, "sending", f.sec.post("/staff/appointments/"+f.appt+"/send", nil), http.StatusSeeOther)
				m := f.mails(t, "convocation")
				if len(m) != 1 {
					t.Fatalf("%d convocation emails", len(m))
				}
				has(t, "the email", strings.ReplaceAll(m[0].HTML, "&#39;", "'"))
				has(t, "the email's PDF", pdftest.Text(t, m[0].Attachments[0].Data))
			}},
			{"outbox: J-2 reminder", func(t *testing.T, f *fixture) {
				f.h.clock.Set(f.start.Add(-36 * time.Hour))
				if err := f.h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
					t.Fatal(err)
				}
				m := f.mails(t, "reminder")
				if len(m) != 1 {
					t.Fatalf("%d reminders", len(m))
				}
				has(t, "the reminder", strings.ReplaceAll(m[0].HTML, "&#39;", "'"))
			}},
			{"portal: convocation", func(t *testing.T, f *fixture) {
				p, r := f.signInPortal(t, "1991-04-12")
				expect(t, "portal sign-in", r, http.StatusSeeOther)
				pdf := p.get("/portal/appointments/" + f.appt + "/convocation.pdf")
				expect(t, "portal PDF", pdf, http.StatusOK)
				has(t, "the portal's PDF", pdftest.Text(t, []byte(pdf.body)))
			}},
			{"web: an incomplete questionnaire never says nothing to stop", func(t *testing.T, f *fixture) {
				f.answer(t, f.ref, map[string]string{"renal_failure": "", "takes_medicines": ""})
				r := f.sec.get("/staff/appointments/" + f.appt)
				if !strings.Contains(strings.ReplaceAll(r.body, "&#39;", "'"), "Votre questionnaire de santé n'est pas complet") || strings.Contains(r.body, never) {
					t.Fatal("an incomplete questionnaire's letter does not say the practice will call")
				}
			}},
			{"web: discharge advice gives each restart", func(t *testing.T, f *fixture) {
				f.answer(t, f.ref, map[string]string{}, screening.Treatment{DrugID: "apixaban", LastDose: f.start.AddDate(0, 0, -5)})
				f.h.performed(f.appt)
				r := f.tech.get("/staff/appointments/" + f.appt + "/discharge")
				expect(t, "discharge page", r, http.StatusOK, `id="discharge-restarts"`, "Apixaban : reprise")
			}},
		},
	}
}

// unfoldICS joins an iCalendar file's folded lines and unescapes its text.
func unfoldICS(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n ", ""), "\n ", "")
	return strings.NewReplacer(`\n`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(s)
}

// dayOrderCase: the day's steps follow the act's date and order, whether
// they come from the pages, the portal or the scanner.
func dayOrderCase(findscu string) invariantCase {
	const early = 5 * 24 * time.Hour
	return invariantCase{
		name: "the day follows the act's date and order",
		prepare: func(t *testing.T, f *fixture) {
			f.h.clock.Set(f.start.Add(-early)) // five days before the act
		},
		entries: []entryPoint{
			{"web: check-in days before", func(t *testing.T, f *fixture) {
				expect(t, "check-in", f.tech.post("/staff/appointments/"+f.appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-12"}}),
					http.StatusUnprocessableEntity, "L&#39;accueil se fait le jour de l&#39;acte")
			}},
			{"web: start days before", func(t *testing.T, f *fixture) {
				expect(t, "start", f.tech.post("/staff/appointments/"+f.appt+"/day", url.Values{"to": {"in_room"}}), http.StatusConflict)
			}},
			{"MPPS: IN PROGRESS days before", func(t *testing.T, f *fixture) {
				f.mpps(t, "2.25.9001", false)
				a := f.appointment(t)
				if a.DayStatus != booking.Expected || a.ScannerFlag != app.FlagStartedNotToday {
					t.Fatalf("after the scanner's start: %s, flag %q", a.DayStatus, a.ScannerFlag)
				}
				expect(t, "board", f.tech.get("/staff/day?day="+f.start.In(paris).Format(time.DateOnly)), http.StatusOK, "un autre jour que celui du rendez-vous")
			}},
			{"web: report signed before the act", func(t *testing.T, f *fixture) {
				expect(t, "signing", f.doc.post("/staff/appointments/"+f.appt+"/report", url.Values{"title": {"Blood patch"}, "body": {"Texte."}, "action": {"sign"}}),
					http.StatusConflict, "pas encore réalisé")
			}},
			{"web: follow-up score before the act", func(t *testing.T, f *fixture) {
				expect(t, "D15", f.sec.post("/staff/appointments/"+f.appt+"/score", url.Values{"day": {"15"}, "value": {"3"}}), http.StatusConflict)
				if scores, _ := f.h.store.PainScores(system, f.apptID); len(scores) != 0 {
					t.Fatal("a score was stored")
				}
			}},
			{"portal: follow-up score before the act", func(t *testing.T, f *fixture) {
				p, r := f.signInPortal(t, "1991-04-12")
				expect(t, "portal sign-in", r, http.StatusSeeOther)
				expect(t, "portal score", p.post("/portal/appointments/"+f.appt+"/score", url.Values{"value": {"3"}}), http.StatusUnprocessableEntity)
			}},
			{"web: check-in on the day", func(t *testing.T, f *fixture) {
				f.h.onTheDay(f.appt)
				expect(t, "check-in", f.tech.post("/staff/appointments/"+f.appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-12"}}),
					http.StatusSeeOther)
			}},
			{"MPPS: IN PROGRESS with the checklist open", func(t *testing.T, f *fixture) {
				f.mpps(t, "2.25.9002", false)
				if a := f.appointment(t); a.DayStatus != booking.Arrived || a.ScannerFlag != app.FlagStartedChecklistOpen {
					t.Fatalf("after the scanner's start with the checklist open: %s, flag %q", a.DayStatus, a.ScannerFlag)
				}
			}},
			{"web: start with the checklist open", func(t *testing.T, f *fixture) {
				expect(t, "start", f.tech.post("/staff/appointments/"+f.appt+"/day", url.Values{"to": {"in_room"}}), http.StatusConflict, "points bloquants")
			}},
			{"web: start after the radiologist's override", func(t *testing.T, f *fixture) {
				expect(t, "override", f.doc.post("/staff/appointments/"+f.appt+"/checklist", url.Values{"action": {"override"}, "reason": {"consentement papier signé"}}),
					http.StatusSeeOther)
				expect(t, "start", f.tech.post("/staff/appointments/"+f.appt+"/day", url.Values{"to": {"in_room"}}), http.StatusSeeOther)
			}},
			{"MPPS: COMPLETED moves the patient to monitoring", func(t *testing.T, f *fixture) {
				f.mpps(t, "2.25.9002", true)
				if a := f.appointment(t); a.DayStatus != booking.Monitoring || a.Status != booking.Done {
					t.Fatalf("after COMPLETED: %s %s", a.DayStatus, a.Status)
				}
				if out := f.worklistFor(t, findscu); strings.Contains(out, "LEFÈVRE") {
					t.Fatalf("the completed act is still on the worklist:\n%s", out)
				}
			}},
			{"web: discharge before the monitoring is over", func(t *testing.T, f *fixture) {
				all := dischargeCriteria(t, f)
				expect(t, "discharge", f.tech.post("/staff/appointments/"+f.appt+"/discharge", all), http.StatusUnprocessableEntity, "La surveillance n&#39;est pas terminée")
				all.Set("early_reason", "sortie contre avis médical, signée")
				all.Del("csrf_token") // another user's form
				expect(t, "early discharge by the radiologist", f.doc.post("/staff/appointments/"+f.appt+"/discharge", all), http.StatusSeeOther)
				var detail string
				if err := f.h.store.DB().QueryRow(`SELECT detail FROM appointment_events WHERE kind = 'day:discharged' ORDER BY id DESC LIMIT 1`).Scan(&detail); err != nil || !strings.Contains(detail, "sortie contre avis médical") {
					t.Fatalf("the early discharge's reason is not recorded: %q %v", detail, err)
				}
			}},
			{"web: report and scores once the act is done", func(t *testing.T, f *fixture) {
				expect(t, "signing", f.doc.post("/staff/appointments/"+f.appt+"/report", url.Values{"title": {"Blood patch"}, "body": {"Texte."}, "action": {"sign"}}),
					http.StatusSeeOther)
				expect(t, "D0", f.sec.post("/staff/appointments/"+f.appt+"/score", url.Values{"day": {"0"}, "value": {"8"}}), http.StatusSeeOther)
			}},
		},
	}
}

func dischargeCriteria(t *testing.T, f *fixture) url.Values {
	t.Helper()
	page := f.tech.get("/staff/appointments/" + f.appt + "/discharge")
	all := url.Values{}
	for _, c := range regexp.MustCompile(`name="criterion" value="([a-z_]+)"`).FindAllStringSubmatch(page.body, -1) {
		all.Add("criterion", c[1])
	}
	if len(all["criterion"]) == 0 {
		t.Fatal("no discharge criterion")
	}
	return all
}

// recordCase: an act record that contradicts the screening (contrast for
// a patient allergic to it) is saved only once confirmed, and the
// confirmation is recorded with its author.
func recordCase() invariantCase {
	return invariantCase{
		name: "act record contradicting the screening needs a confirmation",
		prepare: func(t *testing.T, f *fixture) {
			f.answer(t, f.ref, map[string]string{"allergy_contrast": screening.Yes})
			f.h.performed(f.appt)
		},
		entries: []entryPoint{
			{"web: record with contrast", func(t *testing.T, f *fixture) {
				day := f.start.In(paris).Format(time.DateOnly)
				form := url.Values{"levels": {"L3-L4"}, "approach": {"interlaminar"}, "side": {"median"}, "needle_gauge": {"18"}, "blood_ml": {"18"},
					"contrast_ml": {"1"}, "dlp": {"120"}, "start": {day + "T09:05"}, "end": {day + "T09:30"}, "complications": {"none"}, "version": {"0"}}
				expect(t, "unconfirmed", f.tech.post("/staff/appointments/"+f.appt+"/record", form), http.StatusConflict,
					`id="record-contradictions"`, "allergie à ce produit", `value="1"`)
				if _, v, _ := recordOf(t, f); v != 0 {
					t.Fatal("the record was saved without the confirmation")
				}
				form.Add("confirm", "allergy.allergy_contrast")
				expect(t, "confirmed", f.tech.post("/staff/appointments/"+f.appt+"/record", form), http.StatusOK, `id="record-saved"`)
				rec, v, _ := recordOf(t, f)
				if v != 1 || len(rec) != 1 || rec[0] != "allergy.allergy_contrast by t.radiographer" {
					t.Fatalf("version %d, confirmations %v", v, rec)
				}
			}},
		},
	}
}

func recordOf(t *testing.T, f *fixture) ([]string, int, error) {
	t.Helper()
	file, err := f.h.app.AppointmentFile(system, f.apptID)
	if err != nil {
		t.Fatal(err)
	}
	rec, version, err := f.h.app.ActRecord(system, file)
	var out []string
	for _, c := range rec.Confirmed {
		out = append(out, c.ID+" by "+c.By)
	}
	return out, version, err
}

// identityCase: a birth date corrected on an identity document, by a role
// allowed to, with the old and new values in the audit log and the history;
// the questionnaire link, the portal, check-in and FHIR follow at once.
func identityCase() invariantCase {
	const old, corrected = "1991-04-12", "1991-05-12"
	correction := url.Values{"birth_name": {"Lefèvre"}, "first_names": {"Zoé"}, "birth_date": {corrected}, "sex": {"F"}, "reason": {"erreur de saisie du mois"}}
	return invariantCase{
		name:    "identity corrected with its document, every key follows",
		prepare: func(t *testing.T, f *fixture) {},
		entries: []entryPoint{
			{"web: a role not allowed", func(t *testing.T, f *fixture) {
				pid := patientOf(t, f)
				expect(t, "radiographer", f.tech.post("/staff/patients/"+pid+"/identity", clone(correction)), http.StatusForbidden)
			}},
			{"web: without the identity document", func(t *testing.T, f *fixture) {
				pid := patientOf(t, f)
				expect(t, "no document", f.sec.post("/staff/patients/"+pid+"/identity", clone(correction)), http.StatusUnprocessableEntity,
					"Indiquez la pièce d&#39;identité vérifiée", `value="`+corrected+`"`)
			}},
			{"web: corrected", func(t *testing.T, f *fixture) {
				pid := patientOf(t, f)
				c := url.Values{"document": {"cni"}}
				for k, v := range correction {
					c[k] = v
				}
				expect(t, "correction", f.sec.post("/staff/patients/"+pid+"/identity", c), http.StatusSeeOther)
				expect(t, "history", f.sec.get("/staff/patients/"+pid+"/identity"), http.StatusOK, `id="identity-history"`, old, corrected, "Carte nationale d&#39;identité")
				entries, _ := f.h.store.SearchAudit(system, audit.Filter{Action: "identity_correction"})
				if len(entries) != 1 || !strings.Contains(entries[0].Detail, old) || !strings.Contains(entries[0].Detail, corrected) || entries[0].ActorLogin != "t.secretary" {
					t.Fatalf("audit entries %+v", entries)
				}
			}},
			{"questionnaire link: keyed on the birth date", func(t *testing.T, f *fixture) {
				link := "/q/" + f.h.questionnaireToken()
				p := f.h.client()
				expect(t, "old date", p.post(link, url.Values{"birth_date": {old}}), http.StatusUnprocessableEntity)
				expect(t, "new date", p.post(link, url.Values{"birth_date": {corrected}}), http.StatusSeeOther)
			}},
			{"portal: keyed on the birth date", func(t *testing.T, f *fixture) {
				_, r := f.signInPortal(t, old)
				expect(t, "old date", r, http.StatusUnprocessableEntity)
				_, r = f.signInPortal(t, corrected)
				expect(t, "new date", r, http.StatusSeeOther)
			}},
			{"web: check-in on two identifiers", func(t *testing.T, f *fixture) {
				f.h.onTheDay(f.appt)
				expect(t, "old date", f.tech.post("/staff/appointments/"+f.appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {old}}),
					http.StatusUnprocessableEntity, "ne correspond pas")
				expect(t, "new date", f.tech.post("/staff/appointments/"+f.appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {corrected}}),
					http.StatusSeeOther)
			}},
			{"FHIR: Patient", func(t *testing.T, f *fixture) {
				token := "invariants-fhir-token"
				if _, err := f.h.store.CreateAPIClient(system, "SIH", fhir.HashToken(token), []string{"system/*.read"}, f.h.app.Now().AddDate(1, 0, 0)); err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequest("GET", f.h.ts.URL+"/fhir/Patient/"+patientOf(t, f), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"birthDate":"`+corrected+`"`) {
					t.Fatalf("FHIR Patient: %d %s", resp.StatusCode, body)
				}
			}},
		},
	}
}

func patientOf(t *testing.T, f *fixture) string {
	t.Helper()
	return itoa(f.appointment(t).PatientID)
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// TestUnscheduledStepReconciled: a console that did not use the worklist
// sends a complete N-CREATE matching no act: it is accepted, shown on the
// day's board, and once the team matches it with the act, it goes through
// the same guards as a linked one (here: the checklist is complete, so the
// patient is in the room).
func TestUnscheduledStepReconciled(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.h.onTheDay(f.appt)
		ctx := context.Background()
		c, err := dimse.Connect(ctx, f.dicom, dimse.ClientOptions{CallingAE: "CT_SANS_WL", AbstractSyntaxes: []string{dimse.ModalityPerformedProcedureStepSOPClass}})
		if err != nil {
			t.Fatal(err)
		}
		now := f.h.app.Now().In(paris)
		if _, err := c.NCreate(ctx, dimse.ModalityPerformedProcedureStepSOPClass, "2.25.424242", dimse.NewDataset(
			dimse.NewString(dimse.TagSpecificCharacterSet, "ISO_IR 192"),
			dimse.NewText(dimse.TagPatientName, dimse.PN, "LEFEVRE^ZOE", dimse.CharsetUTF8),
			dimse.NewSequence(0x00400270, dimse.NewDataset(dimse.NewString(dimse.TagStudyInstanceUID, "2.25.99"), dimse.NewString(dimse.TagAccessionNumber, ""))),
			dimse.NewString(0x00400241, "CT_SANS_WL"), dimse.NewString(0x00400253, "PPS1"), dimse.NewString(0x00080060, "CT"),
			dimse.NewString(0x00400244, now.Format("20060102")), dimse.NewString(0x00400245, now.Format("150405")),
			dimse.NewString(0x00400252, "IN PROGRESS"))); err != nil {
			t.Fatalf("a complete unscheduled N-CREATE refused: %v", err)
		}
		c.Release(ctx)
		board := f.tech.get("/staff/day?day=" + a.Start.In(paris).Format(time.DateOnly))
		expect(t, "board", board, http.StatusOK, `id="unscheduled"`, "LEFEVRE ZOE", "CT_SANS_WL")
		expect(t, "check-in", f.tech.post("/staff/appointments/"+f.appt+"/checkin", url.Values{"name_confirmed": {"yes"}, "birth_date": {"1991-04-12"}}), http.StatusSeeOther)
		expect(t, "override", f.doc.post("/staff/appointments/"+f.appt+"/checklist", url.Values{"action": {"override"}, "reason": {"urgence"}}), http.StatusSeeOther)
		expect(t, "link", f.tech.post("/staff/steps/2.25.424242/link", url.Values{"appointment_id": {f.appt}, "day": {a.Start.In(paris).Format(time.DateOnly)}}), http.StatusSeeOther)
		if got := f.appointment(t); got.DayStatus != booking.InRoom || got.PerformedStatus != "IN PROGRESS" {
			t.Fatalf("after reconciliation: %s %q", got.DayStatus, got.PerformedStatus)
		}
		if board := f.tech.get("/staff/day?day=" + a.Start.In(paris).Format(time.DateOnly)); strings.Contains(board.body, `id="unscheduled"`) {
			t.Error("the reconciled act is still listed as unscheduled")
		}
		expect(t, "linking again", f.tech.post("/staff/steps/2.25.424242/link", url.Values{"appointment_id": {f.appt}}), http.StatusNotFound)
	})
}
