package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"repere/internal/patient"
	"repere/internal/practice"
	"repere/internal/referral"
)

// searchType answers a search with a searchset Bundle.
func (h *handler) searchType(w http.ResponseWriter, r *http.Request, k *kind) {
	p := newParams(r, k, h.opts.Location)
	list, total, err := k.search(h, r.Context(), p)
	var invalid *InvalidError
	switch {
	case errors.As(err, &invalid):
		h.fail(w, r, invalid.Status, OperationOutcome{ResourceType: "OperationOutcome", Issue: invalid.Issues})
		return
	case errors.Is(err, ErrNotFound):
		list, total = nil, 0
	case err != nil:
		h.internal(w, r, err)
		return
	}
	base := h.opts.BaseURL + "/" + k.name
	b := Bundle{ResourceType: "Bundle", Type: "searchset", Total: total,
		Link: []BundleLink{{Relation: "self", URL: withQuery(base, p.used)}}}
	if len(list) > 0 && p.page.Offset+len(list) < total {
		next := maps.Clone(p.used)
		next.Set("_count", strconv.Itoa(p.page.Count))
		next.Set("_offset", strconv.Itoa(p.page.Offset+len(list)))
		b.Link = append(b.Link, BundleLink{Relation: "next", URL: withQuery(base, next)})
	}
	for _, f := range list {
		e := BundleEntry{Resource: f.res, Search: &BundleSearch{Mode: "match"}}
		if f.id != "" {
			e.FullURL = base + "/" + f.id
		}
		b.Entry = append(b.Entry, e)
	}
	if len(p.ignored) > 0 {
		b.Entry = append(b.Entry, BundleEntry{Search: &BundleSearch{Mode: "outcome"},
			Resource: Outcome("warning", "not-supported", "ignored unknown search parameters: "+strings.Join(p.ignored, ", "))})
	}
	h.write(w, r, http.StatusOK, b)
}

func withQuery(base string, v url.Values) string {
	q := v.Encode()
	if q == "" {
		return base
	}
	return base + "?" + q
}

// createType answers a create: 201 with Location and the created resource.
func (h *handler) createType(w http.ResponseWriter, r *http.Request, k *kind) {
	switch mediaType(r.Header.Get("Content-Type")) {
	case "application/fhir+json", "application/json", "application/json+fhir":
	default:
		h.fail(w, r, http.StatusUnsupportedMediaType, Outcome("error", "not-supported", "send application/fhir+json"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.fail(w, r, http.StatusRequestEntityTooLarge, Outcome("error", "too-costly", fmt.Sprintf("the body exceeds %d bytes", MaxBody)))
		return
	case err != nil:
		h.fail(w, r, http.StatusBadRequest, Outcome("error", "structure", "the body could not be read"))
		return
	}
	created, err := k.create(h, r.Context(), body)
	var invalid *InvalidError
	var conflict *conflictError
	switch {
	case errors.As(err, &invalid):
		h.fail(w, r, invalid.Status, OperationOutcome{ResourceType: "OperationOutcome", Issue: invalid.Issues})
	case errors.As(err, &conflict):
		h.fail(w, r, http.StatusConflict, Outcome("error", "duplicate", conflict.msg, conflict.expression))
	case err != nil:
		h.internal(w, r, err)
	default:
		w.Header().Set("Location", h.opts.BaseURL+"/"+k.name+"/"+created.id)
		h.write(w, r, http.StatusCreated, created.res)
	}
}

// conflictError refuses a create that would duplicate a record.
type conflictError struct{ msg, expression string }

func (e *conflictError) Error() string { return "fhir: " + e.msg }

// decode reads a received resource of the given type: any JSON or type
// error is a 400 naming the element.
func decode(body []byte, v any, typ string) error {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		bad := &InvalidError{Status: http.StatusBadRequest}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field == "resourceType" {
			bad.add(typ+".resourceType", "structure", "resourceType must be a string")
		} else {
			bad.add(typ, "structure", "the body is not a JSON object: "+err.Error())
		}
		return bad
	}
	if head.ResourceType != typ {
		bad := &InvalidError{Status: http.StatusBadRequest}
		bad.add(typ+".resourceType", "invalid", fmt.Sprintf("resourceType is %q, this endpoint takes %s", head.ResourceType, typ))
		return bad
	}
	if err := json.Unmarshal(body, v); err != nil {
		bad := &InvalidError{Status: http.StatusBadRequest}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			bad.add(typ+"."+typeErr.Field, "structure", fmt.Sprintf("expected a %s, got a JSON %s", typeErr.Type, typeErr.Value))
		} else {
			bad.add(typ, "structure", err.Error())
		}
		return bad
	}
	return nil
}

// problemsError turns a domain Validate result into a 422.
func problemsError(problems map[string]string, paths map[string][2]string, limits map[string]int) error {
	bad := &InvalidError{Status: http.StatusUnprocessableEntity, Issues: problemIssues(problems, paths, limits)}
	return bad.orNil()
}

// tooLong is the message key the domain's Validate gives a text longer than
// its limit (patient.ErrTooLong, referral.ErrTooLong).
const tooLong = patient.ErrTooLong

