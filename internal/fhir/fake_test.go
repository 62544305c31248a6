package fhir

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/schedule"
)

var paris = mustLoc("Europe/Paris")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// now is the tests' clock: Monday 23 November 2026, 10:00 in Paris.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, paris)

// insOf builds a valid INS from a 13-digit NIR.
func insOf(nir string) string {
	var n uint64
	for _, r := range nir {
		n = n*10 + uint64(r-'0')
	}
	k := 97 - n%97
	return nir + string(rune('0'+k/10)) + string(rune('0'+k%10))
}

// fakeStore is an in-memory Source with French test data. It records the
// audit actor of each call, as the real store needs one.
type fakeStore struct {
	mu           sync.Mutex
	patients     []patient.Patient
	referrals    []referral.Referral
	appointments []booking.Appointment
	users        []auth.User
	physicians   []practice.Physician
	rooms        []practice.Room
	screenings   map[int64]Screening
	actors       []string
	fail         error
	idents       map[string]map[int64][]Identifier // identifiers senders gave, by type and id
}

func newFakeStore() *fakeStore {
	s := &fakeStore{
		patients: []patient.Patient{
			{ID: 1, BirthName: "Lefèvre", UsedName: "Durand", FirstNames: "Françoise Hélène", BirthDate: "1958-09-30", Sex: "F",
				INS: insOf("2580975123456"), Phone: "06 12 34 56 78", Email: "f.durand@example.fr", Address: "12 rue de l'Église, 69003 Lyon"},
			{ID: 2, BirthName: "N'Guessan", FirstNames: "Jérôme", BirthDate: "1971-02-14", Sex: "M"},
			{ID: 3, BirthName: "Œillet", FirstNames: "Zoé", BirthDate: "1990-06-01", Sex: "F", Phone: "+33 4 78 00 00 00"},
		},
		users: []auth.User{
			{ID: 7, Login: "cmartin", DisplayName: "Dr Céline Martin", Email: "c.martin@repere.example.fr", Role: auth.Radiologist, Active: true, PasswordHash: "secret-hash"},
		},
		physicians: []practice.Physician{
			{ID: 4, Name: "Dr Hervé Bérard", RPPS: "10003456789", Email: "h.berard@example.fr"},
			{ID: 5, Name: "Dr Amélie Poulain", RPPS: "10009999999"},
		},
		rooms: []practice.Room{
			{ID: 1, Name: "Scanner Siemens — salle 1", Kind: practice.CT, StationAETitle: "CT1", Active: true},
			{ID: 2, Name: "Fauteuil de surveillance 1", Kind: practice.RecoveryChair, Active: true},
			{ID: 3, Name: "Scanner GE — salle 2", Kind: practice.CT, Active: false},
		},
	}
	s.referrals = []referral.Referral{
		{ID: 10, PatientID: 1, PhysicianID: 4, ActID: "lumbar_epidural_infiltration", Levels: "L4-L5", Side: "left",
			Indication: "Sciatique L5 gauche rebelle", Urgency: referral.Soon, PriorImaging: "IRM lombaire du 02/11/2026",
			PrescriptionDate: "2026-11-05", Status: referral.Booked, PatientName: "DURAND Françoise Hélène (née LEFÈVRE)", PhysicianName: "Dr Hervé Bérard"},
		{ID: 11, PatientID: 2, ActID: "epidural_blood_patch", Urgency: referral.Urgent, PrescriptionDate: "2026-11-20", Status: referral.Received},
		{ID: 12, PatientID: 1, PhysicianID: 5, ActID: "facet_joint_infiltration", Levels: "L3-L4, L4-L5", Side: "bilateral",
			Urgency: referral.Routine, PrescriptionDate: "2026-06-01", Status: referral.Cancelled},
	}
	start := time.Date(2026, 12, 1, 9, 30, 0, 0, paris)
	s.appointments = []booking.Appointment{
		{ID: 20, ReferralID: 10, PatientID: 1, ActID: "lumbar_epidural_infiltration", Status: booking.Booked, RoomID: 1, RadiologistID: 7, PlaceID: 2,
			Start: start, RoomEnd: start.Add(30 * time.Minute), PlaceEnd: start.Add(90 * time.Minute), RoomMinutes: 30, MonitoringMinutes: 60,
			AccessionNumber: "RP2026120001", StudyInstanceUID: "1.2.250.1.999.1.20",
			PatientName: "DURAND Françoise Hélène (née LEFÈVRE)", RoomName: "Scanner Siemens — salle 1", PlaceName: "Fauteuil de surveillance 1", RadiologistName: "Dr Céline Martin"},
		{ID: 21, ReferralID: 12, PatientID: 1, ActID: "facet_joint_infiltration", Status: booking.Cancelled, RoomID: 1, RadiologistID: 7,
			Start: time.Date(2026, 6, 10, 14, 0, 0, 0, paris), RoomEnd: time.Date(2026, 6, 10, 14, 45, 0, 0, paris), RoomMinutes: 45,
			CancelReason: "Patiente hospitalisée ailleurs"},
	}
	s.screenings = map[int64]Screening{
		10: {ReferralID: 10, PatientID: 1, Completed: true, UpdatedAt: time.Date(2026, 11, 20, 18, 5, 0, 0, paris),
			Answers:    map[string]string{"anticoagulant": "oui", "allergy_iodine": "non", "pregnancy": "non", "fever": "non", "notes": "Allergie à la pénicilline"},
			Treatments: []string{"Kardégic 75 mg", "Lévothyrox 50 µg"}},
		11: {ReferralID: 11, PatientID: 2, UpdatedAt: time.Date(2026, 11, 21, 8, 0, 0, 0, paris), Answers: map[string]string{"fever": "non"}},
	}
	return s
}

