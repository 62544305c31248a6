package report

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"repere/internal/actrecord"
	"repere/internal/catalog"
	"repere/internal/pdftest"
)

func ptr(v float64) *float64 { return &v }

var paris, _ = time.LoadLocation("Europe/Paris")

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// sampleRecord is a complete record of the act, with the values the draft must show.
func sampleRecord(actID string) (actrecord.Record, []string) {
	start := time.Date(2026, 12, 10, 14, 5, 0, 0, paris)
	r := actrecord.Record{Levels: []string{"L4-L5"}, Approach: "interlaminar", NeedleGauge: 22, DLP: ptr(123.5), CTDIvol: ptr(4.2),
		Start: start, End: start.Add(20 * time.Minute), Complications: []string{actrecord.ComplicationNone}, ContrastML: ptr(1),
		StudyInstanceUID: "1.2.840.113619.2.55.3.604688119", Drugs: []actrecord.DrugDose{{DrugID: "lidocaine", DoseMg: 40}}}
	want := []string{"PDL 123,5 mGy·cm", "IDSV (CTDIvol) 4,2 mGy", "début 14 h 05, fin 14 h 25 (durée 20 min)", "lidocaïne 40 mg",
		"Pas de complication immédiate.", "1.2.840.113619.2.55.3.604688119"}
	switch actID {
	case "epidural_blood_patch":
		r.NeedleGauge, r.BloodML = 18, ptr(17.5)
		want = append(want, "17,5 mL de sang autologue", "par voie interlamaire en L4-L5", "18 G")
	case "lumbar_epidural_infiltration":
		r.Levels = []string{"L4-L5", "L5-S1"}
		r.Drugs = append(r.Drugs, actrecord.DrugDose{DrugID: "prednisolone_acetate", DoseMg: 50, VolumeML: 2})
		want = append(want, "L4-L5 et L5-S1", "lente d'acétate de prednisolone (Hydrocortancyl 2,5 %) 50 mg (2 mL)", "L4-L5 et L5-S1 : acétate de prednisolone", "1 mL de produit de contraste iodé")
	case "lumbar_foraminal_infiltration":
		r.Approach, r.Side = "transforaminal", "right"
		r.Drugs = append(r.Drugs, actrecord.DrugDose{DrugID: "dexamethasone", DoseMg: 7.5})
		want = append(want, "du foramen droit en L4-L5", "par voie transforaminale", "dexaméthasone 7,5 mg", "Infiltration foraminale lombaire droite")
	case "cervical_foraminal_infiltration":
		r.Levels, r.Approach, r.Side = []string{"C6-C7"}, "periarticular", "bilateral"
		r.Drugs = append(r.Drugs, actrecord.DrugDose{DrugID: "dexamethasone", DoseMg: 4})
		want = append(want, "des deux foramens en C6-C7", "par voie périarticulaire", "dexaméthasone 4 mg", "Infiltration foraminale cervicale bilatérale")
	case "facet_joint_infiltration":
		r.Levels, r.Approach, r.Side = []string{"L4-L5", "L5-S1"}, "intraarticular", "left"
		r.Drugs = append(r.Drugs, actrecord.DrugDose{DrugID: "prednisolone_acetate", DoseMg: 25})
		want = append(want, "articulations postérieures L4-L5 et L5-S1", "en position intra-articulaire", "répartie entre les articulations")
	case "vertebroplasty":
		r.Levels, r.Approach, r.Side, r.NeedleGauge = []string{"T12", "L1"}, "transpedicular", "bilateral", 11
		r.CementML = map[string]float64{"T12": 3.5, "L1": 4.5}
		r.BiopsySent = true
		want = append(want, "T12 : 3,5 mL, L1 : 4,5 mL", "8 mL de ciment au total", "par voie transpédiculaire bilatérale",
			"Biopsie osseuse au trocart", "Vertébroplastie sous scanner de 2 vertèbres (T12 et L1)")
	}
	return r, want
}

func sampleContext() Context {
	return Context{PatientName: "Mme Hélène Lefèvre", BirthDate: "12/03/1961", Indication: "Radiculalgie L5 droite résistante au traitement médical.",
		Referrer: "Dr Étienne Garçon", Radiologist: "Dr Anaïs Béranger", Date: time.Date(2026, 12, 10, 14, 0, 0, 0, paris),
		Lang: "fr", Location: paris, Equipment: "Scanner Siemens SOMATOM (salle 2)"}
}

