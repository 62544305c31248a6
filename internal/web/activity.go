package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"repere/internal/app"
	"repere/internal/chart"
)

// dashboardPeriod is the period the dose, activity and outcomes
// dashboards read from their from/to filters.
type dashboardPeriod struct {
	From, To         time.Time // To is the day after the last one
	FromText, ToText string    // for the form: as read, or as typed when refused
}

// Query is the period in the filters' own words, for the CSV links.
func (d dashboardPeriod) Query() string {
	return "from=" + d.From.Format(time.DateOnly) + "&to=" + d.To.AddDate(0, 0, -1).Format(time.DateOnly)
}

// period reads the from/to filters of a dashboard (the last twelve months
// by default); a bad date, or a period ending before it starts, is an error
// in errs next to its field, the typed text kept and the default period read.
func (s *Server) period(r *http.Request, errs map[string]string) dashboardPeriod {
	l := localizer(r)
	loc := s.loc()
	today := s.now().In(loc)
	defTo := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, loc)
	d := dashboardPeriod{From: defTo.AddDate(-1, 0, 0), To: defTo, FromText: r.FormValue("from"), ToText: r.FormValue("to")}
	from, to := d.From, d.To
	if t, err := time.ParseInLocation(time.DateOnly, d.FromText, loc); err == nil {
		from = t
	} else if d.FromText != "" {
		errs["from"] = l.T("dose.err.date")
	}
	if t, err := time.ParseInLocation(time.DateOnly, d.ToText, loc); err == nil {
		to = t.AddDate(0, 0, 1)
	} else if d.ToText != "" {
		errs["to"] = l.T("dose.err.date")
	}
	if len(errs) == 0 && !from.Before(to) {
		errs["to"] = l.T("dose.err.period")
	}
	if len(errs) > 0 {
		return d
	}
	return dashboardPeriod{From: from, To: to, FromText: from.Format(time.DateOnly), ToText: to.AddDate(0, 0, -1).Format(time.DateOnly)}
}

type activityPage struct {
	From, To, By, Query string
	Errors              map[string]string
	Report              app.ActivityReport
	ActsChart           template.HTML
	MonthsChart         template.HTML
	RoomsChart          template.HTML
}

func (s *Server) loadActivity(r *http.Request) (activityPage, error) {
	p := activityPage{Errors: map[string]string{}}
	period := s.period(r, p.Errors)
	p.From, p.To = period.FromText, period.ToText
	q := app.ActivityQuery{From: period.From, To: period.To, GroupBy: r.FormValue("by")}
	var err error
	if p.Report, err = s.app.Activity(r.Context(), q); err != nil {
		return p, err
	}
	if p.Report.Query.GroupBy == "act" {
		for i := range p.Report.Groups {
			p.Report.Groups[i].Label = s.actIn(p.Report.Groups[i].Key, localizer(r).Lang, p.Report.Groups[i].Label)
		}
	}
	p.By = p.Report.Query.GroupBy
	p.Query = period.Query() + "&by=" + p.By
	l := localizer(r)
	var bars []chart.Bar
	for _, g := range p.Report.Groups {
		bars = append(bars, chart.Bar{Label: g.Label, Value: float64(g.Done)})
	}
	p.ActsChart = template.HTML(chart.Bars(l.T("activity.chart_done"), l.T("activity.acts"), bars))
	var points []chart.Point
	for _, m := range p.Report.Months {
		points = append(points, chart.Point{Label: m.Month, Value: float64(m.Done)})
	}
	p.MonthsChart = template.HTML(chart.TimeSeries(l.T("activity.chart_months"), l.T("activity.acts"), points))
	var rooms []chart.Bar
	for _, room := range p.Report.Rooms {
		rooms = append(rooms, chart.Bar{Label: room.Name, Value: 100 * room.Rate})
	}
	p.RoomsChart = template.HTML(chart.Bars(l.T("activity.chart_occupancy"), "%", rooms))
	return p, nil
}

func (s *Server) activityPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadActivity(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "activity", "activity.title", "activity", p)
}

