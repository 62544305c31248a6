package fhir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"repere/internal/patient"
	"repere/internal/referral"
)

// draft is what a received resource will record once checked.
type draft struct {
	patient       *patient.Patient
	referral      *referral.Referral
	identifiers   []Identifier
	forNewPatient bool // the referral's subject is the transaction's new patient
}

// txContext is the transaction a resource is received in: the fullUrl of
// the patient the same transaction creates ("" when none).
type txContext struct {
	newPatient string // the patient entry's fullUrl
	existing   int64  // the patient its ifNoneExist found (0: a new one)
}

// conflictError refuses a create that would duplicate a record (409).
type conflictError struct{ msg, expression string }

func (e *conflictError) Error() string { return "fhir: " + e.msg }

// preconditionError is a conditional create whose criteria match several
// records (412).
type preconditionError struct{ msg string }

func (e *preconditionError) Error() string { return "fhir: " + e.msg }

// readBody reads a resource sent in a request, or writes the error.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	switch mediaType(r.Header.Get("Content-Type")) {
	case "application/fhir+json", "application/json", "application/json+fhir":
	default:
		h.fail(w, r, http.StatusUnsupportedMediaType, Outcome("error", "not-supported", "send application/fhir+json"))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.fail(w, r, http.StatusRequestEntityTooLarge, Outcome("error", "too-costly", fmt.Sprintf("the body exceeds %d bytes", MaxBody)))
		return nil, false
	case err != nil:
		h.fail(w, r, http.StatusBadRequest, Outcome("error", "structure", "the body could not be read"))
		return nil, false
	}
	return body, true
}

