package checklist

import (
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	items := []Item{
		{ID: "identity", Blocking: true},
		{ID: "pregnancy", Blocking: true, AllowNA: true},
		{ID: "consent", Blocking: true},
		{ID: "imaging"},
	}
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	ok := func(id string, min int) Check { return Check{ItemID: id, By: "mlefevre", At: at(min), State: StateOK} }
	all := []Check{ok("identity", 0), ok("pregnancy", 1), ok("consent", 2)}
	override := &Override{By: "drmartin", Reason: "consentement oral, formulaire signé après le geste", At: at(10)}

	tests := []struct {
		name           string
		checks         []Check
		override       *Override
		ready, overrid bool
		open           []string
	}{
		{"nothing checked", nil, nil, false, false, []string{"identity", "pregnancy", "consent"}},
		{"every blocking item ok", all, nil, true, false, nil},
		{"one blocking item open", all[:2], nil, false, false, []string{"consent"}},
		{"na allowed", []Check{ok("identity", 0), {ItemID: "pregnancy", By: "a", At: at(1), State: StateNA}, ok("consent", 2)}, nil, true, false, nil},
		{"na not allowed", []Check{ok("identity", 0), ok("pregnancy", 1), {ItemID: "consent", By: "a", At: at(2), State: StateNA}}, nil, false, false, []string{"consent"}},
		{"not_ok blocking stays open", append(all[:2:2], Check{ItemID: "consent", By: "a", At: at(2), State: StateNotOK}), nil, false, false, []string{"consent"}},
		{"latest check wins: ok after not_ok", append(all[:2:2], Check{ItemID: "consent", By: "a", At: at(2), State: StateNotOK}, ok("consent", 3)), nil, true, false, nil},
		{"latest check wins: not_ok after ok", append(all[:3:3], Check{ItemID: "consent", By: "a", At: at(5), State: StateNotOK}), nil, false, false, []string{"consent"}},
		{"latest by time, not by order", []Check{ok("identity", 0), ok("pregnancy", 1), {ItemID: "consent", By: "a", At: at(9), State: StateNotOK}, ok("consent", 3)}, nil, false, false, []string{"consent"}},
		{"check without a user does not count", []Check{ok("identity", 0), ok("pregnancy", 1), {ItemID: "consent", At: at(2), State: StateOK}}, nil, false, false, []string{"consent"}},
		{"unknown state is not ok", []Check{ok("identity", 0), ok("pregnancy", 1), {ItemID: "consent", By: "a", At: at(2), State: "yes"}}, nil, false, false, []string{"consent"}},
		{"override with a reason", all[:2], override, true, true, []string{"consent"}},
		{"override without a reason", all[:2], &Override{By: "drmartin", Reason: "  ", At: at(10)}, false, false, []string{"consent"}},
		{"override without a user", all[:2], &Override{Reason: "urgent", At: at(10)}, false, false, []string{"consent"}},
		{"override, then not_ok after it", append(all[:2:2], Check{ItemID: "identity", By: "a", At: at(11), State: StateNotOK}), override, false, false, []string{"identity", "consent"}},
		{"override covers a not_ok given before it", append(all[:2:2], Check{ItemID: "consent", By: "a", At: at(9), State: StateNotOK}), override, true, true, []string{"consent"}},
		{"override when nothing is open", all, override, true, false, nil},
		{"non-blocking item never blocks", all, nil, true, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Evaluate(items, tt.checks, tt.override)
			if st.Ready != tt.ready || st.Overridden != tt.overrid {
				t.Errorf("ready %v overridden %v, want %v %v", st.Ready, st.Overridden, tt.ready, tt.overrid)
			}
			var open []string
			for _, it := range st.Open {
				open = append(open, it.ID)
			}
			if len(open) != len(tt.open) {
				t.Fatalf("open %v, want %v", open, tt.open)
			}
			for i := range open {
				if open[i] != tt.open[i] {
					t.Fatalf("open %v, want %v", open, tt.open)
				}
			}
		})
	}
	if st := Evaluate(items, all, nil); len(st.Unchecked) != 1 || st.Unchecked[0].ID != "imaging" {
		t.Errorf("unchecked %v, want the imaging item", st.Unchecked)
	}
}

// FuzzEvaluate checks the invariants on arbitrary check sequences: without an
// override, ready means no open item; an open item is always blocking.
func FuzzEvaluate(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 2, 0}, false)
	f.Add([]byte{2, 1, 2, 0}, true)
	items := []Item{{ID: "a", Blocking: true}, {ID: "b", Blocking: true, AllowNA: true}, {ID: "c"}}
	states := []string{StateOK, StateNotOK, StateNA, ""}
	f.Fuzz(func(t *testing.T, seq []byte, withOverride bool) {
		var checks []Check
		for i := 0; i+1 < len(seq); i += 2 {
			checks = append(checks, Check{ItemID: items[int(seq[i])%3].ID, By: "u", At: time.Unix(int64(seq[i+1]%8), 0), State: states[int(seq[i+1])%4]})
		}
		var o *Override
		if withOverride {
			o = &Override{By: "r", Reason: "x", At: time.Unix(4, 0)}
		}
		st := Evaluate(items, checks, o)
		if !withOverride && st.Ready != (len(st.Open) == 0) {
			t.Fatalf("ready %v with open %v", st.Ready, st.Open)
		}
		if st.Overridden && (!st.Ready || len(st.Open) == 0) {
			t.Fatalf("overridden but ready %v open %v", st.Ready, st.Open)
		}
		for _, it := range st.Open {
			if !it.Blocking {
				t.Fatalf("non-blocking item %s open", it.ID)
			}
		}
	})
}
