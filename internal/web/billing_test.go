package web_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/pdftest"
	"repere/internal/storetest"
)

// demoAppointment returns the id of the demo appointment of the patient
// whose name contains name.
func (h *harness) demoAppointment(name string) string {
	h.t.Helper()
	list, err := h.store.ListAppointments(system, storeFilterReferral(h.referralID(name)))
	if err != nil || len(list) != 1 {
		h.t.Fatalf("demo appointment of %s: %v (%d)", name, err, len(list))
	}
	return itoa(list[0].ID)
}

// TestDemoConvocationsShowACompleteEstimate opens the convocation of every
// act of the demo (page and PDF): each estimate is complete, with the codes
// and amounts computed by hand (tariffs nomensland_ccam, clinical-facts F.5;
// 70 %, 2 EUR flat contribution, 24 EUR fee from 120 EUR, rates.yaml), its
// one page, and no "code not found". REPERE_SCREENSHOTS=1 keeps page 1 of
// each PDF in docs/screenshots/documents/.
func TestDemoConvocationsShowACompleteEstimate(t *testing.T) {
	tests := []struct {
		patient string
		want    []string
	}{
		// Dr Martin, sector 1. Delivered 6 days before: no flat contribution.
		// AFLB001 51.76 + YYYY115 25.27 = 77.03; 70 % = 53.92; 77.03 - 53.92 = 23.11.
		{"LEFÈVRE", []string{"AFLB001", "51,76 €", "YYYY115", "25,27 €", "53,92 €", "pas due (maternité", "23,11 €", "Le guidage par scanner est facturé en plus du blood patch"}},
		// Dr Nguyen, sector 2 OPTAM, 40 EUR. AHLH007 28.80; 70 % = 20.16; 8.64 + 2 + 40 = 50.64.
		{"PASQUIER", []string{"AHLH007", "28,80 €", "20,16 €", "2,00 €", "secteur 2, OPTAM", "40,00 €", "50,64 €"}},
		// Dr Martin: 8.64 + 2 = 10.64.
		{"ROUSSEAU", []string{"AHLH007", "28,80 €", "10,64 €"}},
		// Dr Benali, sector 2 OPTAM, 30 EUR. ALD: 100 % (not confirmed), 2 + 30 = 32.00.
		{"PERROT", []string{"LHLH002", "32,18 €", "(100 %)", "32,00 €", "affection de longue durée n'est pas encore confirmée"}},
		// AFLB007 45.90 + YYYY115 25.27 = 71.17; 70 % = 49.82; 21.35 + 2 + 30 = 53.35.
		{"MARCHAND", []string{"AFLB007", "45,90 €", "YYYY115", "49,82 €", "53,35 €"}},
		// LHMH005 125.40 >= 120: the insurance pays 101.40; 24 + 2 + 30 = 56.00.
		{"ROCHE", []string{"LHMH005", "125,40 €", "tarif moins 24,00 €", "101,40 €", "56,00 €", "comptée en plus du forfait de 24 €"}},
		// 16 years old: no flat contribution; 8.64 + 30 = 38.64.
		{"GARNIER", []string{"AHLH007", "pas due (moins de 18 ans", "38,64 €"}},
	}
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	acts := map[string]bool{}
	for _, tt := range tests {
		appt := h.demoAppointment(tt.patient)
		page := c.get("/staff/appointments/" + appt)
		pdf := c.get("/staff/appointments/" + appt + "/convocation.pdf")
		if page.status != http.StatusOK || pdf.status != http.StatusOK {
			t.Fatalf("%s: page %d, PDF %d", tt.patient, page.status, pdf.status)
		}
		text := strings.ReplaceAll(pdftest.Text(t, []byte(pdf.body)), "\u00a0", " ")
		html := strings.ReplaceAll(strings.ReplaceAll(page.body, "\u00a0", " "), "&#39;", "'")
		for _, w := range append(tt.want, "Reste à payer") {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the PDF lacks %q", tt.patient, w)
			}
			if !strings.Contains(html, w) {
				t.Errorf("%s: the page lacks %q", tt.patient, w)
			}
		}
		for _, never := range []string{"non trouvé", "à confirmer", "à préciser", "ne peut pas encore être calculé"} {
			if strings.Contains(text, never) {
				t.Errorf("%s: the PDF says %q", tt.patient, never)
			}
		}
		if pages := bytes.Count([]byte(pdf.body), []byte("<</Type /Page\n")); pages != 1 {
			t.Errorf("%s: %d pages", tt.patient, pages)
		}
		f, err := h.app.AppointmentFile(audit.WithActor(t.Context(), audit.System("test")), mustID(appt))
		if err != nil {
			t.Fatal(err)
		}
		acts[f.Act.ID] = true
		pdftest.RenderPage1(t, []byte(pdf.body), "convocation-"+f.Act.Slug+"-"+strings.NewReplacer("è", "e", "é", "e").Replace(strings.ToLower(f.Patient.BirthName)))
	}
	for _, a := range h.cat.Acts() {
		if !acts[a.ID] {
			t.Errorf("no demo convocation for %s", a.ID)
		}
	}
}

