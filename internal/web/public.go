package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"repere/internal/catalog"
	"repere/internal/i18n"
	"repere/internal/store"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	l := localizer(r)
	type card struct {
		Slug, Name, Summary, Duration string
	}
	var cards []card
	for _, a := range s.catalog.Acts() {
		cards = append(cards, card{Slug: a.Slug, Name: a.Name.In(l.Lang), Summary: a.Summary.In(l.Lang), Duration: stayDuration(l, a)})
	}
	return s.render(w, r, http.StatusOK, "home", "home.title", "home", cards)
}

// actView is an act as the public information page shows it.
type actView struct {
	Act           *catalog.Act
	Lang          string
	Name, Summary string
	WhatItIs      string
	Preparation   string
	Fasting       string
	Documents     []string
	Labs          []string
	Course        string
	RoomTime      string
	Stay          string
	MonitoringAt  string
	After         string
	Aftercare     []string
	Accompaniment bool
	NoDriving     bool
	Risks         []risk
	WarningSigns  []string
	Costs         []cost
	Variants      []string
	Options       []string
}

// PageTitle names the page after the act.
func (v actView) PageTitle() string { return v.Name }

type risk struct{ Text, Frequency string }

type cost struct {
	Code, Label string
	Tariff      string // formatted, empty when unknown
	Confirmed   bool
}

func (s *Server) actPage(w http.ResponseWriter, r *http.Request) error {
	act, ok := s.catalog.BySlug(r.PathValue("slug"))
	if !ok {
		return errStatus(http.StatusNotFound, "error.not_found")
	}
	l := localizer(r)
	v := newActView(l, act, s.now())
	if err := s.priceCosts(r, v.Costs); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "act", "", "home", v)
}

func newActView(l *i18n.Localizer, a *catalog.Act, today time.Time) actView {
	lang := l.Lang
	v := actView{
		Act: a, Lang: lang,
		Name: a.Name.In(lang), Summary: a.Summary.In(lang),
		WhatItIs: a.Patient.WhatItIs.In(lang), Preparation: a.Patient.Preparation.In(lang),
		Course: a.Patient.Course.In(lang), After: a.Patient.After.In(lang),
		Fasting:       fastingSentence(l, a.Fasting),
		RoomTime:      l.Minutes(a.RoomMinutes.Value),
		Stay:          stayDuration(l, a),
		MonitoringAt:  l.T("place." + a.Monitoring.Place),
		Accompaniment: a.Accompaniment.Value,
		NoDriving:     a.NoDriving.Value,
	}
	for _, d := range a.DocumentsToBring {
		v.Documents = append(v.Documents, d.Text.In(lang))
	}
	for _, lab := range a.LabsRequired {
		v.Labs = append(v.Labs, lab.Text.In(lang))
	}
	for _, it := range a.Aftercare {
		v.Aftercare = append(v.Aftercare, it.Text.In(lang))
	}
	for _, it := range a.WarningSigns {
		v.WarningSigns = append(v.WarningSigns, it.Text.In(lang))
	}
	for _, c := range a.Complications {
		v.Risks = append(v.Risks, risk{Text: c.Text.In(lang), Frequency: c.Frequency.In(lang)})
	}
	day := today.Format(time.DateOnly)
	addCosts := func(codes []catalog.BillingCode) {
		for _, b := range codes {
			c := cost{Code: b.Code, Label: b.Label, Confirmed: !b.NeedsCheck() && b.Code != ""}
			if t, ok := b.TariffOn(day); ok && c.Confirmed {
				c.Tariff = l.Euros(t.BaseEU)
			}
			v.Costs = append(v.Costs, c)
		}
	}
	addCosts(a.Billing)
	for _, variant := range a.Variants {
		v.Variants = append(v.Variants, variant.Name.In(lang)+" : "+l.Minutes(variant.RoomMinutes.Value))
	}
	for _, o := range a.Options {
		v.Options = append(v.Options, o.Name.In(lang))
	}
	return v
}

// fastingSentence tells the patient, in plain words, whether to stop eating.
func fastingSentence(l *i18n.Localizer, f catalog.Fasting) string {
	switch f.Mode {
	case catalog.FastingHours:
		return l.T("fasting.hours", "Hours", f.Hours)
	case catalog.FastingWithPremedOnly:
		return l.T("fasting.premedication", "Hours", f.Hours)
	case catalog.FastingFromMidnight:
		return l.T("fasting.midnight")
	default:
		return l.T("fasting.none")
	}
}

// stayDuration is the time the patient should plan to spend at the practice.
func stayDuration(l *i18n.Localizer, a *catalog.Act) string {
	if a.Monitoring.Place == catalog.PlaceWardOvernight {
		return l.T("stay.overnight")
	}
	return l.T("stay.about", "Duration", l.Minutes(a.TotalMinutes()))
}

// healthz answers 200 when the database answers and takes a write, for
// load balancers and monitoring: a server that can read but not write (a
// read-only file system, a full disk, a read-only PostgreSQL) loses every
// form, so it answers 503 with the reason. The write rewrites one row in
// place (store.CheckWritable): cheap enough to be polled.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	reason := ""
	if err := s.store.Ping(ctx); err != nil {
		reason = "database unreachable"
		s.log.Warn("health check failed", "reason", reason, "err", err)
	} else if err := s.store.CheckWritable(ctx); err != nil {
		switch {
		case errors.Is(err, store.ErrReadOnly):
			reason = "database read-only"
		case errors.Is(err, store.ErrDiskFull):
			reason = "disk full"
		default:
			reason = "database writes failing"
		}
		s.log.Warn("health check failed", "reason", reason, "err", err)
	}
	status, code := "ok", http.StatusOK
	if reason != "" {
		status, code = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	body := map[string]string{"status": status, "version": s.cfg.Version, "database": string(s.store.Engine())}
	if reason != "" {
		body["reason"] = reason
	}
	return json.NewEncoder(w).Encode(body)
}
