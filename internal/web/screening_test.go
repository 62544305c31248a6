package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/storetest"
)

// safeAnswers answers every question of the act the reassuring way.
func safeAnswers(t *testing.T, cat *catalog.Catalog, actID string) url.Values {
	t.Helper()
	set, err := screening.Load(cat, "")
	if err != nil {
		t.Fatal(err)
	}
	act, _ := cat.Act(actID)
	v := url.Values{}
	for _, q := range set.QuestionsFor(act) {
		switch {
		case q.Kind == "number" && q.ID == "weight_kg":
			v.Set("q."+q.ID, "70")
		case q.Kind == "number":
			v.Set("q."+q.ID, "0")
		case q.Kind != "yes_no":
		case q.ID == "can_lie_prone_30min" || q.ID == "accompanying_person":
			v.Set("q."+q.ID, "yes")
		default:
			v.Set("q."+q.ID, "no")
		}
	}
	return v
}

func newReferral(t *testing.T, h *harness, name, actID string) string {
	t.Helper()
	pid, err := h.store.CreatePatient(system, patient.Patient{BirthName: name, FirstNames: "Test", BirthDate: "1975-03-03", Sex: "F"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := h.store.CreateReferral(system, referral.Referral{PatientID: pid, ActID: actID})
	if err != nil {
		t.Fatal(err)
	}
	return itoa(id)
}

// nextWeekdayFrom returns the first Monday-to-Friday day on or after d.
func nextWeekdayFrom(d time.Time) time.Time {
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// TestScreeningDoneWhen plays the three cases through the pages: a
// blood patch for a patient on apixaban (normal kidneys) says when to stop
// and restart and refuses a slot before the end of the hold; fever is a
// contraindication; a contrast allergy before an infiltration asks for the
// radiologist's review; sources on screen.
func TestScreeningDoneWhen(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		c := h.signedIn(auth.Secretary)
		ref := newReferral(t, h, "Apixa", "epidural_blood_patch")
		form := safeAnswers(t, h.cat, "epidural_blood_patch")
		form.Set("q.takes_medicines", "yes")
		form.Set("t.0.drug", "apixaban")
		form.Set("version", "0")
		if r := c.post("/staff/referrals/"+ref+"/screening", form); r.status != http.StatusSeeOther {
			t.Fatalf("saving the questionnaire: %d\n%s", r.status, errorsOf(r.body))
		}
		page := c.get("/staff/referrals/" + ref)
		m := regexp.MustCompile(`Arrêts de traitement : pas d&#39;acte avant le (\d\d/\d\d/\d{4})`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no earliest date on the referral page\n%s", page.body[strings.Index(page.body, `id="screening-h"`):][:1500])
		}
		earliest, _ := time.ParseInLocation("02/01/2006", m[1], paris)
		for _, want := range []string{"Apixaban", "Dernière prise au plus tard", "id=\"rule-hold.apixaban\""} {
			if !strings.Contains(page.body, want) {
				t.Errorf("referral page lacks %q", want)
			}
		}
		// The proposed slots start at the end of the hold.
		if slot := regexp.MustCompile(`date=(\d{4}-\d\d-\d\d)`).FindStringSubmatch(page.body); slot == nil || slot[1] < earliest.Format(time.DateOnly) {
			t.Errorf("first proposed slot %v is before the end of the hold %s", slot, earliest.Format(time.DateOnly))
		}
		ids := resourceIDs(t, h)
		book := func(day time.Time) response {
			return c.post("/staff/referrals/"+ref+"/book", url.Values{"date": {day.Format(time.DateOnly)}, "time": {"09:00"},
				"room_id": {ids["Scanner 1 — interventionnel"]}, "radiologist_id": {ids["dr.martin"]}, "place_id": {ids["Lit de repos 2"]}})
		}
		early := earliest.AddDate(0, 0, -1)
		for early.Weekday() == time.Saturday || early.Weekday() == time.Sunday {
			early = early.AddDate(0, 0, -1)
		}
		if early.After(storetest.Now().Add(24 * time.Hour)) {
			if r := book(early); r.status != http.StatusConflict || !strings.Contains(r.body, "trop tôt pour ce patient") {
				t.Errorf("booking %s, before the hold ends: %d\n%s", early.Format(time.DateOnly), r.status, errorsOf(r.body))
			}
		}
		day := nextWeekdayFrom(earliest)
		if r := book(day); r.status != http.StatusSeeOther {
			t.Fatalf("booking %s, after the hold: %d\n%s", day.Format(time.DateOnly), r.status, errorsOf(r.body))
		}
		page = c.get("/staff/referrals/" + ref)
		if !strings.Contains(page.body, "Reprise") || !regexp.MustCompile(`Apixaban</td><td>[^<]*\d{4}`).MatchString(page.body) {
			t.Error("the booked act's hold does not show the last-dose date")
		}
		// The convocation lists the stop with its date.
		list, _ := h.store.ListAppointments(system, storeFilterReferral(ref))
		if conv := c.get(fmt.Sprintf("/staff/appointments/%d", list[0].ID)); !strings.Contains(conv.body, "Apixaban") {
			t.Error("the convocation does not list apixaban to stop")
		}

		// Fever: contraindicated, with its source.
		fever := newReferral(t, h, "Fievre", "epidural_blood_patch")
		form = safeAnswers(t, h.cat, "epidural_blood_patch")
		form.Set("q.fever_or_infection", "yes")
		form.Set("version", "0")
		if r := c.post("/staff/referrals/"+fever+"/screening", form); r.status != http.StatusSeeOther {
			t.Fatalf("saving the fever questionnaire: %d", r.status)
		}
		page = c.get("/staff/referrals/" + fever)
		if !strings.Contains(page.body, `id="verdict">Contre-indication`) || !strings.Contains(page.body, "Fièvre ou infection en cours : oui") || strings.Contains(page.body, "fever_or_infection =") {
			t.Errorf("fever is not a contraindication on the page")
		}
		// Contrast allergy before a lumbar infiltration: the radiologist reviews.
		allergy := newReferral(t, h, "Iode", "lumbar_epidural_infiltration")
		form = safeAnswers(t, h.cat, "lumbar_epidural_infiltration")
		form.Set("q.allergy_contrast", "yes")
		form.Set("version", "0")
		if r := c.post("/staff/referrals/"+allergy+"/screening", form); r.status != http.StatusSeeOther {
			t.Fatalf("saving the infiltration questionnaire: %d\n%s", r.status, errorsOf(r.body))
		}
		page = c.get("/staff/referrals/" + allergy)
		if !strings.Contains(page.body, `id="verdict">Avis du radiologue nécessaire`) || !strings.Contains(page.body, "Allergie au produit de contraste iodé : oui") || strings.Contains(page.body, "allergy_contrast =") {
			t.Errorf("a contrast allergy does not ask for review\n%s", page.body[strings.Index(page.body, `id="screening-h"`):][:2500])
		}
		if n := strings.Count(page.body, `<td>`); n == 0 || !strings.Contains(page.body, "Source") {
			t.Error("no source column")
		}
	})
}

func storeFilterReferral(id string) store.AppointmentFilter {
	n, _ := parseID(id)
	return store.AppointmentFilter{ReferralID: n}
}

// TestPatientQuestionnaireLink: the patient opens the link, gives their
// birth date (a wrong one is refused and counted, five lock the link),
// answers and sends; the staff sees the answers and the verdict.
func TestPatientQuestionnaireLink(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	staff := h.signedIn(auth.Secretary)
	ref := newReferral(t, h, "Lien", "facet_joint_infiltration")
	page := staff.post("/staff/referrals/"+ref+"/screening/link", nil)
	m := regexp.MustCompile(`<code id="patient-link">https?://[^/]+(/q/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		t.Fatalf("no link shown: %d", page.status)
	}
	link := m[1]
	patient := h.client()
	if r := patient.get(link); r.status != http.StatusOK || !strings.Contains(r.body, `id="birth_date"`) {
		t.Fatalf("link page: %d", r.status)
	}
	if r := patient.post(link, url.Values{"birth_date": {"1975-03-04"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "ne correspond pas") {
		t.Fatalf("wrong birth date: %d", r.status)
	}
	if r := patient.post(link, url.Values{"birth_date": {"03/03/1975"}}); r.status != http.StatusSeeOther {
		t.Fatalf("right birth date: %d", r.status)
	}
	form := patient.get(link)
	if !strings.Contains(form.body, `name="q.fever_or_infection"`) || strings.Contains(form.body, `id="labs"`) {
		t.Fatalf("the patient's form: %d", form.status)
	}
	answers := safeAnswers(t, h.cat, "facet_joint_infiltration")
	answers.Set("q.allergy_contrast", "unknown")
	answers.Set("q.weight_kg", "soixante") // refused, kept as typed
	answers.Set("version", "0")
	if r := patient.post(link, answers); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="soixante"`) {
		t.Fatalf("unreadable weight: %d", r.status)
	}
	answers.Set("q.weight_kg", "61,5")
	if r := patient.post(link, answers); r.status != http.StatusOK || !strings.Contains(r.body, `id="q-done"`) {
		t.Fatalf("sending: %d\n%s", r.status, errorsOf(r.body))
	}
	page = staff.get("/staff/referrals/" + ref)
	if !strings.Contains(page.body, "le patient, lien n° ") || !strings.Contains(page.body, "Allergie au produit de contraste iodé : ne sait pas") {
		t.Error("the staff does not see the patient's answers and the finding on the unknown allergy")
	}
	// Another browser without the birth date sees only the first step; five
	// wrong dates lock the link.
	other := h.client()
	if r := other.get(link); strings.Contains(r.body, `name="q.fever_or_infection"`) {
		t.Fatal("the form opened without the birth date")
	}
	for range 5 {
		other.post(link, url.Values{"birth_date": {"2000-01-01"}})
	}
	if r := other.post(link, url.Values{"birth_date": {"1975-03-03"}}); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, `id="locked"`) {
		t.Errorf("after five wrong dates: %d, want the link locked", r.status)
	}
	if r := h.client().get("/q/not-a-token"); r.status != http.StatusGone {
		t.Errorf("unknown link: %d", r.status)
	}
}

