package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"repere/internal/patient"
	"repere/internal/practice"
)

// searchType answers a search with a searchset Bundle.
func (h *handler) searchType(w http.ResponseWriter, r *http.Request, k *kind) {
	p := newParams(r, k, h.opts.Location)
	ctx := r.Context()
	list, total, err := k.search(h, ctx, p)
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
	if k.decorate != nil && len(list) > 0 {
		if err := k.decorate(h, ctx, list); err != nil {
			h.internal(w, r, err)
			return
		}
	}
	base := h.opts.BaseURL + "/" + k.name
	b := Bundle{ResourceType: "Bundle", Type: "searchset",
		Link: []BundleLink{{Relation: "self", URL: withQuery(base, p.used)}}}
	if total != unknownTotal {
		b.Total = &total
	}
	if len(list) > 0 && (total == unknownTotal || p.page.Offset+len(list) < total) {
		next := maps.Clone(p.used)
		next.Set("_count", strconv.Itoa(p.page.Count))
		next.Set("_offset", strconv.Itoa(p.page.Offset+len(list)))
		b.Link = append(b.Link, BundleLink{Relation: "next", URL: withQuery(base, next)})
	}
	for _, f := range list {
		e := BundleEntry{Resource: subset(f.res, p.elements), Search: &BundleSearch{Mode: "match"}}
		if f.id != "" {
			e.FullURL = base + "/" + f.id
		}
		b.Entry = append(b.Entry, e)
	}
	included, err := h.included(ctx, k, p, list)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	b.Entry = append(b.Entry, included...)
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
	if err := checkElements(body, v, typ); err != nil {
		return err
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

// requester finds the referring physician named by id or RPPS; problems go to bad.
func (h *handler) requester(ctx context.Context, in ServiceRequest, id int64, bad *InvalidError) (practice.Physician, error) {
	rpps := in.requesterRPPS()
	if in.Requester == nil || id == 0 && rpps == "" {
		if in.Requester != nil {
			bad.add("ServiceRequest.requester", "business-rule", "requester must be Practitioner/ref-<id> or carry an identifier: IdNatPs ("+SystemIdNatPs+", 8 + RPPS) or RPPS ("+SystemRPPS+")")
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
