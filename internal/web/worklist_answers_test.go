package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/referral"
	"repere/internal/worklist"
)

// TestWorklistShowsAnswersSavedSinceLastQuery: the worklist keeps the
// answers it decoded between queries; a questionnaire saved again since
// shows its new answers at the next query (here the patient's weight).
func TestWorklistShowsAnswersSavedSinceLastQuery(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		weighed := func() map[string]float64 {
			items, err := h.app.Worklist().WorklistItems(context.Background(), worklist.Range{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]float64{}
			for _, it := range items {
				out[strings.TrimPrefix(it.Step.ID, "SPS")] = it.PatientWeightKg
			}
			return out
		}
		var apptID string
		for id, kg := range weighed() {
			if kg > 0 && kg != 81 {
				apptID = id
			}
		}
		if apptID == "" {
			t.Fatal("no weighed patient on the demo's worklist")
		}
		appt := h.onTheDay(apptID)
		h.clock.Set(appt.Start.Add(-24 * time.Hour)) // the day before: answers may change
		secretary := audit.WithActor(context.Background(), audit.Actor{Login: "t.secretary", Role: string(auth.Secretary)})
		st, err := h.app.ScreeningOf(secretary, referral.Referral{ID: appt.ReferralID, ActID: appt.ActID}, &appt)
		if err != nil || !st.Answered {
			t.Fatalf("screening: answered %v, %v", st.Answered, err)
		}
		st.Answers.Values["weight_kg"] = "81"
		if err := h.app.SaveAnswers(secretary, appt.ReferralID, st.Answers, st.Version); err != nil {
			t.Fatal(err)
		}
		if kg := weighed()[apptID]; kg != 81 {
			t.Errorf("appointment %s after a new weight of 81 kg: %s kg on the worklist", apptID, strconv.FormatFloat(kg, 'f', -1, 64))
		}
	})
}
