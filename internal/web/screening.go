package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"repere/internal/booking"
	"repere/internal/catalog"
	"repere/internal/i18n"
	"repere/internal/referral"
	"repere/internal/screening"
	"repere/internal/store"
)

// screeningState is a referral's screening as the pages show it: the stored
// answers, the verdict for the booked date (or none), and the
// radiologist's decisions.
type screeningState struct {
	Answers   screening.Answers
	Version   int // 0 before the first answers
	UpdatedAt time.Time
	UpdatedBy string
	Verdict   screening.Verdict
	Decisions []store.ScreeningDecision
	// Signed is the latest signature, when it covers the current answers.
	Signed *store.ScreeningDecision
	// Earliest is the earliest act start the holds allow (zero: none).
	Earliest time.Time
}

// overrides are the rule ids the radiologist overrode.
func overrides(decisions []store.ScreeningDecision) map[string]bool {
	out := map[string]bool{}
	for _, d := range decisions {
		if d.Kind == store.DecisionOverride {
			out[d.RuleID] = true
		}
	}
	return out
}

// evaluate computes a referral's verdict for an act starting at appointment
// (zero: not booked), with the radiologist's overrides applied.
func (s *Server) evaluate(act *catalog.Act, variant string, a screening.Answers, appointment time.Time, decisions []store.ScreeningDecision) (screening.Verdict, time.Time) {
	v := s.screening.Evaluate(screening.Input{Act: act, Variant: variant, Answers: a, Appointment: appointment, Now: s.now(), Loc: s.cfg.Location})
	over := overrides(decisions)
	v = v.WithOverrides(over)
	// An overridden hold no longer bounds the date.
	var earliest time.Time
	for _, h := range v.Holds {
		rule := "hold." + h.DrugID
		if h.Row != "" && h.Row != h.DrugID {
			rule += "." + h.Row
		}
		if over[rule] || over["hold_not_respected"+strings.TrimPrefix(rule, "hold")] {
			continue
		}
		if h.EarliestAct.After(earliest) {
			earliest = h.EarliestAct
		}
	}
	return v, earliest
}

// loadScreening reads a referral's answers and decisions and evaluates them
// for its booked appointment, if any.
func (s *Server) loadScreening(ctx context.Context, ref referral.Referral, act *catalog.Act, appt *booking.Appointment) (screeningState, error) {
	var st screeningState
	sc, err := s.store.Screening(ctx, ref.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return st, err
	default:
		if err := json.Unmarshal(sc.Answers, &st.Answers); err != nil {
			return st, fmt.Errorf("screening of referral %d: %w", ref.ID, err)
		}
		st.Version, st.UpdatedAt, st.UpdatedBy = sc.Version, sc.UpdatedAt, sc.UpdatedBy
	}
	if st.Decisions, err = s.store.ScreeningDecisions(ctx, ref.ID); err != nil {
		return st, err
	}
	for i := range st.Decisions {
		d := st.Decisions[i]
		if d.Kind == store.DecisionSigned && d.AnswersVersion == st.Version {
			st.Signed = &d
		}
	}
	if act == nil {
		return st, nil
	}
	var start time.Time
	variant := ""
	if appt != nil {
		start, variant = appt.Start, appt.VariantID
	}
	st.Verdict, st.Earliest = s.evaluate(act, variant, st.Answers, start, st.Decisions)
	return st, nil
}

// bookedAppointment returns the referral's booked appointment, if any.
func bookedAppointment(list []booking.Appointment) *booking.Appointment {
	for i := range list {
		if list[i].Status == booking.Booked {
			return &list[i]
		}
	}
	return nil
}

// questionnaireForm is the questionnaire as typed: raw values keyed by
// field name, so a refused form comes back exactly as it was.
type questionnaireForm struct {
	Questions []screening.Question
	Groups    []questionGroup
	Drugs     []screening.Drug
	Values    map[string]string // q.<id>, t.<i>.drug, t.<i>.other, t.<i>.last, lab.<kind>.value, lab.<kind>.date
	Rows      []int             // treatment row indexes
	Labs      []string          // lab kinds offered (staff only)
	Errors    map[string]string // field name -> message
	Version   int
}

type questionGroup struct {
	Title     string
	Questions []screening.Question
}

// labKinds are the labs staff can record.
var labKinds = []string{screening.LabINR, screening.LabPlatelets, screening.LabEGFR, screening.LabCreatinine}

