package web

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

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

// newQuestionnaire fills the form from stored answers, with the questions
// asked of this patient (none about pregnancy for a man) and the drug list
// in the user's language's alphabetical order (Édoxaban among the E).
func (s *Server) newQuestionnaire(l *i18n.Localizer, act *catalog.Act, p screening.Patient, a screening.Answers, version int, staff bool) questionnaireForm {
	f := questionnaireForm{Questions: s.screening.QuestionsForPatient(act, p), Drugs: sortedDrugs(s.screening.Drugs(), l.Lang), Values: map[string]string{}, Errors: map[string]string{}, Version: version}
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

// sortedDrugs sorts the drug list by name with the collation of lang (a
// byte order puts "Édoxaban" after "Warfarine").
func sortedDrugs(drugs []screening.Drug, lang string) []screening.Drug {
	tag := language.French
	if lang == "en" {
		tag = language.English
	}
	c := collate.New(tag)
	slices.SortStableFunc(drugs, func(a, b screening.Drug) int { return c.CompareString(a.Name.In(lang), b.Name.In(lang)) })
	return drugs
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
			if longerThanLimit(name, v) {
				f.Errors[name] = l.T("screening.err.long", "Max", fieldLimit(name))
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

// cite is a source as staff read it: a short citation, linked when the
// source has an address.
type cite struct {
	Short, URL string
}

func (s *Server) cite(id, lang string) cite {
	if src, ok := s.screening.Source(id); ok {
		return cite{Short: src.Citation(lang), URL: src.URL}
	}
	return cite{Short: id}
}

// alsoView is another source's word on a finding.
type alsoView struct {
	Source cite
	Status catalog.Status
	Says   string
}

// findingView is one reason of a verdict as the referral page shows it.
type findingView struct {
	screening.Reason
	Text     string
	Said     string // what triggered it, in words
	Source   cite
	Also     []alsoView
	Decision *screening.Decision // the override, if any
}

// holdView is one treatment hold with its dates in words.
type holdView struct {
	screening.Hold
	Drug, LastDose, Restart, Advice string
	Source                          cite
}

// verdictView prepares a verdict for display in the user's language: every
// finding in words with a short citation; the unanswered questions in one
// row (a questionnaire not yet filled in is one line, not twenty).
func (s *Server) verdictView(l *i18n.Localizer, st app.Screening) ([]findingView, []holdView) {
	var findings []findingView
	var missing []string
	for _, rs := range st.Verdict.Reasons {
		if !st.Answered && rs.Outcome == screening.OutcomeIncomplete {
			// Nothing answered yet: one line says so; the labs the answers
			// will ask for are listed once there are answers.
			missing = append(missing, rs.RuleID)
			continue
		}
		if strings.HasPrefix(rs.RuleID, screening.RuleMissing+".") && rs.RuleID != screening.RuleMissing+"."+screening.MissingTreatments {
			if q, ok := s.screening.Question(strings.TrimPrefix(rs.RuleID, screening.RuleMissing+".")); ok {
				missing = append(missing, q.ShortLabel().In(l.Lang))
				continue
			}
		}
		f := findingView{Reason: rs, Text: rs.Message.In(l.Lang), Said: rs.Said.In(l.Lang), Source: s.cite(rs.Source, l.Lang), Decision: st.Override(rs.RuleID)}
		for _, a := range rs.Also {
			f.Also = append(f.Also, alsoView{Source: s.cite(a.Source, l.Lang), Status: a.Status, Says: a.Says.In(l.Lang)})
		}
		findings = append(findings, f)
	}
	if len(missing) > 0 {
		f := findingView{Reason: screening.Reason{RuleID: screening.RuleMissing, Outcome: screening.OutcomeIncomplete, Status: catalog.PracticeDefault},
			Text: l.T("screening.missing_some", "Count", len(missing)), Said: strings.Join(missing, ", "), Source: s.cite("repere_default", l.Lang)}
		if !st.Answered {
			f.Text, f.Said = l.T("screening.missing_all"), ""
		}
		findings = append([]findingView{f}, findings...)
	}
	var holds []holdView
	loc := s.loc()
	for _, h := range st.Verdict.Holds {
		v := holdView{Hold: h, Drug: h.DrugName.In(l.Lang), Advice: h.Advice.In(l.Lang), Source: s.cite(h.Source, l.Lang)}
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

// clearanceView is the creatinine clearance in words, "" when not computed.
func clearanceView(l *i18n.Localizer, c *screening.Clearance, loc *time.Location) string {
	if c == nil {
		return ""
	}
	sex := l.T("screening.sex." + c.Sex)
	return l.T("screening.clearance", "Value", strconv.FormatFloat(math.Round(c.MLPerMin), 'f', 0, 64), "Age", c.Age,
		"Weight", formatNumber(l, c.WeightKg), "Sex", sex, "Creatinine", formatNumber(l, c.Creatinine), "Date", l.ShortDate(c.TakenOn.In(loc)))
}

// formatNumber writes a number in the user's language (decimal comma in French).
func formatNumber(l *i18n.Localizer, x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if l.Lang == "fr" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}
