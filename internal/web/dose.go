package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"repere/internal/app"
	"repere/internal/auth"
	"repere/internal/catalog"
	"repere/internal/chart"
	"repere/internal/dose"
	"repere/internal/store"
)

// dosePage is the dose review: distributions per group, the reference
// levels of each act type against the median of its sample, the acts above
// their alert level, and the forms for the practice's levels.
type dosePage struct {
	From, To, By, Quantity string
	Unit                   string
	Review                 app.DoseReview
	Chart                  template.HTML
	Acts                   []*catalog.Act
	Levels                 []levelRow
	CanSetLevels           bool
	CanReview              bool
	Errors                 map[string]string
	Form                   map[string]string // the level form as typed
	Year                   int
	Query                  string // the filters, for the CSV links
	MinSample              int
}

// levelRow is the levels of one act type in force.
type levelRow struct {
	Act                    string
	Local, National, Alert map[string]*store.DoseLevel // by quantity
}

// doseQuery reads the filters: the dashboards' period, the grouping and
// the quantity.
func (s *Server) doseQuery(r *http.Request, p *dosePage) app.DoseQuery {
	period := s.period(r, p.Errors)
	p.From, p.To = period.FromText, period.ToText
	q := app.DoseQuery{From: period.From, To: period.To, GroupBy: r.FormValue("by"), Quantity: r.FormValue("q")}
	switch q.GroupBy {
	case "room", "radiologist":
	default:
		q.GroupBy = "act"
	}
	if q.Quantity != app.QuantityCTDIvol {
		q.Quantity = app.QuantityDLP
	}
	p.By, p.Quantity = q.GroupBy, q.Quantity
	p.Query = period.Query() + "&by=" + q.GroupBy + "&q=" + q.Quantity
	return q
}

func (s *Server) loadDosePage(r *http.Request) (dosePage, error) {
	p := dosePage{Errors: map[string]string{}, Form: map[string]string{}, Acts: s.catalog.Acts(), MinSample: dose.MinSampleForReference}
	u := currentUser(r)
	p.CanSetLevels, p.CanReview = u.Role.In(auth.Admin, auth.Radiologist), u.Role == auth.Radiologist
	q := s.doseQuery(r, &p)
	p.Year = s.now().In(s.loc()).Year() - 1
	var err error
	if p.Review, err = s.app.DoseReview(r.Context(), q); err != nil {
		return p, err
	}
	l := localizer(r)
	for i, g := range p.Review.Groups {
		if g.ActID != "" {
			p.Review.Groups[i].Label = s.actIn(g.ActID, l.Lang, g.Label)
		}
	}
	for i, al := range p.Review.Alerts {
		p.Review.Alerts[i].ActName = s.actIn(al.ActID, l.Lang, al.ActName)
	}
	p.Unit = "mGy·cm"
	if q.Quantity == app.QuantityCTDIvol {
		p.Unit = "mGy"
	}
	boxes := make([]chart.Box, 0, len(p.Review.Groups))
	for _, g := range p.Review.Groups {
		b := chart.Box{Label: g.Label, LowWhisker: g.Dist.LowWhisker, Q1: g.Dist.Q1, Median: g.Dist.Median, Q3: g.Dist.Q3,
			HighWhisker: g.Dist.HighWhisk, N: g.Dist.N}
		if g.Local != nil {
			b.Reference = g.Local.Value
		}
		boxes = append(boxes, b)
	}
	p.Chart = template.HTML(chart.BoxPlot(l.T("dose.chart_title", "Quantity", l.T("dose."+q.Quantity)), p.Unit, boxes)) // #nosec: built from escaped parts
	levels := p.Review.Levels
	for _, act := range p.Acts {
		row := levelRow{Act: act.Name.In(l.Lang), Local: map[string]*store.DoseLevel{}, National: map[string]*store.DoseLevel{}, Alert: map[string]*store.DoseLevel{}}
		found := false
		for _, quantity := range []string{app.QuantityDLP, app.QuantityCTDIvol} {
			for kind, m := range map[string]map[string]*store.DoseLevel{app.LevelLocalReference: row.Local, app.LevelNationalReference: row.National, app.LevelAlert: row.Alert} {
				if lv, ok := levels[app.LevelKey(act.ID, kind, quantity)]; ok && lv.Value != nil {
					m[quantity], found = &lv, true
				}
			}
		}
		if found {
			p.Levels = append(p.Levels, row)
		}
	}
	return p, nil
}

