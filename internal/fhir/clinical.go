package fhir

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// ProcedureRecord is an act performed, as the API publishes it.
type ProcedureRecord struct {
	AppointmentID, ReferralID, PatientID int64
	ActID                                string
	Levels                               []string
	Side                                 string
	Start, End                           time.Time
	Complications                        []string // "none" alone when none
	StudyInstanceUID                     string
	DLP, CTDIvol                         *float64
	Performer                            string // radiologist's name
	PerformerID                          int64
}

// ReportRecord is a signed report version.
type ReportRecord struct {
	ID, AppointmentID, ReferralID, PatientID int64
	ActID                                    string
	Number, Amends                           int
	Title, Body                              string
	SignedAt, ActDate                        time.Time
	SignedBy                                 string
	SignedByID                               int64 // the radiologist's user id when known
	SHA256                                   string
	PDFSize                                  int    // the signed PDF's length
	PDFSHA1                                  string // its SHA-1, base64
}

// Procedure is the FHIR R4 Procedure of an act; its id is the appointment's.
type Procedure struct {
	ResourceType    string            `json:"resourceType"`
	ID              string            `json:"id"`
	Meta            *Meta             `json:"meta,omitempty"`
	Identifier      []Identifier      `json:"identifier,omitempty"`
	BasedOn         []Reference       `json:"basedOn,omitempty"`
	Status          string            `json:"status"`
	Code            CodeableConcept   `json:"code"`
	Subject         Reference         `json:"subject"`
	PerformedPeriod *period           `json:"performedPeriod,omitempty"`
	Performer       []procPerformer   `json:"performer,omitempty"`
	BodySite        []CodeableConcept `json:"bodySite,omitempty"`
	Complication    []CodeableConcept `json:"complication,omitempty"`
	Note            []annotation      `json:"note,omitempty"`
}

type procPerformer struct {
	Actor Reference `json:"actor"`
}

type annotation struct {
	Text string `json:"text"`
}

