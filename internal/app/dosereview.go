package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/booking"
	"repere/internal/dose"
	"repere/internal/stats"
	"repere/internal/store"
)

// Dose level kinds and quantities (practice data, table dose_levels).
const (
	LevelLocalReference    = "local_reference"
	LevelNationalReference = "national_reference"
	LevelAlert             = "alert"
	QuantityDLP            = "dlp"
	QuantityCTDIvol        = "ctdivol"
)

// DoseQuery selects the acts of the dose review and how they are grouped.
type DoseQuery struct {
	From, To time.Time // start in [From, To)
	GroupBy  string    // "act" (default), "room", "radiologist"
	Quantity string    // QuantityDLP (default) or QuantityCTDIvol
}

// DoseGroup is the distribution of one group of acts, and for an act type
// its reference levels compared with the median of the sample.
type DoseGroup struct {
	Key, Label string
	Dist       stats.Distribution
	ActID      string // when grouped by act
	Local      *store.DoseLevel
	National   *store.DoseLevel
	VsLocal    dose.Comparison
	VsNational dose.Comparison
	// LocalP75 is the 75th percentile of the sample: the local reference a
	// practice usually adopts (a suggestion, not applied by itself).
	LocalP75 float64
}

// AlertedAct is an act whose dose is above its act type's alert level.
type AlertedAct struct {
	store.DosedAct
	Quantity string
	Value    float64
	Level    float64
	ActName  string
}

// DoseReview is the dose review of a period.
type DoseReview struct {
	Query  DoseQuery
	Groups []DoseGroup
	Alerts []AlertedAct
	Acts   int
	// Levels are the levels in force it compared with, keyed by
	// LevelKey(act, kind, quantity).
	Levels map[string]store.DoseLevel
}

// DoseReview computes the distributions of the acts' doses per group, the
// comparison of each act type's median with its reference levels, and the
// acts above their alert level.
func (a *App) DoseReview(ctx context.Context, q DoseQuery) (DoseReview, error) {
	if q.GroupBy == "" {
		q.GroupBy = "act"
	}
	if q.Quantity != QuantityCTDIvol {
		q.Quantity = QuantityDLP
	}
	out := DoseReview{Query: q}
	acts, err := a.store.DosedActs(ctx, q.From, q.To)
	if err != nil {
		return out, err
	}
	levels, err := a.CurrentDoseLevels(ctx)
	if err != nil {
		return out, err
	}
	out.Levels = levels
	labels, err := a.groupLabels(ctx, q.GroupBy)
	if err != nil {
		return out, err
	}
	alerts := alertLevels(levels)
	values := map[string][]float64{}
	for _, d := range acts {
		v := quantityOf(d, q.Quantity)
		if v == nil {
			continue
		}
		out.Acts++
		key := groupKey(d, q.GroupBy)
		values[key] = append(values[key], *v)
		for _, al := range alertsOf(d, alerts) {
			al.ActName = a.actName(d.ActID)
			out.Alerts = append(out.Alerts, al)
		}
	}
	for key, vs := range values {
		g := DoseGroup{Key: key, Label: labels[key], Dist: stats.Describe(vs)}
		if g.Label == "" {
			g.Label = key
		}
		g.LocalP75 = g.Dist.Q3
		if q.GroupBy == "act" {
			g.ActID, g.Label = key, a.actName(key)
			if l, ok := levels[levelKey(key, LevelLocalReference, q.Quantity)]; ok && l.Value != nil {
				g.Local = &l
			}
			if l, ok := levels[levelKey(key, LevelNationalReference, q.Quantity)]; ok && l.Value != nil {
				g.National = &l
			}
			g.VsLocal, g.VsNational = dose.Compare(g.Dist, levelValue(g.Local)), dose.Compare(g.Dist, levelValue(g.National))
		}
		out.Groups = append(out.Groups, g)
	}
	slices.SortFunc(out.Groups, func(x, y DoseGroup) int { return strings.Compare(x.Label, y.Label) })
	return out, nil
}

func levelValue(l *store.DoseLevel) *float64 {
	if l == nil {
		return nil
	}
	return l.Value
}

func quantityOf(d store.DosedAct, quantity string) *float64 {
	if quantity == QuantityCTDIvol {
		return d.CTDIvol
	}
	return d.DLP
}

func groupKey(d store.DosedAct, by string) string {
	switch by {
	case "room":
		return strconv.FormatInt(d.RoomID, 10)
	case "radiologist":
		return strconv.FormatInt(d.RadiologistID, 10)
	}
	return d.ActID
}

func levelKey(actID, kind, quantity string) string { return actID + "|" + kind + "|" + quantity }

// LevelKey is the key of a level in DoseReview.Levels and CurrentDoseLevels.
func LevelKey(actID, kind, quantity string) string { return levelKey(actID, kind, quantity) }

func (a *App) actName(id string) string {
	if act, ok := a.catalog.Act(id); ok {
		return act.Name.In("fr")
	}
	return id
}

