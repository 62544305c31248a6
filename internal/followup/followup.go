package followup

import (
	"time"

	"repere/internal/catalog"
)

// Acts' facts a criterion can follow (its act_fact).
const (
	ActFactMonitoring    = "monitoring"
	ActFactAccompaniment = "accompaniment_required"
	ActFactNoDriving     = "no_driving"
)

// Criterion is one condition checked before the patient leaves.
type Criterion struct {
	ID           string       `yaml:"id" json:"id"`
	Acts         []string     `yaml:"acts,omitempty" json:"-"`
	ActFact      string       `yaml:"act_fact,omitempty" json:"-"`
	Text         catalog.Text `yaml:"text" json:"text"`
	catalog.Fact `yaml:",inline"`
}

// DischargeCriteria returns the criteria that apply to the act, in data
// order; a criterion following an act fact carries that fact's source.
func (s *Set) DischargeCriteria(act *catalog.Act) []Criterion {
	var out []Criterion
	for _, c := range s.criteria {
		if act == nil {
			continue
		}
		if len(c.Acts) > 0 && !contains(c.Acts, act.ID) {
			continue
		}
		switch c.ActFact {
		case ActFactMonitoring:
			if act.Monitoring.Place == catalog.PlaceNone || act.Monitoring.Minutes == 0 {
				continue
			}
			c.Fact = act.Monitoring.Fact
		case ActFactAccompaniment:
			if !act.Accompaniment.Value {
				continue
			}
			c.Fact = act.Accompaniment.Fact
		case ActFactNoDriving:
			if !act.NoDriving.Value {
				continue
			}
			c.Fact = act.NoDriving.Fact
		}
		out = append(out, c)
	}
	return out
}

// MonitoringWindow returns when the monitoring of an act starts and ends.
// It starts at actEnd. On a recovery chair or bed it lasts the act's
// monitoring minutes (elapsed time). For an overnight ward stay it ends at the
// later of those minutes and the ward's discharge time on the day after the
// act's end (wardDischargeMinute minutes after midnight in loc, clamped to
// 0-1439), a wall-clock time that a daylight-saving night does not move.
// An act without monitoring ends its window at actEnd. A nil loc means UTC.
func MonitoringWindow(act *catalog.Act, actEnd time.Time, loc *time.Location, wardDischargeMinute int) (start, end time.Time) {
	if act == nil || act.Monitoring.Place == catalog.PlaceNone || act.Monitoring.Minutes <= 0 {
		return actEnd, actEnd
	}
	end = actEnd.Add(time.Duration(act.Monitoring.Minutes) * time.Minute)
	if act.Monitoring.Place != catalog.PlaceWardOvernight {
		return actEnd, end
	}
	if loc == nil {
		loc = time.UTC
	}
	minute := min(max(wardDischargeMinute, 0), 24*60-1)
	y, m, d := actEnd.In(loc).Date()
	morning := time.Date(y, m, d+1, minute/60, minute%60, 0, 0, loc)
	if morning.After(end) {
		end = morning
	}
	return actEnd, end
}

// TimeLeft is the monitoring time remaining at now; never negative.
func TimeLeft(end, now time.Time) time.Duration {
	if left := end.Sub(now); left > 0 {
		return left
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
