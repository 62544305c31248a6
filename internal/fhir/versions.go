package fhir

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Versions: a patient's, a referral's or an appointment's version counts
// its recorded changes (identity corrections, status changes, the
// appointment's events); a consent is at version 2 once withdrawn; a signed
// report never changes. The ETag is W/"<versionId>".

// newMeta is the meta of a version.
func newMeta(v Version, loc *time.Location) *Meta {
	m := &Meta{VersionID: strconv.Itoa(max(v.Number, 1))}
	if !v.LastUpdated.IsZero() {
		m.LastUpdated = v.LastUpdated.In(loc).Format(time.RFC3339Nano)
	}
	return m
}

// metaOf returns a resource's meta (nil when it has none).
func metaOf(res any) *Meta {
	switch r := res.(type) {
	case Patient:
		return r.Meta
	case ServiceRequest:
		return r.Meta
	case Appointment:
		return r.Meta
	case Consent:
		return r.Meta
	case DiagnosticReport:
		return r.Meta
	}
	return nil
}

// setVersionHeaders writes ETag and Last-Modified.
func setVersionHeaders(w http.ResponseWriter, m *Meta) {
	if m == nil {
		return
	}
	if m.VersionID != "" {
		w.Header().Set("ETag", `W/"`+m.VersionID+`"`)
	}
	if t, err := time.Parse(time.RFC3339Nano, m.LastUpdated); err == nil {
		w.Header().Set("Last-Modified", t.UTC().Format(http.TimeFormat))
	}
}

// etagMatches tells whether an If-None-Match names the current version.
func etagMatches(header string, m *Meta) bool {
	if header == "" || m == nil || m.VersionID == "" {
		return false
	}
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || strings.Trim(tag, `"`) == m.VersionID {
			return true
		}
	}
	return false
}

// readOne reads a resource and decorates it.
func (h *handler) readOne(ctx context.Context, k *kind, id string) (any, error) {
	res, err := k.read(h, ctx, id)
	if err != nil {
		return nil, err
	}
	if k.decorate != nil {
		list := []found{{id, res}}
		if err := k.decorate(h, ctx, list); err != nil {
			return nil, err
		}
		res = list[0].res
	}
	return res, nil
}

// numericIDs are the ids of found resources (0 for others).
func numericIDs(list []found) []int64 {
	out := make([]int64, len(list))
	for i, f := range list {
		out[i], _ = numericID(f.id)
	}
	return out
}

func (h *handler) decoratePatients(ctx context.Context, list []found) error {
	ids := numericIDs(list)
	versions, err := h.src.Versions(ctx, "Patient", ids)
	if err != nil {
		return err
	}
	idents, err := h.src.Identifiers(ctx, "Patient", ids)
	if err != nil {
		return err
	}
	for i := range list {
		p := list[i].res.(Patient)
		p.Meta = newMeta(versions[ids[i]], h.opts.Location)
		p.Identifier = append(p.Identifier, idents[ids[i]]...)
		list[i].res = p
	}
	return nil
}

func (h *handler) decorateReferrals(ctx context.Context, list []found) error {
	ids := numericIDs(list)
	versions, err := h.src.Versions(ctx, "ServiceRequest", ids)
	if err != nil {
		return err
	}
	idents, err := h.src.Identifiers(ctx, "ServiceRequest", ids)
	if err != nil {
		return err
	}
	for i := range list {
		sr := list[i].res.(ServiceRequest)
		sr.Meta = newMeta(versions[ids[i]], h.opts.Location)
		sr.Identifier = append(sr.Identifier, idents[ids[i]]...)
		list[i].res = sr
	}
	return nil
}

func (h *handler) decorateAppointments(ctx context.Context, list []found) error {
	ids := numericIDs(list)
	versions, err := h.src.Versions(ctx, "Appointment", ids)
	if err != nil {
		return err
	}
	for i := range list {
		a := list[i].res.(Appointment)
		a.Meta = newMeta(versions[ids[i]], h.opts.Location)
		list[i].res = a
	}
	return nil
}

func (h *handler) patientHistory(ctx context.Context, id string) ([]found, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	versions, err := h.src.PatientVersions(ctx, n)
	if err != nil {
		return nil, err
	}
	idents, err := h.src.Identifiers(ctx, "Patient", []int64{n})
	if err != nil {
		return nil, err
	}
	out := make([]found, len(versions))
	for i, v := range versions {
		p := PatientFrom(v.Patient)
		p.Meta = newMeta(v.Version, h.opts.Location)
		p.Identifier = append(p.Identifier, idents[n]...)
		out[i] = found{id, p}
	}
	return out, nil
}