// activityExport downloads the table of the activity page.
func (s *Server) activityExport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadActivity(r)
	if err != nil {
		return err
	}
	if err := badExportPeriod(p.Errors); err != nil {
		return err
	}
	c := csvDownload(w, "activite-"+p.By+".csv")
	_ = c.Write([]string{"group", "booked", "done", "cancelled", "no_show", "cancel_rate", "no_show_rate", "room_minutes", "monitoring_minutes",
		"delay_n", "delay_median_days", "delay_p90_days"})
	for _, g := range append(p.Report.Groups, p.Report.Total) {
		label := g.Label
		if label == "" {
			label = "total"
		}
		_ = c.Write([]string{label, strconv.Itoa(g.Booked), strconv.Itoa(g.Done), strconv.Itoa(g.Cancelled), strconv.Itoa(g.NoShow),
			fmt.Sprintf("%.3f", g.CancelRate), fmt.Sprintf("%.3f", g.NoShowRate), strconv.Itoa(g.RoomMinutes), strconv.Itoa(g.MonitorMinutes),
			strconv.Itoa(g.DelayN), fmt.Sprintf("%.1f", g.DelayMedian), fmt.Sprintf("%.1f", g.DelayP90)})
	}
	c.Flush()
	return c.Error()
}

type outcomesPage struct {
	From, To, Query string
	Errors          map[string]string
	Acts            []app.ActOutcomes
	Chart           template.HTML
}

func (s *Server) loadOutcomes(r *http.Request) (outcomesPage, error) {
	p := outcomesPage{Errors: map[string]string{}}
	period := s.period(r, p.Errors)
	p.From, p.To, p.Query = period.FromText, period.ToText, period.Query()
	var err error
	if p.Acts, err = s.app.Outcomes(r.Context(), period.From, period.To); err != nil {
		return p, err
	}
	for i := range p.Acts {
		p.Acts[i].Name = s.actIn(p.Acts[i].ActID, localizer(r).Lang, p.Acts[i].Name)
	}
	var bars []chart.Bar
	for _, o := range p.Acts {
		if o.Improved.N > 0 {
			bars = append(bars, chart.Bar{Label: o.Name, Value: 100 * o.Improved.Rate()})
		}
	}
	p.Chart = template.HTML(chart.Bars(localizer(r).T("outcomes.chart_improved"), "%", bars))
	return p, nil
}

func (s *Server) outcomesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadOutcomes(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "outcomes", "outcomes.title", "outcomes", p)
}

// outcomesExport downloads the outcome figures, one line per measure.
func (s *Server) outcomesExport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.loadOutcomes(r)
	if err != nil {
		return err
	}
	if err := badExportPeriod(p.Errors); err != nil {
		return err
	}
	c := csvDownload(w, "resultats.csv")
	_ = c.Write([]string{"act", "measure", "k", "n", "rate", "wilson_low", "wilson_high"})
	line := func(act, measure string, pr app.Proportion) {
		_ = c.Write([]string{act, measure, strconv.Itoa(pr.K), strconv.Itoa(pr.N), fmt.Sprintf("%.3f", pr.Rate()), fmt.Sprintf("%.3f", pr.Low), fmt.Sprintf("%.3f", pr.High)})
	}
	for _, o := range p.Acts {
		for _, d := range o.Days {
			line(o.Name, fmt.Sprintf("responders_50pct_d%d", d.Day), d.Responders)
		}
		line(o.Name, "improved", o.Improved)
		line(o.Name, "followup_complete", o.Completion)
		line(o.Name, "repeated_within_"+strconv.Itoa(o.Measures.RepeatDays)+"_days", o.Repeated)
		for _, cc := range o.Complications {
			line(o.Name, "complication_"+cc.Key, cc.Observed)
		}
	}
	c.Flush()
	return c.Error()
}

// actIn is an act's name in the user's language (the application's
// figures name acts in French, the practice's language); fallback when the
// catalogue does not know the act.
func (s *Server) actIn(id, lang, fallback string) string {
	if act, ok := s.catalog.Act(id); ok {
		return act.Name.In(lang)
	}
	return fallback
}
