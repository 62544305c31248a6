package screening

import (
	"testing"
	"time"

	"repere/internal/catalog"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at parses "2006-01-02 15:04" in Paris; "" is the zero time.
func at(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		panic(err)
	}
	return t
}

func act(t testing.TB, s *Set, id string) *catalog.Act {
	t.Helper()
	a, ok := s.cat.Act(id)
	if !ok {
		t.Fatalf("act %s not in catalogue", id)
	}
	return a
}

// cleanAnswers answers every mandatory question of the act with its
// reassuring answer.
func cleanAnswers(s *Set, a *catalog.Act) map[string]string {
	values := map[string]string{}
	for _, q := range s.QuestionsFor(a) {
		if !q.Mandatory {
			continue
		}
		switch {
		case q.Kind == KindNumber && q.ID == "weight_kg":
			values[q.ID] = "70"
		case q.Kind == KindNumber:
			values[q.ID] = "0"
		case q.YesMeans == "ability":
			values[q.ID] = Yes
		default:
			values[q.ID] = No
		}
	}
	return values
}

func reasonIDs(v Verdict) []string {
	var ids []string
	for _, r := range v.Reasons {
		ids = append(ids, r.RuleID)
	}
	return ids
}

func findHold(t *testing.T, v Verdict, drug string) Hold {
	t.Helper()
	for _, h := range v.Holds {
		if h.DrugID == drug {
			return h
		}
	}
	t.Fatalf("no hold for %s in %+v", drug, v.Holds)
	return Hold{}
}