func (s *fakeStore) enter(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := audit.ActorFrom(ctx)
	if !ok {
		return errors.New("fake store: no audit actor")
	}
	c, _ := ClientFrom(ctx)
	s.actors = append(s.actors, a.Login+"/"+c.ID)
	return s.fail
}

func pageOfList[T any](list []T, p Page) ([]T, int) {
	if p.Count < 0 || p.Offset >= len(list) {
		return nil, len(list)
	}
	return list[p.Offset:min(len(list), p.Offset+p.Count)], len(list)
}

func (s *fakeStore) Patient(ctx context.Context, id int64) (patient.Patient, error) {
	if err := s.enter(ctx); err != nil {
		return patient.Patient{}, err
	}
	for _, p := range s.patients {
		if p.ID == id {
			return p, nil
		}
	}
	return patient.Patient{}, ErrNotFound
}

func matchName(query string, names ...string) bool {
	return query == "" || wordPrefix(patient.SearchKey(strings.Join(names, " ")), patient.SearchKey(query))
}

func (s *fakeStore) SearchPatients(ctx context.Context, q PatientQuery) ([]patient.Patient, int, error) {
	if err := s.enter(ctx); err != nil {
		return nil, 0, err
	}
	var out []patient.Patient
	for _, p := range s.patients {
		if !inIDs(q.IDs, p.ID) || !s.identifies(q.Identifier, "Patient", p.ID, p.INS) ||
			!matchName(q.Name, p.BirthName, p.UsedName, p.FirstNames) || !matchName(q.Family, p.BirthName, p.UsedName) ||
			!matchName(q.Given, p.FirstNames) || q.BirthFrom != "" && p.BirthDate < q.BirthFrom || q.BirthTo != "" && p.BirthDate > q.BirthTo {
			continue
		}
		out = append(out, p)
	}
	list, total := pageOfList(out, q.Page)
	return list, total, nil
}

// inIDs: a nil list matches every id.
func inIDs(ids []int64, id int64) bool { return ids == nil || slices.Contains(ids, id) }

// identifies tells whether a record holds one of the identifiers.
func (s *fakeStore) identifies(m *IdentifierMatch, typ string, id int64, ins string) bool {
	if m == nil {
		return true
	}
	if slices.Contains(m.IDs, id) || ins != "" && slices.Contains(m.INS, ins) {
		return true
	}
	for _, x := range s.idents[typ][id] {
		for _, want := range m.External {
			if x.Value == want.Value && (want.System == "" || want.System == x.System) {
				return true
			}
		}
	}
	return false
}