// newQuestionnaire fills the form from stored answers.
func (s *Server) newQuestionnaire(l *i18n.Localizer, act *catalog.Act, a screening.Answers, version int, staff bool) questionnaireForm {
	f := questionnaireForm{Questions: s.screening.QuestionsFor(act), Drugs: s.screening.Drugs(), Values: map[string]string{}, Errors: map[string]string{}, Version: version}
	sort.SliceStable(f.Drugs, func(i, j int) bool { return f.Drugs[i].Name.In(l.Lang) < f.Drugs[j].Name.In(l.Lang) })
	for _, q := range f.Questions {
		if len(f.Groups) == 0 || f.Groups[len(f.Groups)-1].Title != q.GroupTitle.In(l.Lang) {
			f.Groups = append(f.Groups, questionGroup{Title: q.GroupTitle.In(l.Lang)})
		}
		g := &f.Groups[len(f.Groups)-1]
		g.Questions = append(g.Questions, q)
		if v, ok := a.Values[q.ID]; ok {
			f.Values["q."+q.ID] = v
		}
	}
	for i, t := range a.Treatments {
		f.Values[fmt.Sprintf("t.%d.drug", i)] = t.DrugID
		f.Values[fmt.Sprintf("t.%d.other", i)] = t.OtherName
		if !t.LastDose.IsZero() {
			f.Values[fmt.Sprintf("t.%d.last", i)] = t.LastDose.In(s.cfg.Location).Format("2006-01-02T15:04")
		}
	}
	f.setRows(len(a.Treatments) + 2)
	if staff {
		f.Labs = labKinds
		for _, lab := range a.Labs {
			f.Values["lab."+lab.Kind+".value"] = strconv.FormatFloat(lab.Value, 'f', -1, 64)
			f.Values["lab."+lab.Kind+".date"] = lab.TakenOn.In(s.cfg.Location).Format(time.DateOnly)
		}
	}
	return f
}

func (f *questionnaireForm) setRows(n int) {
	f.Rows = f.Rows[:0]
	for i := range min(n, maxTreatmentRows) {
		f.Rows = append(f.Rows, i)
	}
}

// maxTreatmentRows bounds the treatment lines of one questionnaire.
const maxTreatmentRows = 30

// maxOtherDrugName bounds the name of a treatment not in the list.
const maxOtherDrugName = 120

