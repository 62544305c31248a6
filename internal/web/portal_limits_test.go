package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/mail"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

const practicePhone = "01 23 45 67 89"

// nullMailer accepts the outbox's emails; the tests read the codes from the
// database, not from a mailbox.
type nullMailer struct{}

func (nullMailer) Send(context.Context, mail.Outgoing) error { return nil }
func (nullMailer) Permanent(error) bool                      { return false }

// limitsHarness is a harness with email on (so codes are issued) and the
// practice's phone, which a locked page gives.
func limitsEngines(t *testing.T, fn func(t *testing.T, h *harness)) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		fn(t, newHarnessWith(t, st, func(c *setup) {
			c.app.Mailer = nullMailer{}
			c.web.PracticePhone = practicePhone
			c.app.PracticePhone = practicePhone
		}))
	})
}

func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	if h.store.Engine() == store.Postgres {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	var n int
	if err := h.store.DB().QueryRow(query, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// portalCodeFor stores a known code for a patient, as the code email would.
func (h *harness) portalCodeFor(patientID int64, email, code string) {
	h.t.Helper()
	if err := h.store.CreatePortalCode(system, patientID, sha256Hex(email+"|"+code), storetest.Now().Add(10*time.Minute)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) newPatientWithEmail(name, born, email string) int64 {
	h.t.Helper()
	id, err := h.store.CreatePatient(system, patient.Patient{BirthName: name, FirstNames: "Test", BirthDate: born, Sex: "F", Email: email})
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// locked tells whether a page is the lock page: it says until when and whom to call.
func locked(r response) bool {
	return r.status == http.StatusTooManyRequests && strings.Contains(r.body, practicePhone) && strings.Contains(r.body, `id="locked"`)
}

// TestPortalCodeRequestsLimited: asking codes again and again sends at most
// portalCodesPerEmail codes to one address an hour, and one client address
// gets at most portalCodesPerAddr answers that send a code.
func TestPortalCodeRequestsLimited(t *testing.T) {
	limitsEngines(t, func(t *testing.T, h *harness) {
		c := h.client()
		sent, refused := 0, 0
		for range 20 {
			r := c.post("/portal/code", url.Values{"email": {"zoe.lefevre@example.org"}})
			switch {
			case r.status == http.StatusOK && strings.Contains(r.body, `id="portal-sent"`):
				sent++
			case locked(r):
				refused++
			default:
				t.Fatalf("code request: %d\n%s", r.status, errorsOf(r.body))
			}
		}
		if n := h.count(`SELECT COUNT(*) FROM portal_codes`); sent != 3 || n != 3 || refused != 17 {
			t.Errorf("20 requests for one address: %d answered, %d codes issued, %d refused; want 3, 3, 17", sent, n, refused)
		}
		// Unknown addresses count the same: the answer never tells which are known.
		for i := range 25 {
			r := c.post("/portal/code", url.Values{"email": {fmt.Sprintf("inconnu%d@example.org", i)}})
			if r.status == http.StatusOK {
				sent++
			} else if !locked(r) {
				t.Fatalf("code request: %d", r.status)
			}
		}
		if sent != 20 {
			t.Errorf("one client address had %d code requests answered, want 20", sent)
		}
	})
}

// TestPortalWrongAnswersCounted: wrong birth dates count like wrong codes,
// a new code brings no fresh guesses, and the locked portal says whom to
// call; from one address, wrong answers on many emails are limited too.
func TestPortalWrongAnswersCounted(t *testing.T) {
	limitsEngines(t, func(t *testing.T, h *harness) {
		const email = "zoe.lefevre@example.org"
		other := h.newPatientWithEmail("Autre", "1980-01-01", "autre@example.org") // another patient, to check isolation
		ps, _ := h.store.PatientsByEmail(system, email)
		zoeID := ps[0].ID
		h.portalCodeFor(zoeID, email, "123456")
		c := h.client()
		for i := range 3 {
			r := c.post("/portal/verify", url.Values{"email": {email}, "code": {"123456"}, "birth_date": {fmt.Sprintf("1991-04-%02d", 13+i)}})
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong birth date %d: %d", i, r.status)
			}
		}
		h.portalCodeFor(zoeID, email, "654321") // a new code: no fresh guesses
		for i := range 2 {
			if r := c.post("/portal/verify", url.Values{"email": {email}, "code": {fmt.Sprintf("00000%d", i)}, "birth_date": {"1991-04-12"}}); r.status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong code %d: %d", i, r.status)
			}
		}
		r := c.post("/portal/verify", url.Values{"email": {email}, "code": {"654321"}, "birth_date": {"1991-04-12"}})
		if !locked(r) {
			t.Fatalf("the right code after 5 wrong answers: %d, want the lock page\n%s", r.status, errorsOf(r.body))
		}
		if !strings.Contains(r.body, `value="1991-04-12"`) {
			t.Error("the lock page lost the birth date typed")
		}
		if r := c.post("/portal/code", url.Values{"email": {email}}); r.status != http.StatusOK {
			t.Errorf("asking a code while locked: %d", r.status)
		}
		// English speakers read it in English.
		if r := c.do("POST", "/portal/verify?lang=en", url.Values{"csrf_token": {c.csrf()}, "email": {email}, "code": {"654321"}, "birth_date": {"1991-04-12"}}, nil); !locked(r) || !strings.Contains(r.body, "call") {
			t.Errorf("English lock page: %d\n%s", r.status, errorsOf(r.body))
		}
		// The other patient is not locked by Zoé's lock.
		h.portalCodeFor(other, "autre@example.org", "111111")
		if r := h.client().post("/portal/verify", url.Values{"email": {"autre@example.org"}, "code": {"111111"}, "birth_date": {"1980-01-01"}}); r.status != http.StatusSeeOther {
			t.Fatalf("another patient's sign-in: %d\n%s", r.status, errorsOf(r.body))
		}
		// One client address guessing on many emails is stopped too.
		guesser := h.client()
		wrong := 0
		for i := range 25 {
			r := guesser.post("/portal/verify", url.Values{"email": {fmt.Sprintf("x%d@example.org", i)}, "code": {"000000"}, "birth_date": {"1990-01-01"}})
			if r.status == http.StatusUnprocessableEntity {
				wrong++
			} else if !locked(r) {
				t.Fatalf("guess %d: %d", i, r.status)
			}
		}
		if wrong != 15 { // Zoé's five wrong answers came from the same address
			t.Errorf("%d more wrong answers checked from one address, want 15 (20 in all)", wrong)
		}
	})
}

// TestQuestionnaireLinkRace: fifteen simultaneous wrong birth dates on a
// patient link check at most five; the link then says whom to call. From one
// client address, wrong birth dates on many links are limited too.
func TestQuestionnaireLinkRace(t *testing.T) {
	limitsEngines(t, func(t *testing.T, h *harness) {
		token := h.questionnaireToken()
		c := h.client()
		csrf := c.csrf()
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := range 15 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := c.do("POST", "/q/"+token, url.Values{"csrf_token": {csrf}, "birth_date": {fmt.Sprintf("1990-01-%02d", i+1)}}, nil)
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if checked := statuses[http.StatusUnprocessableEntity]; checked > 5 || statuses[http.StatusUnprocessableEntity]+statuses[http.StatusTooManyRequests] != 15 {
			t.Errorf("15 parallel wrong birth dates: %v, want at most 5 checked (422) and the rest locked (429)", statuses)
		}
		if n := h.count(`SELECT failures FROM screening_links WHERE token_hash = ?`, sha256Hex(token)); n != 5 {
			t.Errorf("failures counted: %d, want 5", n)
		}
		if r := c.post("/q/"+token, url.Values{"birth_date": {"1991-04-12"}}); !locked(r) {
			t.Errorf("the right date on a locked link: %d, want the lock page", r.status)
		}
		if r := c.get("/q/" + token); !locked(r) {
			t.Errorf("a locked link: %d, want the lock page", r.status)
		}

		// Four more links, from the same address: 20 wrong dates an hour in all.
		refs, _ := h.store.ListReferrals(system, store.ReferralFilter{})
		wrong, links := 5, 0
		for i, ref := range refs {
			tok := fmt.Sprintf("other-link-%d", i)
			if ref.Status == referral.Cancelled || links == 4 {
				continue
			}
			links++
			if _, err := h.store.CreateScreeningLink(system, ref.ID, sha256Hex(tok), storetest.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			for range 5 {
				r := c.post("/q/"+tok, url.Values{"birth_date": {"1900-01-01"}})
				if r.status == http.StatusUnprocessableEntity {
					wrong++
				} else if !locked(r) {
					t.Fatalf("link %d: %d", i, r.status)
				}
			}
		}
		if wrong != 20 {
			t.Errorf("%d wrong birth dates checked from one address, want 20 (the limit)", wrong)
		}
	})
}

// sessionCookie is the client's session cookie for the test server.
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.h.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "repere_session" {
			return ck.Value
		}
	}
	return ""
}

func formToken(r response) string {
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		return m[1]
	}
	return ""
}