// groupLabels names the rooms or radiologists.
func (a *App) groupLabels(ctx context.Context, by string) (map[string]string, error) {
	out := map[string]string{}
	switch by {
	case "room":
		rooms, err := a.store.Rooms(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rooms {
			out[fmt.Sprint(r.ID)] = r.Name
		}
	case "radiologist":
		users, err := a.store.ListUsers(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out[fmt.Sprint(u.ID)] = u.DisplayName
		}
	}
	return out, nil
}

// CurrentDoseLevels returns the dose level that applies per act, kind and
// quantity (the latest set).
func (a *App) CurrentDoseLevels(ctx context.Context) (map[string]store.DoseLevel, error) {
	all, err := a.store.DoseLevels(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]store.DoseLevel{}
	for _, l := range all {
		out[levelKey(l.ActID, l.Kind, l.Quantity)] = l
	}
	return out, nil
}

// SetDoseLevel records a dose level of the practice for an act type. A
// national reference needs its source (the confirmed text it comes from);
// every level is refused for an act the catalogue does not know.
func (a *App) SetDoseLevel(ctx context.Context, l store.DoseLevel) error {
	// The practice's levels are a medical and managerial choice, on every
	// path: radiologists and the administrator only.
	if actor, _ := audit.ActorFrom(ctx); actor.Role != string(auth.Radiologist) && actor.Role != string(auth.Admin) {
		return refuse("dose.err.levels_role")
	}
	if _, ok := a.catalog.Act(l.ActID); !ok {
		return invalid("dose.err.act")
	}
	if !slices.Contains([]string{LevelLocalReference, LevelNationalReference, LevelAlert}, l.Kind) ||
		!slices.Contains([]string{QuantityDLP, QuantityCTDIvol}, l.Quantity) {
		return invalid("dose.err.kind")
	}
	if l.Value != nil && (*l.Value <= 0 || *l.Value > 1e5) {
		return invalid("dose.err.value")
	}
	l.Source = strings.TrimSpace(l.Source)
	if l.Kind == LevelNationalReference && l.Value != nil && l.Source == "" {
		return invalid("dose.err.source")
	}
	return a.store.AddDoseLevel(ctx, l)
}

// ReviewDoseAlert records why an act's dose was above its alert level
// (radiologists only: it is a medical judgement).
func (a *App) ReviewDoseAlert(ctx context.Context, appointmentID int64, reason string) error {
	actor, _ := audit.ActorFrom(ctx)
	if actor.Role != string(auth.Radiologist) {
		return refuse("dose.err.radiologist")
	}
	if reason = strings.TrimSpace(reason); reason == "" {
		return invalid("dose.err.reason")
	}
	// The check against the levels in force and the review are one unit
	// of work (store.WriteUnit).
	return a.store.WriteUnit(ctx, func(ctx context.Context) error {
		above, err := a.aboveAlertLevel(ctx, appointmentID)
		if err != nil {
			return err
		}
		if !above {
			return invalid("dose.err.not_alerted")
		}
		return a.store.ReviewDoseAlert(ctx, appointmentID, reason)
	})
}

// aboveAlertLevel tells whether a done act's dose is above an alert level
// of its act type, the only acts whose dose is explained: the review list
// and every other path that records a reason agree.
func (a *App) aboveAlertLevel(ctx context.Context, appointmentID int64) (bool, error) {
	appt, err := a.appointment(ctx, appointmentID)
	if err != nil {
		return false, err
	}
	ad, err := a.store.ActDoseOf(ctx, appointmentID)
	if err != nil {
		return false, err
	}
	levels, err := a.CurrentDoseLevels(ctx)
	if err != nil {
		return false, err
	}
	d := store.DosedAct{ActID: appt.ActID, DLP: ad.DLP, CTDIvol: ad.CTDIvol}
	return appt.Status == booking.Done && len(alertsOf(d, alertLevels(levels))) > 0, nil
}

// alertLevels gives the alert levels in force by act and quantity, looked
// up for every act without building a key string each time.
func alertLevels(levels map[string]store.DoseLevel) map[[2]string]float64 {
	alerts := map[[2]string]float64{}
	for _, l := range levels {
		if l.Kind == LevelAlert && l.Value != nil {
			alerts[[2]string{l.ActID, l.Quantity}] = *l.Value
		}
	}
	return alerts
}

// alertsOf lists the quantities of an act's dose above its act type's
// alert level (alertLevels).
func alertsOf(d store.DosedAct, alerts map[[2]string]float64) []AlertedAct {
	var out []AlertedAct
	for _, quantity := range []string{QuantityDLP, QuantityCTDIvol} {
		level, ok := alerts[[2]string{d.ActID, quantity}]
		if v := quantityOf(d, quantity); ok && v != nil && *v > level {
			out = append(out, AlertedAct{DosedAct: d, Quantity: quantity, Value: *v, Level: level})
		}
	}
	return out
}
