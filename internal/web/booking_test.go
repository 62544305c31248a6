package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/fhir"
	"repere/internal/storetest"
)

// TestSecretaryBooksAMorning books, through the pages, a blood patch and three
// infiltrations on one morning, then checks the board and a refused overlap.
func TestSecretaryBooksAMorning(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		day := nextDay(2, time.Tuesday, time.Thursday).Format(time.DateOnly) // after the demo's day; scanner 2 and dr.nguyen work then
		rooms, _ := h.store.Rooms(system)
		ids := map[string]string{}
		for _, r := range rooms {
			ids[r.Name] = itoa(r.ID)
		}
		doctors, _ := h.store.Radiologists(system)
		docs := map[string]string{}
		for _, d := range doctors {
			docs[d.Login] = itoa(d.ID)
		}
		book := func(patient, at, room, doctor, place string) response {
			t.Helper()
			ref := h.referralID(patient)
			page := c.get("/staff/referrals/" + ref)
			if page.status != http.StatusOK {
				t.Fatalf("referral page of %s: %d", patient, page.status)
			}
			return c.post("/staff/referrals/"+ref+"/book", url.Values{"date": {day}, "time": {at},
				"room_id": {ids[room]}, "radiologist_id": {docs[doctor]}, "place_id": {ids[place]}})
		}
		ct1, ct2 := "Scanner 1 — interventionnel", "Scanner 2"
		ok := func(patient, at, room, doctor, place string) {
			t.Helper()
			if r := book(patient, at, room, doctor, place); r.status != http.StatusSeeOther {
				t.Fatalf("booking %s at %s: %d\n%s", patient, at, r.status, errorsOf(r.body))
			}
		}
		refused := func(patient, at, room, doctor, place, why string) {
			t.Helper()
			r := book(patient, at, room, doctor, place)
			if r.status != http.StatusConflict || !strings.Contains(r.body, why) || !strings.Contains(r.body, `value="`+at+`"`) {
				t.Fatalf("booking %s at %s: %d, want a refusal saying %q with the form kept\n%s", patient, at, r.status, why, errorsOf(r.body))
			}
		}
		// A blood patch (45 min room, then 2 h lying) and four infiltrations on one morning, two rooms.
		ok("BERNARD", "08:00", ct1, "dr.martin", "Lit de repos 1")
		ok("CARON", "08:45", ct1, "dr.martin", "Fauteuil de repos 1") // facet right after the patch leaves the room
		ok("MERCIER", "09:15", ct1, "dr.martin", "Fauteuil de repos 1")
		ok("PETIT", "08:00", ct2, "dr.nguyen", "Fauteuil de repos 2")
		refused("DURAND", "08:10", ct2, "dr.nguyen", "Fauteuil de repos 3", ct2+" : déjà pris sur ce créneau")
		refused("DURAND", "08:20", ct2, "dr.martin", "Fauteuil de repos 3", "Dr Hélène Martin : déjà pris sur ce créneau")
		refused("DURAND", "08:20", ct2, "dr.nguyen", "Fauteuil de repos 2", "Fauteuil de repos 2 : déjà pris sur ce créneau")
		ok("DURAND", "08:20", ct2, "dr.nguyen", "Fauteuil de repos 3")
		if r := book("LE GOFF", "10:00", ct2, "dr.nguyen", "Fauteuil de repos 2"); r.status != http.StatusConflict || !strings.Contains(r.body, "ne peut pas être programmée") {
			t.Fatalf("cancelled referral booked: %d", r.status) // and no form is offered for it
		}
		board := c.get("/staff/planning?day=" + day)
		for _, want := range []string{"BERNARD Lucie", "DUPRÉ Françoise (née CARON)", "MERCIER Hervé", "PETIT Thierry", "DURAND Agnès", "8 h 00 – 8 h 45", "Lit de repos 1 jusqu&#39;à 10 h 45", "5 rendez-vous ce jour."} {
			if !strings.Contains(board.body, want) {
				t.Errorf("board lacks %q", want)
			}
		}
		// The week view, narrowed to one radiologist, lists only that radiologist's acts.
		week := c.get("/staff/planning?view=week&day=" + day + "&radiologist=" + docs["dr.nguyen"])
		if week.status != http.StatusOK || !strings.Contains(week.body, "PETIT Thierry") || !strings.Contains(week.body, "DURAND Agnès") || strings.Contains(week.body, "BERNARD Lucie") {
			t.Errorf("week view for dr.nguyen: %d", week.status)
		}
		// A radiographer sees the board but cannot book.
		radiographer := h.signedIn(auth.Radiographer)
		if r := radiographer.get("/staff/planning?day=" + day); r.status != http.StatusOK {
			t.Fatalf("radiographer board: %d", r.status)
		}
		if r := radiographer.post("/staff/referrals/"+h.referralID("ROUSSEAU")+"/book", url.Values{"date": {day}}); r.status != http.StatusForbidden {
			t.Fatalf("radiographer booked: %d", r.status)
		}
	})
}