// Receive records an intake whole, or nothing when an identifier is taken.
func (s *fakeStore) Receive(ctx context.Context, in Intake) (IntakeIDs, error) {
	if err := s.enter(ctx); err != nil {
		return IntakeIDs{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idents == nil {
		s.idents = map[string]map[int64][]Identifier{"Patient": {}, "ServiceRequest": {}}
	}
	var out IntakeIDs
	if in.Patient != nil {
		p := *in.Patient
		p.ID = int64(100 + len(s.patients))
		s.patients = append(s.patients, p)
		out.PatientID = p.ID
		s.idents["Patient"][p.ID] = in.PatientIdentifiers
	}
	for _, r := range in.Referrals {
		ref := r.Referral
		if r.ForNewPatient {
			ref.PatientID = out.PatientID
		}
		ref.ID = int64(100 + len(s.referrals))
		s.referrals = append(s.referrals, ref)
		s.idents["ServiceRequest"][ref.ID] = r.Identifiers
		out.ReferralIDs = append(out.ReferralIDs, ref.ID)
	}
	return out, nil
}

func (s *fakeStore) Identifiers(ctx context.Context, typ string, ids []int64) (map[int64][]Identifier, error) {
	out := map[int64][]Identifier{}
	for _, id := range ids {
		out[id] = s.idents[typ][id]
	}
	return out, s.enter(ctx)
}

// Versions: every fake record is at version 1, changed at the tests' now.
func (s *fakeStore) Versions(ctx context.Context, typ string, ids []int64) (map[int64]Version, error) {
	out := map[int64]Version{}
	for _, id := range ids {
		out[id] = Version{Number: 1, LastUpdated: now}
	}
	return out, s.enter(ctx)
}

func (s *fakeStore) PatientVersions(ctx context.Context, id int64) ([]PatientVersion, error) {
	p, err := s.Patient(ctx, id)
	return []PatientVersion{{Version{1, now}, p}}, err
}

func (s *fakeStore) ReferralVersions(ctx context.Context, id int64) ([]ReferralVersion, error) {
	r, err := s.Referral(ctx, id)
	return []ReferralVersion{{Version{1, now}, r}}, err
}

func (s *fakeStore) AppointmentVersions(ctx context.Context, id int64) ([]AppointmentVersion, error) {
	a, err := s.Appointment(ctx, id)
	return []AppointmentVersion{{Version{1, now}, true, a}}, err
}

func (s *fakeStore) ReportPDF(ctx context.Context, id int64) ([]byte, error) {
	if _, err := s.Report(ctx, id); err != nil {
		return nil, err
	}
	return []byte("%PDF-1.7 report"), nil
}

func (s *fakeStore) ConsentDocument(ctx context.Context, id int64) ([]byte, string, error) {
	if _, err := s.Consent(ctx, id); err != nil {
		return nil, "", err
	}
	return []byte("%PDF-1.7 consent"), "application/pdf", nil
}

func (s *fakeStore) Referral(ctx context.Context, id int64) (referral.Referral, error) {
	if err := s.enter(ctx); err != nil {
		return referral.Referral{}, err
	}
	for _, r := range s.referrals {
		if r.ID == id {
			return r, nil
		}
	}
	return referral.Referral{}, ErrNotFound
}

func (s *fakeStore) SearchReferrals(ctx context.Context, q ReferralQuery) ([]referral.Referral, int, error) {
	if err := s.enter(ctx); err != nil {
		return nil, 0, err
	}
	var out []referral.Referral
	for _, r := range s.referrals {
		if !inIDs(q.IDs, r.ID) || !inIDs(q.PatientIDs, r.PatientID) || !s.identifies(q.Identifier, "ServiceRequest", r.ID, "") ||
			q.Statuses != nil && !slices.Contains(q.Statuses, r.Status) ||
			q.AuthoredFrom != "" && r.PrescriptionDate < q.AuthoredFrom || q.AuthoredTo != "" && r.PrescriptionDate > q.AuthoredTo {
			continue
		}
		out = append(out, r)
	}
	list, total := pageOfList(out, q.Page)
	return list, total, nil
}

func (s *fakeStore) Appointment(ctx context.Context, id int64) (booking.Appointment, error) {
	if err := s.enter(ctx); err != nil {
		return booking.Appointment{}, err
	}
	for _, a := range s.appointments {
		if a.ID == id {
			return a, nil
		}
	}
	return booking.Appointment{}, ErrNotFound
}

func (s *fakeStore) SearchAppointments(ctx context.Context, q AppointmentQuery) ([]booking.Appointment, int, error) {
	if err := s.enter(ctx); err != nil {
		return nil, 0, err
	}
	var out []booking.Appointment
	for _, a := range s.appointments {
		if !inIDs(q.IDs, a.ID) || !inIDs(q.PatientIDs, a.PatientID) || !inIDs(q.ReferralIDs, a.ReferralID) ||
			q.AccessionNumbers != nil && !slices.Contains(q.AccessionNumbers, a.AccessionNumber) || q.Statuses != nil && !slices.Contains(q.Statuses, a.Status) ||
			!q.From.IsZero() && a.Start.Before(q.From) || !q.To.IsZero() && !a.Start.Before(q.To) {
			continue
		}
		out = append(out, a)
	}
	list, total := pageOfList(out, q.Page)
	return list, total, nil
}

func (s *fakeStore) Radiologists(ctx context.Context) ([]auth.User, error) {
	return s.users, s.enter(ctx)
}

func (s *fakeStore) Physicians(ctx context.Context) ([]practice.Physician, error) {
	return s.physicians, s.enter(ctx)
}

func (s *fakeStore) Rooms(ctx context.Context) ([]practice.Room, error) {
	return slices.Clone(s.rooms), s.enter(ctx)
}

// FreeSlots offers the act every weekday at 8:30 and 14:00 in room 1.
func (s *fakeStore) FreeSlots(ctx context.Context, actID string, from, to time.Time, count int) ([]schedule.Slot, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	var out []schedule.Slot
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, paris)
	for ; day.Before(to) && len(out) < count; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for _, hm := range [][2]int{{8, 30}, {14, 0}} {
			start := day.Add(time.Duration(hm[0])*time.Hour + time.Duration(hm[1])*time.Minute)
			if start.Before(from) || !start.Before(to) || len(out) == count {
				continue
			}
			act := schedule.Interval{Start: start, End: start.Add(30 * time.Minute)}
			out = append(out, schedule.Slot{Booking: schedule.Booking{Start: start, RoomID: 1, RadiologistID: 7}, Act: act, Room: act})
		}
	}
	return out, nil
}

