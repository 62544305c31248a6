package web

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"repere/internal/app"
	"repere/internal/catalog"
	"repere/internal/i18n"
	"repere/internal/screening"
)

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
			f.Values[fmt.Sprintf("t.%d.last", i)] = t.LastDose.In(s.loc()).Format("2006-01-02T15:04")
		}
	}
	f.setRows(len(a.Treatments) + 2)
	if staff {
		f.Labs = labKinds
		for _, lab := range a.Labs {
			f.Values["lab."+lab.Kind+".value"] = strconv.FormatFloat(lab.Value, 'f', -1, 64)
			f.Values["lab."+lab.Kind+".date"] = lab.TakenOn.In(s.loc()).Format(time.DateOnly)
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
			when, err := time.ParseInLocation("2006-01-02T15:04", last, s.loc())
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
		day, err2 := time.ParseInLocation(time.DateOnly, date, s.loc())
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
	Decision    *screening.Decision // the override, if any
}

// holdView is one treatment hold with its dates in words.
type holdView struct {
	screening.Hold
	Drug, LastDose, Restart, Advice, SourceTitle string
}

// verdictView prepares a verdict for display in the user's language.
func (s *Server) verdictView(l *i18n.Localizer, st app.Screening) ([]findingView, []holdView) {
	var findings []findingView
	for _, rs := range st.Verdict.Reasons {
		f := findingView{Reason: rs, Text: rs.Message.In(l.Lang), SourceTitle: s.sourceTitle(rs.Source), SourceURL: s.sourceURL(rs.Source),
			Decision: st.Override(rs.RuleID)}
		findings = append(findings, f)
	}
	var holds []holdView
	loc := s.loc()
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