// upload posts a file and fields as multipart to path.
func (c *client) upload(t *testing.T, path, name string, data []byte, fields map[string]string) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", c.csrf())
	for k, v := range fields {
		w.WriteField(k, v)
	}
	part, _ := w.CreateFormFile("file", name)
	part.Write(data)
	w.Close()
	req, _ := http.NewRequest("POST", c.h.ts.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), header: resp.Header}
}

// A tariff change dated tomorrow, imported on the admin page, changes
// tomorrow's estimates only: Garnier's act (the day after the demo day)
// takes the new AHLH007 amount, Pasquier's (the demo day) keeps 28.80. A
// file with a wrong line imports nothing and says which line; a dry run
// stores nothing.
func TestTariffImportChangesTomorrowsEstimatesOnly(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		admin, secretary := h.signedIn(auth.Admin), h.signedIn(auth.Secretary)
		pasquier, garnier := h.demoAppointment("PASQUIER"), h.demoAppointment("GARNIER")
		tomorrow := h.onTheDay(garnier).Start.In(paris)
		today := tomorrow.AddDate(0, 0, -1)
		h.clock.Set(time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, paris))
		header := "code;label;activity;phase;grid;amount_eur;effective_from\n"
		row := "AHLH007;Infiltration thérapeutique de nerf spinal à l'émergence rachidienne, avec guidage scanographique;1;0;optam;30,00;" + tomorrow.Format(time.DateOnly) + "\n"

		bad := admin.upload(t, "/admin/tariffs", "ccam.csv", []byte(header+row+"AHLH07;x;1;0;optam;1;2026-01-01\n"), map[string]string{"source": "CCAM test"})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "Ligne 3") || !strings.Contains(bad.body, "n&#39;est pas un code CCAM") ||
			!strings.Contains(bad.body, `value="CCAM test"`) {
			t.Fatalf("bad file: %d\n%s", bad.status, errorsOf(bad.body))
		}
		dry := admin.upload(t, "/admin/tariffs", "ccam.csv", []byte(header+row), map[string]string{"dry_run": "yes"})
		if dry.status != http.StatusOK || !strings.Contains(dry.body, "rien n&#39;a été enregistré") || !strings.Contains(dry.body, "1 ajoutées") {
			t.Fatalf("dry run: %d", dry.status)
		}
		estimate := func(appt string) string {
			return strings.ReplaceAll(secretary.get("/staff/appointments/"+appt).body, "\u00a0", " ")
		}
		if !strings.Contains(estimate(garnier), "28,80 €") {
			t.Fatal("the dry run changed an estimate")
		}
		ok := admin.upload(t, "/admin/tariffs", "ccam.csv", []byte(header+row), map[string]string{"source": "CCAM test"})
		if ok.status != http.StatusOK || !strings.Contains(ok.body, "1 ajoutées") || !strings.Contains(ok.body, "30,00") {
			t.Fatalf("import: %d\n%s", ok.status, errorsOf(ok.body))
		}
		if e := estimate(garnier); !strings.Contains(e, "30,00 €") || strings.Contains(e, "28,80 €") {
			t.Error("tomorrow's estimate does not use tomorrow's tariff")
		}
		if e := estimate(pasquier); !strings.Contains(e, "28,80 €") || !strings.Contains(e, "50,64 €") {
			t.Error("an earlier estimate changed")
		}
		page := admin.get("/admin/tariffs")
		page.body = strings.ReplaceAll(page.body, "\u00a0", " ")
		if !strings.Contains(page.body, "30,00 € à partir du "+tomorrow.Format("02/01/2006")) || !strings.Contains(page.body, "CCAM test") {
			t.Error("the tariff page does not show the coming change and its import")
		}
		if h.auditCount(audit.Filter{Action: "import", Entity: "tariffs"}) != 1 {
			t.Error("the import is not audited once")
		}
	})
}