func (s *fakeStore) Screening(ctx context.Context, referralID int64) (Screening, error) {
	if err := s.enter(ctx); err != nil {
		return Screening{}, err
	}
	sc, ok := s.screenings[referralID]
	if !ok {
		return Screening{}, ErrNotFound
	}
	return sc, nil
}

// Tokens of the test clients.
const (
	tokenAll      = "tok-all-3f9a"
	tokenReadOnly = "tok-read-77c1"
	tokenPatient  = "tok-patient-v2"
	tokenReferral = "tok-referral-writer"
)

var testTokens = Tokens{
	HashToken(tokenAll):      {ID: "dpi-hopital", Name: "DPI de l'hôpital", Scopes: []string{"system/*.read", "system/*.write"}},
	HashToken(tokenReadOnly): {ID: "entrepot", Name: "Entrepôt de données", Scopes: []string{"system/*.read"}},
	HashToken(tokenPatient):  {ID: "portail", Name: "Portail patient", Scopes: []string{"system/Patient.rs"}},
	HashToken(tokenReferral): {ID: "messagerie", Name: "Messagerie de ville", Scopes: []string{"system/ServiceRequest.write", "system/Patient.read"}},
}

var testCatalog = func() *catalog.Catalog {
	c, err := catalog.Load("")
	if err != nil {
		panic(err)
	}
	return c
}()

// doFunc sends a request to the handler under test; headers are name, value pairs.
type doFunc func(method, target, token, body string, headers ...string) *response

func newTestHandler(t testing.TB) (*fakeStore, doFunc) {
	t.Helper()
	store := newFakeStore()
	h := NewHandler(store, testTokens, Options{BaseURL: "https://repere.example.fr/fhir/", Catalog: testCatalog,
		Location: paris, Now: func() time.Time { return now }, Version: "test", Logger: slog.New(slog.DiscardHandler)})
	do := func(method, target, token, body string, headers ...string) *response {
		return serve(t, h, method, target, token, body, headers...)
	}
	return store, do
}

