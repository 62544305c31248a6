package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// TestProposedSlotBooks opens a referral, takes the first proposed slot and
// books it: the proposal must be bookable as it stands.
func TestProposedSlotBooks(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	for _, who := range []string{"MERCIER", "BERNARD", "LEMAÎTRE"} {
		ref := h.referralID(who)
		page := c.get("/staff/referrals/" + ref)
		links := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"#]+)#book-h"`).FindAllStringSubmatch(page.body, -1)
		if page.status != http.StatusOK || len(links) == 0 {
			t.Fatalf("%s: no slot proposed (%d)", who, page.status)
		}
		if !strings.Contains(page.body, "Scanner 1 — interventionnel · Dr") {
			t.Errorf("%s: a proposed slot does not name its room, then its radiologist", who)
		}
		link := html.UnescapeString(links[0][1])
		q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
		if r := c.post("/staff/referrals/"+ref+"/book", q); r.status != http.StatusSeeOther {
			t.Fatalf("%s: the first proposed slot %v could not be booked: %d\n%s", who, q, r.status, errorsOf(r.body))
		}
	}
}