// The day's billing: an act done and recorded with a modifier is exported
// with its codes, modifiers and amounts, to the secretary and the admin
// only, and the export is audited. The report drafted from the record names
// the codes.
func TestBillingDayExport(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		appt := h.demoAppointment("PASQUIER")
		a := h.performed(appt)
		day := a.Start.In(paris).Format(time.DateOnly)
		doctor := h.signedIn(auth.Radiologist)
		form := url.Values{"levels": {"L5-S1"}, "side": {"left"}, "approach": {"transforaminal"}, "modifiers": {"Q"},
			"steroid.drug": {"dexamethasone"}, "steroid.dose": {"7,5"}, "dlp": {"150"},
			"start": {a.Start.In(paris).Format("2006-01-02T15:04")}, "end": {a.Start.In(paris).Add(15 * time.Minute).Format("2006-01-02T15:04")},
			"complications": {"none"}, "version": {"0"}}
		r := doctor.post("/staff/appointments/"+appt+"/record", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Modificateurs inconnus") || !strings.Contains(r.body, `value="Q"`) {
			t.Fatalf("unknown modifier: %d\n%v", r.status, regexp.MustCompile(`id="field-[a-z_.]+"|field-error">[^<]*`).FindAllString(r.body, -1))
		}
		form.Set("modifiers", "f")
		r = doctor.post("/staff/appointments/"+appt+"/record", form)
		if r.status != http.StatusOK || !strings.Contains(r.body, `id="record-saved"`) || !strings.Contains(r.body, "AHLH007") {
			t.Fatalf("record: %d\n%s", r.status, errorsOf(r.body))
		}
		if report := doctor.get("/staff/appointments/" + appt + "/report"); !strings.Contains(report.body, "COTATION") || !strings.Contains(report.body, "AHLH007 (modificateurs F)") {
			t.Error("the report draft does not name the codes billed")
		}
		secretary := h.signedIn(auth.Secretary)
		page := secretary.get("/staff/billing?day=" + day)
		if page.status != http.StatusOK || !strings.Contains(page.body, "AHLH007") || !strings.Contains(page.body, "PASQUIER") {
			t.Fatalf("billing page: %d", page.status)
		}
		export := secretary.get("/staff/billing/export?day=" + day)
		if export.status != http.StatusOK || !strings.HasPrefix(export.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", export.status, export.header.Get("Content-Type"))
		}
		cr := csv.NewReader(strings.NewReader(export.body))
		cr.Comma = ';'
		rows, err := cr.ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("export rows %v: %v\n%s", len(rows), err, export.body)
		}
		got := map[string]string{}
		for i, col := range rows[0] {
			got[col] = rows[1][i]
		}
		for col, want := range map[string]string{"date": day, "code": "AHLH007", "modificateurs": "F", "activite": "1", "phase": "0", "pourcentage": "100",
			"tarif_eur": "28.80", "montant_eur": "28.80", "depassement_eur": "40.00", "convention": "sector2_optam", "source": "compte-rendu d'acte"} {
			if got[col] != want {
				t.Errorf("column %s = %q, want %q", col, got[col], want)
			}
		}
		if !strings.Contains(got["patient"], "PASQUIER") || got["date_naissance"] != "1976-07-21" {
			t.Errorf("patient columns: %q %q", got["patient"], got["date_naissance"])
		}
		if h.auditCount(audit.Filter{Action: "export", Entity: "billing"}) != 2 {
			t.Error("the page and the export are not both audited")
		}
		if r := h.signedIn(auth.Radiographer).get("/staff/billing/export?day=" + day); r.status != http.StatusForbidden {
			t.Errorf("radiographer: %d, want 403", r.status)
		}
		if r := secretary.get("/staff/billing?day=12/03/2026"); r.status != http.StatusUnprocessableEntity {
			t.Errorf("bad day: %d, want 422", r.status)
		}
	})
}

// The cover form records the pregnancy dates that exempt from the flat
// contribution (service_public_f165: from the 6th month to 12 days after
// delivery); a wrong date comes back as typed with its error.
func TestCoverPregnancyDates(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		appt := h.demoAppointment("ROUSSEAU")
		a := h.onTheDay(appt)
		ref := h.referralID("ROUSSEAU")
		act := a.Start.In(paris)
		form := url.Values{"cover": {""}, "appointment": {appt}, "back": {"/staff/appointments/" + appt}}
		form.Set("pregnancy_start", act.AddDate(0, 0, 1).Format(time.DateOnly))
		r := c.post("/staff/referrals/"+ref+"/cover", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "début de grossesse doit être une date passée") ||
			!strings.Contains(r.body, `value="`+form.Get("pregnancy_start")+`"`) {
			t.Fatalf("future start of pregnancy: %d\n%s", r.status, errorsOf(r.body))
		}
		// Pregnant since 5 months and 3 days on the day of the act: 6th month.
		form.Set("pregnancy_start", act.AddDate(0, -5, -3).Format(time.DateOnly))
		if r := c.post("/staff/referrals/"+ref+"/cover", form); r.status != http.StatusSeeOther {
			t.Fatalf("pregnancy start: %d\n%s", r.status, errorsOf(r.body))
		}
		page := strings.ReplaceAll(c.get("/staff/appointments/"+appt).body, "\u00a0", " ")
		// AHLH007 28.80 - 20.16 = 8.64, no flat contribution.
		if !strings.Contains(page, "pas due (maternité") || !strings.Contains(page, "8,64 €") || !strings.Contains(page, `value="`+form.Get("pregnancy_start")+`"`) {
			t.Error("the estimate does not apply the pregnancy exemption")
		}
	})
}
