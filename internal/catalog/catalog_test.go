package catalog

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func loadTestdata(t *testing.T, dirs ...string) (*Catalog, error) {
	t.Helper()
	var layers []fs.FS
	for _, d := range dirs {
		layers = append(layers, os.DirFS("testdata/"+d))
	}
	return LoadFS(layers, dirs)
}

func TestLoadValid(t *testing.T) {
	c, err := loadTestdata(t, "valid")
	if err != nil {
		t.Fatal(err)
	}
	a, ok := c.Act("test_act")
	if !ok {
		t.Fatal("test_act missing")
	}
	if a.File() != "valid/acts/test-act.yaml" {
		t.Errorf("File() = %q", a.File())
	}
	if got, ok := c.BySlug("test-act"); !ok || got != a {
		t.Error("BySlug does not find the act")
	}
	if a.TotalMinutes() != 60 || a.Fasting.Hours != 4 || a.Name.In("en") != "Test act" || a.Name.In("de") != "Acte de test" {
		t.Errorf("fields read wrong: %+v", a)
	}
	for day, want := range map[string]float64{"2026-11-22": 32.18, "2023-12-31": 30.00, "2024-01-01": 32.18} {
		tariff, ok := a.Billing[0].TariffOn(day)
		if !ok || tariff.BaseEU != want {
			t.Errorf("TariffOn(%s) = %v %v, want %v", day, tariff.BaseEU, ok, want)
		}
	}
	if _, ok := a.Billing[0].TariffOn("2019-01-01"); ok {
		t.Error("a tariff was found before the first one starts")
	}
}

func TestPracticeFolderOverridesAndAdds(t *testing.T) {
	c, err := loadTestdata(t, "valid", "override")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.Act("test_act")
	if a.RoomMinutes.Value != 45 || a.File() != "override/acts/test-act.yaml" {
		t.Errorf("override not applied: %d from %s", a.RoomMinutes.Value, a.File())
	}
	if _, ok := c.Act("practice_act"); !ok {
		t.Error("practice act not added")
	}
	if len(c.Acts()) != 2 {
		t.Errorf("got %d acts, want 2", len(c.Acts()))
	}
}

// TestBadFilesNameFileAndField mutates the valid act and checks that each
// problem is reported with its file and field.
func TestBadFilesNameFileAndField(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid/acts/test-act.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sources, _ := os.ReadFile("testdata/valid/sources.yaml")
	cases := []struct{ name, from, to, want string }{
		{"unknown field", "room_minutes:", "room_minute:", "field room_minute not found"},
		{"bad status", "room_minutes: {value: 30, source: test_source, status: confirmed}", "room_minutes: {value: 30, source: test_source, status: sure}", "room_minutes.status: must be one of"},
		{"unknown source", "room_minutes: {value: 30, source: test_source", "room_minutes: {value: 30, source: nope", `room_minutes.source: unknown source "nope"`},
		{"missing source", "anaesthesia: {value: local, source: test_source, status: inference}", "anaesthesia: {value: local, status: inference}", "anaesthesia.source: is required"},
		{"missing english", `name: {fr: "Acte de test", en: "Test act"}`, `name: {fr: "Acte de test"}`, "name.en: text is missing"},
		{"bad ccam code", "code: LHLH002", "code: LH02", `billing[0].code: "LH02" is not a CCAM code`},
		{"bad tariff date", `from: "2020-01-01"`, `from: "01/01/2020"`, "billing[0].tariffs[0].from: must be a date"},
		{"zero minutes", "room_minutes: {value: 30", "room_minutes: {value: 0", "room_minutes.value: must be between 1 and 1440"},
		{"bad place", "place: recovery_chair", "place: sofa", "monitoring.place: must be one of"},
		{"hours without mode", "fasting: {mode: only_with_premedication, hours: 4", "fasting: {mode: none, hours: 4", "fasting.hours: must be empty"},
		{"mode without hours", "fasting: {mode: only_with_premedication, hours: 4", "fasting: {mode: hours, hours: 0", "fasting.hours: must be between 1 and 24"},
		{"bad bleeding class", "bleeding_risk: {value: low", "bleeding_risk: {value: tiny", "bleeding_risk.value: must be one of"},
		{"bad contraindication kind", "kind: absolute", "kind: maybe", "contraindications[0].kind: must be one of"},
		{"bad key", "key: fever", "key: Fever!", `warning_signs[0].key: must be lower_snake_case`},
		{"no warning sign", "warning_signs:\n  - {key: fever, text: {fr: \"Fièvre\", en: \"Fever\"}, source: test_source, status: patient_page}", "warning_signs: []", "warning_signs: at least one entry is required"},
		{"bad slug", "slug: test-act", "slug: Test Act", "slug: must be lower-kebab-case"},
		{"not yaml", "id: test_act", "id: [unclosed", "invalid YAML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mutated := strings.Replace(string(valid), c.from, c.to, 1)
			if mutated == string(valid) {
				t.Fatalf("mutation %q did not apply", c.from)
			}
			layer := fstest.MapFS{"sources.yaml": {Data: sources}, "acts/test-act.yaml": {Data: []byte(mutated)}}
			_, err := LoadFS([]fs.FS{layer}, []string{"practice"})
			if err == nil {
				t.Fatal("bad catalogue accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, "practice/acts/test-act.yaml") || !strings.Contains(msg, c.want) {
				t.Fatalf("error does not name file and field:\n%s\nwant it to contain %q", msg, c.want)
			}
		})
	}
}

func TestDuplicateSlugAndEmptyCatalogue(t *testing.T) {
	valid, _ := os.ReadFile("testdata/valid/acts/test-act.yaml")
	sources, _ := os.ReadFile("testdata/valid/sources.yaml")
	other := strings.Replace(string(valid), "id: test_act", "id: other_act", 1)
	layer := fstest.MapFS{"sources.yaml": {Data: sources}, "acts/a.yaml": {Data: valid}, "acts/b.yaml": {Data: []byte(other)}}
	_, err := LoadFS([]fs.FS{layer}, []string{"p"})
	if err == nil || !strings.Contains(err.Error(), `slug: "test-act" is already used`) {
		t.Fatalf("duplicate slug: %v", err)
	}
	_, err = LoadFS([]fs.FS{fstest.MapFS{}}, []string{"empty"})
	if err == nil || !strings.Contains(err.Error(), "no act found") {
		t.Fatalf("empty catalogue: %v", err)
	}
}

func TestLoadMissingFolder(t *testing.T) {
	if _, err := Load("testdata/does-not-exist"); err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist") {
		t.Fatalf("missing folder: %v", err)
	}
}