// TestRadiologistSignsAndOverrides: the radiologist overrides a finding only
// with a reason, then signs; both are audited and shown.
func TestRadiologistSignsAndOverrides(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	sec, doc := h.signedIn(auth.Secretary), h.signedIn(auth.Radiologist)
	ref := newReferral(t, h, "Valide", "lumbar_epidural_infiltration")
	if r := doc.post("/staff/referrals/"+ref+"/screening/sign", nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "incomplet") {
		t.Fatalf("signing an empty screening: %d", r.status)
	}
	form := safeAnswers(t, h.cat, "lumbar_epidural_infiltration")
	form.Set("q.allergy_contrast", "yes")
	form.Set("version", "0")
	sec.post("/staff/referrals/"+ref+"/screening", form)
	page := doc.get("/staff/referrals/" + ref)
	rules := regexp.MustCompile(`name="rule" value="([^"]+)"`).FindAllStringSubmatch(page.body, -1)
	if rules == nil {
		t.Fatal("no override form for the radiologist")
	}
	rule := rules[0]
	if strings.Contains(sec.get("/staff/referrals/"+ref).body, `name="rule"`) {
		t.Error("the secretary is offered to override a finding")
	}
	if r := sec.post("/staff/referrals/"+ref+"/screening/override", url.Values{"rule": {rule[1]}, "reason": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("secretary override: %d", r.status)
	}
	if r := doc.post("/staff/referrals/"+ref+"/screening/override", url.Values{"rule": {rule[1]}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("override without reason: %d", r.status)
	}
	for _, rule := range rules {
		if r := doc.post("/staff/referrals/"+ref+"/screening/override", url.Values{"rule": {rule[1]}, "reason": {"prémédication prévue, produit non iodé"}}); r.status != http.StatusSeeOther {
			t.Fatalf("override %s: %d", rule[1], r.status)
		}
	}
	if r := doc.post("/staff/referrals/"+ref+"/screening/sign", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign: %d\n%s", r.status, errorsOf(r.body))
	}
	page = sec.get("/staff/referrals/" + ref)
	if !strings.Contains(page.body, "prémédication prévue") || !strings.Contains(page.body, "Validé par t.radiologist") || !strings.Contains(page.body, `id="verdict">Rien ne s&#39;oppose`) {
		t.Errorf("override and signature not shown\n%s", page.body[strings.Index(page.body, `id="screening-h"`):][:1500])
	}
	for _, action := range []string{"override", "signed"} {
		if h.auditCount(audit.Filter{Action: action}) == 0 {
			t.Errorf("no %s entry in the audit log", action)
		}
	}
}

// TestPatientSignsConsentThroughTheLink: with the birth date given, the
// patient reads and signs the consent of the booked act from the link.
func TestPatientSignsConsentThroughTheLink(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	link := "/q/" + h.questionnaireToken()
	patient := h.client()
	if r := patient.get(link + "/consent"); r.status != http.StatusSeeOther {
		t.Fatalf("consent before the birth date: %d, want a redirect to the first step", r.status)
	}
	if r := patient.post(link, url.Values{"birth_date": {"1991-04-12"}}); r.status != http.StatusSeeOther {
		t.Fatalf("birth date: %d", r.status)
	}
	page := patient.get(link + "/consent")
	version := regexp.MustCompile(`name="version" value="([0-9a-f]+)"`).FindStringSubmatch(page.body)
	if page.status != http.StatusOK || version == nil || !strings.Contains(page.body, "Blood patch") {
		t.Fatalf("consent page: %d", page.status)
	}
	r := patient.post(link+"/consent", url.Values{"signer_name": {"Zoé Lefèvre"}, "signature": {signaturePNG(t, false)}, "version": {version[1]}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="consent-done"`) {
		t.Fatalf("signing: %d\n%s", r.status, errorsOf(r.body))
	}
	staff := h.signedIn(auth.Secretary)
	if appt := staff.get("/staff/appointments/" + h.appointmentID()); !strings.Contains(appt.body, `<code class="hash">`) {
		t.Error("the consent signed through the link is not on the appointment")
	}
	consents, _ := h.store.ConsentsFor(system, mustID(h.appointmentID()))
	if len(consents) != 1 || !strings.HasPrefix(consents[0].RecordedBy, "patient-link:") {
		t.Errorf("consents %+v", consents)
	}
}

func mustID(s string) int64 {
	n, _ := parseID(s)
	return n
}

// TestConvocationHoldLine: the convocation says the last dose once, with its
// time when the hold counts hours, and when to restart.
func TestConvocationHoldLine(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	c := h.signedIn(auth.Secretary)
	ref := h.referralID("DUPRÉ") // facet infiltration at L4-L5 and L5-S1: low bleeding risk
	form := safeAnswers(t, h.cat, "facet_joint_infiltration")
	form.Set("q.takes_medicines", "yes")
	form.Set("t.0.drug", "apixaban")
	form.Set("version", "0")
	if r := c.post("/staff/referrals/"+ref+"/screening", form); r.status != http.StatusSeeOther {
		t.Fatalf("questionnaire: %d", r.status)
	}
	page := c.get("/staff/referrals/" + ref)
	m := regexp.MustCompile(`href="(/staff/referrals/\d+\?[^"#]+)#book-h"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no slot")
	}
	link := html.UnescapeString(m[1])
	q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
	if r := c.post("/staff/referrals/"+ref+"/book", q); r.status != http.StatusSeeOther {
		t.Fatalf("book: %d\n%s", r.status, errorsOf(r.body))
	}
	list, _ := h.store.ListAppointments(system, storeFilterReferral(ref))
	conv := c.get("/staff/appointments/" + itoa(list[len(list)-1].ID))
	line := regexp.MustCompile(`Apixaban : dernière prise le [^<]*`).FindString(conv.body)
	if !strings.Contains(line, ", avant ") || !strings.Contains(line, "Reprise : à partir du ") || strings.Count(line, "Apixaban") != 1 {
		t.Errorf("hold line on the convocation: %q", line)
	}
}
