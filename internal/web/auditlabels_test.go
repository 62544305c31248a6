package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/i18n"
	"repere/internal/storetest"
)

// TestAuditLabels reads the codes the store and the pages write to the
// audit log (s.audited and RecordEvent calls with literal codes) and checks
// each action and entity has a label in every language, so the log reads
// in words.
func TestAuditLabels(t *testing.T) {
	calls := regexp.MustCompile(`(?:s\.audited\(ctx, tx|RecordEvent\([^,]+, [^,]+), "([a-z_]+)", "([a-z_]+)"`)
	files, _ := filepath.Glob("../store/*.go")
	more, _ := filepath.Glob("*.go")
	files = append(files, more...)
	actions, entities := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range calls.FindAllStringSubmatch(string(src), -1) {
			actions[m[1]], entities[m[2]] = true, true
		}
	}
	if len(actions) < 20 || len(entities) < 20 {
		t.Fatalf("only %d actions and %d entities found: the pattern is probably stale", len(actions), len(entities))
	}
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Supported {
		keys := b.Keys(lang)
		for a := range actions {
			if !slices.Contains(keys, "audit.action."+a) {
				t.Errorf("%s: no label for the audit action %q", lang, a)
			}
		}
		for e := range entities {
			if !slices.Contains(keys, "audit.entity."+e) {
				t.Errorf("%s: no label for the audit entity %q", lang, e)
			}
		}
	}
}

// TestAuditLogPage: the log reads in French, the outbox's periodic actions
// stay out of the default view but can be shown (alone or with the rest),
// and the pages go back in time 100 entries at a time.
func TestAuditLogPage(t *testing.T) {
	// Email set up: the outbox looks for reminders and follow-ups to queue.
	h := newHarnessWith(t, storetest.OpenSQLite(t), func(c *setup) { c.app.Mailer = nullMailer{} })
	sec := h.signedIn(auth.Secretary)
	for range 40 { // each page view writes several entries
		sec.get("/staff/patients/" + h.firstPatientID())
	}
	for range 3 {
		if err := h.app.OutboxOnce(context.Background(), app.OutboxOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if h.auditCount(audit.Filter{Actor: "system:outbox"}) == 0 {
		t.Fatal("the outbox wrote nothing to the log: the test proves nothing")
	}
	admin := h.signedIn(auth.Admin)
	page := admin.get("/admin/audit")
	if page.status != http.StatusOK || strings.Contains(page.body, "Système : outbox") || !strings.Contains(page.body, "Consultation") ||
		!strings.Contains(page.body, "Patient") || strings.Contains(page.body, "<td>read</td>") {
		t.Errorf("default view: %d, system actions shown or codes not in words", page.status)
	}
	only := admin.get("/admin/audit?system=only")
	if !strings.Contains(only.body, "Système : outbox") || strings.Contains(only.body, "t.secretary") {
		t.Error("system=only does not show the outbox alone")
	}
	if all := admin.get("/admin/audit?system=all"); !strings.Contains(all.body, "Système : outbox") || !strings.Contains(all.body, "t.secretary") {
		t.Error("system=all does not show both")
	}
	older := regexp.MustCompile(`href="/admin/audit\?([^"]+)"`).FindStringSubmatch(page.body)
	if older == nil {
		t.Fatal("no link to older entries")
	}
	next := admin.get("/admin/audit?" + html.UnescapeString(older[1]))
	rowIDs := regexp.MustCompile(`<tr><td>`)
	if next.status != http.StatusOK || len(rowIDs.FindAllString(next.body, -1)) == 0 || strings.Contains(next.body, "Système : outbox") {
		t.Errorf("older page: %d", next.status)
	}
	filtered := admin.get("/admin/audit?action=read&entity=patient&actor=t.secretary")
	if n := len(rowIDs.FindAllString(filtered.body, -1)); n != 40 {
		t.Errorf("reads of a patient by the secretary: %d rows, want 40", n)
	}
	// A period the wrong way round is said so (this admin reads English),
	// the dates kept, rather than shown as an empty log, as if nothing had
	// happened.
	reversed := admin.get("/admin/audit?from=2026-12-20&to=2026-12-10")
	if reversed.status != http.StatusUnprocessableEntity || !strings.Contains(reversed.body, "the period is the wrong way round") || !strings.Contains(reversed.body, `value="2026-12-20"`) {
		t.Errorf("a period the wrong way round: %d\n%s", reversed.status, errorsOf(reversed.body))
	}
	if day := admin.get("/admin/audit?from=2026-12-10&to=2026-12-10"); day.status != http.StatusOK {
		t.Errorf("a one-day period: %d", day.status)
	}
}

// TestFrenchDetails: no sex chosen in advance on the new patient form, and
// birth dates written the French way in the staff's lists.
func TestFrenchDetails(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	form := c.get("/staff/patients/new")
	if strings.Contains(form.body, `value="F" selected`) || !strings.Contains(form.body, `<option value="">—</option>`) {
		t.Error("the sex is preset on the new patient form")
	}
	r := c.post("/staff/patients", url.Values{"birth_name": {"Sans"}, "first_names": {"Sexe"}, "birth_date": {"1980-02-03"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="err-sex"`) {
		t.Errorf("a patient without a sex chosen: %d", r.status)
	}
	list := c.get("/staff/patients?q=lef")
	if !strings.Contains(list.body, "12/04/1991") || strings.Contains(list.body, "1991-04-12") {
		t.Error("the patients' list shows ISO birth dates")
	}
	page := c.get("/staff/patients/" + h.zoeID())
	if !strings.Contains(page.body, "12/04/1991") || strings.Contains(page.body, ">1991-04-12") {
		t.Error("the patient's page shows an ISO birth date")
	}
}

// TestPublicPagesGiveThePractice: the act pages say "call the practice":
// they give its name, address and phone.
func TestPublicPagesGiveThePractice(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.client()
	for _, path := range []string{"/", "/actes/" + h.cat.Acts()[0].Slug} {
		r := c.get(path)
		for _, want := range []string{`id="practice-contact"`, "Centre d&#39;imagerie du Parc", "12 rue des Tilleuls", `href="tel:`, "03 00 00 00 00"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
	}
}
