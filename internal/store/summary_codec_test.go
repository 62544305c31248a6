package store

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// randomRows makes rows of the three kinds from a seed, with the awkward
// values: missing doses, NaN-free extremes, negative and huge ids, times
// before 1970, empty and binary records.
func randomRows(seed uint64, n int) ([]DosedAct, []ActivityAct, []OutcomeAct) {
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	id := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return rng.Int64() - math.MaxInt64/2
		case 1:
			return math.MaxInt64 - rng.Int64N(3)
		}
		return rng.Int64N(1_000_000)
	}
	at := func() time.Time { return time.Unix(0, rng.Int64()-math.MaxInt64/2).UTC() }
	float := func() *float64 {
		if rng.IntN(4) == 0 {
			return nil
		}
		v := []float64{0, math.Copysign(0, -1), math.MaxFloat64, math.SmallestNonzeroFloat64, rng.NormFloat64() * 1e3}[rng.IntN(5)]
		return &v
	}
	word := func() string { return []string{"", "vertebroplasty", "épidurale", "done", "no_show"}[rng.IntN(5)] }
	dosed := make([]DosedAct, n)
	acts := make([]ActivityAct, n)
	outcomes := make([]OutcomeAct, n)
	for i := range n {
		dosed[i] = DosedAct{AppointmentID: id(), ActID: word(), RoomID: id(), RadiologistID: id(), Start: at(), DLP: float(), CTDIvol: float()}
		acts[i] = ActivityAct{ID: id(), PatientID: id(), ActID: word(), Status: word(), RoomID: id(), RadiologistID: id(), PlaceID: id(),
			Start: at(), RoomMinutes: int(id()), MonitorMinutes: rng.IntN(500), ReferralAt: at()}
		o := OutcomeAct{ID: id(), PatientID: id(), ActID: word(), Start: at(), Scores: map[int]int{}}
		for range rng.IntN(4) {
			o.Scores[rng.IntN(400)-5] = rng.IntN(11)
		}
		switch rng.IntN(3) {
		case 1:
			o.HasRecord, o.NoComplication = true, true
		case 2:
			o.HasRecord = true
			o.Record = make([]byte, 1+rng.IntN(40))
			for j := range o.Record {
				o.Record[j] = byte(rng.IntN(256))
			}
		}
		outcomes[i] = o
	}
	return dosed, acts, outcomes
}

func roundTrip(t *testing.T, seed uint64, n int) {
	dosed, acts, outcomes := randomRows(seed, n)
	prefix := []DosedAct{{AppointmentID: 7}} // decoding appends
	gotDosed, err := decodeDosed(encodeDosed(dosed), prefix)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(prefix[:1:1], dosed...), gotDosed); diff != "" {
		t.Fatalf("dosed acts (seed %d):\n%s", seed, diff)
	}
	gotActs, err := decodeActivity(encodeActivity(acts), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(acts, gotActs, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("activity acts (seed %d):\n%s", seed, diff)
	}
	gotOutcomes, err := decodeOutcomes(encodeOutcomes(outcomes), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(outcomes, gotOutcomes, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("outcome acts (seed %d):\n%s", seed, diff)
	}
}

func FuzzSummaryRoundTrip(f *testing.F) {
	f.Add(uint64(1), uint8(0))
	f.Add(uint64(2), uint8(1))
	f.Add(uint64(3), uint8(200))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) { roundTrip(t, seed, int(n)) })
}

// FuzzSummaryDecode: a damaged blob is an error, never a panic or a
// runaway allocation.
func FuzzSummaryDecode(f *testing.F) {
	dosed, acts, outcomes := randomRows(4, 5)
	f.Add(encodeDosed(dosed))
	f.Add(encodeActivity(acts))
	f.Add(encodeOutcomes(outcomes))
	f.Fuzz(func(t *testing.T, blob []byte) {
		decodeDosed(blob, nil)
		decodeActivity(blob, nil)
		decodeOutcomes(blob, nil)
	})
}

func TestSummaryBlobOfAnotherFormatIsRefused(t *testing.T) {
	blob := encodeDosed([]DosedAct{{AppointmentID: 1, ActID: "x", Start: time.Unix(5, 0).UTC()}})
	blob[0] = summaryFormat + 1
	if _, err := decodeDosed(blob, nil); err == nil {
		t.Error("a blob of another format was decoded")
	}
	if _, err := decodeDosed(blob[:len(blob)-1], nil); err == nil {
		t.Error("a truncated blob was decoded")
	}
}
