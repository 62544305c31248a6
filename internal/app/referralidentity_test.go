package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
	"repere/internal/storetest"
)

var (
	paris, _  = time.LoadLocation("Europe/Paris")
	system    = audit.WithActor(context.Background(), audit.System("test"))
	secretary = audit.WithActor(context.Background(), audit.Actor{Login: "demo.secretary", Role: string(auth.Secretary)})
)

// identityFixture is the demo practice with its application layer and the
// demo's referring physician (dr.dubois), who sends requests.
type identityFixture struct {
	t        *testing.T
	st       *store.Store
	app      *app.App
	referrer int64
	as       context.Context // dr.dubois's actor
}

func newIdentityFixture(t *testing.T, st *store.Store) *identityFixture {
	t.Helper()
	a, _ := demoApp(t, st, nil)
	u, err := st.UserByLogin(context.Background(), "dr.dubois")
	if err != nil {
		t.Fatal(err)
	}
	return &identityFixture{t: t, st: st, app: a, referrer: u.ID,
		as: audit.WithActor(context.Background(), audit.Actor{UserID: u.ID, Login: "dr.dubois", Role: string(auth.Referrer)})}
}

// send has dr.dubois send a request for the patient p.
func (f *identityFixture) send(p patient.Patient) referral.Referral {
	f.t.Helper()
	id, err := f.app.SendReferrerRequest(f.as, f.referrer, app.ReferrerRequest{Patient: p,
		Referral: referral.Referral{ActID: "facet_joint_infiltration", Urgency: referral.Routine}, FileName: "ordo.pdf", File: []byte("%PDF-1.4 prescription")})
	if err != nil {
		f.t.Fatal(err)
	}
	ref, err := f.st.Referral(system, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return ref
}

// demoPatient is the demo's record of a patient by birth name.
func (f *identityFixture) demoPatient(name string) patient.Patient {
	f.t.Helper()
	list, err := f.st.SearchPatients(system, name, 5)
	if err != nil || len(list) == 0 {
		f.t.Fatalf("no demo patient %s: %v", name, err)
	}
	return list[0]
}

// calledPatient is a confirmation's basis: the patient was called.
var calledPatient = referral.IdentityConfirmation{Check: referral.CheckedPatientCalled}

func refusedWith(t *testing.T, what string, err error, key string) {
	t.Helper()
	if r, ok := app.AsRefusal(err); !ok || !r.Has(key) {
		t.Errorf("%s: %v, want a refusal %s", what, err, key)
	}
}

// TestReferrerRequestIdentityMatching: a record is proposed when the birth
// or used name, first names, birth date and sex agree, and the referral is
// then marked to confirm; a namesake of another sex, or two records, give
// a new record, marked too, with the candidates listed; an unknown patient
// gets a new record with nothing to confirm. The identity as typed is kept.
func TestReferrerRequestIdentityMatching(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newIdentityFixture(t, st)
		pasquier := f.demoPatient("Pasquier")
		typed := patient.Patient{BirthName: "PASQUIER", FirstNames: "jerome", BirthDate: "1976-07-21", Sex: "M", Phone: "06 11 22 33 44"}

		ref := f.send(typed)
		if ref.PatientID != pasquier.ID || !ref.IdentityToConfirm || ref.SentIdentity != typed {
			t.Fatalf("one candidate: filed on %d (want %d), to confirm %v, sent %+v", ref.PatientID, pasquier.ID, ref.IdentityToConfirm, ref.SentIdentity)
		}
		id, err := f.app.IdentityOf(secretary, ref)
		if err != nil || id.Filed.ID != pasquier.ID || len(id.Candidates) != 0 || id.Sent != typed {
			t.Fatalf("identity of the referral: %+v, %v", id, err)
		}

		woman := typed
		woman.Sex = "F"
		ref = f.send(woman)
		if ref.PatientID == pasquier.ID || !ref.IdentityToConfirm {
			t.Fatalf("another sex: filed on %d, to confirm %v", ref.PatientID, ref.IdentityToConfirm)
		}
		id, _ = f.app.IdentityOf(secretary, ref)
		if len(id.Candidates) != 1 || id.Candidates[0].ID != pasquier.ID || id.Candidates[0].SameSex {
			t.Errorf("another sex: candidates %+v", id.Candidates)
		}

		// A second record of the same man: two candidates, a new record.
		if _, err := st.CreatePatient(system, patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "M"}); err != nil {
			t.Fatal(err)
		}
		ref = f.send(typed)
		id, _ = f.app.IdentityOf(secretary, ref)
		if ref.PatientID == pasquier.ID || !ref.IdentityToConfirm || len(id.Candidates) < 2 {
			t.Errorf("two candidates: filed on %d, to confirm %v, candidates %d", ref.PatientID, ref.IdentityToConfirm, len(id.Candidates))
		}

		unknown := patient.Patient{BirthName: "Inconnu", FirstNames: "Paul", BirthDate: "1950-03-04", Sex: "M"}
		ref = f.send(unknown)
		if ref.IdentityToConfirm || ref.PatientID == 0 {
			t.Errorf("an unknown patient: to confirm %v on %d", ref.IdentityToConfirm, ref.PatientID)
		}
		p, _ := st.Patient(system, ref.PatientID)
		if p.BirthName != "Inconnu" || p.Sex != "M" {
			t.Errorf("the new record %+v", p)
		}
	})
}