func TestDraftEveryAct(t *testing.T) {
	cat := loadCatalog(t)
	for _, a := range cat.Acts() {
		t.Run(a.ID, func(t *testing.T) {
			rec, want := sampleRecord(a.ID)
			got, err := Draft(a, "", rec, sampleContext())
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, "Patient : Mme Hélène Lefèvre, né(e) le 12/03/1961", "Date de l'examen : jeudi 10 décembre 2026",
				"Médecin demandeur : Dr Étienne Garçon", "Appareil : Scanner Siemens SOMATOM (salle 2).",
				"\nINDICATION\nRadiculalgie L5 droite", "\nTECHNIQUE\n", "\nDÉROULEMENT\n", "\nCOMPLICATIONS\nPas de complication immédiate.\n", "\nCONCLUSION\n")
			for _, w := range want {
				if !strings.Contains(got.Body, w) {
					t.Errorf("draft lacks %q:\n%s", w, got.Body)
				}
			}
			if got.Title == "" || !strings.Contains(got.Title, "Compte rendu") {
				t.Errorf("title %q", got.Title)
			}
			for _, bad := range []string{"<no value>", "{{", "  ", " ."} {
				if strings.Contains(got.Body, bad) {
					t.Errorf("draft contains %q:\n%s", bad, got.Body)
				}
			}
			en, err := Draft(a, "", rec, Context{Lang: "en", Location: paris})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"DLP 123.5 mGy·cm", "No immediate complication.", "[Indication to be completed]", "start 14:05"} {
				if !strings.Contains(en.Body, w) {
					t.Errorf("English draft lacks %q:\n%s", w, en.Body)
				}
			}
		})
	}
}

func TestDraftSparseRecord(t *testing.T) {
	cat := loadCatalog(t)
	for _, a := range cat.Acts() {
		got, err := Draft(a, "", actrecord.Record{}, Context{})
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		for _, w := range []string{"[Indication à compléter]", "PDL non renseigné", "[Complications à renseigner]"} {
			if !strings.Contains(got.Body, w) {
				t.Errorf("%s: sparse draft lacks %q:\n%s", a.ID, w, got.Body)
			}
		}
	}
}

func TestDraftComplications(t *testing.T) {
	cat := loadCatalog(t)
	a, _ := cat.Act("vertebroplasty")
	rec, _ := sampleRecord("vertebroplasty")
	rec.Complications = []string{"cement_leak", "other"}
	rec.ComplicationNote = "Fuite discale minime en T12, asymptomatique."
	got, err := Draft(a, "", rec, sampleContext())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Body, "COMPLICATIONS\nFuite de ciment. Fuite discale minime en T12, asymptomatique.\n") {
		t.Errorf("complications:\n%s", got.Body)
	}
	if strings.Contains(got.Body, "Pas de complication") || strings.Contains(got.Body, "Pas de fuite") {
		t.Error("a draft with complications says there were none")
	}
}

func TestHash(t *testing.T) {
	v := Version{Number: 1, Text: Text{Title: "T", Body: "A\nB"}, SignedBy: "Dr X", SignedAt: time.Date(2026, 12, 10, 15, 2, 0, 0, paris)}
	h := v.Hash()
	if len(h) != 64 {
		t.Fatalf("hash %q", h)
	}
	same := v
	same.SignedAt = v.SignedAt.UTC()
	same.Text.Body = "A\r\nB"
	if same.Hash() != h {
		t.Error("time zone or line endings changed the hash")
	}
	for name, change := range map[string]func(*Version){
		"body":   func(v *Version) { v.Text.Body += "." },
		"title":  func(v *Version) { v.Text.Title = "U" },
		"signer": func(v *Version) { v.SignedBy = "Dr Y" },
		"time":   func(v *Version) { v.SignedAt = v.SignedAt.Add(time.Second) },
		"number": func(v *Version) { v.Number = 2 },
		"amends": func(v *Version) { v.Amends = 1 },
		"reason": func(v *Version) { v.Reason = "erreur de côté" },
	} {
		c := v
		change(&c)
		if c.Hash() == h {
			t.Errorf("changing the %s kept the hash", name)
		}
	}
}