func (h *handler) referralHistory(ctx context.Context, id string) ([]found, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	versions, err := h.src.ReferralVersions(ctx, n)
	if err != nil {
		return nil, err
	}
	idents, err := h.src.Identifiers(ctx, "ServiceRequest", []int64{n})
	if err != nil {
		return nil, err
	}
	out := make([]found, len(versions))
	for i, v := range versions {
		sr := ServiceRequestFrom(v.Referral, h.actName(v.Referral.ActID))
		sr.Meta = newMeta(v.Version, h.opts.Location)
		sr.Identifier = append(sr.Identifier, idents[n]...)
		out[i] = found{id, sr}
	}
	return out, nil
}

// appointmentHistory gives the versions whose state was kept: every one
// since states were recorded, and always the current one.
func (h *handler) appointmentHistory(ctx context.Context, id string) ([]found, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	versions, err := h.src.AppointmentVersions(ctx, n)
	if err != nil {
		return nil, err
	}
	var out []found
	for _, v := range versions {
		if !v.Kept {
			continue
		}
		a := AppointmentFrom(v.Appointment, h.actName(v.Appointment.ActID), h.opts.Location)
		a.Meta = newMeta(v.Version, h.opts.Location)
		out = append(out, found{id, a})
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// consentHistory: in force (1), then withdrawn (2).
func (h *handler) consentHistory(ctx context.Context, id string) ([]found, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	c, err := h.src.Consent(ctx, n)
	if err != nil {
		return nil, err
	}
	current := ConsentFrom(c, h.opts.Location)
	if c.WithdrawnAt.IsZero() {
		return []found{{id, current}}, nil
	}
	first := c
	first.WithdrawnAt = time.Time{}
	return []found{{id, ConsentFrom(first, h.opts.Location)}, {id, current}}, nil
}

func (h *handler) reportHistory(ctx context.Context, id string) ([]found, error) {
	res, err := h.readReport(ctx, id)
	if err != nil {
		return nil, err
	}
	return []found{{id, res}}, nil
}

// history answers GET [type]/[id]/_history: a history Bundle, newest first.
func (h *handler) history(w http.ResponseWriter, r *http.Request, k *kind) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || k.history == nil {
		h.notAllowed(w, r, k, false)
		return
	}
	versions, err := k.history(h, r.Context(), r.PathValue("id"))
	if err != nil {
		h.notFoundOr(w, r, k, err)
		return
	}
	base := h.opts.BaseURL + "/" + k.name + "/" + r.PathValue("id")
	total := len(versions)
	b := Bundle{ResourceType: "Bundle", Type: "history", Total: &total, Link: []BundleLink{{Relation: "self", URL: base + "/_history"}}}
	for i, v := range slices.Backward(versions) {
		m := metaOf(v.res)
		e := BundleEntry{FullURL: base, Resource: v.res, Request: &BundleRequest{Method: "PUT", URL: k.name + "/" + v.id},
			Response: &BundleResponse{Status: "200 OK"}}
		if m != nil && m.VersionID == "1" || m == nil && i == 0 {
			e.Request = &BundleRequest{Method: "POST", URL: k.name}
			e.Response.Status = "201 Created"
		}
		if m != nil {
			e.Response.Etag, e.Response.LastModified = `W/"`+m.VersionID+`"`, m.LastUpdated
		}
		b.Entry = append(b.Entry, e)
	}
	h.write(w, r, http.StatusOK, b)
}

// vread answers GET [type]/[id]/_history/[vid].
func (h *handler) vread(w http.ResponseWriter, r *http.Request, k *kind) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || k.history == nil {
		h.notAllowed(w, r, k, false)
		return
	}
	versions, err := k.history(h, r.Context(), r.PathValue("id"))
	if err != nil {
		h.notFoundOr(w, r, k, err)
		return
	}
	for _, v := range versions {
		if m := metaOf(v.res); m != nil && m.VersionID == r.PathValue("vid") {
			setVersionHeaders(w, m)
			h.write(w, r, http.StatusOK, v.res)
			return
		}
	}
	h.fail(w, r, http.StatusNotFound, Outcome("error", "not-found", k.name+"/"+r.PathValue("id")+" has no version "+r.PathValue("vid")))
}
