package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/storetest"
)

// TestErrorPagesKeepTheSignedInLayout: a signed-in user who meets an error
// (a page that does not exist, a refused action) keeps their navigation,
// their name and a way back to their own home, not the public home and a
// layout that looks signed out; someone signed out is offered the sign-in.
func TestErrorPagesKeepTheSignedInLayout(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	for _, path := range []string{"/staff/appointments/abc", "/staff/appointments/999999", "/staff/nowhere", "/admin/users"} {
		r := sec.get(path)
		if r.status < 400 {
			t.Fatalf("%s: %d, want an error", path, r.status)
		}
		for _, want := range []string{`class="main-nav"`, `<span class="who">Test secretary`, `<a href="/staff">`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s (%d): the error page lacks %q", path, r.status, want)
			}
		}
		if strings.Contains(r.body, `href="/login"`) {
			t.Errorf("%s: a signed-in user is offered to sign in", path)
		}
	}
	anonymous := h.client()
	r := anonymous.post("/staff/referrals/1/wait", url.Values{"earliest": {"2026-12-10"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `href="/login"`) {
		t.Errorf("signed out: %d, want the sign-in offered", r.status)
	}
}

// TestLanguageSwitchStaysOnThePage: the language switch reopens the page
// the user is on, its filters kept (a day, a status), and after a refused
// form (a page drawn by a POST) it leads to a page that exists, never to
// a 404 on the form's address.
func TestLanguageSwitchStaysOnThePage(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	switchLink := regexp.MustCompile(`<a href="([^"]+)" lang="en" hreflang="en">English</a>`)
	follow := func(what string, page response) string {
		t.Helper()
		m := switchLink.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("%s: no language switch", what)
		}
		link := strings.ReplaceAll(m[1], "&amp;", "&")
		if r := sec.get(link); r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="en">`) {
			t.Errorf("%s: the switch %s answers %d", what, link, r.status)
		}
		sec.get(link[:strings.Index(link, "lang=")] + "lang=fr")
		return link
	}
	if link := follow("referrals filtered", sec.get("/staff/referrals?status=booked")); link != "/staff/referrals?status=booked&lang=en" {
		t.Errorf("the switch of a filtered list is %s, want its filter kept", link)
	}
	ref := h.referralID("BERNARD")
	refused := sec.post("/staff/referrals/"+ref+"/wait", url.Values{"earliest": {"2026-12-20"}, "latest": {"2026-12-10"}})
	if refused.status != http.StatusUnprocessableEntity {
		t.Fatalf("a refused waiting-list form: %d", refused.status)
	}
	if link := follow("a refused form", refused); !strings.HasPrefix(link, "/staff/referrals/"+ref+"?") {
		t.Errorf("the switch of a refused form's page is %s, want the referral's page", link)
	}
	moveForm := sec.post("/staff/appointments/"+h.appointmentID()+"/move", url.Values{"date": {"2026-12-05"}, "time": {"09:00"}})
	follow("a refused move", moveForm)
	// A form address that a page's pattern would also match
	// (/staff/appointments/{id}/{doc}) leads to the appointment, not to a
	// document named "cancel".
	cancel := sec.post("/staff/appointments/"+h.appointmentID()+"/cancel", url.Values{"reason": {""}})
	if cancel.status < 400 {
		t.Fatalf("a cancellation without its reason: %d", cancel.status)
	}
	if link := follow("a refused cancellation", cancel); !strings.HasPrefix(link, "/staff/appointments/"+h.appointmentID()+"?") {
		t.Errorf("the switch of a refused cancellation is %s, want the appointment's page", link)
	}
}

// TestAdminCannotResetTheirOwnPassword: "new password" on the admin's own
// row would end their session and put a one-time password on the screen,
// without asking the current one: a session left open is enough to take
// the account. Their own row offers the password change instead, which
// asks the current password, as deactivating oneself is refused.
func TestAdminCannotResetTheirOwnPassword(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	admin := h.signedIn(auth.Admin)
	self, err := h.store.UserByLogin(context.Background(), roleLogins[auth.Admin])
	if err != nil {
		t.Fatal(err)
	}
	page := admin.get("/admin/users")
	if strings.Contains(page.body, `action="/admin/users/`+itoa(self.ID)+`/reset"`) {
		t.Error("the admin's own row offers a password reset")
	}
	if !strings.Contains(page.body, `href="/password"`) {
		t.Error("the admin's own row does not offer the password change")
	}
	if r := admin.post("/admin/users/"+itoa(self.ID)+"/reset", nil); r.status != http.StatusConflict || strings.Contains(r.body, `class="secret"`) {
		t.Errorf("resetting one's own password: %d, want it refused", r.status)
	}
	if r := admin.get("/admin/users"); r.status != http.StatusOK {
		t.Errorf("the admin's session after the refused reset: %d", r.status)
	}
	other, _ := h.store.UserByLogin(context.Background(), roleLogins[auth.Secretary])
	if r := admin.post("/admin/users/"+itoa(other.ID)+"/reset", nil); r.status != http.StatusOK {
		t.Errorf("resetting another account's password: %d", r.status)
	}
}

// TestIndicatorsWriteNumbersInTheUsersLanguage: the activity, outcomes and
// dose pages write decimals with a comma in French (5,3 %, −3,5, 80,6) as
// the tariffs and the act record do, with a point in English, and the
// follow-up day as the language says it (J15, D15).
func TestIndicatorsWriteNumbersInTheUsersLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("plays a year of acts")
	}
	h := newHarness(t, storetest.OpenSQLite(t))
	if _, err := demo.History(context.Background(), h.app, h.clock, h.clock.Now(), 1, 7); err != nil {
		t.Fatal(err)
	}
	doc := h.signedIn(auth.Radiologist)
	cell := regexp.MustCompile(`<td>[^<]*</td>|<th scope="row">[^<]*</th>`)
	pointDecimal := regexp.MustCompile(`\d\.\d`)
	commaDecimal := regexp.MustCompile(`\d,\d`)
	for _, path := range []string{"/staff/activity", "/staff/outcomes", "/staff/dose"} {
		fr := strings.Join(cell.FindAllString(doc.get(path).body, -1), "")
		if m := pointDecimal.FindAllString(fr, 3); m != nil {
			t.Errorf("%s in French writes decimals with a point: %q", path, m)
		}
		if !commaDecimal.MatchString(fr) {
			t.Errorf("%s in French: no decimal written at all", path)
		}
		en := strings.Join(cell.FindAllString(doc.get(path+"?lang=en").body, -1), "")
		if m := commaDecimal.FindAllString(en, 3); m != nil {
			t.Errorf("%s in English writes decimals with a comma: %q", path, m)
		}
		doc.get(path + "?lang=fr")
	}
	if fr := doc.get("/staff/outcomes").body; !strings.Contains(fr, `<th scope="row">J15</th>`) {
		t.Error("the outcomes in French do not say J15")
	}
	if en := doc.get("/staff/outcomes?lang=en").body; !strings.Contains(en, `<th scope="row">D15</th>`) || strings.Contains(en, `<th scope="row">J15</th>`) {
		t.Error("the outcomes in English do not say D15")
	}
}

// TestTariffsPageDates: the tariffs' page says since when an amount
// applies as the rest of the product writes a day (depuis le 01/01/2025),
// not as the extract stores it (2025-01-01).
func TestTariffsPageDates(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	page := h.signedIn(auth.Admin).get("/admin/tariffs")
	if page.status != http.StatusOK {
		t.Fatalf("tariffs: %d", page.status)
	}
	codes := page.body[strings.Index(page.body, `id="tariff-codes"`):]
	codes = codes[:strings.Index(codes, "</table>")]
	if m := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).FindAllString(codes, 3); m != nil {
		t.Errorf("the tariffs' page writes days as stored: %q", m)
	}
	if !strings.Contains(codes, "depuis le 01/01/2025") {
		t.Error("the tariffs' page does not say depuis le 01/01/2025")
	}
}

// TestCatalogueTariffDates: the act's facts in the catalogue say since
// when a tariff applies as 01/01/2025 too.
func TestCatalogueTariffDates(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	page := h.signedIn(auth.Radiologist).get("/staff/catalogue/facet_joint_infiltration")
	if strings.Contains(page.body, "depuis le 2025-") || !strings.Contains(page.body, "depuis le 01/01/2025") {
		t.Errorf("the catalogue's tariff facts: %q", regexp.MustCompile(`[^>]*depuis le [^<]*`).FindAllString(page.body, 2))
	}
}

// TestBillingSummaryAgreesWithItsCount: "1 rendez-vous de ce jour n'est pas
// encore réalisé", not "1 rendez-vous ... ne sont pas encore réalisés".
func TestBillingSummaryAgreesWithItsCount(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	a := h.performed(h.demoAppointment("LEFÈVRE"))
	h.performed(h.demoAppointment("PASQUIER"))
	day := a.Start.In(paris).Format(time.DateOnly)
	sec := h.signedIn(auth.Secretary)
	summary := regexp.MustCompile(`<p id="billing-summary">([^<]*)</p>`)
	page := sec.get("/staff/billing?day=" + day)
	m := summary.FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(m[1], "1 rendez-vous de ce jour n&#39;est pas encore réalisé : il n&#39;est pas facturé.") {
		t.Errorf("one appointment not done: %q", m)
	}
	page = sec.get("/staff/billing?day=" + day + "&lang=en")
	if m := summary.FindStringSubmatch(page.body); m == nil || !strings.Contains(m[1], "1 appointment of this day is not done yet: it is not billed.") {
		t.Errorf("one appointment not done, in English: %q", m)
	}
}

// TestBillingDayTimesInTheUsersFormat: the day's billing writes the act's
// time as the other pages do (10 h 00 in French), the act's name in the
// page's language; the export file keeps its own format.
func TestBillingDayTimesInTheUsersFormat(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	a := h.performed(h.demoAppointment("PASQUIER"))
	day := a.Start.In(paris).Format(time.DateOnly)
	sec := h.signedIn(auth.Secretary)
	when := a.Start.In(paris)
	fr := sec.get("/staff/billing?day=" + day)
	if want := fmt.Sprintf("<td>%d h %02d</td>", when.Hour(), when.Minute()); !strings.Contains(fr.body, want) {
		t.Errorf("the billing page in French lacks %s", want)
	}
	en := sec.get("/staff/billing?day=" + day + "&lang=en")
	if !strings.Contains(en.body, "<td>"+when.Format("15:04")+"</td>") || !strings.Contains(en.body, "CT-guided lumbar foraminal") {
		t.Errorf("the billing page in English: time or act name not in English\n%s", regexp.MustCompile(`(?s)<tbody>.*?</tbody>`).FindString(en.body))
	}
}

// TestNotFoundSaysSo: a page that does not exist is headed "Page
// introuvable", not "Cette action n'a pas abouti" (nothing was asked to be
// done).
func TestNotFoundSaysSo(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec := h.signedIn(auth.Secretary)
	for _, path := range []string{"/staff/appointments/999999", "/staff/nowhere"} {
		if r := sec.get(path); r.status != http.StatusNotFound || !strings.Contains(r.body, "<h1>Page introuvable</h1>") {
			t.Errorf("%s: %d, %q", path, r.status, regexp.MustCompile(`<h1>[^<]*</h1>`).FindString(r.body))
		}
	}
	if r := sec.get("/staff/nowhere?lang=en"); !strings.Contains(r.body, "<h1>Page not found</h1>") {
		t.Errorf("in English: %q", regexp.MustCompile(`<h1>[^<]*</h1>`).FindString(r.body))
	}
}
