package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"repere/internal/auth"
	"repere/internal/followup"
	"repere/internal/store"
)

// TestMonitoringObservations records the blood patch's observations as its
// data asks (blood pressure, pain, neurological check), refuses what is
// missing or out of range next to its field, and shows them marked as the
// practice's default.
func TestMonitoringObservations(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Radiographer)
		appt := h.appointmentID()
		path := "/staff/appointments/" + appt + "/observations"
		h.onTheDay(appt)
		if r := c.post(path, url.Values{"systolic": {"120"}, "diastolic": {"80"}, "pain": {"2"}, "neuro": {"as_before"}}); r.status == http.StatusSeeOther ||
			!strings.Contains(r.body, "pas en surveillance") {
			t.Fatalf("observation before monitoring: %d", r.status)
		}
		// The store refuses it too, in the transaction that would write it
		// (a discharge between the application's check and the write).
		if err := h.store.AddObservation(system, mustID(appt), followup.Observation{Systolic: 120, Diastolic: 80}); !errors.Is(err, store.ErrNotMonitored) {
			t.Fatalf("store: observation before monitoring: %v", err)
		}
		h.performed(appt) // now in monitoring
		page := c.get("/staff/appointments/" + appt + "/discharge")
		for _, want := range []string{"Tension artérielle, Douleur, Examen neurologique", "Valeur par défaut du cabinet", `id="obs-sys"`, "Prochaine observation à"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("monitoring page lacks %q", want)
			}
		}
		r := c.post(path, url.Values{"systolic": {"12"}, "pain": {"11"}, "note": {"somnolente"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="somnolente"`) {
			t.Fatalf("bad observation: %d", r.status)
		}
		for _, field := range []string{"obs-sys", "obs-pain"} {
			if !strings.Contains(r.body, `id="`+field+`"`) || !strings.Contains(r.body[strings.Index(r.body, `id="`+field+`"`):], `aria-invalid="true"`) {
				t.Errorf("%s not marked", field)
			}
		}
		for _, want := range []string{"pression systolique", "douleur, de 0 à 10", "examen neurologique"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("refusal lacks %q", want)
			}
		}
		if r := c.post(path, url.Values{"systolic": {"130"}, "diastolic": {"85"}, "pain": {"3"}, "neuro": {"changed"}}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "Décrivez le changement") {
			t.Fatalf("changed check without a note: %d", r.status)
		}
		// A pulse mistyped with a letter is said, not taken as "not recorded".
		if r := c.post(path, url.Values{"systolic": {"128"}, "diastolic": {"82"}, "heart_rate": {"12O"}, "pain": {"0"}, "neuro": {"as_before"}}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "Pouls (/min, facultatif) : indiquez un nombre entier") || !strings.Contains(r.body, `value="12O"`) {
			t.Fatalf("mistyped pulse: %d", r.status)
		}
		h.clock.Set(h.clock.Now().Add(10 * time.Minute))
		if r := c.post(path, url.Values{"systolic": {"128"}, "diastolic": {"82"}, "heart_rate": {"72"}, "pain": {"0"}, "neuro": {"as_before"}}); r.status != http.StatusSeeOther {
			t.Fatalf("observation: %d\n%s", r.status, errorsOf(r.body))
		}
		page = c.get("/staff/appointments/" + appt + "/discharge")
		for _, want := range []string{"128/82 mmHg · 72/min", "0/10", "Comme avant l&#39;acte", "t.radiographer"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("recorded observation lacks %q", want)
			}
		}
		if strings.Contains(page.body, `id="obs-overdue"`) {
			t.Error("due at once after an observation")
		}
		// The day board shows when the next one is due, to the whole team.
		list, _ := h.store.ListAppointments(system, storeFilterID(appt))
		a := list[0]
		board := c.get("/staff/day?day=" + a.Start.In(paris).Format(time.DateOnly))
		card := between(board.body, `id="obs-due-`+appt+`"`, "</p>")
		if card == "" || strings.Contains(card, "en retard") {
			t.Errorf("day board, observation just taken: %q", card)
		}
		h.clock.Set(h.clock.Now().Add(31 * time.Minute))
		if page := c.get("/staff/appointments/" + appt + "/discharge"); !strings.Contains(page.body, `id="obs-overdue"`) {
			t.Error("an observation 31 minutes old is not shown overdue")
		}
		board = c.get("/staff/day?day=" + a.Start.In(paris).Format(time.DateOnly))
		if card := between(board.body, `id="obs-due-`+appt+`"`, "</p>"); !strings.Contains(card, "Observation en retard") {
			t.Errorf("day board, observation 31 minutes old: %q", card)
		}
	})
}