func (s *fakeStore) consentList() []ConsentRecord {
	signed := time.Date(2026, 11, 30, 17, 12, 0, 0, paris)
	return []ConsentRecord{
		{ID: 30, PatientID: 1, AppointmentID: 20, ActID: "lumbar_epidural_infiltration", Kind: "signed", Version: "3f2a", SignerName: "Françoise Durand",
			SignedAt: signed, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: "application/pdf"},
		{ID: 31, PatientID: 1, AppointmentID: 21, ActID: "facet_joint_infiltration", Kind: "scanned", SignerName: "Françoise Durand",
			SignedAt: signed.AddDate(0, -6, 0), SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", ContentType: "image/jpeg",
			WithdrawnAt: signed.AddDate(0, -5, 0)},
	}
}

func (s *fakeStore) Consent(ctx context.Context, id int64) (ConsentRecord, error) {
	if err := s.enter(ctx); err != nil {
		return ConsentRecord{}, err
	}
	for _, c := range s.consentList() {
		if c.ID == id {
			return c, nil
		}
	}
	return ConsentRecord{}, ErrNotFound
}

func (s *fakeStore) Consents(ctx context.Context, patientID int64) ([]ConsentRecord, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	var out []ConsentRecord
	for _, c := range s.consentList() {
		if c.PatientID == patientID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *fakeStore) procedureList() []ProcedureRecord {
	start := time.Date(2026, 12, 1, 9, 35, 0, 0, paris)
	dlp, ctdi := 123.5, 4.2
	return []ProcedureRecord{{AppointmentID: 20, ReferralID: 10, PatientID: 1, ActID: "lumbar_epidural_infiltration", Levels: []string{"L4-L5"}, Side: "left",
		Start: start, End: start.Add(20 * time.Minute), Complications: []string{"none"}, StudyInstanceUID: "1.2.250.1.999.1.20", DLP: &dlp, CTDIvol: &ctdi,
		Performer: "Dr Céline Martin", PerformerID: 7}}
}

func (s *fakeStore) Procedure(ctx context.Context, id int64) (ProcedureRecord, error) {
	if err := s.enter(ctx); err != nil {
		return ProcedureRecord{}, err
	}
	for _, p := range s.procedureList() {
		if p.AppointmentID == id {
			return p, nil
		}
	}
	return ProcedureRecord{}, ErrNotFound
}

func (s *fakeStore) Procedures(ctx context.Context, patientID int64) ([]ProcedureRecord, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	var out []ProcedureRecord
	for _, p := range s.procedureList() {
		if p.PatientID == patientID {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *fakeStore) reportList() []ReportRecord {
	signed := time.Date(2026, 12, 1, 10, 30, 0, 0, paris)
	body := "INDICATION\nSciatique L5 gauche.\n\nCONCLUSION\nInfiltration épidurale L4-L5 réalisée sans complication."
	return []ReportRecord{
		{ID: 40, AppointmentID: 20, ReferralID: 10, PatientID: 1, ActID: "lumbar_epidural_infiltration", Number: 1, Title: "Infiltration épidurale lombaire",
			Body: body, SignedAt: signed, ActDate: signed.Add(-time.Hour), SignedBy: "Dr Céline Martin", SHA256: strings.Repeat("ab", 32)},
		{ID: 41, AppointmentID: 20, ReferralID: 10, PatientID: 1, ActID: "lumbar_epidural_infiltration", Number: 2, Amends: 1, Title: "Infiltration épidurale lombaire",
			Body: body + " Dose précisée.", SignedAt: signed.Add(time.Hour), ActDate: signed.Add(-time.Hour), SignedBy: "Dr Céline Martin", SHA256: strings.Repeat("cd", 32)},
	}
}

func (s *fakeStore) Report(ctx context.Context, id int64) (ReportRecord, error) {
	if err := s.enter(ctx); err != nil {
		return ReportRecord{}, err
	}
	for _, r := range s.reportList() {
		if r.ID == id {
			return r, nil
		}
	}
	return ReportRecord{}, ErrNotFound
}

func (s *fakeStore) Reports(ctx context.Context, patientID int64) ([]ReportRecord, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	var out []ReportRecord
	for _, r := range s.reportList() {
		if r.PatientID == patientID {
			out = append(out, r)
		}
	}
	return out, nil
}