func (s *Server) dosePage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDosePage(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "dose", "dose.title", "dose", p)
}

// doseTableCSV downloads the table beside the chart.
func (s *Server) doseTableCSV(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadDosePage(r)
	if err != nil {
		return err
	}
	if err := badExportPeriod(p.Errors); err != nil {
		return err
	}
	c := csvDownload(w, "dose-"+p.By+"-"+p.Quantity+".csv")
	_ = c.Write([]string{"group", "n", "min", "q1", "median", "q3_p75", "max", "local_reference", "median_vs_local", "national_reference", "median_vs_national"})
	for _, g := range p.Review.Groups {
		d := g.Dist
		_ = c.Write([]string{g.Label, strconv.Itoa(d.N), f2(d.Min), f2(d.Q1), f2(d.Median), f2(d.Q3), f2(d.Max),
			levelText(g.Local), string(g.VsLocal), levelText(g.National), string(g.VsNational)})
	}
	c.Flush()
	return c.Error()
}

func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func levelText(l *store.DoseLevel) string {
	if l == nil || l.Value == nil {
		return ""
	}
	return f2(*l.Value)
}

// doseExport downloads a year's dosed acts (the annual survey's columns).
func (s *Server) doseExport(w http.ResponseWriter, r *http.Request) error {
	year := s.now().In(s.loc()).Year() - 1 // the last complete year by default
	var err error
	if text := r.FormValue("year"); text != "" {
		year, err = strconv.Atoi(text)
	}
	if err != nil || year < 2000 || year > 2100 {
		return errStatus(http.StatusBadRequest, "dose.err.year")
	}
	lines, err := s.app.DoseExport(r.Context(), year)
	if err != nil {
		return err
	}
	csvHeaders(w, "doses-"+strconv.Itoa(year)+".csv")
	return app.WriteDoseCSV(w, lines)
}

// setDoseLevel records a level of the practice; a refused input comes back
// in the form as typed.
func (s *Server) setDoseLevel(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	form := map[string]string{}
	for _, k := range []string{"act", "kind", "quantity", "value", "source"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	level := store.DoseLevel{ActID: form["act"], Kind: form["kind"], Quantity: form["quantity"], Source: form["source"]}
	var problem string
	if form["value"] != "" {
		v, err := strconv.ParseFloat(strings.ReplaceAll(form["value"], ",", "."), 64)
		if err != nil {
			problem = l.T("record.err.number")
		}
		level.Value = &v
	}
	if problem == "" {
		err := s.app.SetDoseLevel(r.Context(), level)
		if refusal, ok := app.AsRefusal(err); ok {
			problem = strings.Join(s.app.Messages(refusal, l), " ")
		} else if err != nil {
			return err
		}
	}
	if problem == "" {
		http.Redirect(w, r, "/staff/dose#levels", http.StatusSeeOther)
		return nil
	}
	p, err := s.loadDosePage(r)
	if err != nil {
		return err
	}
	p.Form, p.Errors["level"] = form, problem
	return s.render(w, r, http.StatusUnprocessableEntity, "dose", "dose.title", "dose", p)
}

// reviewDoseAlert records why an act's dose was above its alert level.
func (s *Server) reviewDoseAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.app.ReviewDoseAlert(r.Context(), id, r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/dose?"+r.URL.RawQuery+"#alerts", http.StatusSeeOther)
	return nil
}