// TestPatientSignInRenewsTokens: signing in to the portal, or opening a
// questionnaire link with the birth date, gives a new session token and a
// new form token; the form token known before is refused after.
func TestPatientSignInRenewsTokens(t *testing.T) {
	limitsEngines(t, func(t *testing.T, h *harness) {
		const email = "zoe.lefevre@example.org"
		ps, _ := h.store.PatientsByEmail(system, email)
		h.portalCodeFor(ps[0].ID, email, "123456")
		c := h.client()
		before := formToken(c.get("/portal/"))
		cookieBefore := c.sessionCookie()
		if before == "" || cookieBefore == "" {
			t.Fatal("no form token or session before signing in")
		}
		if r := c.do("POST", "/portal/verify", url.Values{"csrf_token": {before}, "email": {email}, "code": {"123456"}, "birth_date": {"1991-04-12"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("portal sign-in: %d\n%s", r.status, errorsOf(r.body))
		}
		after := formToken(c.get("/portal/"))
		if after == "" || after == before || c.sessionCookie() == cookieBefore {
			t.Errorf("portal form token %q → %q, session renewed: %v", before, after, c.sessionCookie() != cookieBefore)
		}
		if r := c.do("POST", "/portal/logout", url.Values{"csrf_token": {before}}, nil); r.status != http.StatusForbidden {
			t.Errorf("the form token from before the sign-in: %d, want 403", r.status)
		}

		token := h.questionnaireToken()
		q := h.client()
		before = formToken(q.get("/q/" + token))
		cookieBefore = q.sessionCookie()
		if r := q.do("POST", "/q/"+token, url.Values{"csrf_token": {before}, "birth_date": {"1991-04-12"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("link birth date: %d", r.status)
		}
		after = formToken(q.get("/q/" + token))
		if after == "" || after == before || q.sessionCookie() == cookieBefore {
			t.Errorf("link form token %q → %q, session renewed: %v", before, after, q.sessionCookie() != cookieBefore)
		}
	})
}