// createType answers a create: 201 with Location and the created resource,
// or, when If-None-Exist finds the resource, 200 with it.
func (h *handler) createType(w http.ResponseWriter, r *http.Request, k *kind) {
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	existing, err := h.conditional(ctx, k, r.Header.Get("If-None-Exist"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if existing != "" {
		h.answerResource(w, r, k, existing, http.StatusOK)
		return
	}
	d, err := k.create(h, ctx, body, nil)
	var ids IntakeIDs
	if err == nil {
		ids, err = h.src.Receive(ctx, intakeOf([]draft{d}))
	}
	var conflict *conflictError
	if errors.Is(err, ErrIdentifierTaken) || errors.As(err, &conflict) {
		// A request with the same identifiers may have won the race since
		// the If-None-Exist search: the sender then gets that one back.
		if again, cerr := h.conditional(ctx, k, r.Header.Get("If-None-Exist")); cerr == nil && again != "" {
			h.answerResource(w, r, k, again, http.StatusOK)
			return
		}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	id := ids.PatientID
	if d.referral != nil {
		id = ids.ReferralIDs[0]
	}
	h.answerResource(w, r, k, strconv.FormatInt(id, 10), http.StatusCreated)
}

// answerResource reads a resource just found or created and writes it with
// its ETag (and Location when created).
func (h *handler) answerResource(w http.ResponseWriter, r *http.Request, k *kind, id string, status int) {
	res, err := h.readOne(r.Context(), k, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	m := metaOf(res)
	if status == http.StatusCreated {
		loc := h.opts.BaseURL + "/" + k.name + "/" + id
		if m != nil && m.VersionID != "" {
			loc += "/_history/" + m.VersionID
		}
		w.Header().Set("Location", loc)
	}
	setVersionHeaders(w, m)
	h.write(w, r, status, res)
}

// intakeOf gathers drafts into what Source.Receive records at once.
func intakeOf(drafts []draft) Intake {
	var in Intake
	for _, d := range drafts {
		if d.patient != nil {
			in.Patient, in.PatientIdentifiers = d.patient, d.identifiers
		}
		if d.referral != nil {
			in.Referrals = append(in.Referrals, IntakeReferral{Referral: *d.referral, Identifiers: d.identifiers, ForNewPatient: d.forNewPatient})
		}
	}
	return in
}

// conditional runs an If-None-Exist search: the id of the one record it
// finds, "" when none, a 412 when several, a 400 when it is not a search
// this type takes.
func (h *handler) conditional(ctx context.Context, k *kind, query string) (string, error) {
	if strings.TrimSpace(query) == "" {
		return "", nil
	}
	values, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil || len(values) == 0 {
		return "", &InvalidError{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "invalid",
			Diagnostics: "If-None-Exist must be search parameters, e.g. identifier=system|value"}}}
	}
	if k.search == nil {
		return "", &InvalidError{Status: http.StatusBadRequest, Issues: []Issue{{Severity: "error", Code: "not-supported", Diagnostics: k.name + " cannot be searched"}}}
	}
	p := newParamsFrom(values, false, k, h.opts.Location)
	p.page = Page{Count: 2}
	list, total, err := k.search(h, ctx, p)
	if err != nil {
		return "", err
	}
	switch {
	case total > 1 || len(list) > 1:
		return "", &preconditionError{fmt.Sprintf("If-None-Exist %q matches %d %s resources: it must find at most one", query, max(total, len(list)), k.name)}
	case len(list) == 1:
		return list[0].id, nil
	}
	return "", nil
}

// writeError answers an error of a create or a transaction.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var invalid *InvalidError
	var conflict *conflictError
	var precondition *preconditionError
	switch {
	case errors.As(err, &invalid):
		h.fail(w, r, invalid.Status, OperationOutcome{ResourceType: "OperationOutcome", Issue: invalid.Issues})
	case errors.As(err, &conflict):
		h.fail(w, r, http.StatusConflict, Outcome("error", "duplicate", conflict.msg, conflict.expression))
	case errors.As(err, &precondition):
		h.fail(w, r, http.StatusPreconditionFailed, Outcome("error", "multiple-matches", precondition.msg))
	case errors.Is(err, ErrIdentifierTaken):
		h.fail(w, r, http.StatusConflict, Outcome("error", "duplicate", "another record already holds one of the identifiers sent"))
	case errors.Is(err, ErrNotFound):
		h.fail(w, r, http.StatusNotFound, Outcome("error", "not-found", "not found"))
	default:
		h.internal(w, r, err)
	}
}

func (h *handler) preparePatient(ctx context.Context, body []byte, _ *txContext) (draft, error) {
	var in Patient
	if err := decode(body, &in, "Patient"); err != nil {
		return draft{}, err
	}
	p, err := in.ToDomain()
	if err != nil {
		return draft{}, err
	}
	if err := problemsError(p.Validate(h.today()), patientProblemPaths, patient.MaxLength); err != nil {
		return draft{}, err
	}
	idents := senderIdentifiers(in.Identifier, SystemPatient)
	if err := checkSenderIdentifiers("Patient", idents); err != nil {
		return draft{}, err
	}
	if err := h.checkDuplicate(ctx, p); err != nil {
		return draft{}, err
	}
	for _, id := range idents {
		same, _, err := h.src.SearchPatients(ctx, PatientQuery{Identifier: &IdentifierMatch{External: []Identifier{id}}, Page: Page{Count: 1}})
		if err != nil {
			return draft{}, err
		}
		if len(same) > 0 {
			return draft{}, &conflictError{fmt.Sprintf("Patient/%d already has the identifier %s|%s", same[0].ID, id.System, id.Value), "Patient.identifier"}
		}
	}
	return draft{patient: &p, identifiers: idents}, nil
}

// checkSenderIdentifiers refuses identifiers that could not be found again.
func checkSenderIdentifiers(typ string, ids []Identifier) error {
	bad := &InvalidError{Status: http.StatusUnprocessableEntity}
	for i, id := range ids {
		if id.System == "" || id.Value == "" {
			bad.add(fmt.Sprintf("%s.identifier[%d]", typ, i), "business-rule", "an identifier needs a system and a value, so that it can be searched for")
		}
	}
	return bad.orNil()
}

// checkDuplicate refuses a patient already recorded: same INS, or same
// birth name, first names and birth date (unless both INS differ). A client
// finds the existing record with a search (or sends If-None-Exist).
func (h *handler) checkDuplicate(ctx context.Context, p patient.Patient) error {
	if p.INS != "" {
		same, _, err := h.src.SearchPatients(ctx, PatientQuery{Identifier: &IdentifierMatch{INS: []string{p.INS}}, Page: Page{Count: 1}})
		if err != nil {
			return err
		}
		if len(same) > 0 {
			return &conflictError{fmt.Sprintf("Patient/%d already has this INS", same[0].ID), "Patient.identifier"}
		}
	}
	candidates, _, err := h.src.SearchPatients(ctx, PatientQuery{Family: p.BirthName, Given: p.FirstNames,
		BirthFrom: p.BirthDate, BirthTo: p.BirthDate, Page: Page{Count: MaxCount}})
	if err != nil {
		return err
	}
	for _, c := range candidates {
		if c.BirthDate == p.BirthDate && patient.SearchKey(c.BirthName) == patient.SearchKey(p.BirthName) &&
			patient.SearchKey(c.FirstNames) == patient.SearchKey(p.FirstNames) && (c.INS == "" || p.INS == "" || c.INS == p.INS) {
			return &conflictError{fmt.Sprintf("Patient/%d has the same birth name, first names and birth date", c.ID), "Patient.name"}
		}
	}
	return nil
}

// localRef reads a reference to a resource of this server: "Type/<id>", or
// the same under the server's base URL.
func (h *handler) localRef(ctx context.Context, ref, typ string) (int64, bool) {
	for _, base := range []string{h.opts.BaseURL, requestBase(ctx)} {
		if base != "" && strings.Contains(base, "://") && strings.HasPrefix(ref, base+"/") {
			ref = strings.TrimPrefix(ref, base+"/")
		}
	}
	return localID(ref, typ)
}

type baseKey struct{}

// withBase keeps the API's absolute URL as the request addressed it, so a
// reference written with it is known as local even when no --base-url is set.
func (h *handler) withBase(r *http.Request) *http.Request {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return r.WithContext(context.WithValue(r.Context(), baseKey{}, scheme+"://"+r.Host+Prefix))
}

func requestBase(ctx context.Context) string {
	s, _ := ctx.Value(baseKey{}).(string)
	return s
}

func (h *handler) prepareReferral(ctx context.Context, body []byte, tx *txContext) (draft, error) {
	var in ServiceRequest
	if err := decode(body, &in, "ServiceRequest"); err != nil {
		return draft{}, err
	}
	forNew := false
	ref, err := in.ToDomain(func(s string) (int64, bool) {
		if tx != nil && tx.newPatient != "" && s == tx.newPatient {
			if tx.existing != 0 {
				return tx.existing, true
			}
			forNew = true
			return 0, true
		}
		return h.localRef(ctx, s, "Patient")
	})
	if err != nil {
		return draft{}, err
	}
	bad := &InvalidError{Status: http.StatusUnprocessableEntity}
	if in.Status != "active" {
		bad.add("ServiceRequest.status", "business-rule", "only an active request can be sent")
	}
	if in.Intent != "order" && in.Intent != "original-order" {
		bad.add("ServiceRequest.intent", "business-rule", "intent must be order or original-order")
	}
	if ref.ActID != "" && h.opts.Catalog != nil && !h.actKnown(ref.ActID) {
		bad.add("ServiceRequest.code", "business-rule", fmt.Sprintf("unknown act %q (see the catalogue)", ref.ActID))
	}
	if !forNew {
		if _, err := h.src.Patient(ctx, ref.PatientID); errors.Is(err, ErrNotFound) {
			bad.add("ServiceRequest.subject", "business-rule", fmt.Sprintf("Patient/%d does not exist", ref.PatientID))
		} else if err != nil {
			return draft{}, err
		}
	}
	physician, err := h.requester(ctx, in, ref.PhysicianID, bad)
	if err != nil {
		return draft{}, err
	}
	bad.Issues = append(bad.Issues, problemIssues(ref.Validate(h.today()), referralProblemPaths, referral.MaxLength)...)
	idents := senderIdentifiers(in.Identifier, SystemReferral)
	if err := checkSenderIdentifiers("ServiceRequest", idents); err != nil {
		bad.Issues = append(bad.Issues, err.(*InvalidError).Issues...)
	}
	if err := bad.orNil(); err != nil {
		return draft{}, err
	}
	for _, id := range idents {
		same, _, err := h.src.SearchReferrals(ctx, ReferralQuery{Identifier: &IdentifierMatch{External: []Identifier{id}}, Page: Page{Count: 1}})
		if err != nil {
			return draft{}, err
		}
		if len(same) > 0 {
			return draft{}, &conflictError{fmt.Sprintf("ServiceRequest/%d already has the identifier %s|%s (send If-None-Exist to get it back)", same[0].ID, id.System, id.Value), "ServiceRequest.identifier"}
		}
	}
	ref.PhysicianID = physician.ID
	return draft{referral: &ref, identifiers: idents, forNewPatient: forNew}, nil
}