// DiagnosticReport is the FHIR R4 DiagnosticReport of a signed report version.
type DiagnosticReport struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id"`
	Meta              *Meta             `json:"meta,omitempty"`
	Identifier        []Identifier      `json:"identifier,omitempty"`
	BasedOn           []Reference       `json:"basedOn,omitempty"`
	Status            string            `json:"status"`
	Category          []CodeableConcept `json:"category,omitempty"`
	Code              CodeableConcept   `json:"code"`
	Subject           Reference         `json:"subject"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	Issued            string            `json:"issued,omitempty"`
	Performer         []Reference       `json:"performer,omitempty"`
	ResultsInterp     []Reference       `json:"resultsInterpreter,omitempty"`
	Conclusion        string            `json:"conclusion,omitempty"`
	PresentedForm     []attachment      `json:"presentedForm,omitempty"`
}

// Identifier systems of acts and reports.
const (
	SystemReport       = "urn:repere:report"
	SystemReportSHA256 = "urn:repere:report-sha256"
	SystemStudyUID     = "urn:dicom:uid"
)

// ProcedureFrom maps an act performed.
func ProcedureFrom(p ProcedureRecord, actName string, loc *time.Location) Procedure {
	id := strconv.FormatInt(p.AppointmentID, 10)
	out := Procedure{ResourceType: "Procedure", ID: id, Status: "completed",
		Identifier: []Identifier{{System: SystemAppt, Value: id}},
		BasedOn:    []Reference{{Reference: "ServiceRequest/" + strconv.FormatInt(p.ReferralID, 10)}},
		Code:       CodeableConcept{Coding: []Coding{{System: SystemAct, Code: p.ActID, Display: actName}}, Text: actName},
		Subject:    Reference{Reference: "Patient/" + strconv.FormatInt(p.PatientID, 10)},
	}
	if p.StudyInstanceUID != "" {
		out.Identifier = append(out.Identifier, Identifier{System: SystemStudyUID, Value: "urn:oid:" + p.StudyInstanceUID})
	}
	if !p.Start.IsZero() {
		out.PerformedPeriod = &period{Start: p.Start.In(loc).Format(time.RFC3339)}
		if !p.End.IsZero() {
			out.PerformedPeriod.End = p.End.In(loc).Format(time.RFC3339)
		}
	}
	if p.PerformerID != 0 {
		out.Performer = []procPerformer{{Actor: Reference{Reference: "Practitioner/rad-" + strconv.FormatInt(p.PerformerID, 10), Display: p.Performer}}}
	}
	for _, lv := range p.Levels {
		text := lv
		if p.Side != "" {
			text += " (" + p.Side + ")"
		}
		out.BodySite = append(out.BodySite, CodeableConcept{Text: text})
	}
	for _, c := range p.Complications {
		if c != "none" {
			out.Complication = append(out.Complication, CodeableConcept{Text: c})
		}
	}
	var dose []string
	if p.DLP != nil {
		dose = append(dose, "DLP "+strconv.FormatFloat(*p.DLP, 'f', -1, 64)+" mGy·cm")
	}
	if p.CTDIvol != nil {
		dose = append(dose, "CTDIvol "+strconv.FormatFloat(*p.CTDIvol, 'f', -1, 64)+" mGy")
	}
	if len(dose) > 0 {
		out.Note = []annotation{{Text: strings.Join(dose, ", ")}}
	}
	return out
}

// DiagnosticReportFrom maps a signed report version: final, or amended when
// it corrects an earlier version; the signed PDF is the Binary report-<id>,
// the text is given too. A signed version never changes (version 1).
func DiagnosticReportFrom(r ReportRecord, actName string, loc *time.Location, encode func(string) string) DiagnosticReport {
	id := strconv.FormatInt(r.ID, 10)
	status := "final"
	if r.Amends > 0 {
		status = "amended"
	}
	signer := Reference{Display: r.SignedBy}
	if r.SignedByID != 0 {
		signer.Reference = "Practitioner/" + radiologistPrefix + strconv.FormatInt(r.SignedByID, 10)
	}
	forms := []attachment{{ContentType: "text/plain; charset=utf-8", Language: "fr", Data: encode(r.Body), Title: r.Title, Creation: r.SignedAt.In(loc).Format(time.RFC3339)}}
	if r.PDFSize > 0 {
		forms = append([]attachment{{ContentType: "application/pdf", Language: "fr", URL: "Binary/report-" + id, Size: r.PDFSize, Hash: r.PDFSHA1,
			Title: r.Title, Creation: r.SignedAt.In(loc).Format(time.RFC3339)}}, forms...)
	}
	return DiagnosticReport{ResourceType: "DiagnosticReport", ID: id, Status: status,
		Meta:          newMeta(Version{Number: 1, LastUpdated: r.SignedAt}, loc),
		Performer:     []Reference{signer},
		ResultsInterp: []Reference{signer},
		Identifier: []Identifier{{System: SystemReport, Value: strconv.FormatInt(r.AppointmentID, 10) + "-v" + strconv.Itoa(r.Number)},
			{System: SystemReportSHA256, Value: r.SHA256}},
		BasedOn:           []Reference{{Reference: "ServiceRequest/" + strconv.FormatInt(r.ReferralID, 10)}},
		Category:          []CodeableConcept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0074", Code: "RAD", Display: "Radiology"}}}},
		Code:              CodeableConcept{Coding: []Coding{{System: SystemAct, Code: r.ActID, Display: actName}}, Text: r.Title},
		Subject:           Reference{Reference: "Patient/" + strconv.FormatInt(r.PatientID, 10)},
		EffectiveDateTime: r.ActDate.In(loc).Format(time.RFC3339),
		Issued:            r.SignedAt.In(loc).Format(time.RFC3339),
		Conclusion:        conclusionOf(r.Body),
		PresentedForm:     forms,
	}
}

// conclusionOf takes the text after the report's conclusion heading.
func conclusionOf(body string) string {
	for _, head := range []string{"CONCLUSION", "Conclusion"} {
		if i := strings.LastIndex(body, head); i >= 0 {
			rest := strings.TrimLeft(body[i+len(head):], " :\n\r")
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

func (h *handler) readProcedure(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	p, err := h.src.Procedure(ctx, n)
	if err != nil {
		return nil, err
	}
	return ProcedureFrom(p, h.actName(p.ActID), h.opts.Location), nil
}

func (h *handler) searchProcedures(ctx context.Context, p *params) ([]found, int, error) {
	patientIDs := p.refList("patient", "Patient")
	if patientIDs == nil {
		p.bad("patient", "a Procedure search needs the patient")
	}
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	var list []ProcedureRecord
	for _, id := range patientIDs {
		some, err := h.src.Procedures(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, some...)
	}
	var out []found
	for _, pr := range list {
		out = append(out, found{strconv.FormatInt(pr.AppointmentID, 10), ProcedureFrom(pr, h.actName(pr.ActID), h.opts.Location)})
	}
	page, total := pageOf(out, p.page)
	return page, total, nil
}

func (h *handler) readReport(ctx context.Context, id string) (any, error) {
	n, ok := numericID(id)
	if !ok {
		return nil, ErrNotFound
	}
	r, err := h.src.Report(ctx, n)
	if err != nil {
		return nil, err
	}
	return DiagnosticReportFrom(r, h.actName(r.ActID), h.opts.Location, base64Text), nil
}

func (h *handler) searchReports(ctx context.Context, p *params) ([]found, int, error) {
	patientIDs := p.refList("patient", "Patient")
	if patientIDs == nil {
		p.bad("patient", "a DiagnosticReport search needs the patient")
	}
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	var list []ReportRecord
	for _, id := range patientIDs {
		some, err := h.src.Reports(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		list = append(list, some...)
	}
	var out []found
	for _, r := range list {
		out = append(out, found{strconv.FormatInt(r.ID, 10), DiagnosticReportFrom(r, h.actName(r.ActID), h.opts.Location, base64Text)})
	}
	page, total := pageOf(out, p.page)
	return page, total, nil
}

func base64Text(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
