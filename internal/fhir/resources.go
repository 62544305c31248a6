package fhir

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"repere/internal/auth"
	"repere/internal/patient"
)

// kind is a resource type the API serves: what it can do with it. The
// CapabilityStatement is written from the same table, so it lists exactly
// what is served.
type kind struct {
	name   string
	doc    string
	params []searchParam
	read   func(h *handler, ctx context.Context, id string) (any, error)
	search func(h *handler, ctx context.Context, p *params) ([]found, int, error)
	create func(h *handler, ctx context.Context, body []byte) (found, error)
}

type searchParam struct{ name, typ, doc string }

// found is one resource with its id ("" for computed ones such as Slot).
type found struct {
	id  string
	res any
}

func (k *kind) declares(name string) bool {
	return slices.ContainsFunc(k.params, func(sp searchParam) bool { return sp.name == name })
}

var idParam = searchParam{"_id", "token", "logical id"}

func kinds() map[string]*kind {
	list := []*kind{
		{name: "Patient", doc: "patients; create refuses a duplicate (same INS, or same birth name, first names and birth date) with 409",
			read: (*handler).readPatient, search: (*handler).searchPatients, create: (*handler).createPatient,
			params: []searchParam{idParam,
				{"identifier", "token", "INS (" + SystemINS + "|<INS>, or a bare value) or " + SystemPatient + "|<id>"},
				{"name", "string", "start of a word of any name (birth, used, first), accents and case ignored"},
				{"family", "string", "start of a word of the birth or used name"},
				{"given", "string", "start of a word of the first names"},
				{"birthdate", "date", "eq, ge, gt, le, lt with YYYY, YYYY-MM or YYYY-MM-DD"}}},
		{name: "Practitioner", doc: "radiologists (id rad-<n>) and referring physicians (id ref-<n>, RPPS " + SystemRPPS + ")",
			read: (*handler).readPractitioner, search: (*handler).searchPractitioners,
			params: []searchParam{idParam,
				{"identifier", "token", "RPPS (" + SystemRPPS + "|<n>, or a bare value) or " + SystemPractUser + "|<id>"},
				{"name", "string", "start of a word of the name, accents and case ignored"}}},
		{name: "ServiceRequest", doc: "referrals; create records a referral sent by another system as received",
			read: (*handler).readReferral, search: (*handler).searchReferrals, create: (*handler).createReferral,
			params: []searchParam{idParam,
				{"identifier", "token", SystemReferral + "|<id>"},
				{"patient", "reference", "Patient/<id>"},
				{"subject", "reference", "Patient/<id>"},
				{"status", "token", "active (received, screening, booked), completed, revoked; comma for any of"},
				{"authored", "date", "prescription date: eq, ge, gt, le, lt"}}},
		{name: "Appointment", doc: "booked acts",
			read: (*handler).readAppointment, search: (*handler).searchAppointments,
			params: []searchParam{idParam,
				{"identifier", "token", SystemAppt + "|<id> or " + SystemAccession + "|<accession number> (bare: accession number)"},
				{"patient", "reference", "Patient/<id>"},
				{"based-on", "reference", "ServiceRequest/<id>"},
				{"date", "date", "start of the act: eq, ge, gt, le, lt with a date (practice time zone) or dateTime"},
				{"status", "token", "booked, fulfilled, cancelled, noshow; comma for any of"}}},
		{name: "Schedule", doc: "one per CT room; the id is the room's",
			read: (*handler).readSchedule, search: (*handler).searchSchedules,
			params: []searchParam{idParam, {"active", "token", "true or false"}}},
		{name: "Slot", doc: "free slots computed for an act, earliest first (search only, no id); total counts the slots returned",
			search: (*handler).searchSlots,
			params: []searchParam{
				{"service-type", "token", "required: the act (" + SystemAct + "|<act id> or a bare act id)"},
				{"start", "date", "ge, gt, le, lt, eq; default from now for " + strconv.Itoa(slotHorizonDays) + " days"},
				{"status", "token", "free (the only status computed)"}}},
		{name: "Consent", doc: "frozen consents to an act (signed on the tablet or the patient's link, or scanned paper); inactive once withdrawn",
			read: (*handler).readConsent, search: (*handler).searchConsents,
			params: []searchParam{{"patient", "reference", "required: Patient/<id>"}, {"status", "token", "active, inactive"}}},
		{name: "Procedure", doc: "acts performed, from their record; the id is the appointment's",
			read: (*handler).readProcedure, search: (*handler).searchProcedures,
			params: []searchParam{{"patient", "reference", "required: Patient/<id>"}}},
		{name: "DiagnosticReport", doc: "signed report versions (amended when they correct an earlier one)",
			read: (*handler).readReport, search: (*handler).searchReports,
			params: []searchParam{{"patient", "reference", "required: Patient/<id>"}}},
		{name: "QuestionnaireResponse", doc: "a referral's safety screening; the id is the referral's; search needs _id, based-on or patient",
			read: (*handler).readScreening, search: (*handler).searchScreenings,
			params: []searchParam{idParam,
				{"based-on", "reference", "ServiceRequest/<id>"},
				{"patient", "reference", "Patient/<id>"},
				{"subject", "reference", "Patient/<id>"},
				{"status", "token", "in-progress, completed"}}},
	}
	m := make(map[string]*kind, len(list))
	for _, k := range list {
		m[k.name] = k
	}
	return m
}

