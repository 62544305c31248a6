package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/actrecord"
	"repere/internal/app"
	"repere/internal/auth"
)

// recordPage is the act record form: the act's fields as data, the values
// as typed, errors refusing the save and warnings shown after it.
type recordPage struct {
	appointmentFile
	Fields   []actrecord.Field
	Values   map[string]string   // field name -> value as typed
	Multi    map[string][]string // levels and complications chosen
	Errors   map[string]string
	Warnings []string
	Version  int
	Saved    bool
	CanEdit  bool
	// Contradictions with the screening still to confirm; Confirmed those
	// confirmed when the record was saved.
	Contradictions []contradictionView
	Confirmed      []actrecord.Confirmation
	// Billing: the codes the record bills (frozen at each save).
	Billing []actrecord.Billed
	// Dose: where the act's dose comes from and the scanner's reports.
	Dose app.ActDose
}

// contradictionView is a contradiction with the screening, to confirm by ticking it.
type contradictionView struct{ ID, Text string }

func (s *Server) loadRecordPage(r *http.Request) (recordPage, actrecord.Record, error) {
	var p recordPage
	id, err := pathID(r)
	if err != nil {
		return p, actrecord.Record{}, err
	}
	l := localizer(r)
	if p.appointmentFile, err = s.loadAppointmentFile(r.Context(), id, l.Lang); err != nil {
		return p, actrecord.Record{}, err
	}
	// Every option's fields are offered (the biopsy of a vertebroplasty),
	// whether or not it was booked.
	p.Fields = s.records.FieldsFor(p.Act, p.Appointment.VariantID, p.Act.OptionIDs())
	p.Values, p.Multi, p.Errors = map[string]string{}, map[string][]string{}, map[string]string{}
	p.CanEdit = currentUser(r).Role.In(auth.Radiologist, auth.Radiographer)
	rec, version, err := s.app.ActRecord(r.Context(), p.AppointmentFile)
	if err != nil {
		return p, rec, err
	}
	p.Version, p.Confirmed = version, rec.Confirmed
	p.fill(rec, s.loc())
	if p.Dose, err = s.app.ActDoseOf(r.Context(), id); err != nil {
		return p, rec, err
	}
	if p.Billing, err = s.app.BilledCodes(r.Context(), p.AppointmentFile, rec); err != nil {
		return p, rec, err
	}
	return p, rec, nil
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// fill puts a record's values in the form.
func (p *recordPage) fill(r actrecord.Record, loc *time.Location) {
	v := p.Values
	p.Multi["levels"], p.Multi["complications"] = r.Levels, r.Complications
	v["side"], v["approach"] = r.Side, r.Approach
	if r.NeedleGauge != 0 {
		v["needle_gauge"] = strconv.Itoa(r.NeedleGauge)
	}
	for _, f := range p.Fields {
		if f.Kind != actrecord.KindDrug {
			continue
		}
		for _, d := range r.Drugs {
			if slices.ContainsFunc(f.Drugs, func(x *actrecord.Drug) bool { return x.ID == d.DrugID }) {
				v[f.ID+".drug"], v[f.ID+".dose"] = d.DrugID, strconv.FormatFloat(d.DoseMg, 'f', -1, 64)
			}
		}
	}
	v["contrast_ml"], v["blood_ml"], v["dlp"], v["ctdivol"] = num(r.ContrastML), num(r.BloodML), num(r.DLP), num(r.CTDIvol)
	var cement []string
	for _, lv := range r.Levels {
		if ml, ok := r.CementML[lv]; ok {
			cement = append(cement, lv+"="+strconv.FormatFloat(ml, 'f', -1, 64))
		}
	}
	v["cement_ml"] = strings.Join(cement, "; ")
	if r.BiopsySent {
		v["biopsy_sent"] = "yes"
	}
	if !r.Start.IsZero() {
		v["start"] = r.Start.In(loc).Format("2006-01-02T15:04")
	}
	if !r.End.IsZero() {
		v["end"] = r.End.In(loc).Format("2006-01-02T15:04")
	}
	v["complication_note"], v["study_instance_uid"], v["notes"] = r.ComplicationNote, r.StudyInstanceUID, r.Notes
	v["modifiers"] = r.Modifiers
	v["dose_reason"] = r.DoseReason
}

// readRecord reads the posted form into a record; unreadable values are
// errors keyed by field, the typed text kept.
func (s *Server) readRecord(r *http.Request, p *recordPage) actrecord.Record {
	l := localizer(r)
	get := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	var rec actrecord.Record
	number := func(id string) *float64 {
		text := get(id)
		p.Values[id] = text
		if text == "" {
			return nil
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(text, ",", "."), 64)
		if err != nil {
			p.Errors[id] = l.T("record.err.number")
			return nil
		}
		return &n
	}
	rec.Levels, rec.Complications = r.PostForm["levels"], r.PostForm["complications"]
	p.Multi["levels"], p.Multi["complications"] = rec.Levels, rec.Complications
	rec.Side, rec.Approach = get("side"), get("approach")
	p.Values["side"], p.Values["approach"] = rec.Side, rec.Approach
	if g := get("needle_gauge"); g != "" {
		p.Values["needle_gauge"] = g
		rec.NeedleGauge, _ = strconv.Atoi(g)
	}
	for _, f := range p.Fields {
		if f.Kind != actrecord.KindDrug {
			continue
		}
		drug, dose := get(f.ID+".drug"), get(f.ID+".dose")
		p.Values[f.ID+".drug"], p.Values[f.ID+".dose"] = drug, dose
		if drug == "" && dose == "" {
			continue
		}
		mg, err := strconv.ParseFloat(strings.ReplaceAll(dose, ",", "."), 64)
		if err != nil {
			p.Errors[f.ID] = l.T("record.err.dose")
			continue
		}
		rec.Drugs = append(rec.Drugs, actrecord.DrugDose{DrugID: drug, DoseMg: mg})
	}
	rec.ContrastML, rec.BloodML, rec.DLP, rec.CTDIvol = number("contrast_ml"), number("blood_ml"), number("dlp"), number("ctdivol")
	if text := get("cement_ml"); text != "" {
		p.Values["cement_ml"] = text
		rec.CementML = map[string]float64{}
		for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '\n' }) {
			level, ml, ok := strings.Cut(part, "=")
			n, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(ml), ",", "."), 64)
			if !ok || err != nil {
				p.Errors["cement_ml"] = l.T("record.err.cement")
				break
			}
			rec.CementML[strings.ToUpper(strings.TrimSpace(level))] = n
		}
	}
	rec.BiopsySent = get("biopsy_sent") == "yes"
	if rec.BiopsySent {
		p.Values["biopsy_sent"] = "yes"
	}
	for _, id := range []string{"start", "end"} {
		text := get(id)
		p.Values[id] = text
		if text == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", text, s.loc())
		if err != nil {
			p.Errors[id] = l.T("record.err.time")
			continue
		}
		if id == "start" {
			rec.Start = t
		} else {
			rec.End = t
		}
	}
	rec.ComplicationNote, rec.StudyInstanceUID, rec.Notes = get("complication_note"), get("study_instance_uid"), get("notes")
	p.Values["complication_note"], p.Values["study_instance_uid"], p.Values["notes"] = rec.ComplicationNote, rec.StudyInstanceUID, rec.Notes
	rec.Modifiers = get("modifiers")
	p.Values["modifiers"] = rec.Modifiers
	rec.DoseReason = get("dose_reason")
	p.Values["dose_reason"] = rec.DoseReason
	return rec
}

