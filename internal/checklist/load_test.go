package checklist

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestBuiltinIsValid(t *testing.T) {
	_, set := fixtures(t)
	if len(set.Items()) < 10 {
		t.Fatalf("only %d items", len(set.Items()))
	}
	for _, it := range set.Items() {
		if _, ok := set.Source(it.Source); !ok {
			t.Errorf("%s: source %s unknown", it.ID, it.Source)
		}
	}
}

func TestLoadErrorsNameFileAndField(t *testing.T) {
	const good = `  - id: bracelet
    phase: before_room
    text: {fr: "Bracelet posé", en: "Wristband on"}
    blocking: true
    source: repere_default
    status: practice_default
`
	tests := []struct {
		name, items string
		want        []string
	}{
		{"unknown key", "items:\n  - id: x\n    phase: before_room\n    blockin: true\n", []string{"practice/items.yaml", "blockin"}},
		{"missing English text", strings.Replace(good, `, en: "Wristband on"`, "", 1), []string{"practice/items.yaml: items[0].text.en: text is missing"}},
		{"unknown source", strings.Replace(good, "source: repere_default", "source: nowhere", 1), []string{`practice/items.yaml: items[0].source: unknown source "nowhere"`}},
		{"bad status", strings.Replace(good, "status: practice_default", "status: sure", 1), []string{"practice/items.yaml: items[0].status: must be one of"}},
		{"bad phase", strings.Replace(good, "phase: before_room", "phase: later", 1), []string{"practice/items.yaml: items[0].phase"}},
		{"bad auto", good + "    auto: guess\n", []string{"practice/items.yaml: items[0].auto"}},
		{"na on a non-blocking item", strings.Replace(good, "blocking: true", "blocking: false\n    allow_na: true", 1), []string{"items[0].allow_na"}},
		{"bad fasting mode", good + "    applies_when: {fasting_modes: [sometimes]}\n", []string{"items[0].applies_when.fasting_modes[0]"}},
		{"bad sex", good + "    applies_when: {sex: [W]}\n", []string{"items[0].applies_when.sex[0]"}},
		{"age band reversed", good + "    applies_when: {age: {min: 55, max: 12, source: repere_default, status: practice_default}}\n", []string{"items[0].applies_when.age: min and max"}},
		{"age band without source", good + "    applies_when: {age: {min: 12, max: 55}}\n", []string{"items[0].applies_when.age.source: is required"}},
		{"duplicate new id", good + strings.Replace(good, "  - id: bracelet", "  - id: bracelet", 1), []string{"practice/items.yaml: items[1].id: duplicate id \"bracelet\" in the same file"}},
		{"bad id", strings.Replace(good, "id: bracelet", "id: Bracelet-1", 1), []string{"items[0].id: must be lower_snake_case"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.items
			if !strings.HasPrefix(body, "items:") {
				body = "items:\n" + body
			}
			practice := fstest.MapFS{"items.yaml": {Data: []byte(body)}}
			_, err := LoadFS([]fs.FS{Builtin(), practice}, []string{"built-in checklist", "practice"})
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
}

func TestPracticeFolderReplacesAndAdds(t *testing.T) {
	dir := t.TempDir()
	items := `items:
  - id: prior_imaging
    phase: in_room
    text: {fr: "Imagerie affichée", en: "Imaging displayed"}
    blocking: true
    source: local_protocol
    status: practice_default
  - id: wristband
    phase: before_room
    text: {fr: "Bracelet d'identification posé", en: "Identification wristband on"}
    blocking: false
    source: local_protocol
    status: practice_default
`
	sources := "sources:\n  - id: local_protocol\n    title: \"Practice protocol\"\n"
	for name, data := range map[string]string{"items.yaml": items, "sources.yaml": sources} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, builtin := fixtures(t)
	if len(set.Items()) != len(builtin.Items())+1 {
		t.Fatalf("%d items, want %d", len(set.Items()), len(builtin.Items())+1)
	}
	got := ids(set.ItemsFor(baseFacts(act(t, "lumbar_epidural_infiltration"))))
	if !got["prior_imaging"].Blocking || got["prior_imaging"].Text.In("fr") != "Imagerie affichée" {
		t.Errorf("prior_imaging not replaced: %+v", got["prior_imaging"])
	}
	if got["wristband"].Phase != PhaseBeforeRoom {
		t.Errorf("wristband not added: %+v", got["wristband"])
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "checklist folder") {
		t.Errorf("missing folder: %v", err)
	}
}
