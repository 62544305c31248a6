package documents

import (
	"bytes"
	"html"
	"strings"
	"testing"
	"time"

	"repere/internal/billing"
	"repere/internal/catalog"
)

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The appointment of every test: Thursday 10 December 2026, 10:30 in Paris.
var appointment = time.Date(2026, 12, 10, 10, 30, 0, 0, paris)

func sampleConvocation(t *testing.T, act *catalog.Act, variant string) Convocation {
	t.Helper()
	e, err := billing.EstimateFor(act, variant, nil, "2026-12-10", billing.Cover{}, 40)
	if err != nil {
		t.Fatal(err)
	}
	return Convocation{
		AppointmentID: "appt-42",
		Patient:       Patient{Name: "Mme Hélène Lefèvre", BirthDate: time.Date(1958, 4, 3, 0, 0, 0, 0, time.UTC)},
		Act:           act,
		Variant:       variant,
		Start:         appointment,
		Site:          Site{Name: "Cabinet de radiologie des Tilleuls", Address: "12 rue des Écoles, 75005 Paris", Phone: "01 23 45 67 89"},
		Room:          "Scanner 1",
		Radiologist:   "Dr Anne Mercier",
		Holds: []Hold{
			{DrugName: "Eliquis (apixaban)", LastDoseBy: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), RestartAdvice: "le lendemain du geste, si le radiologue est d'accord"},
			{DrugName: "Kardégic", LastDoseBy: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), RestartAdvice: "le soir du geste"},
		},
		Estimate: &e,
		Lang:     "fr",
		IssuedAt: time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC),
	}
}

// One row per act of the catalogue; the fasting of each row is the act's
// fasting in its YAML file (mode, hours, source written in the row).
func TestConvocationPerAct(t *testing.T) {
	cat := loadCatalog(t)
	tests := []struct {
		act, variant string
		fasting      string // expected sentence, French; appointment at 10 h 30
		fastingAt    string // FastingFrom, "" when it reports false
		returnHome   []string
		estimate     []string
	}{
		// page_blood_patch: 6 hours (upper value of 4-6 h).
		{act: "epidural_blood_patch", fasting: "À jeun à partir de 4 h 30 : ne mangez plus rien après cette heure.", fastingAt: "04:30",
			returnHome: []string{"Venez accompagné", "Ne conduisez pas"}, estimate: []string{"AFLB001", "51,76\u00a0€", "YYYY115", "25,27\u00a0€", "(70 %)", "53,92\u00a0€", "40,00\u00a0€", "65,11\u00a0€", "Le guidage par scanner est facturé en plus du blood patch"}},
		// groupe3r_cervical: 4 hours.
		// nomensland_ccam: AHLH007 28.80 EUR, 70 % = 20.16; + 2 + 40 = 50.64.
		{act: "cervical_foraminal_infiltration", fasting: "À jeun à partir de 6 h 30 : ne mangez plus rien après cette heure.", fastingAt: "06:30",
			returnHome: []string{"Venez accompagné", "Ne conduisez pas"}, estimate: []string{"AHLH007", "28,80\u00a0€", "20,16\u00a0€", "50,64\u00a0€"}},
		// page_facet_ccam: only with a premedication, 4 hours. lemedecin_lhlh002: LHLH002 32.18 EUR, 70 % = 22.53 EUR.
		{act: "facet_joint_infiltration", fasting: "Pas besoin d'être à jeun, sauf si on vous a prescrit un médicament à prendre avant le geste (prémédication). Dans ce cas, ne mangez plus rien à partir de 6 h 30.",
			returnHome: []string{"Ne conduisez pas"}, estimate: []string{"LHLH002", "32,18\u00a0€", "(70 %)", "22,53\u00a0€", "2,00\u00a0€", "40,00\u00a0€", "51,65\u00a0€"}},
		// page_infiltration_beauvais: no fasting.
		// nomensland_ccam: AFLB007 45.90 + YYYY115 25.27 = 71.17; 70 % = 49.82; + 2 + 40 = 63.35.
		{act: "lumbar_epidural_infiltration", fasting: "Pas besoin d'être à jeun. Vous pouvez manger normalement.",
			returnHome: []string{"Ne conduisez pas"}, estimate: []string{"AFLB007", "YYYY115", "49,82\u00a0€", "63,35\u00a0€", "Le guidage par scanner est facturé en plus de l'injection"}},
		{act: "lumbar_foraminal_infiltration", fasting: "Pas besoin d'être à jeun. Vous pouvez manger normalement.",
			returnHome: []string{"Ne conduisez pas"}, estimate: []string{"AHLH007", "50,64\u00a0€"}},
		// hug_vertebroplasty: from midnight.
		{act: "vertebroplasty", variant: "one_vertebra", fasting: "À jeun à partir de 0 h 00 (minuit), dans la nuit avant le rendez-vous", fastingAt: "00:00",
			returnHome: []string{"Venez accompagné", "Ne conduisez pas"}, estimate: []string{"LHMH005", "125,40\u00a0€", "tarif moins 24,00\u00a0€", "101,40\u00a0€", "66,00\u00a0€"}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.act] = true
		t.Run(tt.act, func(t *testing.T) {
			act, ok := cat.Act(tt.act)
			if !ok {
				t.Fatalf("no act %s", tt.act)
			}
			from, ok := FastingFrom(act, appointment, paris)
			if got := map[bool]string{true: from.Format("15:04")}[ok]; got != tt.fastingAt {
				t.Errorf("FastingFrom = %q, want %q", got, tt.fastingAt)
			}
			c := sampleConvocation(t, act, tt.variant)
			var buf bytes.Buffer
			if err := RenderConvocationHTML(&buf, c); err != nil {
				t.Fatal(err)
			}
			page := html.UnescapeString(buf.String())
			want := []string{
				tt.fasting,
				"Date : jeudi 10 décembre 2026",
				"Arrivée à 10 h 00. Le geste est prévu à 10 h 30.",
				"Mme Hélène Lefèvre, né(e) le 03/04/1958",
				"Eliquis (apixaban) : dernière prise le lundi 7 décembre 2026. Reprise : le lendemain du geste, si le radiologue est d'accord",
				"Kardégic : dernière prise le mercredi 9 décembre 2026. Reprise : le soir du geste",
				"Téléphone du cabinet : 01 23 45 67 89.",
				act.Name.In("fr"),
			}
			for _, it := range act.DocumentsToBring {
				want = append(want, it.Text.In("fr"))
			}
			for _, it := range act.WarningSigns {
				want = append(want, it.Text.In("fr"))
			}
			for _, it := range act.Aftercare {
				want = append(want, it.Text.In("fr"))
			}
			want = append(want, tt.returnHome...)
			want = append(want, tt.estimate...)
			for _, w := range want {
				if !strings.Contains(page, w) {
					t.Errorf("convocation lacks %q", w)
				}
			}
			for _, never := range []string{"non trouvé", "code à confirmer", "à préciser"} {
				if strings.Contains(page, never) {
					t.Errorf("convocation says %q", never)
				}
			}
			if !act.Accompaniment.Value && strings.Contains(page, "Venez accompagné") {
				t.Error("asks for an escort the act does not need")
			}
			if act.Fasting.Mode == catalog.FastingNone && strings.Contains(page, "À jeun à partir") {
				t.Error("fasting time for an act without fasting")
			}
		})
	}
	for _, a := range cat.Acts() {
		if !seen[a.ID] {
			t.Errorf("act %s has no convocation row", a.ID)
		}
	}
}

