package followup

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"repere/internal/catalog"
)

var (
	loadOnce sync.Once
	testCat  *catalog.Catalog
	testSet  *Set
	loadErr  error
)

func fixtures(t *testing.T) (*catalog.Catalog, *Set) {
	t.Helper()
	loadOnce.Do(func() {
		testCat, loadErr = catalog.Load("")
		if loadErr == nil {
			testSet, loadErr = Load(testCat, "")
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return testCat, testSet
}

func act(t *testing.T, id string) *catalog.Act {
	t.Helper()
	cat, _ := fixtures(t)
	a, ok := cat.Act(id)
	if !ok {
		t.Fatalf("act %s not in the catalogue", id)
	}
	return a
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	return loc
}

func TestMonitoringWindow(t *testing.T) {
	loc := paris(t)
	const tenAM = 10 * 60
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }
	tests := []struct {
		name   string
		act    string
		end    time.Time
		minute int
		want   time.Time
	}{
		// Catalogue: infiltrations 30 min on a recovery chair, blood patch 120 min lying on a bed.
		{"chair", "lumbar_foraminal_infiltration", at(2026, 11, 25, 9, 40), tenAM, at(2026, 11, 25, 10, 10)},
		{"bed", "epidural_blood_patch", at(2026, 11, 25, 9, 45), tenAM, at(2026, 11, 25, 11, 45)},
		// Elapsed minutes across the autumn change (03:00 CEST -> 02:00 CET):
		// 01:30 CEST + 120 min is 02:30 CET (01:30 UTC), the second 02:30 of the night.
		{"bed across the DST change", "epidural_blood_patch", at(2026, 10, 25, 1, 30), tenAM, time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)},
		// Vertebroplasty: 1080 min in a ward overnight (practice default).
		{"ward: 18 h end later than the morning", "vertebroplasty", at(2026, 11, 25, 17, 0), tenAM, at(2026, 11, 26, 11, 0)},
		{"ward: morning discharge later than 18 h", "vertebroplasty", at(2026, 11, 25, 11, 0), tenAM, at(2026, 11, 26, 10, 0)},
		// Spring night (02:00 CET -> 03:00 CEST): 18 elapsed hours from 14:00
		// CET are 09:00 CEST, before the 10:00 wall-clock discharge; from
		// 17:00 CET they are 12:00 CEST.
		{"ward across spring DST: wall-clock morning", "vertebroplasty", at(2026, 3, 28, 14, 0), tenAM, at(2026, 3, 29, 10, 0)},
		{"ward across spring DST: 18 elapsed hours", "vertebroplasty", at(2026, 3, 28, 17, 0), tenAM, at(2026, 3, 29, 12, 0)},
		// Autumn night: 18 elapsed hours from 17:00 CEST are 10:00 CET.
		{"ward across autumn DST", "vertebroplasty", at(2026, 10, 24, 17, 30), 9 * 60, at(2026, 10, 25, 10, 30)},
		{"ward discharge minute clamped", "vertebroplasty", at(2026, 11, 25, 8, 0), 5000, at(2026, 11, 26, 23, 59)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := MonitoringWindow(act(t, tt.act), tt.end, loc, tt.minute)
			if !start.Equal(tt.end) {
				t.Errorf("start %v, want the act's end %v", start, tt.end)
			}
			if !end.Equal(tt.want) {
				t.Errorf("end %v, want %v", end.In(loc), tt.want.In(loc))
			}
		})
	}
	none := &catalog.Act{Monitoring: catalog.Monitoring{Place: catalog.PlaceNone}}
	if s, e := MonitoringWindow(none, at(2026, 11, 25, 9, 0), loc, tenAM); !s.Equal(e) {
		t.Errorf("no monitoring: window %v-%v", s, e)
	}
}

func TestTimeLeft(t *testing.T) {
	end := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if got := TimeLeft(end, end.Add(-90*time.Second)); got != 90*time.Second {
		t.Errorf("before the end: %v", got)
	}
	if got := TimeLeft(end, end.Add(time.Hour)); got != 0 {
		t.Errorf("after the end: %v, want 0", got)
	}
}

func criterionIDs(cs []Criterion) map[string]Criterion {
	m := map[string]Criterion{}
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}

func TestDischargeCriteria(t *testing.T) {
	_, set := fixtures(t)
	common := []string{"monitoring_done", "no_new_neuro_deficit", "walks_unaided", "pain_controlled", "puncture_site_dry", "advice_given", "not_driving"}
	tests := []struct {
		act        string
		want, none []string
	}{
		{"epidural_blood_patch", []string{"headache_improved", "accompanied_home"}, []string{"no_breathlessness"}},
		{"vertebroplasty", []string{"no_breathlessness", "accompanied_home"}, []string{"headache_improved"}},
		{"lumbar_epidural_infiltration", nil, []string{"headache_improved", "no_breathlessness", "accompanied_home"}},
		{"cervical_foraminal_infiltration", []string{"accompanied_home"}, []string{"headache_improved"}},
	}
	for _, tt := range tests {
		t.Run(tt.act, func(t *testing.T) {
			a := act(t, tt.act)
			got := criterionIDs(set.DischargeCriteria(a))
			for _, id := range append(common, tt.want...) {
				if _, ok := got[id]; !ok {
					t.Errorf("criterion %s missing", id)
				}
			}
			for _, id := range tt.none {
				if _, ok := got[id]; ok {
					t.Errorf("criterion %s should not apply", id)
				}
			}
			for id, c := range got {
				if c.Source == "" || c.Status == "" || c.Text.In("en") == "" {
					t.Errorf("%s: incomplete %+v", id, c)
				}
			}
			if c, ok := got["accompanied_home"]; ok && c.Fact != a.Accompaniment.Fact {
				t.Errorf("accompanied_home carries %+v, want the act's %+v", c.Fact, a.Accompaniment.Fact)
			}
			if got["monitoring_done"].Fact != a.Monitoring.Fact {
				t.Errorf("monitoring_done does not carry the act's monitoring fact")
			}
		})
	}
}

func TestFollowUpDays(t *testing.T) {
	_, set := fixtures(t)
	for id, want := range map[string]string{
		"epidural_blood_patch":          "[2 15 30]",
		"lumbar_foraminal_infiltration": "[15 30]",
		"vertebroplasty":                "[15 30]",
	} {
		if got := fmt.Sprint(set.FollowUpDays(act(t, id))); got != want {
			t.Errorf("%s: days %s, want %s", id, got, want)
		}
	}
	days := set.FollowUpDays(act(t, "vertebroplasty"))
	days[0] = 99
	if set.FollowUpDays(act(t, "vertebroplasty"))[0] == 99 {
		t.Error("FollowUpDays exposes the set's slice")
	}
}