func TestCancelNeedsAReason(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	id := h.appointmentID()
	if r := c.post("/staff/appointments/"+id+"/cancel", url.Values{"reason": {"  "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Indiquez un motif") {
		t.Fatalf("cancel without reason: %d", r.status)
	}
	if r := c.post("/staff/appointments/"+id+"/cancel", url.Values{"reason": {"malade"}, "back": {"https://evil.example"}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/waiting?freed="+id {
		t.Fatalf("cancel: %d to %q", r.status, r.header.Get("Location"))
	}
	if r := c.post("/staff/appointments/"+id+"/cancel", url.Values{"reason": {"again"}}); r.status != http.StatusConflict {
		t.Fatalf("second cancel: %d", r.status)
	}
}

// moveFormOf is the move form of one appointment in a page.
func moveFormOf(body, appointmentID string) string {
	i := strings.Index(body, `action="/staff/appointments/`+appointmentID+`/move"`)
	if i < 0 {
		return "(no move form)"
	}
	end := strings.Index(body[i:], "</form>")
	if end < 0 {
		return body[i:]
	}
	return body[i : i+end]
}

func errorsOf(body string) string {
	i := strings.Index(body, `class="error"`)
	if i < 0 {
		return "(no error block)"
	}
	end := i + 600
	if end > len(body) {
		end = len(body)
	}
	return body[i:end]
}

func TestMoveAndNoShow(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		ref := h.referralID("LEFÈVRE")
		page := c.get("/staff/referrals/" + ref)
		m := regexp.MustCompile(`/staff/appointments/(\d+)/move`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("no move form on a booked referral")
		}
		rooms, _ := h.store.Rooms(system)
		ids := map[string]string{}
		for _, r := range rooms {
			ids[r.Name] = itoa(r.ID)
		}
		doctors, _ := h.store.Radiologists(system)
		var martin string
		for _, d := range doctors {
			if d.Login == "dr.martin" {
				martin = itoa(d.ID)
			}
		}
		// Scanner 2 is open on Tuesday and Thursday mornings in the demo.
		day := nextDay(2, time.Tuesday, time.Thursday).Format(time.DateOnly)
		move := url.Values{"referral_id": {ref}, "date": {day}, "time": {"11:00"}, "room_id": {ids["Scanner 2"]}, "radiologist_id": {martin},
			"place_id": {ids["Lit de repos 2"]}}
		if r := c.post("/staff/appointments/"+m[1]+"/move", move); r.status != http.StatusConflict || !strings.Contains(r.body, "Indiquez un motif") ||
			!strings.Contains(r.body, `value="`+day+`"`) || !strings.Contains(r.body, `id="move-errors"`) {
			t.Fatalf("move without reason: %d, want the move form kept with its error\n%s", r.status, errorsOf(r.body))
		}
		move.Set("reason", "patiente indisponible")
		move.Set("time", "03:00") // the night: CT rooms closed
		if r := c.post("/staff/appointments/"+m[1]+"/move", move); r.status != http.StatusConflict || !strings.Contains(r.body, "hors des horaires d&#39;ouverture") {
			t.Fatalf("move at night: %d, want outside opening hours\n%s", r.status, errorsOf(r.body))
		} else if form := moveFormOf(r.body, m[1]); !strings.Contains(form, `aria-invalid="true"`) || !strings.Contains(form, `class="field-error"`) {
			// The same form as the planning's move page: the reason next to its field.
			t.Errorf("move at night from the referral page: no error next to the field\n%s", form)
		}
		move.Set("time", "11:00")
		move.Set("reason", "demande de la patiente")
		r := c.post("/staff/appointments/"+m[1]+"/move", move)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/planning?day="+day {
			t.Fatalf("move: %d %q\n%s", r.status, r.header.Get("Location"), errorsOf(r.body))
		}
		if board := c.get(r.header.Get("Location")); !strings.Contains(board.body, "LEFÈVRE Zoé") || !strings.Contains(board.body, "Le rendez-vous a été déplacé") {
			t.Fatal("moved appointment not on the new day's board")
		}
		// The same move again changes nothing: refused, not recorded as a
		// move (the history below has no extra version).
		if again := c.post("/staff/appointments/"+m[1]+"/move", move); again.status < 400 || !strings.Contains(again.body, "C&#39;est déjà le créneau de ce rendez-vous") {
			t.Errorf("a move onto the appointment's own slot: %d\n%s", again.status, errorsOf(again.body))
		}
		// The patient does not come on the new day: absent, past its time.
		at, _ := time.ParseInLocation("2006-01-02 15:04", day+" 11:00", paris)
		today := h.clock.Now()
		h.clock.Set(at.Add(30 * time.Minute))
		if r := c.post("/staff/appointments/"+m[1]+"/no-show", url.Values{"reason": {"pas venue"}}); r.status != http.StatusSeeOther {
			t.Fatalf("no-show: %d", r.status)
		}
		h.clock.Set(today)
		if page := c.get("/staff/referrals/" + ref); !strings.Contains(page.body, "Patient absent") || !strings.Contains(page.body, "pas venue") {
			t.Fatal("no-show not shown on the referral")
		}

		// FHIR gives each version back: booked, moved, no-show.
		const token = "a-token-of-the-hospital-his"
		if _, err := h.store.CreateAPIClient(system, "SIH", fhir.HashToken(token), []string{"system/*.read"}, storetest.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		code, _, hist := fhirGet(t, h, "/fhir/Appointment/"+m[1]+"/_history", token)
		entries, _ := hist["entry"].([]any)
		if code != http.StatusOK || len(entries) != 3 {
			t.Fatalf("appointment history: %d, %d entries: %v", code, len(entries), hist)
		}
		version := func(e any) (status, start, rooms string) {
			res := e.(map[string]any)["resource"].(map[string]any)
			b, _ := json.Marshal(res["participant"])
			return res["status"].(string), res["start"].(string), string(b)
		}
		status, start, _ := version(entries[0])
		if status != "noshow" || !strings.HasPrefix(start, day+"T11:00") {
			t.Errorf("newest version: %s at %s", status, start)
		}
		status, start, participants := version(entries[1])
		if status != "booked" || !strings.HasPrefix(start, day+"T11:00") || !strings.Contains(participants, "Scanner 2") {
			t.Errorf("moved version: %s at %s with %s", status, start, participants)
		}
		status, start, participants = version(entries[2])
		if status != "booked" || strings.HasPrefix(start, day) || strings.Contains(participants, "Scanner 2") {
			t.Errorf("first version: %s at %s with %s, want the demo's day and room", status, start, participants)
		}
		code, hdr, v1 := fhirGet(t, h, "/fhir/Appointment/"+m[1]+"/_history/1", token)
		if meta, _ := v1["meta"].(map[string]any); code != http.StatusOK || meta["versionId"] != "1" || hdr.Get("ETag") != `W/"1"` || v1["start"] != start {
			t.Errorf("vread 1: %d %v %s %v", code, v1["meta"], hdr.Get("ETag"), v1["start"])
		}
		if code, _, _ := fhirGet(t, h, "/fhir/Appointment/"+m[1]+"/_history/4", token); code != http.StatusNotFound {
			t.Errorf("vread of a version to come: %d", code)
		}
	})
}