// problemIssues names the element and the rule of each problem, in field
// order; a text over its limit (limits, in characters) says so.
func problemIssues(problems map[string]string, paths map[string][2]string, limits map[string]int) []Issue {
	fields := make([]string, 0, len(problems))
	for f := range problems {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var issues []Issue
	for _, f := range fields {
		where, ok := paths[f]
		if !ok {
			where = [2]string{"", problems[f]}
		}
		is := Issue{Severity: "error", Code: "business-rule", Diagnostics: where[1]}
		if problems[f] == tooLong {
			is.Code, is.Diagnostics = "too-long", fmt.Sprintf("%s is too long: %d characters at most", f, limits[f])
		}
		if where[0] != "" {
			is.Expression = []string{where[0]}
		}
		issues = append(issues, is)
	}
	return issues
}

func (h *handler) createPatient(ctx context.Context, body []byte) (found, error) {
	var in Patient
	if err := decode(body, &in, "Patient"); err != nil {
		return found{}, err
	}
	p, err := in.ToDomain()
	if err != nil {
		return found{}, err
	}
	if err := problemsError(p.Validate(h.today()), patientProblemPaths, patient.MaxLength); err != nil {
		return found{}, err
	}
	if err := h.checkDuplicate(ctx, p); err != nil {
		return found{}, err
	}
	id, err := h.src.CreatePatient(ctx, p)
	if err != nil {
		return found{}, err
	}
	p.ID = id
	return found{strconv.FormatInt(id, 10), PatientFrom(p)}, nil
}

// checkDuplicate refuses a patient already recorded: same INS, or same
// birth name, first names and birth date (unless both INS differ). A client
// finds the existing record with a search and uses it.
func (h *handler) checkDuplicate(ctx context.Context, p patient.Patient) error {
	if p.INS != "" {
		same, _, err := h.src.SearchPatients(ctx, PatientQuery{INS: p.INS, Page: Page{Count: 1}})
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

func (h *handler) createReferral(ctx context.Context, body []byte) (found, error) {
	var in ServiceRequest
	if err := decode(body, &in, "ServiceRequest"); err != nil {
		return found{}, err
	}
	ref, err := in.ToDomain()
	if err != nil {
		return found{}, err
	}
	bad := &InvalidError{Status: http.StatusUnprocessableEntity}
	if in.Status != "active" {
		bad.add("ServiceRequest.status", "business-rule", "only an active request can be sent")
	}
	if in.Intent != "order" && in.Intent != "original-order" {
		bad.add("ServiceRequest.intent", "business-rule", "intent must be order or original-order")
	}
	if ref.ActID != "" && h.opts.Catalog != nil {
		if _, ok := h.opts.Catalog.Act(ref.ActID); !ok {
			bad.add("ServiceRequest.code", "business-rule", fmt.Sprintf("unknown act %q (see the catalogue)", ref.ActID))
		}
	}
	pt, err := h.src.Patient(ctx, ref.PatientID)
	switch {
	case errors.Is(err, ErrNotFound):
		bad.add("ServiceRequest.subject", "business-rule", fmt.Sprintf("Patient/%d does not exist", ref.PatientID))
	case err != nil:
		return found{}, err
	}
	physician, err := h.requester(ctx, in, ref.PhysicianID, bad)
	if err != nil {
		return found{}, err
	}
	bad.Issues = append(bad.Issues, problemIssues(ref.Validate(h.today()), referralProblemPaths, referral.MaxLength)...)
	if err := bad.orNil(); err != nil {
		return found{}, err
	}
	ref.PhysicianID = physician.ID
	id, err := h.src.CreateReferral(ctx, ref)
	if err != nil {
		return found{}, err
	}
	ref.ID, ref.PatientName, ref.PhysicianName = id, pt.DisplayName(), physician.Name
	return found{strconv.FormatInt(id, 10), ServiceRequestFrom(ref, h.actName(ref.ActID))}, nil
}

// requester finds the referring physician named by id or RPPS; problems go to bad.
func (h *handler) requester(ctx context.Context, in ServiceRequest, id int64, bad *InvalidError) (practice.Physician, error) {
	rpps := in.requesterRPPS()
	if in.Requester == nil || id == 0 && rpps == "" {
		if in.Requester != nil {
			bad.add("ServiceRequest.requester", "business-rule", "requester must be Practitioner/ref-<id> or carry an RPPS identifier ("+SystemRPPS+")")
		}
		return practice.Physician{}, nil
	}
	physicians, err := h.src.Physicians(ctx)
	if err != nil {
		return practice.Physician{}, err
	}
	for _, ph := range physicians {
		if id != 0 && ph.ID == id || rpps != "" && ph.RPPS == rpps {
			return ph, nil
		}
	}
	if rpps != "" {
		bad.add("ServiceRequest.requester.identifier", "business-rule", "no referring physician with RPPS "+rpps+" is known to the practice")
	} else {
		bad.add("ServiceRequest.requester", "business-rule", fmt.Sprintf("Practitioner/%s%d is not a referring physician of the practice", physicianPrefix, id))
	}
	return practice.Physician{}, nil
}