// numericID reads a logical id made of digits.
func numericID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0
}

// pageOf cuts one page out of results computed in memory.
func pageOf(all []found, page Page) ([]found, int) {
	if page.Offset >= len(all) {
		return nil, len(all)
	}
	return all[page.Offset:min(len(all), page.Offset+page.Count)], len(all)
}

func (h *handler) readPatient(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	p, err := h.src.Patient(ctx, n)
	if err != nil {
		return nil, err
	}
	return PatientFrom(p), nil
}

func (h *handler) searchPatients(ctx context.Context, p *params) ([]found, int, error) {
	q := PatientQuery{Page: p.page, ID: p.id()}
	none := q.ID < 0
	if v := p.single("identifier"); v != "" {
		system, value, hasSystem := token(v)
		switch {
		case system == SystemINS || !hasSystem:
			q.INS = strings.ReplaceAll(value, " ", "")
		case system == SystemPatient:
			id, ok := numericID(value)
			none = none || !ok || (q.ID != 0 && q.ID != id)
			q.ID = id
		default:
			none = true
		}
	}
	q.Name, q.Family, q.Given = p.single("name"), p.single("family"), p.single("given")
	birth := p.dates("birthdate", true)
	q.BirthFrom, q.BirthTo = birth.days()
	if err := p.check(); err != nil || none || birth.empty() {
		return nil, 0, err
	}
	list, total, err := h.src.SearchPatients(ctx, q)
	out := make([]found, len(list))
	for i, pt := range list {
		out[i] = found{strconv.FormatInt(pt.ID, 10), PatientFrom(pt)}
	}
	return out, total, err
}

// practitioners lists the radiologists then the referring physicians.
func (h *handler) practitioners(ctx context.Context) ([]Practitioner, error) {
	users, err := h.src.Radiologists(ctx)
	if err != nil {
		return nil, err
	}
	physicians, err := h.src.Physicians(ctx)
	if err != nil {
		return nil, err
	}
	var out []Practitioner
	for _, u := range users {
		if u.Role == auth.Radiologist {
			out = append(out, PractitionerFromUser(u))
		}
	}
	for _, ph := range physicians {
		out = append(out, PractitionerFromPhysician(ph))
	}
	return out, nil
}

func (h *handler) readPractitioner(ctx context.Context, id string) (any, error) {
	all, err := h.practitioners(ctx)
	if err != nil {
		return nil, err
	}
	for _, pr := range all {
		if pr.ID == id {
			return pr, nil
		}
	}
	return nil, ErrNotFound
}

func (h *handler) searchPractitioners(ctx context.Context, p *params) ([]found, int, error) {
	id := p.single("_id")
	ident := p.single("identifier")
	name := patient.SearchKey(p.single("name"))
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	all, err := h.practitioners(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []found
	for _, pr := range all {
		if id != "" && pr.ID != id || ident != "" && !hasIdentifier(pr.Identifier, ident) {
			continue
		}
		if name != "" && (len(pr.Name) == 0 || !wordPrefix(patient.SearchKey(pr.Name[0].Text), name)) {
			continue
		}
		out = append(out, found{pr.ID, pr})
	}
	list, total := pageOf(out, p.page)
	return list, total, nil
}

// hasIdentifier matches a token ("system|value" or a bare value).
func hasIdentifier(ids []Identifier, tok string) bool {
	system, value, hasSystem := token(tok)
	return slices.ContainsFunc(ids, func(id Identifier) bool {
		return id.Value == value && (!hasSystem || id.System == system)
	})
}

// wordPrefix tells whether every word of query starts a word of key (both SearchKey forms).
func wordPrefix(key, query string) bool {
	words := strings.Fields(key)
	for _, q := range strings.Fields(query) {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, q) }) {
			return false
		}
	}
	return true
}
