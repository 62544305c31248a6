package privacy

import (
	"errors"
	"testing"
)

func TestCanErase(t *testing.T) {
	rules, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rec  Record
		kept bool
	}{
		{Record{}, false},
		{Record{ActsPerformed: 1}, true},
		{Record{ConsentsSigned: 1}, true},
	} {
		rule, err := rules.CanErase(c.rec)
		if errors.Is(err, ErrRetained) != c.kept || rule.Source == "" {
			t.Errorf("%+v: %v (rule %q), want kept %v", c.rec, err, rule.Source, c.kept)
		}
	}
}