// TestReferrerRequestChecksAsIntake: the request is checked by
// ReceiveIntake's checks (nothing recorded when refused) and the form's
// per-field problems come from the same checks.
func TestReferrerRequestChecksAsIntake(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newIdentityFixture(t, st)
		bad := app.ReferrerRequest{Patient: patient.Patient{BirthName: "Sans", FirstNames: "Sexe", BirthDate: "2999-01-01"},
			Referral: referral.Referral{ActID: "no_such_act", Urgency: referral.Routine}, FileName: "o.pdf", File: []byte("%PDF-1.4 x")}
		problems := f.app.ReferrerRequestProblems(bad)
		for _, field := range []string{"sex", "birth_date", "act"} {
			if problems[field] == "" {
				t.Errorf("no problem for %s: %v", field, problems)
			}
		}
		_, err := f.app.SendReferrerRequest(f.as, f.referrer, bad)
		for _, key := range []string{"patient.err.sex", "patient.err.birth_date", "referral.err.act"} {
			refusedWith(t, "a bad request", err, key)
		}
		if list, _ := st.SearchPatients(system, "Sans", 5); len(list) != 0 {
			t.Error("a refused request left a record")
		}
		bad.File = nil
		_, err = f.app.SendReferrerRequest(f.as, f.referrer, bad)
		refusedWith(t, "no file", err, "referrer.err.file_missing")
	})
}

// TestIdentityToConfirmGuards: until a person confirms, the referral is
// not booked and no questionnaire link is made or sent; a confirmation
// lifts both, is audited and is refused a second time; only the roles
// that manage referrals decide.
func TestIdentityToConfirmGuards(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newIdentityFixture(t, st)
		ref := f.send(patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "M"})

		if r := f.app.NotBookable(ref, nil); r == nil || !r.Has("book.err.identity_to_confirm") {
			t.Errorf("NotBookable = %v", r)
		}
		_, err := f.app.Book(secretary, app.BookRequest{ReferralID: ref.ID, Start: storetest.Now().Add(72 * time.Hour)})
		refusedWith(t, "Book", err, "book.err.identity_to_confirm")
		_, err = f.app.NewQuestionnaireLink(secretary, ref.ID)
		refusedWith(t, "NewQuestionnaireLink", err, "send.err.identity_to_confirm")
		for _, channel := range []string{"email", "sms", "letter"} {
			_, err = f.app.SendQuestionnaireLink(secretary, ref.ID, channel, "fr", "https://repere.example")
			refusedWith(t, "SendQuestionnaireLink by "+channel, err, "send.err.identity_to_confirm")
		}

		for _, role := range []auth.Role{auth.Referrer, auth.Radiographer, auth.Admin} {
			ctx := audit.WithActor(context.Background(), audit.Actor{Login: "x", Role: string(role)})
			refusedWith(t, string(role)+" confirms", f.app.ConfirmReferralIdentity(ctx, ref.ID, calledPatient), "identity.err.decider_role")
		}
		if err := f.app.ConfirmReferralIdentity(secretary, ref.ID, calledPatient); err != nil {
			t.Fatal(err)
		}
		ref, _ = st.Referral(system, ref.ID)
		if ref.IdentityToConfirm || f.app.NotBookable(ref, nil) != nil {
			t.Errorf("after the confirmation: to confirm %v, bookable %v", ref.IdentityToConfirm, f.app.NotBookable(ref, nil))
		}
		if _, err := f.app.NewQuestionnaireLink(secretary, ref.ID); err != nil {
			t.Errorf("the link after the confirmation: %v", err)
		}
		refusedWith(t, "a second confirmation", f.app.ConfirmReferralIdentity(secretary, ref.ID, calledPatient), "identity.err.nothing_to_confirm")
		entries, _ := st.SearchAudit(system, audit.Filter{Action: "identity_confirm", Limit: 10})
		if len(entries) != 1 || entries[0].ActorLogin != "demo.secretary" || entries[0].PatientID != ref.PatientID {
			t.Errorf("audit of the confirmation: %+v", entries)
		}
	})
}

