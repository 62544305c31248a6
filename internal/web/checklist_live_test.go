package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestChecklistInPlace ticks the checklist as htmx does: each tick is one
// request answered by the checklist as it now stands (no redirect, no
// page), and "check all" ticks every item of a phase nobody answered,
// leaving a "not ok" as it is and the items the system suggests "not ok"
// (no consent signed) for their own answer.
func TestChecklistInPlace(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Radiographer)
	appt := h.appointmentID()
	h.onTheDay(appt)
	path := "/staff/appointments/" + appt + "/checklist"
	hx := map[string]string{"HX-Request": "true"}
	tick := func(form url.Values) response {
		t.Helper()
		form.Set("csrf_token", c.csrf())
		r := c.do("POST", path, form, hx)
		if r.status != http.StatusOK || strings.Contains(r.body, "<html") || !strings.HasPrefix(strings.TrimSpace(r.body), `<div id="checklist-live">`) {
			t.Fatalf("tick %v: %d, want the checklist fragment\n%s", form, r.status, r.body)
		}
		return r
	}
	r := tick(url.Values{"item": {"identity"}, "state": {"ok"}})
	if !regexp.MustCompile(`id="item-identity" class="check-item state-ok`).MatchString(r.body) || !strings.Contains(r.body, "t.radiographer,") {
		t.Fatal("the tick is not shown in the answer")
	}
	r = tick(url.Values{"item": {"act_level_side_patient"}, "state": {"not_ok"}, "note": {"côté à revoir"}})
	before := regexp.MustCompile(`id="check-all-before_room">[^<]*\((\d+)`).FindStringSubmatch(r.body)
	if before == nil {
		t.Fatal("no check-all button for the reception's items")
	}
	r = tick(url.Values{"action": {"check_all"}, "phase": {"before_room"}})
	if strings.Contains(r.body, `id="check-all-before_room"`) {
		t.Error("items of the reception still open after check all")
	}
	if !regexp.MustCompile(`id="item-act_level_side_patient" class="check-item state-not_ok`).MatchString(r.body) {
		t.Error("check all overwrote a 'not ok'")
	}
	// Check all never sweeps an item the system suggests "not ok": here no
	// consent is signed yet, so the consent stays open for its own answer.
	sec := regexp.MustCompile(`(?s)<h2>Accueil.*?</ul>`).FindString(r.body)
	open := regexp.MustCompile(`id="item-([a-z_]+)" class="check-item state-none`).FindAllStringSubmatch(sec, -1)
	var left []string
	for _, m := range open {
		left = append(left, m[1])
	}
	t.Logf("reception items left open: %v", left)
	if !slices.Contains(left, "consent") {
		t.Error("check all ticked the consent, which the system says is not signed")
	}
	for _, id := range left {
		if id != "consent" && id != "screening_validated" && id != "pregnancy_excluded" {
			t.Errorf("check all left %s open, which nothing argues against", id)
		}
	}
	if !strings.Contains(r.body, `id="check-all-in_room"`) {
		t.Error("check all went beyond its phase")
	}
	if bad := c.post(path, url.Values{"action": {"check_all"}, "phase": {"nowhere"}}); bad.status == http.StatusOK || bad.status == http.StatusSeeOther {
		t.Errorf("unknown phase: %d", bad.status)
	}
	// Without htmx, the form still works and comes back to the item.
	if r := c.post(path, url.Values{"item": {"prior_imaging"}, "state": {"ok"}}); r.status != http.StatusSeeOther {
		t.Fatalf("plain post: %d", r.status)
	}
}
