package mpps

import (
	"context"
	"testing"

	"repere/internal/dimse"
)

// FuzzStep feeds arbitrary datasets to N-CREATE then N-SET: malformed or
// absurd attributes may be refused, never crash the handler.
func FuzzStep(f *testing.F) {
	for _, ds := range []*dimse.Dataset{inProgress(), ended(StatusCompleted, comments("Total DLP = 512.3")),
		ended(StatusDiscontinued, exposures(dimse.NewDataset(dimse.NewFloat64(tagCTDIvol, 3))))} {
		for _, explicit := range []bool{false, true} {
			ts := dimse.ImplicitVRLittleEndian
			if explicit {
				ts = dimse.ExplicitVRLittleEndian
			}
			encoded, err := dimse.EncodeDataset(ds, ts)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(encoded, explicit)
		}
	}
	f.Fuzz(func(t *testing.T, input []byte, explicit bool) {
		ts := dimse.ImplicitVRLittleEndian
		if explicit {
			ts = dimse.ExplicitVRLittleEndian
		}
		ds, err := dimse.DecodeDataset(input, ts, dimse.DefaultLimits)
		if err != nil {
			return
		}
		cs, _ := dimse.ParseCharset(ds.String(dimse.TagSpecificCharacterSet, dimse.CharsetDefault))
		h := NewHandler(Config{Store: NewMemoryStore(), Location: paris})
		ctx := context.Background()
		_ = h.NCreate(ctx, &dimse.NRequest{SOPInstanceUID: "2.25.1", Attributes: ds, Charset: cs})
		_ = h.NCreate(ctx, &dimse.NRequest{SOPInstanceUID: "2.25.2", Attributes: inProgress(), Charset: dimse.CharsetLatin1})
		_ = h.NSet(ctx, &dimse.NRequest{SOPInstanceUID: "2.25.2", Attributes: ds, Charset: cs})
		_ = h.NSet(ctx, &dimse.NRequest{SOPInstanceUID: "2.25.1", Attributes: ds, Charset: cs})
	})
}
