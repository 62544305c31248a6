package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/storetest"
)

func TestCalendarFeed(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	admin := h.signedIn(auth.Admin)
	doctors, _ := h.store.Radiologists(system)
	var martin string
	for _, d := range doctors {
		if d.Login == "dr.martin" {
			martin = itoa(d.ID)
		}
	}
	r := admin.post("/admin/feeds", url.Values{"resource": {"radiologist:" + martin}})
	link := regexp.MustCompile(`/calendar/[A-Za-z0-9_-]+\.ics`).FindString(r.body)
	if r.status != http.StatusCreated || link == "" {
		t.Fatalf("feed creation: %d, no link shown", r.status)
	}
	anon := h.client() // a calendar application: no session
	feed := anon.get(link)
	if feed.status != http.StatusOK || !strings.HasPrefix(feed.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", feed.status, feed.header.Get("Content-Type"))
	}
	body := strings.ReplaceAll(feed.body, "\r\n ", "") // unfold lines
	// Dr Martin has the blood patch and the cervical infiltration of the demo day.
	if strings.Count(body, "BEGIN:VEVENT") != 2 || !strings.Contains(body, "Z. L.") || !strings.Contains(body, "A. R.") {
		t.Fatalf("feed content:\n%s", body)
	}
	if strings.Contains(body, "LEFÈVRE") || strings.Contains(body, "Zoé") {
		t.Fatal("the feed names a patient in full")
	}
	if h.auditCount(audit.Filter{Action: "list", Entity: "appointment"}) == 0 {
		t.Error("feed read not audited")
	}
	if r := anon.get("/calendar/not-a-token.ics"); r.status != http.StatusNotFound {
		t.Fatalf("unknown token: %d", r.status)
	}
	feeds, _ := h.store.Feeds(system)
	if r := admin.post("/admin/practice/revoke-feed", url.Values{"id": {itoa(feeds[len(feeds)-1].ID)}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := anon.get(link); r.status != http.StatusNotFound {
		t.Fatalf("revoked feed still served: %d", r.status)
	}
}
