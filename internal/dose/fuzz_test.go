package dose_test

import (
	"testing"

	"repere/internal/dimse"
	"repere/internal/dose"
)

// FuzzParse feeds the decoder and the dose report parser arbitrary bytes
// (seeded with a real report, whole and cut): neither may panic, and a
// report accepted always has its study and a dose.
func FuzzParse(f *testing.F) {
	for _, ts := range []string{dimse.ExplicitVRLittleEndian, dimse.ImplicitVRLittleEndian} {
		encoded, err := dimse.EncodeDataset(spec().Dataset(), ts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encoded, ts == dimse.ExplicitVRLittleEndian)
		f.Add(encoded[:len(encoded)/2], ts == dimse.ExplicitVRLittleEndian)
	}
	f.Fuzz(func(t *testing.T, b []byte, explicit bool) {
		ts := dimse.ImplicitVRLittleEndian
		if explicit {
			ts = dimse.ExplicitVRLittleEndian
		}
		ds, err := dimse.DecodeDataset(b, ts, dimse.Limits{MaxDepth: 16})
		if err != nil {
			return
		}
		r, err := dose.Parse(ds)
		if err != nil {
			return
		}
		if r.StudyInstanceUID == "" || (r.DLP() == nil && r.MaxCTDIvol() == nil) {
			t.Fatalf("accepted without study or dose: %+v", r)
		}
		_ = dose.Combine([]dose.Report{r, r})
	})
}
