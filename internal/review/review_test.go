package review

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"repere/internal/catalog"
	"repere/internal/pdftest"
	"repere/internal/screening"
)

func data(t testing.TB) Data {
	t.Helper()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	set, err := screening.Load(cat, "")
	if err != nil {
		t.Fatal(err)
	}
	seeds, err := LoadSeedDifferences(cat)
	if err != nil {
		t.Fatal(err)
	}
	return Data{Catalog: cat, Screening: set, Seeds: seeds}
}

// Every rule, hold row at every class the act can take, lab requirement and
// threshold, act fact and seed difference is on the act's page, each with
// words in both languages, an effect, a known source and a status.
func TestEveryRowOnItsActsPage(t *testing.T) {
	d := data(t)
	b := d.Build(nil)
	if len(b.Pages) != len(d.Catalog.Acts()) {
		t.Fatalf("%d pages for %d acts", len(b.Pages), len(d.Catalog.Acts()))
	}
	for _, p := range b.Pages {
		keys := map[string]bool{}
		for _, s := range p.Sections {
			for _, r := range s.Rows {
				if keys[r.Key] {
					t.Errorf("%s: row %s twice", p.Act.ID, r.Key)
				}
				keys[r.Key] = true
				for _, lang := range catalog.Languages {
					if r.Label[lang] == "" || r.Value[lang] == "" || r.Effect[lang] == "" {
						t.Errorf("%s: row %s lacks words in %s: %+v", p.Act.ID, r.Key, lang, r)
					}
				}
				if _, ok := d.Screening.Source(r.Source); !ok || r.Status == "" || r.Fingerprint == "" {
					t.Errorf("%s: row %s: source %q status %q fingerprint %q", p.Act.ID, r.Key, r.Source, r.Status, r.Fingerprint)
				}
				if r.Standing != StandingOpen && r.Standing != StandingSource {
					t.Errorf("%s: row %s is %s without any decision", p.Act.ID, r.Key, r.Standing)
				}
			}
		}
		if !d.Screening.Screens(p.Act) {
			continue
		}
		for _, r := range d.Screening.Rules() {
			if r.Applies(p.Act.ID) && !keys[screening.RuleKey(r.ID)] {
				t.Errorf("%s: rule %s missing", p.Act.ID, r.ID)
			}
		}
		for _, class := range p.Act.BleedingClasses() {
			for _, h := range d.Screening.HoldRows() {
				if !keys[screening.HoldKey(h.ID, class)] {
					t.Errorf("%s: hold %s at %s missing", p.Act.ID, h.ID, class)
				}
			}
			for _, th := range d.Screening.Thresholds() {
				if contains(th.Classes, class) && !keys[screening.ThresholdKey(th.Lab, th.Classes)] {
					t.Errorf("%s: threshold %s %v missing", p.Act.ID, th.Lab, th.Classes)
				}
			}
		}
		for _, dr := range d.Screening.Drugs() {
			if !keys[screening.DrugKey(dr.ID)] {
				t.Errorf("%s: drug %s missing", p.Act.ID, dr.ID)
			}
		}
		if !keys[screening.ClassKeyOf(p.Act.ID, "")] {
			t.Errorf("%s: its bleeding-risk class is missing", p.Act.ID)
		}
		for region := range p.Act.BleedingRiskByRegion {
			if !keys[screening.ClassKeyOf(p.Act.ID, region)] {
				t.Errorf("%s: class at %s missing", p.Act.ID, region)
			}
		}
	}
	// The seed differences named by the issue are shown.
	for _, key := range []string{"seed:cervical_fasting", "seed:blood_patch_time_on_site", "seed:facet_monitoring", "seed:lumbar_epidural_monitoring", "seed:vertebroplasty_guidance"} {
		r, ok := b.Row(key)
		if !ok || r.Seed == nil || len(r.Reason) == 0 || r.Standing != StandingOpen {
			t.Errorf("%s: %+v", key, r)
		}
	}
	if r, _ := b.Row("seed:blood_patch_time_on_site"); !strings.Contains(r.Value.In("fr"), "2 h 45 sur place") {
		t.Errorf("blood patch on site: %q", r.Value.In("fr"))
	}
}

