package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"repere/internal/auth"
	"repere/internal/storetest"
)

// FuzzStaffForms posts arbitrary values to the forms whose fields Repère
// reads itself (questionnaire, act record, booking, check-in, scores): every
// answer is a page or a clear refusal, never a server error.
func FuzzStaffForms(f *testing.F) {
	h := newHarness(f, storetest.OpenSQLite(f))
	doc := h.signedIn(auth.Radiologist)
	ref, appt := h.referralID("MERCIER"), h.appointmentID()
	token := doc.csrf()
	// post sends a form without the harness's helpers (they report to f,
	// which a fuzz target must not touch).
	post := func(path string, form url.Values) (int, error) {
		form.Set("csrf_token", token)
		resp, err := doc.http.PostForm(h.ts.URL+path, form)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	f.Add("70", "apixaban", "2026-11-20T08:00", "L4-L5")
	f.Add("-1", "other", "not a date", "L1=4,5; L2=x")
	f.Add("1e309", "", "2999-01-01T00:00", "\x00")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		for _, p := range []struct {
			path string
			form url.Values
		}{
			{"/staff/referrals/" + ref + "/screening", url.Values{"q.weight_kg": {a}, "q.fever_or_infection": {b}, "t.0.drug": {b}, "t.0.other": {d},
				"t.0.last": {c}, "lab.inr.value": {a}, "lab.inr.date": {c}, "version": {a}}},
			{"/staff/appointments/" + appt + "/record", url.Values{"blood_ml": {a}, "dlp": {a}, "start": {c}, "end": {c}, "levels": {d},
				"cement_ml": {d}, "steroid.drug": {b}, "steroid.dose": {a}, "complications": {b}, "version": {a}}},
			{"/staff/referrals/" + ref + "/book", url.Values{"date": {c}, "time": {a}, "room_id": {a}, "radiologist_id": {b}, "place_id": {d}, "variant": {b}}},
			{"/staff/appointments/" + appt + "/score", url.Values{"day": {a}, "value": {b}}},
			{"/staff/appointments/" + appt + "/checkin", url.Values{"birth_date": {c}, "name_confirmed": {b}}},
		} {
			status, err := post(p.path, p.form)
			if err != nil {
				t.Fatal(err)
			}
			if status >= http.StatusInternalServerError {
				t.Fatalf("%s with %q %q %q %q: %d", p.path, a, b, c, d, status)
			}
		}
	})
}
