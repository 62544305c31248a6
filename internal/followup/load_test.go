package followup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"repere/internal/catalog"
)

func TestLoadErrorsNameFileAndField(t *testing.T) {
	cat, _ := fixtures(t)
	const crit = "criteria:\n  - id: escort\n    text: {fr: \"Accompagné\", en: \"Escorted\"}\n    source: repere_default\n    status: practice_default\n"
	tests := []struct {
		name, file, body string
		want             []string
	}{
		{"unknown key", "discharge.yaml", strings.Replace(crit, "text:", "txt:", 1), []string{"practice/discharge.yaml", "txt"}},
		{"missing English", "discharge.yaml", strings.Replace(crit, `, en: "Escorted"`, "", 1), []string{"practice/discharge.yaml: criteria[0].text.en: text is missing"}},
		{"unknown source", "discharge.yaml", strings.Replace(crit, "source: repere_default", "source: hearsay", 1), []string{`practice/discharge.yaml: criteria[0].source: unknown source "hearsay"`}},
		{"unknown act", "discharge.yaml", crit + "    acts: [kyphoplasty]\n", []string{`practice/discharge.yaml: criteria[0].acts[0]: unknown act "kyphoplasty"`}},
		{"act_fact with a source", "discharge.yaml", crit + "    act_fact: no_driving\n", []string{"criteria[0].source: must be empty with act_fact"}},
		{"bad act_fact", "discharge.yaml", "criteria:\n  - id: x\n    act_fact: weather\n    text: {fr: a, en: b}\n", []string{"criteria[0].act_fact: must be one of"}},
		{"duplicate id", "discharge.yaml", crit + strings.TrimPrefix(crit, "criteria:\n"), []string{`criteria[1].id: duplicate id "escort" in the same file`}},
		{"days not increasing", "schedule.yaml", "default:\n  days: {values: [30, 15], source: repere_default, status: practice_default}\n", []string{"practice/schedule.yaml: default.days.values[1]: days must increase"}},
		{"day zero", "schedule.yaml", "default:\n  days: {values: [0, 15], source: repere_default, status: practice_default}\n", []string{"default.days.values[0]: must be between 1 and 365"}},
		{"rule without drop", "schedule.yaml", "acts:\n  - acts: [vertebroplasty]\n    rule: {judge_from_day: 15, min_drop: 0, source: repere_default, status: practice_default}\n", []string{"practice/schedule.yaml: acts[0].rule.min_drop"}},
		{"rule bad status", "schedule.yaml", "acts:\n  - acts: [vertebroplasty]\n    rule: {judge_from_day: 15, min_drop: 2, source: repere_default, status: likely}\n", []string{"acts[0].rule.status: must be one of"}},
		{"offer on improved", "schedule.yaml", "acts:\n  - acts: [vertebroplasty]\n    offer: {on: [improved], text: {fr: a, en: b}, source: repere_default, status: practice_default}\n", []string{"acts[0].offer.on[0]: must be failed or recurring"}},
		{"plan for an unknown act", "schedule.yaml", "acts:\n  - acts: [kyphoplasty]\n    days: {values: [7], source: repere_default, status: practice_default}\n", []string{`acts[0].acts[0]: unknown act "kyphoplasty"`}},
		{"watch with a clinical status", "monitoring.yaml", "acts:\n  - acts: [vertebroplasty]\n    kinds: [pain]\n    every_minutes: 30\n    source: repere_default\n    status: confirmed\n", []string{"practice/monitoring.yaml: acts[0].status", "practice_default until a clinical source"}},
		{"watch of an unknown kind", "monitoring.yaml", "default:\n  kinds: [temperature]\n  every_minutes: 30\n  source: repere_default\n  status: practice_default\n", []string{`practice/monitoring.yaml: default.kinds: unknown kind "temperature"`}},
		{"watch too rare", "monitoring.yaml", "acts:\n  - acts: [vertebroplasty]\n    kinds: [pain]\n    every_minutes: 600\n    source: repere_default\n    status: practice_default\n", []string{"acts[0].every_minutes: 600 not between 5 and 240"}},
		{"plan without acts", "schedule.yaml", "acts:\n  - days: {values: [7], source: repere_default, status: practice_default}\n", []string{"acts[0].acts: at least one act id is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			practice := fstest.MapFS{tt.file: {Data: []byte(tt.body)}}
			_, err := LoadFS(cat, []fs.FS{Builtin(), practice}, []string{"built-in follow-up", "practice"})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want *Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadFS(nil, nil, nil); err == nil {
		t.Error("no catalogue: want an error")
	}
}

func TestPracticeFolderOverrides(t *testing.T) {
	cat, _ := fixtures(t)
	dir := t.TempDir()
	files := map[string]string{
		"schedule.yaml": `default:
  days: {values: [7, 30, 90], source: local, status: practice_default}
acts:
  - acts: [epidural_blood_patch]
    days: {values: [1, 7], source: local, status: practice_default}
`,
		"discharge.yaml": `criteria:
  - id: walks_unaided
    text: {fr: "Marche seul dans le couloir", en: "Walks alone in the corridor"}
    source: local
    status: practice_default
  - id: urinated
    acts: [vertebroplasty]
    text: {fr: "A uriné", en: "Has passed urine"}
    source: local
    status: practice_default
`,
		"sources.yaml": "sources:\n  - id: local\n    title: \"Practice protocol\"\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(cat, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := set.FollowUpDays(act(t, "lumbar_epidural_infiltration")); len(got) != 3 || got[2] != 90 {
		t.Errorf("default days %v, want the practice's [7 30 90]", got)
	}
	if got := set.FollowUpDays(act(t, "epidural_blood_patch")); len(got) != 2 || got[0] != 1 {
		t.Errorf("blood patch days %v, want the practice's [1 7]", got)
	}
	crit := criterionIDs(set.DischargeCriteria(act(t, "vertebroplasty")))
	if crit["walks_unaided"].Source != "local" || crit["urinated"].ID == "" {
		t.Errorf("criteria not replaced/added: %+v", crit)
	}
	if _, ok := criterionIDs(set.DischargeCriteria(act(t, "facet_joint_infiltration")))["urinated"]; ok {
		t.Error("vertebroplasty criterion applied to a facet infiltration")
	}
	if _, err := Load(cat, filepath.Join(dir, "missing")); err == nil {
		t.Error("missing folder: want an error")
	}
}

// TestWatchOfActs reads the built-in monitoring watches: the acts watched
// lying down or near the cord ask blood pressure, pain and a neurological
// check; the lumbar infiltrations pain and the check; all are the
// practice's defaults.
func TestWatchOfActs(t *testing.T) {
	cat, _ := fixtures(t)
	set, err := Load(cat, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		act   string
		kinds []string
	}{
		{"epidural_blood_patch", []string{BloodPressure, PainScore, NeuroCheck}},
		{"vertebroplasty", []string{BloodPressure, PainScore, NeuroCheck}},
		{"facet_joint_infiltration", []string{PainScore, NeuroCheck}},
	} {
		act, _ := cat.Act(tt.act)
		w := set.WatchOf(act)
		if !slices.Equal(w.Kinds, tt.kinds) || w.Status != catalog.PracticeDefault || w.EveryMinutes != 30 {
			t.Errorf("%s: %+v", tt.act, w)
		}
	}
}