func (s *Server) recordForm(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.loadRecordPage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "record", "record.title", "day", p)
}

// saveRecord validates the act record against the act's fields and the
// screening: errors refuse the save (the form comes back as typed), a
// contradiction with the screening (an allergy, a hold not respected) asks
// for an explicit confirmation, warnings (an unusual dose) are shown once it
// is saved.
//
// The page is read in one read unit; the record is saved after it by the
// use case's own unit, which checks the version read.
func (s *Server) saveRecord(w http.ResponseWriter, r *http.Request) error {
	var p recordPage
	err := s.readUnit(r, func(r *http.Request) (err error) {
		p, _, err = s.loadRecordPage(r)
		return err
	})
	if err != nil {
		return err
	}
	if !p.CanEdit {
		return errStatus(http.StatusForbidden, "error.forbidden")
	}
	l := localizer(r)
	p.Values, p.Multi = map[string]string{}, map[string][]string{}
	rec := s.readRecord(r, &p)
	status := http.StatusUnprocessableEntity
	if len(p.Errors) == 0 {
		out, err := s.app.SaveRecord(r.Context(), p.Appointment.ID, app.RecordSave{Record: rec, Version: int(formID(r, "version")), Confirm: r.PostForm["confirm"]})
		if isRefusal(err, "record.err.stale") {
			p.Errors["version"] = l.T("record.err.stale")
			return s.render(w, r, http.StatusConflict, "record", "record.title", "day", p)
		} else if err != nil {
			return err
		}
		for id, msg := range out.Errors {
			p.Errors[id] = msg.In(l.Lang)
		}
		for _, msg := range out.Warnings {
			p.Warnings = append(p.Warnings, msg.In(l.Lang))
		}
		slices.Sort(p.Warnings)
		for _, c := range out.Unconfirmed {
			p.Contradictions = append(p.Contradictions, contradictionView{ID: c.ID, Text: s.app.Messages(&app.Refusal{Reasons: []app.Reason{c.Reason}}, l)[0]})
		}
		if out.Saved {
			p.Version, p.Saved, p.Billing, status = out.Version, true, out.Billing, http.StatusOK
		} else if len(p.Contradictions) > 0 && len(p.Errors) == 0 {
			status = http.StatusConflict
		}
	}
	return s.render(w, r, status, "record", "record.title", "day", p)
}
