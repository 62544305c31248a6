package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// A transaction (POST /fhir with a Bundle of type transaction) creates a
// patient and referrals for them in one request, whole or not at all: each
// entry is a POST of Patient (at most one) or ServiceRequest, perhaps with
// ifNoneExist; a referral names the new patient by the patient entry's
// fullUrl. Batches are not supported.

type txEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Request  *BundleRequest  `json:"request"`
}

func (h *handler) transaction(w http.ResponseWriter, r *http.Request) {
	if !acceptsJSON(r) {
		h.notAcceptable(w, r)
		return
	}
	client, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	var b struct {
		ResourceType string    `json:"resourceType"`
		Type         string    `json:"type"`
		Entry        []txEntry `json:"entry"`
	}
	if err := json.Unmarshal(body, &b); err != nil || b.ResourceType != "Bundle" {
		h.fail(w, r, http.StatusBadRequest, Outcome("error", "structure", "send a Bundle of type transaction", "Bundle"))
		return
	}
	if b.Type != "transaction" {
		h.fail(w, r, http.StatusBadRequest, Outcome("error", "not-supported", "only transaction Bundles are processed here (not "+strconv.Quote(b.Type)+")", "Bundle.type"))
		return
	}
	entries, bad := h.checkEntries(b.Entry)
	if bad != nil {
		h.fail(w, r, http.StatusBadRequest, Outcome("error", "not-supported", bad.Error(), "Bundle.entry"))
		return
	}
	for _, e := range entries {
		if !h.allowed(w, r, client, e.Request.URL, Write) {
			return
		}
	}
	r = h.withBase(withActor(r, client))
	results, err := h.runTransaction(r, entries)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.write(w, r, http.StatusOK, Bundle{ResourceType: "Bundle", Type: "transaction-response", Entry: results})
}

// checkEntries keeps entries that POST a Patient (one at most) or a
// ServiceRequest, the patient first.
func (h *handler) checkEntries(list []txEntry) ([]txEntry, error) {
	if len(list) == 0 {
		return nil, errors.New("the transaction has no entry")
	}
	patients := 0
	for i, e := range list {
		if e.Request == nil || e.Request.Method != http.MethodPost || len(e.Resource) == 0 {
			return nil, fmt.Errorf("entry %d: only POST of a resource is supported", i)
		}
		switch strings.Trim(e.Request.URL, "/") {
		case "Patient":
			patients++
		case "ServiceRequest":
		default:
			return nil, fmt.Errorf("entry %d: only Patient and ServiceRequest can be created in a transaction", i)
		}
		list[i].Request.URL = strings.Trim(e.Request.URL, "/")
	}
	if patients > 1 {
		return nil, errors.New("a transaction creates one patient at most")
	}
	return list, nil
}

// runTransaction resolves the conditional entries, checks every resource,
// then records what is new in one Source.Receive.
func (h *handler) runTransaction(r *http.Request, entries []txEntry) ([]BundleEntry, error) {
	ctx := r.Context()
	existing := make([]string, len(entries))
	tx := &txContext{}
	for i, e := range entries {
		id, err := h.conditional(ctx, h.kinds[e.Request.URL], e.Request.IfNoneExist)
		if err != nil {
			return nil, entryError(i, err)
		}
		existing[i] = id
		if e.Request.URL == "Patient" {
			tx.newPatient = e.FullURL
			tx.existing, _ = numericID(id)
		}
	}
	var drafts []draft
	var created []int // the entries drafts come from
	for _, i := range patientFirst(entries) {
		e := entries[i]
		if existing[i] != "" {
			continue
		}
		d, err := h.kinds[e.Request.URL].create(h, ctx, e.Resource, tx)
		if err != nil {
			return nil, entryError(i, err)
		}
		drafts, created = append(drafts, d), append(created, i)
	}
	ids := IntakeIDs{}
	if len(drafts) > 0 {
		var err error
		if ids, err = h.src.Receive(ctx, intakeOf(drafts)); err != nil {
			return nil, err
		}
	}
	status := make([]string, len(entries))
	referral := 0
	for n, i := range created {
		if drafts[n].patient != nil {
			existing[i], status[i] = strconv.FormatInt(ids.PatientID, 10), "201 Created"
		} else {
			existing[i], status[i] = strconv.FormatInt(ids.ReferralIDs[referral], 10), "201 Created"
			referral++
		}
	}
	out := make([]BundleEntry, len(entries))
	for i, e := range entries {
		k := h.kinds[e.Request.URL]
		res, err := h.readOne(ctx, k, existing[i])
		if err != nil {
			return nil, err
		}
		resp := &BundleResponse{Status: "200 OK", Location: k.name + "/" + existing[i]}
		if status[i] != "" {
			resp.Status = status[i]
		}
		if m := metaOf(res); m != nil {
			resp.Location += "/_history/" + m.VersionID
			resp.Etag, resp.LastModified = `W/"`+m.VersionID+`"`, m.LastUpdated
		}
		out[i] = BundleEntry{FullURL: h.opts.BaseURL + "/" + k.name + "/" + existing[i], Resource: res, Response: resp}
	}
	return out, nil
}

// patientFirst orders the entries' indexes: the patient, then the others.
func patientFirst(entries []txEntry) []int {
	var first, rest []int
	for i, e := range entries {
		if e.Request.URL == "Patient" {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	return append(first, rest...)
}

// entryError says which entry an error is about.
func entryError(i int, err error) error {
	var invalid *InvalidError
	if errors.As(err, &invalid) {
		out := &InvalidError{Status: invalid.Status}
		for _, is := range invalid.Issues {
			is.Diagnostics = fmt.Sprintf("Bundle.entry[%d]: %s", i, is.Diagnostics)
			out.Issues = append(out.Issues, is)
		}
		return out
	}
	var conflict *conflictError
	if errors.As(err, &conflict) {
		return &conflictError{fmt.Sprintf("Bundle.entry[%d]: %s", i, conflict.msg), conflict.expression}
	}
	return err
}
