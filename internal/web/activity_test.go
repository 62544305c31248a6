package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestActivityAndOutcomes: the demo's blood patch played through the
// application, its pain scores and record, show in the activity (done,
// delay) and the outcomes (a responder at D2, with its Wilson interval, and
// the recorded complication as a symptomatic event); a bad date is a clear
// error with the typed text kept; the CSV downloads carry the same figures.
func TestActivityAndOutcomes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		a := f.h.performed(f.appt)
		doctor := audit.WithActor(context.Background(), audit.Actor{Login: "t.radiologist", Role: string(auth.Radiologist)})
		if err := f.h.app.AddPainScore(doctor, a.ID, 0, 8); err != nil {
			t.Fatal(err)
		}
		day := a.Start.In(paris).Format("2006-01-02")
		// The radiologist validates the screening on the day: one verdict.
		if r := f.doc.post("/staff/referrals/"+itoa(a.ReferralID)+"/screening/sign", nil); r.status != http.StatusSeeOther {
			t.Fatalf("signing the screening: %d\n%s", r.status, errorsOf(r.body))
		}
		form := url.Values{"levels": {"L3-L4"}, "approach": {"interlaminar"}, "side": {"median"}, "needle_gauge": {"18"}, "blood_ml": {"18"},
			"dlp": {"120"}, "start": {a.Start.In(paris).Format("2006-01-02T15:04")}, "end": {a.Start.In(paris).Add(25 * time.Minute).Format("2006-01-02T15:04")}, "complications": {"vasovagal"}, "version": {"0"}}
		if r := f.tech.post("/staff/appointments/"+f.appt+"/record", form); r.status != http.StatusOK {
			t.Fatalf("record: %d\n%s", r.status, errorsOf(r.body))
		}
		f.h.clock.Set(a.Start.AddDate(0, 0, 2))
		if err := f.h.app.AddPainScore(doctor, a.ID, 2, 2); err != nil {
			t.Fatal(err)
		}
		period := "?from=" + a.Start.In(paris).AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day
		page := f.doc.get("/staff/activity" + period)
		for _, want := range []string{`id="activity-chart"`, `id="activity-months"`, "Blood patch", `id="activity-occupancy"`} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("activity lacks %q", want)
			}
		}
		if v := between(page.body, `id="activity-verdicts"`, "</table>"); !strings.Contains(v, "<td>1</td>") {
			t.Errorf("validated screenings: %q", v)
		}
		if !strings.Contains(page.body, "Actes réalisés : 1 sur") { // a count of 1 agreed with ("1 actes réalisés" before)
			t.Fatalf("activity summary: %s", between(page.body, `id="activity-summary">`, "</p>"))
		}
		out := f.doc.get("/staff/outcomes" + period)
		if !strings.Contains(out.body, "1 acte réalisé,") {
			t.Errorf("outcomes do not say '1 acte réalisé,' (singular)")
		}
		section := between(out.body, `id="outcome-epidural_blood_patch"`, "</section>")
		// The blood patch's measures are its data's: headache resolution,
		// a second patch, and the published figure in French with its source.
		for _, want := range []string{"<th scope=\"row\">J2</th><td>1</td><td>-6,0</td><td>1/1 (100 %)</td><td>21–100 %</td>", "Malaise vagal", "évènement symptomatique", "1/1", "non codée",
			"Céphalée debout disparue ou nettement moins forte", "Second blood patch dans les 60 jours", "un premier patch soulage dans 70 à 95 % des cas", "Infoanesth"} {
			if !strings.Contains(section, want) {
				t.Fatalf("outcomes lack %q:\n%s", want, section)
			}
		}
		if en := f.doc.get("/staff/outcomes" + period + "&lang=en"); !strings.Contains(en.body, "CT-guided epidural blood patch") {
			t.Error("the English outcomes name the act in French")
		}
		f.doc.get("/staff/activity?lang=fr")
		csv := f.doc.get("/staff/outcomes/export" + period)
		if !strings.Contains(csv.body, ";responders_50pct_d2;1;1;1.000;0.207;1.000") || !strings.Contains(csv.body, ";repeated_within_60_days;0;1;") {
			t.Fatalf("outcomes CSV:\n%s", csv.body)
		}
		if bad := f.doc.get("/staff/activity?from=31/12/2026"); bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `value="31/12/2026"`) || !strings.Contains(bad.body, "AAAA-MM-JJ") {
			t.Fatalf("bad date: %d", bad.status)
		}
		if r := f.h.signedIn(auth.Secretary).get("/staff/outcomes"); r.status != http.StatusForbidden {
			t.Fatalf("secretary reading outcomes: %d", r.status)
		}
	})
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// TestDashboardsAreAudited: every dashboard and download reads patient
// data in bulk, so each leaves an audit entry naming who read it.
func TestDashboardsAreAudited(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	for _, role := range []auth.Role{auth.Radiologist, auth.Admin} {
		c := h.signedIn(role)
		for _, path := range []string{"/staff/dose", "/staff/dose/table/export", "/staff/dose/export?year=2026", "/staff/activity",
			"/staff/activity/export", "/staff/outcomes", "/staff/outcomes/export"} {
			before := h.auditCount(audit.Filter{Actor: roleLogins[role]})
			if r := c.get(path); r.status != http.StatusOK {
				t.Fatalf("%s as %s: %d", path, role, r.status)
			}
			if after := h.auditCount(audit.Filter{Actor: roleLogins[role]}); after <= before {
				t.Errorf("%s as %s: no audit entry", path, role)
			}
		}
	}
}
