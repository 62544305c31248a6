package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/demo"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

// TestTwoInstancesOnePostgres runs two `repere serve` on one PostgreSQL
// database: a session opened on one is valid on the other, and bookings of
// one slot sent to both at once give exactly one appointment.
func TestTwoInstancesOnePostgres(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	baseA, stdoutA, stopA := startServe(t, "--db", dsn, "--demo")
	defer stopA()
	baseB, _, stopB := startServe(t, "--db", dsn)
	defer stopB()

	ctx := audit.WithActor(context.Background(), audit.System("test"))
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hash, _ := auth.HashPassword("Mot-de-passe-de-test-1")
	if _, err := st.CreateUser(ctx, auth.User{Login: "t.sec", DisplayName: "Secrétaire", Role: auth.Secretary, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	pid, err := st.CreatePatient(ctx, patient.Patient{BirthName: "Double", FirstNames: "Réservation", BirthDate: "1970-05-05", Sex: "M"})
	if err != nil {
		t.Fatal(err)
	}
	const contenders = 16
	refs := make([]int64, contenders)
	for i := range refs {
		if refs[i], err = st.CreateReferral(ctx, referral.Referral{PatientID: pid, ActID: "facet_joint_infiltration"}); err != nil {
			t.Fatal(err)
		}
	}
	rooms, _ := st.Rooms(ctx)
	doctors, _ := st.Radiologists(ctx)
	ids := map[string]int64{}
	for _, r := range rooms {
		ids[r.Name] = r.ID
	}
	for _, d := range doctors {
		ids[d.Login] = d.ID
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := func(base string) string {
		resp, err := c.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusSeeOther {
			resp, _ = c.Get(base + "/staff")
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("no form token from %s", base)
		}
		return string(m[1])
	}
	resp, err := c.PostForm(baseA+"/login", url.Values{"login": {"t.sec"}, "password": {"Mot-de-passe-de-test-1"}, "csrf_token": {token(baseA)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in on A: %d", resp.StatusCode)
	}
	// The session made on A opens pages on B (the cookie names the same host).
	resp, err = c.Get(baseB + "/staff")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the session of A is not valid on B: %d", resp.StatusCode)
	}

	// A Monday after the demo's days (its first day and the workday after).
	paris, _ := time.LoadLocation("Europe/Paris")
	day := demo.NextWorkday(demoDay(t, stdoutA), paris).AddDate(0, 0, 1)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	form := token(baseB)
	results := make(chan int, contenders)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := baseA
			if i%2 == 1 {
				base = baseB
			}
			v := url.Values{"csrf_token": {form}, "date": {day.Format(time.DateOnly)}, "time": {"08:00"},
				"room_id": {strconv.FormatInt(ids["Scanner 1 — interventionnel"], 10)}, "radiologist_id": {strconv.FormatInt(ids["dr.martin"], 10)},
				"place_id": {strconv.FormatInt(ids["Fauteuil de repos 1"], 10)}}
			resp, err := c.PostForm(base+"/staff/referrals/"+strconv.FormatInt(ref, 10)+"/book", v)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(results)
	counts := map[int]int{}
	for code := range results {
		counts[code]++
	}
	if counts[http.StatusSeeOther] != 1 || counts[http.StatusConflict] != contenders-1 {
		t.Fatalf("%d bookings of one slot over two instances: %v, want one 303 and the rest 409", contenders, counts)
	}
}
