package documents

import (
	"strings"
	"testing"
)

// The letter says "née" for a woman and "né" for a man; "né(e)" only when
// the sex is not recorded.
func TestConvocationSaysBornByTheSex(t *testing.T) {
	cat := loadCatalog(t)
	a := cat.Acts()[0]
	for _, c := range []struct{ sex, want, not string }{
		{"F", "Lefèvre, née le", "né(e)"},
		{"M", "Lefèvre, né le", "né(e)"},
		{"U", "Lefèvre, né(e) le", "née le"},
	} {
		conv := sampleConvocation(t, a, "")
		conv.Patient.Sex = c.sex
		d, err := convocationDoc(conv)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(d.Subtitle, " ")
		if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("sex %s: %q", c.sex, got)
		}
	}
}
