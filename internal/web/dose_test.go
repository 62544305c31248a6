package web_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/dimse"
	"repere/internal/dose/dosetest"
	"repere/internal/store"
	"repere/internal/storetest"
)

func doseSpec(accession, study, sop string, total float64) dosetest.Spec {
	return dosetest.Spec{SOPInstanceUID: sop, StudyInstanceUID: study, AccessionNumber: accession, TotalDLP: total,
		Events: []dosetest.Event{
			{UID: sop + ".1", CTDIvol: 0.8, DLP: 12.5, LengthMM: 250},
			{UID: sop + ".2", Spiral: true, CTDIvol: 14.2, DLP: total - 12.5, LengthMM: 120},
		}}
}

// storescu sends a file with dcmtk's storescu and returns its output.
func storescu(t *testing.T, addr, file string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("storescu")
	if err != nil {
		storetest.Require(t, "dcmtk's storescu")
	}
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(bin, "-v", "-aec", "REPERE", "-aet", "CT1_INTERV", host, port, file).CombinedOutput()
	return string(out), err
}

func doseFile(t *testing.T, s dosetest.Spec) string {
	t.Helper()
	dump2dcm, err := exec.LookPath("dump2dcm")
	if err != nil {
		storetest.Require(t, "dcmtk's dump2dcm")
	}
	path, err := dosetest.WriteFile(dump2dcm, t.TempDir(), "dose", s.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func actDose(t *testing.T, f *fixture) store.ActDose {
	t.Helper()
	d, err := f.h.store.ActDoseOf(system, f.apptID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDoseReportFromTheScanner: the CT sends its dose report with dcmtk's
// storescu; the act record shows its DLP, CTDIvol and events. The same
// report again changes nothing; a truncated object and an SR that is not a
// dose report are refused with their DIMSE status and nothing is stored; a
// dose typed differently needs a reason, and a later report does not
// replace it.
func TestDoseReportFromTheScanner(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.h.performed(f.appt)
		a := f.appointment(t)
		file := doseFile(t, doseSpec(a.AccessionNumber, "2.25.5550001", "2.25.5550002", 312.5))
		if out, err := storescu(t, f.dicom, file); err != nil || !strings.Contains(out, "Received Store Response (Success)") {
			t.Fatalf("storescu: %v\n%s", err, out)
		}
		page := f.doc.get("/staff/appointments/" + f.appt + "/record")
		for _, want := range []string{`id="r-dlp" name="dlp" inputmode="decimal" value="312.5"`, `id="r-ctdivol" name="ctdivol" inputmode="decimal" value="14.2"`,
			"rapport de dose structuré", "Spiral Acquisition", "<td>300</td>", "<td>120</td>"} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("record page lacks %q", want)
			}
		}
		if out, err := storescu(t, f.dicom, file); err != nil {
			t.Fatalf("the same report again: %v\n%s", err, out)
		}
		if d := actDose(t, f); len(d.Reports) != 1 || *d.DLP != 312.5 || d.Source != store.DoseFromReport {
			t.Fatalf("after the duplicate: %d reports, DLP %v, source %s", len(d.Reports), *d.DLP, d.Source)
		}

		// Foreign: an SR of another template, refused A900 through storescu.
		foreign := doseSpec(a.AccessionNumber, "2.25.5550001", "2.25.5550003", 999)
		foreign.RootCode = "126000"
		out, err := storescu(t, f.dicom, doseFile(t, foreign))
		if !strings.Contains(out, "Received Store Response (Error: DataSetDoesNotMatchSOPClass)") {
			t.Fatalf("a foreign SR: %v\n%s", err, out)
		}
		// Truncated: cut in the middle, refused C000.
		encoded, _ := dimse.EncodeDataset(doseSpec(a.AccessionNumber, "2.25.5550001", "2.25.5550004", 999).Dataset(), dimse.ExplicitVRLittleEndian)
		c, err := dimse.Connect(context.Background(), f.dicom, dimse.ClientOptions{CallingAE: "CT1_INTERV", AbstractSyntaxes: []string{dimse.XRayRadiationDoseSRStorage}})
		if err != nil {
			t.Fatal(err)
		}
		err = c.StoreEncoded(context.Background(), dimse.XRayRadiationDoseSRStorage, "2.25.5550004", encoded[:len(encoded)/2])
		c.Release(context.Background())
		var status *dimse.StatusError
		if !errors.As(err, &status) || status.Status != dimse.StatusStoreCannotUnderstand {
			t.Fatalf("a truncated report: %v", err)
		}
		if d := actDose(t, f); len(d.Reports) != 1 || *d.DLP != 312.5 {
			t.Fatalf("a refused object changed the dose: %d reports, DLP %v", len(d.Reports), *d.DLP)
		}

		// The team types another DLP: refused without a reason, kept with one.
		form := url.Values{"levels": {"L3-L4"}, "approach": {"interlaminar"}, "side": {"median"}, "needle_gauge": {"18"}, "blood_ml": {"18"},
			"dlp": {"290"}, "ctdivol": {"14.2"}, "start": {a.Start.In(paris).Format("2006-01-02T15:04")}, "end": {a.Start.In(paris).Add(25 * time.Minute).Format("2006-01-02T15:04")}, "complications": {"none"}, "version": {"0"}}
		r := f.tech.post("/staff/appointments/"+f.appt+"/record", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "indiquez le motif") || !strings.Contains(r.body, `value="290"`) {
			t.Fatalf("a different dose without a reason: %d\n%s", r.status, errorsOf(r.body))
		}
		form.Set("dose_reason", "scout repeated on the console, second report not sent")
		if r = f.tech.post("/staff/appointments/"+f.appt+"/record", form); r.status != http.StatusOK {
			t.Fatalf("with a reason: %d\n%s", r.status, errorsOf(r.body))
		}
		later := doseFile(t, doseSpec(a.AccessionNumber, "2.25.5550001", "2.25.5550005", 500))
		if out, err := storescu(t, f.dicom, later); err != nil {
			t.Fatalf("a later report: %v\n%s", err, out)
		}
		if d := actDose(t, f); *d.DLP != 290 || d.Source != store.DoseTyped || len(d.Reports) != 2 {
			t.Fatalf("the typed dose was replaced: DLP %v source %s reports %d", *d.DLP, d.Source, len(d.Reports))
		}
		page = f.doc.get("/staff/appointments/" + f.appt + "/record")
		if !strings.Contains(page.body, `value="290"`) || !strings.Contains(page.body, "saisie par l&#39;équipe") {
			t.Fatal("the record page does not show the typed dose")
		}
	})
}

