package dose_test

import (
	"testing"

	"repere/internal/dose"
)

func f(v float64) *float64 { return &v }

func report(uid string, total float64, events ...dose.Event) dose.Report {
	return dose.Report{SOPInstanceUID: uid, TotalDLP: f(total), Events: events}
}

func ev(uid string, ctdi, dlp float64) dose.Event {
	return dose.Event{UID: uid, CTDIvol: f(ctdi), DLP: f(dlp)}
}

func TestCombine(t *testing.T) {
	a := report("1", 110, ev("e1", 1, 10), ev("e2", 8, 100))
	cumulative := report("2", 160, ev("e1", 1, 10), ev("e2", 8, 100), ev("e3", 12, 50))
	continued := report("3", 50, ev("e3", 12, 50))
	resent := report("4", 110, ev("e1", 1, 10), ev("e2", 8, 100))
	for _, tt := range []struct {
		name       string
		reports    []dose.Report
		dlp, ctdi  float64
		used, left int
	}{
		{"one report: its total", []dose.Report{a}, 110, 8, 1, 0},
		{"the same report sent again counts once", []dose.Report{a, resent}, 110, 8, 1, 1},
		{"a cumulative report replaces the first", []dose.Report{a, cumulative}, 160, 12, 1, 1},
		{"a continued report adds to the first", []dose.Report{a, continued}, 160, 12, 2, 0},
		{"a cumulative report received first still wins", []dose.Report{cumulative, a}, 160, 12, 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := dose.Combine(tt.reports)
			if s.DLP == nil || *s.DLP != tt.dlp || s.CTDIvol == nil || *s.CTDIvol != tt.ctdi || s.Reports != tt.used || s.Superseded != tt.left {
				t.Fatalf("got DLP %v CTDIvol %v reports %d superseded %d", deref(s.DLP), deref(s.CTDIvol), s.Reports, s.Superseded)
			}
		})
	}
	if s := dose.Combine(nil); s.DLP != nil || s.CTDIvol != nil {
		t.Fatalf("no report: %+v", s)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
