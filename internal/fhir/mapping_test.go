package fhir

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"repere/internal/booking"
	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
	"repere/internal/schedule"
)

// TestEmittedResourcesMatchR4Schema maps every kind of record, full and
// minimal, and validates the result against the official R4 schema.
func TestEmittedResourcesMatchR4Schema(t *testing.T) {
	s := newFakeStore()
	var emitted []any
	for _, p := range append(s.patients, patient.Patient{ID: 9, BirthName: "X", FirstNames: "Y"}) {
		emitted = append(emitted, PatientFrom(p))
	}
	for _, r := range append(s.referrals, referral.Referral{ID: 99, PatientID: 1}) {
		emitted = append(emitted, ServiceRequestFrom(r, testCatalog.Acts()[0].Name.In("fr")))
	}
	for _, a := range append(s.appointments, booking.Appointment{ID: 98, PatientID: 2, Status: booking.NoShow}) {
		emitted = append(emitted, AppointmentFrom(a, "Infiltration épidurale lombaire sous scanner", paris))
	}
	for _, u := range s.users {
		emitted = append(emitted, PractitionerFromUser(u))
	}
	for _, ph := range append(s.physicians, practice.Physician{ID: 6}) {
		emitted = append(emitted, PractitionerFromPhysician(ph))
	}
	for _, r := range s.rooms {
		emitted = append(emitted, ScheduleFrom(r))
	}
	for _, sc := range append([]Screening{s.screenings[10], s.screenings[11]}, Screening{ReferralID: 5, PatientID: 3, Answers: map[string]string{"": "x", "a": " "}}) {
		emitted = append(emitted, QuestionnaireResponseFrom(sc, paris))
	}
	start := time.Date(2026, 12, 2, 21, 45, 0, 0, paris) // late hours too
	emitted = append(emitted, SlotFrom(schedule.Slot{Booking: schedule.Booking{RoomID: 1}, Act: schedule.Interval{Start: start, End: start.Add(time.Hour)}},
		"epidural_blood_patch", "Blood patch épidural sous scanner", paris))
	emitted = append(emitted, Outcome("error", "invalid", "date de naissance invalide", "Patient.birthDate"))
	for _, v := range emitted {
		validateValue(t, v)
	}
}

func TestPatientRoundTrip(t *testing.T) {
	for _, p := range newFakeStore().patients {
		got, err := PatientFrom(p).ToDomain()
		if err != nil {
			t.Fatalf("%s: %v", p.BirthName, err)
		}
		got.ID = p.ID
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", p.BirthName, diff)
		}
	}
}

func TestPatientToDomainErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Patient
		want []string // expressions
	}{
		{"no name", Patient{ResourceType: "Patient", Gender: "female"}, []string{"Patient.name"}},
		{"bad gender", Patient{ResourceType: "Patient", Name: []HumanName{{Family: "Roux"}}, Gender: "femme"}, []string{"Patient.gender"}},
		{"two INS", Patient{ResourceType: "Patient", Name: []HumanName{{Family: "Roux"}},
			Identifier: []Identifier{{System: SystemINS, Value: "1"}, {System: SystemINS, Value: "2"}}}, []string{"Patient.identifier[1]"}},
		{"modifier extension", Patient{ResourceType: "Patient", Name: []HumanName{{Family: "Roux"}}, modifiers: modifiers{ModifierExtension: []byte(`[{}]`)}},
			[]string{"Patient.modifierExtension"}},
		{"wrong type", Patient{ResourceType: "Practitioner", Name: []HumanName{{Family: "Roux"}}}, []string{"Patient.resourceType"}},
	}
	for _, tt := range tests {
		_, err := tt.in.ToDomain()
		var invalid *InvalidError
		if !errors.As(err, &invalid) || invalid.Status != http.StatusBadRequest {
			t.Errorf("%s: err = %v, want a 400 InvalidError", tt.name, err)
			continue
		}
		var got []string
		for _, is := range invalid.Issues {
			got = append(got, is.Expression...)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: expressions (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestServiceRequestRoundTrip(t *testing.T) {
	r := newFakeStore().referrals[0]
	got, err := ServiceRequestFrom(r, "Infiltration").ToDomain(func(ref string) (int64, bool) { return localID(ref, "Patient") })
	if err != nil {
		t.Fatal(err)
	}
	want := r
	want.ID, want.Status, want.PatientName, want.PhysicianName = 0, referral.Received, "", ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for u, p := range priorityOf {
		if urgencyOf[p] != u {
			t.Errorf("urgency %s → priority %s → %s", u, p, urgencyOf[p])
		}
	}
}

func TestScopes(t *testing.T) {
	tests := []struct {
		scope  string
		typ    string
		access Access
		want   bool
	}{
		{"system/Patient.read", "Patient", Read, true},
		{"system/Patient.read", "Patient", Write, false},
		{"system/Patient.write", "Patient", Write, true},
		{"system/*.read", "Appointment", Read, true},
		{"system/*.*", "ServiceRequest", Write, true},
		{"system/Patient.*", "Appointment", Read, false},
		{"user/Patient.read", "Patient", Read, false},
		{"patient/*.read", "Patient", Read, false},
		{"system/Patient.rs", "Patient", Read, true},
		{"system/Patient.rs", "Patient", Write, false},
		{"system/Patient.cruds", "Patient", Write, true},
		{"system/Patient.sr", "Patient", Read, false}, // letters out of order
		{"system/Patient.", "Patient", Read, false},
		{"system/Patient", "Patient", Read, false},
	}
	for _, tt := range tests {
		if got := (Client{Scopes: []string{tt.scope}}).Allows(tt.typ, tt.access); got != tt.want {
			t.Errorf("%s allows %s %s = %v, want %v", tt.scope, tt.access, tt.typ, got, tt.want)
		}
	}
}

func TestDateRange(t *testing.T) {
	tests := []struct {
		in      string
		dayOnly bool
		lo, hi  string
		bad     bool
	}{
		{in: "1958", dayOnly: true, lo: "1958-01-01", hi: "1959-01-01"},
		{in: "1958-02", dayOnly: true, lo: "1958-02-01", hi: "1958-03-01"},
		{in: "1958-02-28", dayOnly: true, lo: "1958-02-28", hi: "1958-03-01"},
		{in: "1958-02-30", dayOnly: true, bad: true},
		{in: "1958-02-28T10:00:00Z", dayOnly: true, bad: true},
		{in: "2026-12-01T09:30:00+01:00", lo: "2026-12-01T09:30:00+01:00", hi: "2026-12-01T09:30:01+01:00"},
		{in: "2026-12-01T09:30", lo: "2026-12-01T09:30:00+01:00", hi: "2026-12-01T09:31:00+01:00"},
		{in: "2026-12-01", lo: "2026-12-01T00:00:00+01:00", hi: "2026-12-02T00:00:00+01:00"},
		{in: "demain", bad: true},
	}
	for _, tt := range tests {
		lo, hi, err := dateRange(tt.in, paris, tt.dayOnly)
		if tt.bad {
			if err == nil {
				t.Errorf("%q accepted", tt.in)
			}
			continue
		}
		layout := time.RFC3339
		if tt.dayOnly {
			layout = time.DateOnly
		}
		if err != nil || lo.In(paris).Format(layout) != tt.lo || hi.In(paris).Format(layout) != tt.hi {
			t.Errorf("%q: [%v, %v) %v, want [%s, %s)", tt.in, lo, hi, err, tt.lo, tt.hi)
		}
	}
}

func TestTokensNeverHoldTheSecret(t *testing.T) {
	for key := range testTokens {
		if strings.HasPrefix(key, "tok-") || len(key) != 64 {
			t.Errorf("token table key %q is not a hash", key)
		}
	}
}

// TestSchemaRejectsInvalid proves the schema check has teeth.
func TestSchemaRejectsInvalid(t *testing.T) {
	for _, body := range []string{
		`{"resourceType":"Patient","gender":"femme"}`,
		`{"resourceType":"Patient","nom":"Dupont"}`,
		`{"resourceType":"Patient","birthDate":"30/09/1958"}`,
		`{"resourceType":"Slot","status":"free","start":"2026-12-01T09:30:00+01:00","end":"2026-12-01T10:00:00+01:00"}`,
		`{"resourceType":"Bundle","type":"liste"}`,
	} {
		ft := &fakeT{TB: t}
		validateR4(ft, []byte(body))
		if !ft.failed {
			t.Errorf("the schema accepted %s", body)
		}
	}
}

// fakeT records a failure instead of reporting it.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
