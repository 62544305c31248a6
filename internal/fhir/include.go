package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// include names, for a search's matches, the resources an _include adds:
// their type and the references ("Type/id") each match holds.
type include struct {
	target string
	refs   func(res any) []string
}

// revinclude finds the resources of another type that refer to the matches
// (_revinclude).
type revinclude struct {
	source string
	find   func(h *handler, ctx context.Context, ids []int64) ([]found, int, error)
}

// maxIncluded bounds what one search includes.
const maxIncluded = 200

func refOf(r *Reference) []string {
	if r == nil || r.Reference == "" {
		return nil
	}
	return []string{r.Reference}
}

func srSubject(res any) []string   { return refOf(res.(ServiceRequest).Subject) }
func srRequester(res any) []string { return refOf(res.(ServiceRequest).Requester) }
func apptPatient(res any) []string { return apptRefs(res, "Patient/") }
func apptPractitioner(res any) []string {
	return apptRefs(res, "Practitioner/")
}
func apptRefs(res any, prefix string) []string {
	var out []string
	for _, p := range res.(Appointment).Participant {
		if p.Actor != nil && strings.HasPrefix(p.Actor.Reference, prefix) {
			out = append(out, p.Actor.Reference)
		}
	}
	return out
}
func apptBasedOn(res any) []string {
	var out []string
	for _, b := range res.(Appointment).BasedOn {
		out = append(out, b.Reference)
	}
	return out
}
func consentPatient(res any) []string { return refOf(res.(Consent).Patient) }
func procPatient(res any) []string    { s := res.(Procedure).Subject; return refOf(&s) }
func reportSubject(res any) []string  { s := res.(DiagnosticReport).Subject; return refOf(&s) }
func reportPerformer(res any) []string {
	var out []string
	for _, p := range res.(DiagnosticReport).Performer {
		out = append(out, p.Reference)
	}
	return out
}

// revincludesOfPatient: a patient's referrals and appointments.
var revincludesOfPatient = map[string]revinclude{
	"ServiceRequest:subject": {"ServiceRequest", revReferrals}, "ServiceRequest:patient": {"ServiceRequest", revReferrals},
	"Appointment:patient": {"Appointment", revAppointments},
}

func revReferrals(h *handler, ctx context.Context, ids []int64) ([]found, int, error) {
	return h.kinds["ServiceRequest"].search(h, ctx, &params{kind: h.kinds["ServiceRequest"], values: map[string][]string{
		"patient": {joinInts(ids)}}, used: map[string][]string{}, loc: h.opts.Location, page: Page{Count: MaxCount}})
}

func revAppointments(h *handler, ctx context.Context, ids []int64) ([]found, int, error) {
	return h.kinds["Appointment"].search(h, ctx, &params{kind: h.kinds["Appointment"], values: map[string][]string{
		"patient": {joinInts(ids)}}, used: map[string][]string{}, loc: h.opts.Location, page: Page{Count: MaxCount}})
}

func joinInts(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// included reads what the search's _include and _revinclude add, once
// each, as entries of mode "include".
func (h *handler) included(ctx context.Context, k *kind, p *params, list []found) ([]BundleEntry, error) {
	seen := map[string]bool{}
	for _, f := range list {
		seen[k.name+"/"+f.id] = true
	}
	var out []BundleEntry
	add := func(typ string, f found) {
		key := typ + "/" + f.id
		if seen[key] || len(out) >= maxIncluded {
			return
		}
		seen[key] = true
		out = append(out, BundleEntry{FullURL: h.opts.BaseURL + "/" + key, Resource: f.res, Search: &BundleSearch{Mode: "include"}})
	}
	for _, name := range p.includes {
		inc := k.includes[name]
		target := h.kinds[inc.target]
		for _, f := range list {
			for _, ref := range inc.refs(f.res) {
				id, ok := strings.CutPrefix(ref, inc.target+"/")
				if !ok || seen[ref] {
					continue
				}
				res, err := h.readOne(ctx, target, id)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return nil, err
				}
				add(inc.target, found{id, res})
			}
		}
	}
	ids := numericIDs(list)
	for _, name := range p.revs {
		if len(ids) == 0 {
			break
		}
		rev := k.revincludes[name]
		more, _, err := rev.find(h, ctx, ids)
		if err != nil {
			return nil, err
		}
		if d := h.kinds[rev.source].decorate; d != nil && len(more) > 0 {
			if err := d(h, ctx, more); err != nil {
				return nil, err
			}
		}
		for _, f := range more {
			add(rev.source, f)
		}
	}
	return out, nil
}

// subsettedTag marks a resource cut down by _elements.
var subsettedTag = Coding{System: "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", Code: "SUBSETTED", Display: "subsetted"}

// subset keeps only the elements asked for (and resourceType, id, meta),
// tagging the resource SUBSETTED; nil elements keeps everything.
func subset(res any, elements []string) any {
	if elements == nil {
		return res
	}
	b, err := json.Marshal(res)
	if err != nil {
		return res
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return res
	}
	out := map[string]any{}
	for name, v := range all {
		if name == "resourceType" || name == "id" || slices.Contains(elements, name) {
			out[name] = v
		}
	}
	var meta Meta
	if m, ok := all["meta"]; ok {
		json.Unmarshal(m, &meta)
	}
	meta.Tag = append(meta.Tag, subsettedTag)
	out["meta"] = meta
	return out
}
