package mpps

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"repere/internal/dimse"
)

func comments(text string) *dimse.Element {
	return dimse.NewText(tagCommentsOnRadiationDose, dimse.ST, text, dimse.CharsetUTF8)
}

func exposures(items ...*dimse.Dataset) *dimse.Element {
	return dimse.NewSequence(tagExposureDoseSequence, items...)
}

func TestReadDose(t *testing.T) {
	tests := []struct {
		name         string
		elements     []*dimse.Element
		dlp, ctdiVol *float64
	}{
		{"nothing sent", nil, nil, nil},
		{"total DLP in the comments", []*dimse.Element{comments("Total DLP = 512.3 mGy*cm")}, ptr(512.3), nil},
		{"total wins over the series", []*dimse.Element{comments("Serie 1 DLP 100\nSerie 2 DLP 200\nTotal DLP: 300,5")}, ptr(300.5), nil},
		{"series added up", []*dimse.Element{comments("DLP(mGy.cm)=100\nDLP(mGy.cm)=212.5")}, ptr(312.5), nil},
		{"DLP per exposure item", []*dimse.Element{exposures(
			dimse.NewDataset(comments("DLP 40")), dimse.NewDataset(comments("DLP 60.5")))}, ptr(100.5), nil},
		{"CTDIvol attribute, highest item", []*dimse.Element{exposures(
			dimse.NewDataset(dimse.NewFloat64(tagCTDIvol, 8.2)), dimse.NewDataset(dimse.NewFloat64(tagCTDIvol, 12.5)))}, nil, ptr(12.5)},
		{"CTDIvol at top level", []*dimse.Element{dimse.NewFloat64(tagCTDIvol, 9.75)}, nil, ptr(9.75)},
		{"CTDIvol in the comments", []*dimse.Element{comments("CTDIvol: 11.4 mGy; DLP: 420 mGy.cm")}, ptr(420), ptr(11.4)},
		{"negative CTDIvol ignored", []*dimse.Element{dimse.NewFloat64(tagCTDIvol, -1)}, nil, nil},
		{"text without numbers", []*dimse.Element{comments("DLP non disponible")}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dlp, ctdiVol := readDose(dimse.NewDataset(tt.elements...), dimse.CharsetUTF8)
			if diff := cmp.Diff(tt.dlp, dlp); diff != "" {
				t.Errorf("DLP (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.ctdiVol, ctdiVol); diff != "" {
				t.Errorf("CTDIvol (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDoseThroughImplicitVR checks the dictionary knows CTDIvol is FD:
// Implicit VR carries no VR on the wire.
func TestDoseThroughImplicitVR(t *testing.T) {
	ds := dimse.NewDataset(exposures(dimse.NewDataset(dimse.NewFloat64(tagCTDIvol, 12.5))))
	encoded, err := dimse.EncodeDataset(ds, dimse.ImplicitVRLittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := dimse.DecodeDataset(encoded, dimse.ImplicitVRLittleEndian, dimse.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if _, ctdiVol := readDose(decoded, dimse.CharsetDefault); ctdiVol == nil || *ctdiVol != 12.5 {
		t.Errorf("CTDIvol %v, want 12.5", ctdiVol)
	}
}
