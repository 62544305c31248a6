package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/dimse"
	"repere/internal/i18n"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
	"repere/internal/worklist"
)

var system = audit.WithActor(context.Background(), audit.System("bench"))

// radiologist signs the seeded questionnaires.
var radiologist = audit.WithActor(context.Background(), audit.Actor{Role: string(auth.Radiologist), Login: "bench.radiologist"})

// firstDay is the day of the first booked act; a room takes 20 acts a day.
var firstDay = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

var families = []string{"LEFÈVRE", "DUPRÉ", "ŒUVRARD", "MARTIN", "NOËL", "FRANÇOIS", "BÉRANGER", "GIRAUD"}
var givens = []string{"Zoé", "Françoise", "Gaëtan", "Éloïse", "Jérôme", "Anaïs", "Hélène", "Noé"}

// seed migrates dsn and books, for each size, that many acts in a CT room
// of its own whose station AE title is station(size). As on a practice's
// day, most questionnaires are answered and signed (four acts in five), so
// each answer carries the screening's alerts and the patient's weight.
func seed(ctx context.Context, dsn string, sizes []int) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	a, err := newApp(st)
	if err != nil {
		return err
	}
	site, err := st.CreateSite(system, practice.Site{Name: "Bench"})
	if err != nil {
		return err
	}
	patients := make([]int64, 200)
	for i := range patients {
		if patients[i], err = st.CreatePatient(system, patient.Patient{BirthName: families[i%len(families)], FirstNames: givens[(i/len(families))%len(givens)],
			BirthDate: fmt.Sprintf("%d-%02d-%02d", 1940+i%60, 1+i%12, 1+i%28), Sex: []string{"F", "M"}[i%2]}); err != nil {
			return err
		}
	}
	for _, size := range sizes {
		doctor, err := st.CreateUser(system, auth.User{Login: "bench.dr" + strconv.Itoa(size), DisplayName: "Dr Jérôme Durand", Role: auth.Radiologist, PasswordHash: "x"})
		if err != nil {
			return err
		}
		room, err := st.CreateRoom(system, practice.Room{SiteID: site, Name: "Scanner " + station(size), Kind: practice.CT, StationAETitle: station(size)})
		if err != nil {
			return err
		}
		for i := range size {
			ref, err := st.CreateReferral(system, referral.Referral{PatientID: patients[i%len(patients)], ActID: "facet_joint_infiltration"})
			if err != nil {
				return err
			}
			if i%5 != 4 {
				if err := answerScreening(a, ref, i); err != nil {
					return err
				}
			}
			start := firstDay.AddDate(0, 0, i/20).Add(time.Duration(i%20) * 30 * time.Minute)
			if _, err := st.Book(system, booking.Request{ReferralID: ref, RoomID: room, RadiologistID: doctor, Start: start, RoomMinutes: 30}); err != nil {
				return err
			}
		}
	}
	return nil
}

// answerScreening fills and signs the questionnaire of a referral of the
// facet joint act: nothing to report but the weight, and for one act in
// seven an "I don't know" that the radiologist reviews (a console alert).
func answerScreening(a *app.App, referralID int64, i int) error {
	act, _ := a.Catalog().Act("facet_joint_infiltration")
	answers := screening.Answers{Values: map[string]string{}}
	for _, q := range a.Screening().QuestionsFor(act) {
		switch {
		case q.ID == "weight_kg":
			answers.Values[q.ID] = strconv.Itoa(55 + i%45)
		case q.Kind == screening.KindNumber:
			answers.Values[q.ID] = "0"
		case q.YesMeans == "ability":
			answers.Values[q.ID] = screening.Yes
		case i%7 == 3 && q.ID == "allergy_latex":
			answers.Values[q.ID] = screening.Unknown
		default:
			answers.Values[q.ID] = screening.No
		}
	}
	if err := a.SaveAnswers(system, referralID, answers, 0); err != nil {
		return err
	}
	return a.SignScreening(radiologist, referralID, "", "")
}

// newApp is the application layer on st, as `repere serve` builds it.
func newApp(st *store.Store) (*app.App, error) {
	cat, err := catalog.Load("")
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	return app.New(app.Config{Store: st, Catalog: cat, I18n: bundle})
}

// serveOurs is the child process: Repère's worklist server on dsn.
func serveOurs(dsn string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	a, err := newApp(st)
	if err != nil {
		log.Fatal(err)
	}
	rooms, err := st.Rooms(system)
	if err != nil {
		log.Fatal(err)
	}
	byCalling := map[string]string{}
	for _, r := range rooms {
		if r.StationAETitle != "" {
			byCalling[r.StationAETitle] = r.StationAETitle
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr())
	h := worklist.NewHandler(worklist.Config{Source: a.Worklist(), Charset: dimse.CharsetUTF8, StationByCallingAE: byCalling, Location: a.Location()})
	srv := &dimse.Server{AETitle: calledAE, Find: h, MaxAssociations: 64, MaxAssociationsPerAddress: 64} // every client on loopback
	if err := srv.Serve(ctx, ln); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

// postgresSchema makes a fresh schema on the server at base and returns the
// URL that uses it, and how to drop it.
func postgresSchema(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "bench_wl_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"); err != nil && !strings.Contains(err.Error(), "already exists") {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() }
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// writeWorklistFiles writes, for each size, the items Repère serves for its
// station as .wl files in dir/<size>/REPERE, the layout wlmscpfs reads.
func writeWorklistFiles(ctx context.Context, dsn, dir string, sizes []int) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := newApp(st)
	if err != nil {
		return err
	}
	for _, size := range sizes {
		items, err := a.Worklist().WorklistItems(ctx, worklist.Range{StationAETitle: station(size)})
		if err != nil {
			return err
		}
		if len(items) != size {
			return fmt.Errorf("%d items for %s, want %d", len(items), station(size), size)
		}
		aeDir := dir + "/" + strconv.Itoa(size) + "/" + calledAE
		if err := os.MkdirAll(aeDir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(aeDir+"/lockfile", nil, 0o644); err != nil {
			return err
		}
		var dump strings.Builder
		for i, it := range items {
			dump.Reset()
			dumpItem(&dump, it)
			if err := dump2dcm(fmt.Sprintf("%s/item%06d", aeDir, i), dump.String()); err != nil {
				return err
			}
		}
	}
	return nil
}