// TestMPPSDoseStandsWithoutReport: the dose the MPPS gave is the act's
// while no report arrives; a report then replaces it.
func TestMPPSDoseStandsWithoutReport(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite(t))
	f.h.onTheDay(f.appt)
	a := f.appointment(t)
	ctx := context.Background()
	c, err := dimse.Connect(ctx, f.dicom, dimse.ClientOptions{CallingAE: "CT1_INTERV", AbstractSyntaxes: []string{dimse.ModalityPerformedProcedureStepSOPClass}})
	if err != nil {
		t.Fatal(err)
	}
	now := f.h.app.Now().In(paris)
	_, err = c.NCreate(ctx, dimse.ModalityPerformedProcedureStepSOPClass, "2.25.5560001", dimse.NewDataset(
		dimse.NewSequence(0x00400270, dimse.NewDataset(dimse.NewString(dimse.TagAccessionNumber, a.AccessionNumber),
			dimse.NewString(dimse.TagStudyInstanceUID, "2.25.5560002"))),
		dimse.NewString(0x00400241, "CT1_INTERV"), dimse.NewString(0x00400253, "PPS5560001"), dimse.NewString(0x00080060, "CT"),
		dimse.NewString(0x00400244, now.Format("20060102")), dimse.NewString(0x00400245, now.Format("150405")),
		dimse.NewString(0x00400252, "IN PROGRESS"), dimse.NewText(0x00400310, dimse.ST, "Total DLP = 205.4 mGy*cm", dimse.CharsetDefault)))
	c.Release(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := actDose(t, f); d.DLP == nil || *d.DLP != 205.4 || d.Source != store.DoseFromMPPS {
		t.Fatalf("MPPS dose: %+v", d)
	}
	if page := f.doc.get("/staff/appointments/" + f.appt + "/record"); !strings.Contains(page.body, `value="205.4"`) || !strings.Contains(page.body, "par MPPS") {
		t.Fatal("the record page does not show the MPPS dose")
	}
	// The report comes by the study UID the console used, without accession.
	if out, err := storescu(t, f.dicom, doseFile(t, doseSpec("", "2.25.5560002", "2.25.5560003", 250))); err != nil {
		t.Fatalf("storescu: %v\n%s", err, out)
	}
	if d := actDose(t, f); *d.DLP != 250 || d.Source != store.DoseFromReport {
		t.Fatalf("after the report: DLP %v source %s", *d.DLP, d.Source)
	}
}

