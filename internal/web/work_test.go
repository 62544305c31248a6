package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/mail"
)

// listOf returns the rows of one section of the work page.
func listOf(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<section aria-labelledby="` + id + `-h" id="` + id + `">(.*?)</section>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no section %s", id)
	}
	return m[1]
}

// TestWorkLists reads each role's work from the demo: the radiologist
// reviews the contrast allergy and validates the others, the secretary
// books, confirms and follows up a failed email; the dashboard counts them.
func TestWorkLists(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		h.before(h.appointmentID(), 3*time.Hour) // the demo's day may be today
		doctor := h.signedIn(auth.Radiologist)
		page := doctor.get("/staff/work")
		if page.status != http.StatusOK {
			t.Fatalf("work page: %d", page.status)
		}
		review, sign := listOf(t, page.body, "to_review"), listOf(t, page.body, "to_sign")
		if !strings.Contains(review, "PASQUIER") || strings.Contains(sign, "PASQUIER") {
			t.Errorf("the contrast allergy is not to review")
		}
		if !strings.Contains(sign, "LEFÈVRE Zoé") || strings.Contains(review, "LEFÈVRE") {
			t.Errorf("the clear blood patch is not to validate")
		}
		if strings.Contains(review+sign, "BERNARD") {
			t.Errorf("an unanswered questionnaire is listed")
		}
		listOf(t, page.body, "reports_to_sign")
		dash := doctor.get("/staff")
		if !regexp.MustCompile(`id="count-to_review"><span class="num">1</span>`).MatchString(dash.body) {
			t.Errorf("dashboard does not count one screening to review:\n%s\n%s", regexp.MustCompile(`(?s)<section aria-labelledby="work-h">.*?</section>`).FindString(dash.body), review)
		}

		// Validated after review: the "review needed" badge goes, "validated" stays.
		ref := h.referralID("PASQUIER")
		if r := doctor.post("/staff/referrals/"+ref+"/screening/sign", nil); r.status != http.StatusSeeOther {
			t.Fatalf("sign: %d", r.status)
		}
		if page := doctor.get("/staff/work"); strings.Contains(listOf(t, page.body, "to_review"), "PASQUIER") {
			t.Error("a validated screening is still to review")
		}
		appts, _ := h.store.ListAppointments(system, storeFilterReferral(ref))
		board := doctor.get("/staff/planning?day=" + appts[0].Start.In(paris).Format(time.DateOnly))
		card := regexp.MustCompile(`(?s)PASQUIER.*?class="meta"`).FindString(board.body)
		if !strings.Contains(card, "Validé") || strings.Contains(card, "Avis du radiologue nécessaire") {
			t.Errorf("board card after validation: %s", card)
		}
		if page := doctor.get("/staff/referrals/" + ref); strings.Contains(page.body, `id="verdict"`) || !strings.Contains(page.body, "Validé par") {
			t.Error("the referral page still shows review needed next to validated")
		}

		secretary := h.signedIn(auth.Secretary)
		appt := h.appointmentID()
		for _, kind := range []string{"convocation", "questionnaire_link"} {
			id, err := h.store.EnqueueMail(system, mail.Outgoing{Kind: kind, AppointmentID: atoi(t, appt), PatientID: appts[0].PatientID,
				To: "x@example.org", Subject: "s", Text: "t", NextAttemptAt: h.clock.Now()})
			if err == nil {
				err = h.store.MailAttemptFailed(system, id, "550 mailbox unavailable", time.Time{})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		page = secretary.get("/staff/work")
		book, confirm, failed := listOf(t, page.body, "to_book"), listOf(t, page.body, "to_confirm"), listOf(t, page.body, "mails_failed")
		if !strings.Contains(book, "BERNARD Lucie") || strings.Contains(book, "LEFÈVRE") {
			t.Errorf("to book: %s", book)
		}
		if strings.Index(book, "BERNARD") > strings.Index(book, "MERCIER") {
			t.Errorf("the soon blood patch is not before the routine facet")
		}
		if !strings.Contains(confirm, "LEFÈVRE Zoé") || strings.Contains(confirm, "BERNARD") {
			t.Errorf("to confirm: %s", confirm)
		}
		// Every kind of email is named in French, not by its code.
		if !strings.Contains(failed, "550 mailbox unavailable") || !strings.Contains(failed, "/staff/appointments/"+appt) ||
			!strings.Contains(failed, "Lien du questionnaire") || strings.Contains(failed, "questionnaire_link") {
			t.Errorf("failed emails: %s", failed)
		}
		dash = secretary.get("/staff")
		for _, id := range []string{"to_book", "to_confirm", "waiting", "mails_failed"} {
			if !strings.Contains(dash.body, `id="count-`+id+`"`) {
				t.Errorf("dashboard lacks the count of %s", id)
			}
		}
		if r := h.signedIn(auth.Admin).get("/staff/work"); r.status != http.StatusForbidden {
			t.Errorf("admin work page: %d", r.status)
		}
	})
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
