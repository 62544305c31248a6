package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
)

// TestFreedSlotIsOfferedToTheWaitingList cancels the demo blood patch of
// tomorrow and checks the waiting list offers it to the blood patch waiting,
// not to the facet infiltration, then books it through the offer.
func TestFreedSlotIsOfferedToTheWaitingList(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		// The morning of the demo day, before the blood patch: the demo's
		// day may be today, and the act already past by the time the tests run.
		h.before(h.appointmentID(), 2*time.Hour)
		for _, who := range []string{"BERNARD", "MERCIER"} {
			if r := c.post("/staff/referrals/"+h.referralID(who)+"/wait", url.Values{"notes": {"disponible au dernier moment"}}); r.status != http.StatusSeeOther {
				t.Fatalf("waiting list %s: %d", who, r.status)
			}
		}
		if r := c.post("/staff/referrals/"+h.referralID("BERNARD")+"/wait", url.Values{"earliest": {"2027-01-10"}, "latest": {"2027-01-01"}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("inverted window accepted: %d", r.status)
		}
		// Cancel Zoé Lefèvre's blood patch of the morning.
		page := c.get("/staff/referrals/" + h.referralID("LEFÈVRE"))
		m := regexp.MustCompile(`/staff/appointments/(\d+)/cancel`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no cancel form on the booked referral")
		}
		r := c.post("/staff/appointments/"+m[1]+"/cancel", url.Values{"reason": {"céphalées disparues"}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/staff/waiting?freed=") {
			t.Fatalf("cancel: %d %q", r.status, r.header.Get("Location"))
		}
		list := c.get(r.header.Get("Location"))
		offers := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"]+)"`).FindAllStringSubmatch(list.body, -1)
		if len(offers) != 1 || !strings.Contains(list.body, "Créneau libéré") {
			t.Fatalf("%d offers, want 1 (the blood patch, not the facet)\n%s", len(offers), list.body)
		}
		offer := html.UnescapeString(offers[0][1])
		if !strings.HasPrefix(offer, "/staff/referrals/"+h.referralID("BERNARD")+"?") {
			t.Fatalf("offer goes to %s, want Lucie Bernard's referral", offer)
		}
		form := c.get(offer)
		q, _ := url.ParseQuery(offer[strings.Index(offer, "?")+1:])
		if !strings.Contains(form.body, `value="`+q.Get("time")+`"`) {
			t.Fatal("the offered slot does not prefill the booking form")
		}
		book := c.post("/staff/referrals/"+h.referralID("BERNARD")+"/book", q)
		if book.status != http.StatusSeeOther {
			t.Fatalf("booking the offered slot: %d\n%s", book.status, errorsOf(book.body))
		}
	})
}
