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
	// create checks a received resource and returns what to record (the
	// handler records it through Source.Receive).
	create func(h *handler, ctx context.Context, body []byte, tx *txContext) (draft, error)
	// decorate adds to found resources what their mapping does not know:
	// versions, identifiers given by other systems.
	decorate func(h *handler, ctx context.Context, list []found) error
	// history lists every version, oldest first (nil: no history kept).
	history func(h *handler, ctx context.Context, id string) ([]found, error)
	// versioned: resources carry meta.versionId and an ETag.
	versioned bool
	// sorts maps the _sort keys to the Source's sort keys.
	sorts map[string]string
	// includes and revincludes serve _include and _revinclude.
	includes    map[string]include
	revincludes map[string]revinclude
}

type searchParam struct{ name, typ, doc string }

// found is one resource with its id.
type found struct {
	id  string
	res any
}

func (k *kind) declares(name string) bool {
	return slices.ContainsFunc(k.params, func(sp searchParam) bool { return sp.name == name })
}

var (
	idParam      = searchParam{"_id", "token", "logical id; a comma-separated list finds any of them"}
	updatedParam = searchParam{"_lastUpdated", "date", "last change: eq, ge, gt, le, lt with a date or an instant"}
)

func kinds() map[string]*kind {
	list := []*kind{
		{name: "Patient", doc: "patients; create refuses a duplicate (same INS, or same birth name, first names and birth date) with 409 unless If-None-Exist finds it (200)",
			read: (*handler).readPatient, search: (*handler).searchPatients, create: (*handler).preparePatient,
			decorate: (*handler).decoratePatients, history: (*handler).patientHistory, versioned: true,
			sorts:       map[string]string{"birthdate": "birth_date", "_lastUpdated": "updated"},
			revincludes: revincludesOfPatient,
			params: []searchParam{idParam, updatedParam,
				{"identifier", "token", "INS (" + SystemINS + "|<INS>), " + SystemPatient + "|<id>, an identifier the sender gave (system|value), or a bare value; comma for any of"},
				{"name", "string", "start of a word of any name (birth, used, first), accents and case ignored"},
				{"family", "string", "start of a word of the birth or used name"},
				{"given", "string", "start of a word of the first names"},
				{"birthdate", "date", "eq, ge, gt, le, lt with YYYY, YYYY-MM or YYYY-MM-DD"}}},
		{name: "Practitioner", doc: "radiologists (id rad-<n>) and referring physicians (id ref-<n>, FR Core IdNatPs " + SystemIdNatPs + " = 8 + RPPS, and RPPS " + SystemRPPS + ")",
			read: (*handler).readPractitioner, search: (*handler).searchPractitioners,
			params: []searchParam{idParam,
				{"identifier", "token", "IdNatPs (" + SystemIdNatPs + "|8<RPPS>), RPPS (" + SystemRPPS + "|<n>), a bare value or " + SystemPractUser + "|<id>"},
				{"name", "string", "start of a word of the name, accents and case ignored"}}},
		{name: "ServiceRequest", doc: "referrals; create records a referral sent by another system as received, with the identifiers it gave (If-None-Exist for a conditional create)",
			read: (*handler).readReferral, search: (*handler).searchReferrals, create: (*handler).prepareReferral,
			decorate: (*handler).decorateReferrals, history: (*handler).referralHistory, versioned: true,
			sorts:    map[string]string{"authored": "authored", "_lastUpdated": "updated"},
			includes: map[string]include{"ServiceRequest:subject": {"Patient", srSubject}, "ServiceRequest:patient": {"Patient", srSubject}, "ServiceRequest:requester": {"Practitioner", srRequester}},
			params: []searchParam{idParam, updatedParam,
				{"identifier", "token", SystemReferral + "|<id>, an identifier the sender gave (system|value), or a bare value; comma for any of"},
				{"patient", "reference", "Patient/<id>"},
				{"subject", "reference", "Patient/<id>"},
				{"status", "token", "active (received, screening, booked), completed, revoked; comma for any of"},
				{"authored", "date", "prescription date: eq, ge, gt, le, lt"}}},
		{name: "Appointment", doc: "booked acts; the version counts the appointment's events (booking, moves, the day's steps, cancellation), each kept for vread and _history",
			read: (*handler).readAppointment, search: (*handler).searchAppointments, decorate: (*handler).decorateAppointments, history: (*handler).appointmentHistory, versioned: true,
			sorts: map[string]string{"date": "start", "_lastUpdated": "updated"},
			includes: map[string]include{"Appointment:patient": {"Patient", apptPatient}, "Appointment:based-on": {"ServiceRequest", apptBasedOn},
				"Appointment:practitioner": {"Practitioner", apptPractitioner}},
			params: []searchParam{idParam, updatedParam,
				{"identifier", "token", SystemAppt + "|<id> or " + SystemAccession + "|<accession number> (bare: accession number)"},
				{"patient", "reference", "Patient/<id>"},
				{"based-on", "reference", "ServiceRequest/<id>"},
				{"date", "date", "start of the act: eq, ge, gt, le, lt with a date (practice time zone) or dateTime"},
				{"status", "token", "booked, fulfilled, cancelled, noshow; comma for any of"}}},
		{name: "Schedule", doc: "one per CT room; the id is the room's",
			read: (*handler).readSchedule, search: (*handler).searchSchedules,
			params: []searchParam{idParam, {"active", "token", "true or false"}}},
		{name: "Slot", doc: "free slots computed for an act, earliest first; the id names the act, the room and the start, and a read says whether it is still free",
			read: (*handler).readSlot, search: (*handler).searchSlots,
			params: []searchParam{
				{"service-type", "token", "required: the act (" + SystemAct + "|<act id> or a bare act id)"},
				{"start", "date", "ge, gt, le, lt, eq; default from now for " + strconv.Itoa(slotHorizonDays) + " days"},
				{"status", "token", "free (the only status computed)"}}},
		{name: "Consent", doc: "frozen consents to an act (signed on the tablet or the patient's link, or scanned paper), the document as an attachment (Binary); inactive once withdrawn",
			read: (*handler).readConsent, search: (*handler).searchConsents, history: (*handler).consentHistory, versioned: true,
			includes: map[string]include{"Consent:patient": {"Patient", consentPatient}},
			params:   []searchParam{{"patient", "reference", "required: Patient/<id>"}, {"status", "token", "active, inactive"}}},
		{name: "Procedure", doc: "acts performed, from their record; the id is the appointment's",
			read: (*handler).readProcedure, search: (*handler).searchProcedures,
			includes: map[string]include{"Procedure:patient": {"Patient", procPatient}},
			params:   []searchParam{{"patient", "reference", "required: Patient/<id>"}}},
		{name: "DiagnosticReport", doc: "signed report versions (amended when they correct an earlier one), the signed PDF as an attachment (Binary); a signed version never changes",
			read: (*handler).readReport, search: (*handler).searchReports, history: (*handler).reportHistory, versioned: true,
			includes: map[string]include{"DiagnosticReport:subject": {"Patient", reportSubject}, "DiagnosticReport:patient": {"Patient", reportSubject},
				"DiagnosticReport:performer": {"Practitioner", reportPerformer}},
			params: []searchParam{{"patient", "reference", "required: Patient/<id>"}}},
		{name: "Binary", doc: "the signed report PDFs (report-<id>) and consent documents (consent-<id>): the bytes with Accept: application/pdf (or the document's type), else a Binary resource",
			read: (*handler).readBinary},
		{name: "QuestionnaireResponse", doc: "a referral's safety screening; the id is the referral's; search needs _id, based-on or patient",
			read: (*handler).readScreening, search: (*handler).searchScreenings,
			params: []searchParam{idParam,
				{"based-on", "reference", "ServiceRequest/<id>"},
				{"patient", "reference", "required (or _id, or based-on): Patient/<id>"},
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
	if page.Count < 0 || page.Offset >= len(all) {
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
	q := PatientQuery{Page: p.page, IDs: p.idList(), Sort: p.sort, Changed: p.changed()}
	if toks := p.tokens("identifier"); toks != nil {
		m := &IdentifierMatch{}
		for _, t := range toks {
			switch {
			case t.system == SystemPatient:
				if id, ok := numericID(t.value); ok {
					m.IDs = append(m.IDs, id)
				}
			case t.system == SystemINS:
				m.INS = append(m.INS, strings.ReplaceAll(t.value, " ", ""))
			case !t.hasSystem:
				m.INS = append(m.INS, strings.ReplaceAll(t.value, " ", ""))
				m.External = append(m.External, Identifier{Value: t.value})
			default:
				m.External = append(m.External, Identifier{System: t.system, Value: t.value})
			}
		}
		q.Identifier = m
	}
	q.Name, q.Family, q.Given = p.single("name"), p.single("family"), p.single("given")
	birth := p.dates("birthdate", true)
	q.BirthFrom, q.BirthTo = birth.days()
	if err := p.check(); err != nil || birth.empty() {
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
	ids := p.list("_id")
	idents := p.list("identifier")
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
		if ids != nil && !slices.Contains(ids, pr.ID) || idents != nil && !slices.ContainsFunc(idents, func(tok string) bool { return hasIdentifier(pr.Identifier, tok) }) {
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