// TestUnattachedDoseReport: a report whose accession number and study are
// unknown here (typed by hand on the console) is kept unattached and
// listed with the acts of its study day, the act of the patient
// identifier it carries first; attaching it needs a radiologist or a
// radiographer, a reason and an act that took place, and then the act
// record and the dose review show its DLP. Sent with dcmtk's storescu.
func TestUnattachedDoseReport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.h.performed(f.appt)
		day := a.Start.In(paris)
		spec := doseSpec("CONSOLE42", "2.25.7770001", "2.25.7770002", 287.5)
		spec.PatientID, spec.StudyDate = "REP"+strconv.FormatInt(a.PatientID, 10), day.Format("20060102")
		if out, err := storescu(t, f.dicom, doseFile(t, spec)); err != nil || !strings.Contains(out, "Received Store Response (Success)") {
			t.Fatalf("storescu: %v\n%s", err, out)
		}
		if d := actDose(t, f); len(d.Reports) != 0 {
			t.Fatalf("a report of an unknown accession number was attached: %+v", d.Reports)
		}
		// Another act of the day, cancelled: not offered, and refused.
		list, err := f.h.store.ListAppointments(system, store.AppointmentFilter{From: day.Truncate(24 * time.Hour).Add(-24 * time.Hour), To: day.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var cancelled int64
		for _, other := range list {
			if other.ID != a.ID && other.Start.In(paris).YearDay() == day.YearDay() && other.Status == booking.Booked {
				cancelled = other.ID
				break
			}
		}
		if cancelled == 0 {
			t.Fatal("the demo day has a single act")
		}
		secretary := audit.WithActor(context.Background(), audit.Actor{Login: "t.secretary", Role: string(auth.Secretary)})
		if err := f.h.app.Cancel(secretary, cancelled, "patient unwell"); err != nil {
			t.Fatal(err)
		}

		if r := f.sec.get("/staff/dose/reports"); r.status != http.StatusForbidden {
			t.Fatalf("a secretary read the unattached reports: %d", r.status)
		}
		if review := f.doc.get("/staff/dose"); !strings.Contains(review.body, `href="/staff/dose/reports"`) {
			t.Fatal("the dose review does not lead to the unattached reports")
		}
		page := f.tech.get("/staff/dose/reports")
		same := strings.Index(page.body, "même ID patient")
		first := strings.Index(page.body, `name="appointment" value="`)
		if page.status != http.StatusOK || !strings.Contains(page.body, "CONSOLE42") || !strings.Contains(page.body, "287,5") || same < 0 ||
			!strings.Contains(page.body[first:], `value="`+f.appt+`"`) || strings.Index(page.body[first:], `value="`+f.appt+`"`) > 40 {
			t.Fatalf("the report is not listed with its patient's act first: %d\n%s", page.status, page.body)
		}
		if !strings.Contains(page.body, "LEFÈVRE Zoé · Blood patch épidural sous scanner") {
			t.Fatal("a candidate act does not say which act it is")
		}
		if strings.Contains(page.body, `name="appointment" value="`+strconv.FormatInt(cancelled, 10)+`"`) {
			t.Fatal("a cancelled act is offered")
		}

		form := url.Values{"sop": {"2.25.7770002"}, "appointment": {f.appt}, "reason": {""}}
		r := f.tech.post("/staff/dose/reports/attach", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Indiquez comment vous savez") ||
			!strings.Contains(r.body, `value="`+f.appt+`" required checked`) {
			t.Fatalf("attached without a reason, or the choice was lost: %d\n%s", r.status, errorsOf(r.body))
		}
		form.Set("appointment", strconv.FormatInt(cancelled, 10))
		form.Set("reason", "time on the console")
		if r := f.tech.post("/staff/dose/reports/attach", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "annulé") ||
			!strings.Contains(r.body, `value="time on the console"`) {
			t.Fatalf("attached to a cancelled act: %d\n%s", r.status, errorsOf(r.body))
		}
		form.Set("appointment", f.appt)
		if r := f.tech.post("/staff/dose/reports/attach", form); r.status != http.StatusSeeOther {
			t.Fatalf("attach: %d\n%s", r.status, errorsOf(r.body))
		}
		if d := actDose(t, f); len(d.Reports) != 1 || d.DLP == nil || *d.DLP != 287.5 || d.Source != store.DoseFromReport {
			t.Fatalf("after attaching: %+v", d)
		}
		record := f.doc.get("/staff/appointments/" + f.appt + "/record")
		if !strings.Contains(record.body, `name="dlp" inputmode="decimal" value="287.5"`) || !strings.Contains(record.body, "time on the console") {
			t.Fatal("the record does not show the attached report's dose and reason")
		}
		if review := f.doc.get("/staff/dose"); !strings.Contains(review.body, "<strong>287,5</strong>") {
			t.Fatal("the dose review does not count the attached report")
		}
		form.Del("csrf_token") // the radiologist's own
		if r := f.doc.post("/staff/dose/reports/attach", form); r.status != http.StatusConflict || !strings.Contains(r.body, "quelqu&#39;un d&#39;autre") {
			t.Fatalf("attached twice: %d\n%s", r.status, errorsOf(r.body))
		}
		if page := f.doc.get("/staff/dose/reports"); !strings.Contains(page.body, `id="dose-unattached-none"`) {
			t.Fatal("the attached report is still listed")
		}
	})
}