// A decision counts only on the value it was taken on, and only while it
// is the latest for its row.
func TestDecisionsBindToTheValue(t *testing.T) {
	d := data(t)
	fps := d.Fingerprints()
	key := screening.HoldKey("clopidogrel", catalog.BleedingLow)
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	confirm := Decision{Key: key, Fingerprint: fps[key], Choice: Confirm, Reason: "relu dans Narouze 2018, tableau 4", By: "dr.martin", At: at}
	for _, c := range []struct {
		name      string
		decisions []Decision
		want      bool
		standing  string
	}{
		{"none", nil, false, StandingOpen},
		{"confirmed", []Decision{confirm}, true, StandingDecided},
		{"on another value", []Decision{{Key: key, Fingerprint: "0123456789abcdef", Choice: Confirm, Reason: "x", By: "dr.martin", At: at}}, false, StandingStale},
		{"then revoked", []Decision{confirm, {Key: key, Fingerprint: fps[key], Choice: Revoke, Reason: "erreur de lecture", By: "dr.nguyen", At: at.Add(time.Hour)}}, false, StandingOpen},
	} {
		if got := Confirmed(fps, c.decisions)[key]; got != c.want {
			t.Errorf("%s: confirmed %v, want %v", c.name, got, c.want)
		}
		r, _ := d.Build(c.decisions).Row(key)
		if r.Standing != c.standing {
			t.Errorf("%s: standing %s, want %s", c.name, r.Standing, c.standing)
		}
	}
	seed := "seed:cervical_fasting"
	adopt := Decision{Key: seed, Fingerprint: fps[seed], Choice: AdoptSeed, Reason: "pas de jeûne chez nous", By: "dr.martin", At: at}
	if Confirmed(fps, []Decision{adopt})[seed] {
		t.Error("adopting the seed page's value does not confirm the catalogue's")
	}
	if r, _ := d.Build([]Decision{adopt}).Row(seed); r.Standing != StandingAdopted {
		t.Errorf("adopted: %s", r.Standing)
	}
}

// A note reworded by an upgrade keeps the decision; a changed value does not.
func TestFingerprintIgnoresNotes(t *testing.T) {
	a := catalog.Minutes{Value: 30, Fact: catalog.Fact{Source: "x", Status: catalog.NotConfirmed, Note: "one"}}
	b := a
	b.Note = "two"
	c := a
	c.Value = 20
	if fingerprint(a) != fingerprint(b) || fingerprint(a) == fingerprint(c) {
		t.Errorf("fingerprints: %s %s %s", fingerprint(a), fingerprint(b), fingerprint(c))
	}
}

func TestReviewPDF(t *testing.T) {
	d := data(t)
	fps := d.Fingerprints()
	key := screening.RuleKey("inf_diabetes")
	b := d.Build([]Decision{{Key: key, Fingerprint: fps[key], Choice: Confirm, Reason: "glycémie surveillée 48 h", By: "dr.martin", ByName: "Dr Hélène Martin", At: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}})
	cite := func(id, lang string) (string, string) {
		src, _ := d.Screening.Source(id)
		return src.Citation(lang), src.URL
	}
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	pdf, err := PDF(b, Print{Lang: "fr", Practice: "Centre d'imagerie du Parc", At: at, Cite: cite, Acts: []string{"lumbar_epidural_infiltration"}})
	if err != nil {
		t.Fatal(err)
	}
	got := pdftest.Text(t, pdf)
	for _, w := range []string{"Revue des données cliniques", "Infiltration", "Dr Hélène Martin", "glycémie surveillée 48 h", "Narouze et al., ASRA 2018",
		"À décider par le cabinet", "médecin directeur", "Signature", "GIHP 2015"} {
		if !strings.Contains(got, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	pdftest.RenderPage1(t, pdf, "review")

	// The whole review: every page keeps its number (a block never pushes
	// the foot of a page off it).
	all, err := PDF(b, Print{Lang: "fr", Practice: "Centre d'imagerie du Parc", At: at, Cite: cite})
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, all)
	numbers := regexp.MustCompile(`\b(\d+) / (\d+)\b`).FindAllStringSubmatch(text, -1)
	if len(numbers) < 20 {
		t.Fatalf("only %d page numbers in the whole review", len(numbers))
	}
	total := numbers[len(numbers)-1][2]
	if pages := pageCount(t, all); strconv.Itoa(pages) != total || len(numbers) != pages {
		t.Fatalf("%d pages, numbered up to %s, %d numbers found", pages, total, len(numbers))
	}
	for i, n := range numbers {
		if n[1] != strconv.Itoa(i+1) || n[2] != total {
			t.Fatalf("page %d is numbered %s / %s (of %s)", i+1, n[1], n[2], total)
		}
	}
}

// pageCount reads the number of pages with poppler's pdfinfo.
func pageCount(t *testing.T, pdf []byte) int {
	t.Helper()
	file := filepath.Join(t.TempDir(), "review.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftest.Tool(t, "pdfinfo"), file).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo: %s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// BenchmarkWithDecisions: each page view and each decision adds the
// practice's decisions to the review built once at start.
func BenchmarkWithDecisions(b *testing.B) {
	d := data(b)
	book := d.Skeleton()
	fps := d.Fingerprints()
	var ds []Decision
	for key, fp := range fps {
		ds = append(ds, Decision{Key: key, Fingerprint: fp, Choice: Confirm, Reason: "relu"})
	}
	for b.Loop() {
		book.WithDecisions(ds)
	}
}