// readQuestionnaire reads a posted questionnaire into answers, noting each
// field that cannot be read; the raw values stay in the form.
func (s *Server) readQuestionnaire(l *i18n.Localizer, f *questionnaireForm, form map[string][]string, now time.Time) screening.Answers {
	get := func(name string) string {
		if v := form[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	a := screening.Answers{Values: map[string]string{}}
	for _, q := range f.Questions {
		name := "q." + q.ID
		v := get(name)
		f.Values[name] = v
		if v == "" {
			continue
		}
		switch q.Kind {
		case "yes_no":
			if v != "yes" && v != "no" && v != "unknown" {
				f.Errors[name] = l.T("screening.err.choice")
				continue
			}
		case "number":
			n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
			if err != nil || (q.Min != nil && n < *q.Min) || (q.Max != nil && n > *q.Max) {
				f.Errors[name] = l.T("screening.err.number")
				continue
			}
			v = strconv.FormatFloat(n, 'f', -1, 64)
		default:
			if len(v) > 500 {
				f.Errors[name] = l.T("screening.err.long")
				continue
			}
		}
		a.Values[q.ID] = v
	}
	rows := 0
	for i := range maxTreatmentRows {
		drug, other, last := get(fmt.Sprintf("t.%d.drug", i)), get(fmt.Sprintf("t.%d.other", i)), get(fmt.Sprintf("t.%d.last", i))
		f.Values[fmt.Sprintf("t.%d.drug", i)], f.Values[fmt.Sprintf("t.%d.other", i)], f.Values[fmt.Sprintf("t.%d.last", i)] = drug, other, last
		if drug == "" && other == "" && last == "" {
			continue
		}
		rows = i + 1
		if utf8.RuneCountInString(other) > maxOtherDrugName {
			f.Errors[fmt.Sprintf("t.%d.other", i)] = l.T("form.err.too_long", "Max", maxOtherDrugName)
			continue
		}
		t := screening.Treatment{DrugID: drug, OtherName: other}
		if drug == "other" || drug == "" {
			t.DrugID = ""
			if other == "" {
				f.Errors[fmt.Sprintf("t.%d.drug", i)] = l.T("screening.err.drug")
				continue
			}
		} else if _, ok := s.screening.Drug(drug); !ok {
			f.Errors[fmt.Sprintf("t.%d.drug", i)] = l.T("screening.err.drug")
			continue
		}
		if last != "" {
			when, err := time.ParseInLocation("2006-01-02T15:04", last, s.cfg.Location)
			if err != nil || when.After(now.Add(5*time.Minute)) {
				f.Errors[fmt.Sprintf("t.%d.last", i)] = l.T("screening.err.last_dose")
				continue
			}
			t.LastDose = when
		}
		a.Treatments = append(a.Treatments, t)
	}
	f.setRows(max(rows+2, len(f.Rows)))
	for _, kind := range f.Labs {
		value, date := get("lab."+kind+".value"), get("lab."+kind+".date")
		f.Values["lab."+kind+".value"], f.Values["lab."+kind+".date"] = value, date
		if value == "" && date == "" {
			continue
		}
		n, err1 := strconv.ParseFloat(strings.ReplaceAll(value, ",", "."), 64)
		day, err2 := time.ParseInLocation(time.DateOnly, date, s.cfg.Location)
		if err1 != nil || n < 0 || err2 != nil || day.After(now) {
			f.Errors["lab."+kind] = l.T("screening.err.lab")
			continue
		}
		a.Labs = append(a.Labs, screening.LabResult{Kind: kind, Value: n, TakenOn: day})
	}
	return a
}

// drugOption is one entry of the treatment list, with its brands to help.
func drugLabel(d screening.Drug, lang string) string {
	if len(d.Brands) == 0 {
		return d.Name.In(lang)
	}
	return d.Name.In(lang) + " (" + strings.Join(d.Brands, ", ") + ")"
}

// sourceTitle names a source for display.
func (s *Server) sourceTitle(id string) string {
	if src, ok := s.screening.Source(id); ok {
		return src.Title
	}
	return id
}

// sourceURL links a source when it has an address.
func (s *Server) sourceURL(id string) string {
	if src, ok := s.screening.Source(id); ok {
		return src.URL
	}
	return ""
}

// findingView is one reason of a verdict as the referral page shows it.
type findingView struct {
	screening.Reason
	Text        string
	SourceTitle string
	SourceURL   string
	Decision    *store.ScreeningDecision // the override, if any
}

// holdView is one treatment hold with its dates in words.
type holdView struct {
	screening.Hold
	Drug, LastDose, Restart, Advice, SourceTitle string
}

// verdictView prepares a verdict for display in the user's language.
func (s *Server) verdictView(l *i18n.Localizer, st screeningState) ([]findingView, []holdView) {
	var findings []findingView
	for _, rs := range st.Verdict.Reasons {
		f := findingView{Reason: rs, Text: rs.Message.In(l.Lang), SourceTitle: s.sourceTitle(rs.Source), SourceURL: s.sourceURL(rs.Source)}
		for i := range st.Decisions {
			if d := st.Decisions[i]; d.Kind == store.DecisionOverride && d.RuleID == rs.RuleID {
				f.Decision = &d
			}
		}
		findings = append(findings, f)
	}
	var holds []holdView
	loc := s.cfg.Location
	for _, h := range st.Verdict.Holds {
		v := holdView{Hold: h, Drug: h.DrugName.In(l.Lang), Advice: h.Advice.In(l.Lang), SourceTitle: s.sourceTitle(h.Source)}
		switch {
		case h.Review:
			v.LastDose = l.T("screening.hold_review")
		case h.LastDoseBy.IsZero():
			v.LastDose = h.MinGap.In(l.Lang)
		case h.DayOnly:
			v.LastDose = l.Date(h.LastDoseBy.In(loc))
		default:
			v.LastDose = l.Date(h.LastDoseBy.In(loc)) + " " + l.Time(h.LastDoseBy.In(loc))
		}
		if !h.RestartFrom.IsZero() {
			v.Restart = l.DateTime(h.RestartFrom.In(loc))
			if !h.RestartUntil.IsZero() {
				v.Restart += " – " + l.DateTime(h.RestartUntil.In(loc))
			}
		}
		holds = append(holds, v)
	}
	return findings, holds
}

// safety is a booked act's screening as the board flags it.
type safety struct {
	Status screening.Status // "" when no questionnaire was filled in
	Signed bool
}

// safetyOf evaluates the screening of each booked appointment for its own
// date, so a hold no longer respected after a move, or a new answer, turns
// the act's flag red on the board.
func (s *Server) safetyOf(ctx context.Context, list []booking.Appointment) (map[int64]safety, error) {
	out := map[int64]safety{}
	var refs []int64
	for _, a := range list {
		if a.Status == booking.Booked {
			refs = append(refs, a.ReferralID)
		}
	}
	answers, err := s.store.Screenings(ctx, refs)
	if err != nil {
		return nil, err
	}
	allDecisions, err := s.store.ScreeningDecisionsFor(ctx, refs)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		sc, ok := answers[a.ReferralID]
		act, known := s.catalog.Act(a.ActID)
		if a.Status != booking.Booked || !known {
			continue
		}
		if !ok {
			out[a.ID] = safety{}
			continue
		}
		var parsed screening.Answers
		if err := json.Unmarshal(sc.Answers, &parsed); err != nil {
			return nil, err
		}
		decisions := allDecisions[a.ReferralID]
		v, _ := s.evaluate(act, a.VariantID, parsed, a.Start, decisions)
		signed := false
		for _, d := range decisions {
			signed = signed || (d.Kind == store.DecisionSigned && d.AnswersVersion == sc.Version)
		}
		out[a.ID] = safety{Status: v.Status, Signed: signed}
	}
	return out, nil
}