// TestRefileReferral: a re-filing needs a reason and a record; it moves
// the referral to a candidate or to a new record made from the identity as
// sent, clears the mark, closes the questionnaire links given to the other
// patient and is audited on both records; it is refused while the
// referral has a booked appointment.
func TestRefileReferral(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newIdentityFixture(t, st)
		pasquier := f.demoPatient("Pasquier")
		sent := patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "M", Email: "jp@example.org"}
		ref := f.send(sent)

		_, err := f.app.RefileReferral(secretary, ref.ID, app.Refiling{NewRecord: true})
		refusedWith(t, "no reason", err, "identity.err.refile_reason")
		_, err = f.app.RefileReferral(secretary, ref.ID, app.Refiling{Reason: "homonyme"})
		refusedWith(t, "no record", err, "identity.err.refile_target")
		_, err = f.app.RefileReferral(secretary, ref.ID, app.Refiling{PatientID: pasquier.ID, Reason: "homonyme"})
		refusedWith(t, "the same record", err, "identity.err.refile_same")
		_, err = f.app.RefileReferral(audit.WithActor(context.Background(), audit.Actor{Login: "x", Role: string(auth.Radiographer)}), ref.ID,
			app.Refiling{NewRecord: true, Reason: "homonyme"})
		refusedWith(t, "a radiographer", err, "identity.err.decider_role")

		newID, err := f.app.RefileReferral(secretary, ref.ID, app.Refiling{NewRecord: true, Reason: "Homonyme : autre adresse, appel du patient"})
		if err != nil {
			t.Fatal(err)
		}
		moved, _ := st.Referral(system, ref.ID)
		made, _ := st.Patient(system, newID)
		if moved.PatientID != newID || newID == pasquier.ID || moved.IdentityToConfirm || made.Email != "jp@example.org" || made.BirthName != "Pasquier" {
			t.Fatalf("re-filed on a new record: referral %+v, record %+v", moved, made)
		}
		for _, p := range []int64{pasquier.ID, newID} {
			entries, _ := st.SearchAudit(system, audit.Filter{Action: "refile", PatientID: p, Limit: 10})
			if len(entries) != 1 || entries[0].Detail == "" {
				t.Errorf("audit of the re-filing on patient %d: %+v", p, entries)
			}
		}

		// Back on the demo's record, a candidate: the link made meanwhile closes.
		token, err := f.app.NewQuestionnaireLink(secretary, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.RefileReferral(secretary, ref.ID, app.Refiling{PatientID: pasquier.ID, Reason: "erreur"}); err != nil {
			t.Fatal(err)
		}
		if link, err := st.ScreeningLinkByHash(system, app.TokenHash(token)); err == nil && link.ExpiresAt.After(storetest.Now()) {
			t.Errorf("the link given to the other record's patient still opens: %+v", link)
		}

		// A booked referral (the demo's PASQUIER) is not moved.
		booked, err := st.ListReferrals(system, store.ReferralFilter{PatientID: pasquier.ID, Status: referral.Booked})
		if err != nil || len(booked) == 0 {
			t.Fatalf("no booked demo referral: %v", err)
		}
		_, err = f.app.RefileReferral(secretary, booked[0].ID, app.Refiling{PatientID: newID, Reason: "test"})
		refusedWith(t, "a booked referral", err, "identity.err.refile_booked")
	})
}

