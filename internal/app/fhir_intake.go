package app

import (
	"context"
	"encoding/json"

	"repere/internal/fhir"
	"repere/internal/patient"
	"repere/internal/referral"
	"repere/internal/store"
)

// The FHIR source's writes, identifiers, versions and documents.

func storeIdentifiers(ids []fhir.Identifier) []store.Identifier {
	out := make([]store.Identifier, 0, len(ids))
	for _, id := range ids {
		out = append(out, store.Identifier{System: id.System, Value: id.Value})
	}
	return out
}

// Receive records a create or a transaction through ReceiveIntake: a
// refusal becomes a 422 whose issues say each reason in English.
func (f FHIRSource) Receive(ctx context.Context, in fhir.Intake) (fhir.IntakeIDs, error) {
	si := store.Intake{Patient: in.Patient, PatientIdentifiers: storeIdentifiers(in.PatientIdentifiers)}
	for _, r := range in.Referrals {
		si.Referrals = append(si.Referrals, store.IntakeReferral{Referral: r.Referral, Identifiers: storeIdentifiers(r.Identifiers), ForNewPatient: r.ForNewPatient})
	}
	ids, err := f.a.ReceiveIntake(ctx, si)
	if r, ok := AsRefusal(err); ok {
		if r.Has("intake.err.identifier_taken") {
			return fhir.IntakeIDs{}, fhir.ErrIdentifierTaken
		}
		var issues []fhir.Issue
		for i, msg := range f.a.Messages(r, f.a.cfg.I18n.For("en")) {
			code := "business-rule"
			if r.Reasons[i].Key == patient.ErrTooLong {
				code = "too-long"
			}
			issues = append(issues, fhir.Issue{Severity: "error", Code: code, Diagnostics: msg})
		}
		return fhir.IntakeIDs{}, fhir.Rejected(issues)
	}
	return fhir.IntakeIDs{PatientID: ids.PatientID, ReferralIDs: ids.ReferralIDs}, err
}

// entityOf names the store's entity of a resource type.
var entityOf = map[string]string{"Patient": "patient", "ServiceRequest": "referral", "Appointment": "appointment"}

func (f FHIRSource) Identifiers(ctx context.Context, resourceType string, ids []int64) (map[int64][]fhir.Identifier, error) {
	list, err := f.a.store.IdentifiersOf(ctx, entityOf[resourceType], ids)
	out := make(map[int64][]fhir.Identifier, len(list))
	for id, idents := range list {
		for _, x := range idents {
			out[id] = append(out[id], fhir.Identifier{System: x.System, Value: x.Value})
		}
	}
	return out, err
}

func (f FHIRSource) Versions(ctx context.Context, resourceType string, ids []int64) (map[int64]fhir.Version, error) {
	list, err := f.a.store.Versions(ctx, entityOf[resourceType], ids)
	out := make(map[int64]fhir.Version, len(list))
	for id, v := range list {
		out[id] = fhir.Version{Number: v.Number, LastUpdated: v.LastUpdated}
	}
	return out, err
}

// PatientVersions rebuilds a patient's earlier identities from the
// identity corrections, which keep each changed field's old value.
func (f FHIRSource) PatientVersions(ctx context.Context, id int64) ([]fhir.PatientVersion, error) {
	p, err := f.a.store.Patient(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	events, err := f.a.store.PatientHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]fhir.PatientVersion, len(events)+1)
	out[len(events)] = fhir.PatientVersion{Patient: p}
	for i := len(events) - 1; i >= 0; i-- {
		out[i+1].LastUpdated = events[i].At
		var changes map[string][2]string
		if err := json.Unmarshal([]byte(events[i].Detail), &changes); err != nil {
			return nil, err
		}
		for field, c := range changes {
			setIdentityField(&p, field, c[0])
		}
		out[i] = fhir.PatientVersion{Patient: p}
	}
	out[0].LastUpdated = p.CreatedAt
	for i := range out {
		out[i].Number = i + 1
	}
	return out, nil
}

func setIdentityField(p *patient.Patient, field, value string) {
	switch field {
	case "birth_name":
		p.BirthName = value
	case "used_name":
		p.UsedName = value
	case "first_names":
		p.FirstNames = value
	case "birth_date":
		p.BirthDate = value
	case "sex":
		p.Sex = value
	}
}

// ReferralVersions rebuilds a referral's earlier states from its history:
// its status changes and the records it was filed on (a re-filing changes
// the subject; a confirmation changes nothing but counts as a version, as
// store.Versions counts it). Its other FHIR elements do not change.
func (f FHIRSource) ReferralVersions(ctx context.Context, id int64) ([]fhir.ReferralVersion, error) {
	r, err := f.a.store.Referral(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	events, err := f.a.store.ReferralHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	// The record of each version, from the last back to the first.
	filedOn := make([]int64, len(events)+1)
	filedOn[len(events)] = r.PatientID
	for i := len(events) - 1; i >= 0; i-- {
		filedOn[i] = filedOn[i+1]
		if e := events[i]; e.FromPatientID != 0 && (e.Kind == "refiled" || e.Kind == "refiled_new") {
			filedOn[i] = e.FromPatientID
		}
	}
	version := func(status referral.Status, patientID int64) referral.Referral {
		v := r
		v.Status = status
		if patientID != r.PatientID { // the name shown is the current record's
			v.PatientID, v.PatientName = patientID, ""
		}
		return v
	}
	first := r.Status
	if len(events) > 0 {
		first = events[0].From
	}
	out := []fhir.ReferralVersion{{Version: fhir.Version{Number: 1, LastUpdated: r.CreatedAt}, Referral: version(first, filedOn[0])}}
	for i, e := range events {
		out = append(out, fhir.ReferralVersion{Version: fhir.Version{Number: i + 2, LastUpdated: e.At}, Referral: version(e.To, filedOn[i+1])})
	}
	return out, nil
}

// AppointmentVersions gives an appointment's versions from the states its
// events keep.
func (f FHIRSource) AppointmentVersions(ctx context.Context, id int64) ([]fhir.AppointmentVersion, error) {
	list, err := f.a.store.AppointmentVersions(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	out := make([]fhir.AppointmentVersion, len(list))
	for i, v := range list {
		out[i] = fhir.AppointmentVersion{Version: fhir.Version{Number: v.Number, LastUpdated: v.At}, Kept: v.Kept, Appointment: v.Appointment}
	}
	return out, nil
}

func (f FHIRSource) ReportPDF(ctx context.Context, id int64) ([]byte, error) {
	r, err := f.a.store.ReportPDF(ctx, id)
	return r.PDF, notFound(err)
}

func (f FHIRSource) ConsentDocument(ctx context.Context, id int64) ([]byte, string, error) {
	c, err := f.a.store.ConsentDocument(ctx, id)
	if err != nil {
		return nil, "", notFound(err)
	}
	if len(c.Document) == 0 {
		return nil, "", fhir.ErrNotFound
	}
	return c.Document, c.ContentType, nil
}