var practice = PracticeHeader{Name: "Cabinet de radiologie des Écoles", Address: "12 rue des Écoles, 60000 Beauvais",
	Phone: "03 44 00 00 00", Email: "secretariat@radiologie-ecoles.fr", Lines: []string{"Imagerie interventionnelle rachidienne"}}

func signedVersion(t *testing.T, actID string) (Version, Context) {
	t.Helper()
	cat := loadCatalog(t)
	a, _ := cat.Act(actID)
	rec, _ := sampleRecord(actID)
	ctx := sampleContext()
	text, err := Draft(a, "", rec, ctx)
	if err != nil {
		t.Fatal(err)
	}
	return Version{Number: 1, Text: text, SignedBy: "Dr Anaïs Béranger", SignedAt: time.Date(2026, 12, 10, 15, 2, 0, 0, paris)}, ctx
}

func TestPDF(t *testing.T) {
	v, ctx := signedVersion(t, "lumbar_foraminal_infiltration")
	pdf, err := PDF(v, ctx, practice)
	if err != nil {
		t.Fatal(err)
	}
	again, err := PDF(v, ctx, practice)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(pdf) != sha256.Sum256(again) {
		t.Error("same version, different PDF bytes")
	}
	got := pdftest.Text(t, pdf)
	for _, w := range []string{"Cabinet de radiologie des Écoles", "Compte rendu d'infiltration foraminale lombaire sous scanner",
		"Mme Hélène Lefèvre", "jeudi 10 décembre 2026", "DÉROULEMENT", "dexaméthasone 7,5 mg", "PDL 123,5 mGy·cm",
		"Pas de complication immédiate.", "Compte rendu signé électroniquement par Dr Anaïs Béranger le jeudi 10 décembre 2026 à 15 h 02.",
		"Version 1.", v.Hash()} {
		if !strings.Contains(got, w) {
			t.Errorf("PDF text lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "modifiant") || strings.Contains(got, "PROJET") {
		t.Error("a first signed version mentions an amendment or a draft")
	}
	pdftest.RenderPage1(t, pdf, "report")

	amended := v
	amended.Number, amended.Amends, amended.Reason = 2, 1, "Côté corrigé : droit et non gauche."
	amended.SignedAt = v.SignedAt.Add(26 * time.Hour)
	pdf2, err := PDF(amended, ctx, practice)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(pdf, pdf2) {
		t.Fatal("amended version printed like the first")
	}
	got = pdftest.Text(t, pdf2)
	for _, w := range []string{"Version 2, qui modifie et remplace la version 1. Motif : Côté corrigé : droit et non gauche.",
		"Version 2, modifiant la version 1.", "le vendredi 11 décembre 2026 à 17 h 02"} {
		if !strings.Contains(got, w) {
			t.Errorf("amended PDF lacks %q:\n%s", w, got)
		}
	}

	draft := v
	draft.SignedBy = ""
	pdf3, err := PDF(draft, ctx, practice)
	if err != nil {
		t.Fatal(err)
	}
	if got := pdftest.Text(t, pdf3); !strings.Contains(got, "PROJET — non signé") || strings.Contains(got, "signé électroniquement") {
		t.Errorf("unsigned PDF:\n%s", got)
	}
	if _, err := PDF(Version{Number: 1}, ctx, practice); err == nil {
		t.Error("empty report printed")
	}
}

func TestPDFEveryActEnglish(t *testing.T) {
	cat := loadCatalog(t)
	for _, a := range cat.Acts() {
		rec, _ := sampleRecord(a.ID)
		ctx := sampleContext()
		ctx.Lang = "en"
		text, err := Draft(a, "", rec, ctx)
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := PDF(Version{Number: 1, Text: text, SignedBy: "Dr Anaïs Béranger", SignedAt: ctx.Date.Add(time.Hour)}, ctx, practice)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		if got := pdftest.Text(t, pdf); !strings.Contains(got, "Report signed electronically by Dr Anaïs Béranger on Thursday 10 December 2026 at 15:00.") {
			t.Errorf("%s: English PDF:\n%s", a.ID, got)
		}
	}
}
