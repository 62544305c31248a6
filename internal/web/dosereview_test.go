package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestDoseReview: a report sent with storescu reaches the dose review (its
// DLP in the table, no national reference), an alert level lists the act
// for a radiologist's reason, a national reference without its source is
// refused with the form kept, and the annual export carries the act.
func TestDoseReview(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		f.h.performed(f.appt)
		a := f.appointment(t)
		if out, err := storescu(t, f.dicom, doseFile(t, doseSpec(a.AccessionNumber, "2.25.6660001", "2.25.6660002", 312.5))); err != nil {
			t.Fatalf("storescu: %v\n%s", err, out)
		}
		admin := f.h.signedIn(auth.Admin)
		page := f.doc.get("/staff/dose")
		for _, want := range []string{`id="dose-chart"`, "<svg", "<strong>312,5</strong>", "Pas de référence nationale", "échantillon", `id="dose-no-alerts"`} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("dose review lacks %q", want)
			}
		}
		// In English, the acts are named in English.
		if en := f.doc.get("/staff/dose?lang=en"); !strings.Contains(en.body, "CT-guided epidural blood patch") || strings.Contains(en.body, "Blood patch épidural") {
			t.Error("the English dose review names the act in French")
		}
		f.doc.get("/staff/dose?lang=fr")
		// The rule on who sets levels holds in the application layer too,
		// whatever path calls it.
		secretary := audit.WithActor(context.Background(), audit.Actor{Login: "t.secretary", Role: string(auth.Secretary)})
		if err := f.h.app.SetDoseLevel(secretary, store.DoseLevel{ActID: a.ActID, Kind: app.LevelAlert, Quantity: app.QuantityDLP}); err == nil {
			t.Fatal("a secretary set a dose level")
		}
		form := url.Values{"act": {a.ActID}, "kind": {"national_reference"}, "quantity": {"dlp"}, "value": {"250"}, "source": {""}}
		r := admin.post("/staff/dose/levels", form)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "source publiée") || !strings.Contains(r.body, `id="l-value" name="value" inputmode="decimal" value="250"`) {
			t.Fatalf("national reference without source: %d", r.status)
		}
		// No alert level yet: there is no high dose to explain, on the page
		// as in the application layer.
		if r := f.doc.post("/staff/dose/alerts/"+f.appt, url.Values{"reason": {"explained before any alert"}}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "pas de dose élevée") {
			t.Fatalf("review of an act below any alert level: %d\n%s", r.status, errorsOf(r.body))
		}
		form.Set("kind", "alert")
		form.Set("value", "300")
		if r := admin.post("/staff/dose/levels", form); r.status != http.StatusSeeOther {
			t.Fatalf("alert level: %d\n%s", r.status, errorsOf(r.body))
		}
		page = f.doc.get("/staff/dose")
		if !strings.Contains(page.body, `id="dose-alerts"`) || !strings.Contains(page.body, "/staff/dose/alerts/"+f.appt) {
			t.Fatal("the act above its alert level is not listed for review")
		}
		if r := admin.post("/staff/dose/alerts/"+f.appt, url.Values{"reason": {"obese patient"}}); r.status != http.StatusForbidden {
			t.Fatalf("the admin explained a dose: %d", r.status)
		}
		if r := f.doc.post("/staff/dose/alerts/"+f.appt, url.Values{"reason": {"two passes for a lateral approach"}}); r.status != http.StatusSeeOther {
			t.Fatalf("review: %d\n%s", r.status, errorsOf(r.body))
		}
		if page = f.doc.get("/staff/dose"); !strings.Contains(page.body, "two passes for a lateral approach") {
			t.Fatal("the reason is not shown")
		}
		year := strconv.Itoa(a.Start.In(paris).Year())
		csv := admin.get("/staff/dose/export?year=" + year)
		if csv.status != http.StatusOK || !strings.Contains(csv.body, "act;date;age_years;sex;weight_kg;scanner;protocol;ctdivol_mGy;dlp_mGy_cm") ||
			!strings.Contains(csv.body, ";CT1;;14.2;312.5") {
			t.Fatalf("export: %d\n%s", csv.status, csv.body)
		}
		if table := f.doc.get("/staff/dose/table/export"); !strings.Contains(table.body, ";312.50;") {
			t.Fatalf("table CSV:\n%s", table.body)
		}
	})
}