// TestRefileOntoANewRecordTwice: a request already filed on the record made
// from its own identity (at its intake, or by a re-filing onto a new
// record) is not re-filed onto yet another new record while that record
// holds nothing else: that record would be a duplicate. An existing record
// stays a choice, and a record made from the request that holds another
// referral may be left for a record of its own.
func TestRefileOntoANewRecordTwice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newIdentityFixture(t, st)
		records := func(name string) int {
			list, err := st.SearchPatients(system, name, 20)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		// An unknown patient: a record made by the intake, nothing to confirm.
		unknown := f.send(patient.Patient{BirthName: "Inconnu", FirstNames: "Paul", BirthDate: "1950-03-04", Sex: "M"})
		_, err := f.app.RefileReferral(secretary, unknown.ID, app.Refiling{NewRecord: true, Reason: "doublon ?"})
		refusedWith(t, "the intake's own record", err, "identity.err.refile_new_duplicate")
		if n := records("Inconnu"); n != 1 {
			t.Errorf("%d records of the unknown patient after a refused re-filing", n)
		}

		// A namesake of another sex: a new record, to confirm; the same.
		woman := f.send(patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "F"})
		_, err = f.app.RefileReferral(secretary, woman.ID, app.Refiling{NewRecord: true, Reason: "homonyme"})
		refusedWith(t, "a namesake's new record", err, "identity.err.refile_new_duplicate")

		// Filed on the demo's record, then onto a new record: once, not twice.
		pasquier := f.demoPatient("Pasquier")
		ref := f.send(patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "M"})
		if ref.PatientID != pasquier.ID {
			t.Fatalf("filed on %d, want the demo's %d", ref.PatientID, pasquier.ID)
		}
		if _, err := f.app.RefileReferral(secretary, ref.ID, app.Refiling{NewRecord: true, Reason: "homonyme"}); err != nil {
			t.Fatalf("a new record from the demo's: %v", err)
		}
		_, err = f.app.RefileReferral(secretary, ref.ID, app.Refiling{NewRecord: true, Reason: "encore"})
		refusedWith(t, "a second new record", err, "identity.err.refile_new_duplicate")
		if _, err := f.app.RefileReferral(secretary, ref.ID, app.Refiling{PatientID: pasquier.ID, Reason: "erreur"}); err != nil {
			t.Errorf("back on an existing record: %v", err)
		}

		// The unknown patient's record gets a second request: it is someone's
		// record now, and the first request may leave it for a new one.
		again := f.send(patient.Patient{BirthName: "Inconnu", FirstNames: "Paul", BirthDate: "1950-03-04", Sex: "M"})
		if again.PatientID != unknown.PatientID {
			t.Fatalf("the second request filed on %d, want %d", again.PatientID, unknown.PatientID)
		}
		if _, err := f.app.RefileReferral(secretary, unknown.ID, app.Refiling{NewRecord: true, Reason: "deux personnes"}); err != nil {
			t.Errorf("a record holding another request: %v", err)
		}
	})
}

// TestConfirmationNeedsACheck: a confirmation says how the identity was
// checked, with a comment when "other" (at most MaxIdentityComment
// characters); refused otherwise, each reason naming its field, and
// nothing is written. The check and the comment go to the referral's
// history and the audit detail.
func TestConfirmationNeedsACheck(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		f := newIdentityFixture(t, st)
		ref := f.send(patient.Patient{BirthName: "Pasquier", FirstNames: "Jérôme", BirthDate: "1976-07-21", Sex: "M"})
		for _, c := range []struct {
			name       string
			how        referral.IdentityConfirmation
			key, field string
		}{
			{"no check", referral.IdentityConfirmation{}, "identity.err.confirm_check", "identity_check"},
			{"an unknown check", referral.IdentityConfirmation{Check: "guessed", Comment: "sûr"}, "identity.err.confirm_check", "identity_check"},
			{"other without a comment", referral.IdentityConfirmation{Check: referral.CheckedOther, Comment: " "}, "identity.err.confirm_comment", "identity_comment"},
			{"a comment too long", referral.IdentityConfirmation{Check: referral.CheckedOther, Comment: strings.Repeat("x", referral.MaxIdentityComment+1)},
				referral.ErrTooLong, "identity_comment"},
		} {
			err := f.app.ConfirmReferralIdentity(secretary, ref.ID, c.how)
			r, ok := app.AsRefusal(err)
			if !ok || !r.Invalid || len(r.Reasons) != 1 || r.Reasons[0].Key != c.key || r.Reasons[0].Field != c.field {
				t.Errorf("%s: %v, want an invalid input %s on %s", c.name, err, c.key, c.field)
			}
		}
		if got, _ := st.Referral(system, ref.ID); !got.IdentityToConfirm {
			t.Fatal("a refused confirmation cleared the mark")
		}
		if events, _ := st.ReferralHistory(system, ref.ID); len(events) != 0 {
			t.Errorf("a refused confirmation is in the history: %+v", events)
		}
		if entries, _ := st.SearchAudit(system, audit.Filter{Action: "identity_confirm", Limit: 10}); len(entries) != 0 {
			t.Errorf("a refused confirmation is audited: %+v", entries)
		}

		how := referral.IdentityConfirmation{Check: referral.CheckedOther, Comment: "  Vue en consultation le 2 décembre  "}
		if err := f.app.ConfirmReferralIdentity(secretary, ref.ID, how); err != nil {
			t.Fatal(err)
		}
		events, _ := st.ReferralHistory(system, ref.ID)
		if len(events) != 1 || events[0].Kind != "identity_confirmed" || events[0].Check != referral.CheckedOther || events[0].Reason != "Vue en consultation le 2 décembre" {
			t.Errorf("the history: %+v", events)
		}
		entries, _ := st.SearchAudit(system, audit.Filter{Action: "identity_confirm", Limit: 10})
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, "check=other comment=Vue en consultation le 2 décembre") {
			t.Errorf("the audit of the confirmation: %+v", entries)
		}
	})
}
