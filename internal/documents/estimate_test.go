package documents

import (
	"bytes"
	"html"
	"strings"
	"testing"

	"repere/internal/billing"
)

// Each value of the estimate that is not confirmed, or missing, gets one
// sentence; an estimate that cannot be totalled says why and shows no total.
func TestEstimateSentences(t *testing.T) {
	cat := loadCatalog(t)
	tests := []struct {
		name, act, variant string
		patient            billing.Patient
		radiologist        billing.Radiologist
		want, never        []string
	}{
		{"outside OPTAM", "epidural_blood_patch", "", billing.Patient{BirthDate: "1980-01-01"}, billing.Radiologist{Convention: billing.Sector2, ExtraFee: 2500},
			[]string{"non adhérent à l'OPTAM n'est pas connu : AFLB001, YYYY115.", "ne peut pas encore être calculé", "(secteur 2)", "25,00\u00a0€", "à préciser"},
			[]string{"Reste à payer"}},
		{"C2S", "facet_joint_infiltration", "", billing.Patient{BirthDate: "1980-01-01", Cover: billing.Cover{Exempt: true, Reason: billing.CoverC2S}}, billing.Radiologist{},
			[]string{"(100 %)", "Complémentaire santé solidaire ne paient pas la participation forfaitaire", "La prise en charge à 100 % n'est pas encore confirmée", "+ 2,00\u00a0€"},
			[]string{"affection de longue durée"}},
		{"under 18", "facet_joint_infiltration", "", billing.Patient{BirthDate: "2012-05-05"}, billing.Radiologist{},
			[]string{"pas due (moins de 18 ans au 1er janvier)", "9,65\u00a0€"}, []string{"+ 2,00"}},
		{"pregnancy declared", "facet_joint_infiltration", "", billing.Patient{BirthDate: "1990-05-05", PregnancyDeclared: true}, billing.Radiologist{},
			[]string{"Donnez au secrétariat la date de début de votre grossesse", "11,65\u00a0€"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act, _ := cat.Act(tt.act)
			e, err := billing.Compute(billing.Request{Act: act, Variant: tt.variant, Day: "2026-12-10", Patient: tt.patient, Radiologist: tt.radiologist}, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := sampleConvocation(t, act, tt.variant)
			c.Estimate = &e
			var buf bytes.Buffer
			if err := RenderConvocationHTML(&buf, c); err != nil {
				t.Fatal(err)
			}
			page := html.UnescapeString(buf.String())
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range tt.never {
				if strings.Contains(page, w) {
					t.Errorf("says %q", w)
				}
			}
		})
	}
}