func TestConvocationHTMLEscapes(t *testing.T) {
	act, _ := loadCatalog(t).Act("lumbar_epidural_infiltration")
	c := sampleConvocation(t, act, "")
	c.Patient.Name = `<script>alert(1)</script>`
	var buf bytes.Buffer
	if err := RenderConvocationHTML(&buf, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Fatal("patient name not escaped")
	}
}

func TestConvocationEnglish(t *testing.T) {
	act, _ := loadCatalog(t).Act("cervical_foraminal_infiltration")
	c := sampleConvocation(t, act, "")
	c.Lang = "en"
	var buf bytes.Buffer
	if err := RenderConvocationHTML(&buf, c); err != nil {
		t.Fatal(err)
	}
	page := html.UnescapeString(buf.String())
	for _, w := range []string{"Fasting from 06:30", "Thursday 10 December 2026", "Please arrive at 10:00", act.Name.In("en"), "last dose on Monday 7 December 2026"} {
		if !strings.Contains(page, w) {
			t.Errorf("English convocation lacks %q", w)
		}
	}
}

func TestArrivalAndFastingEdges(t *testing.T) {
	act := &catalog.Act{Fasting: catalog.Fasting{Mode: catalog.FastingHours, Hours: 6}}
	// 29 March 2026: clocks go forward at 02:00 in Paris; 6 h before 07:30 is 00:30.
	start := time.Date(2026, 3, 29, 7, 30, 0, 0, paris)
	if from, _ := FastingFrom(act, start, nil); from.Format("15:04") != "00:30" {
		t.Errorf("fasting across the DST change = %s", from.Format("15:04"))
	}
	act.Fasting = catalog.Fasting{Mode: catalog.FastingFromMidnight}
	if from, _ := FastingFrom(act, start.UTC(), paris); !from.Equal(time.Date(2026, 3, 29, 0, 0, 0, 0, paris)) {
		t.Errorf("midnight = %s", from)
	}
	c := Convocation{Start: start, ArrivalMinutesBefore: 45}
	if c.Arrival().Format("15:04") != "06:45" {
		t.Errorf("arrival = %s", c.Arrival())
	}
}

func TestConsentVersion(t *testing.T) {
	act, _ := loadCatalog(t).Act("vertebroplasty")
	v := ConsentVersion(act, "one_vertebra", "fr")
	if v == ConsentVersion(act, "two_vertebrae", "fr") || v == ConsentVersion(act, "one_vertebra", "en") {
		t.Error("version does not depend on variant and language")
	}
	changed := *act
	changed.Complications = append([]catalog.Complication(nil), act.Complications...)
	changed.Complications[0].Frequency = catalog.Text{"fr": "1 %", "en": "1%"}
	if ConsentVersion(&changed, "one_vertebra", "fr") == v {
		t.Error("a changed risk frequency keeps the same version")
	}
}
