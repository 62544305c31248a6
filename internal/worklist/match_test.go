package worklist

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"repere/internal/dimse"
)

// key builds a query element with the dictionary VR, text in UTF-8.
func key(tag dimse.Tag, value string) *dimse.Element {
	return dimse.NewText(tag, dimse.LookupVR(tag), value, dimse.CharsetUTF8)
}

// stepKeys builds the Scheduled Procedure Step Sequence of a query.
func stepKeys(elements ...*dimse.Element) *dimse.Element {
	return dimse.NewSequence(dimse.TagScheduledProcedureStepSeq, dimse.NewDataset(elements...))
}

// result is what a Find sent.
type result struct {
	ids      []string
	answers  []*dimse.Dataset
	statuses []uint16
}

func find(t *testing.T, h *Handler, callingAE string, cs dimse.Charset, elements ...*dimse.Element) (result, error) {
	t.Helper()
	var r result
	identifier := dimse.NewDataset(elements...)
	if identifier.Get(dimse.TagPatientID) == nil {
		identifier.Set(key(dimse.TagPatientID, ""))
	}
	req := &dimse.FindRequest{CallingAE: callingAE, Identifier: identifier, Charset: cs}
	err := h.Find(context.Background(), req, func(ds *dimse.Dataset, status uint16) error {
		r.ids = append(r.ids, ds.String(dimse.TagPatientID, dimse.CharsetLatin1))
		r.answers = append(r.answers, ds)
		r.statuses = append(r.statuses, status)
		return nil
	})
	return r, err
}

func TestMatchingRules(t *testing.T) {
	all := []string{"P0001", "P0003", "P0002", "P0004"}
	tests := []struct {
		rule  string
		query []*dimse.Element
		want  []string
	}{
		{"universal: empty value", []*dimse.Element{key(dimse.TagPatientName, "")}, all},
		{"universal: * alone", []*dimse.Element{key(dimse.TagPatientName, "*")}, all},
		{"single value", []*dimse.Element{key(dimse.TagAccessionNumber, "A0003")}, []string{"P0003"}},
		{"single value is case-sensitive outside names", []*dimse.Element{stepKeys(key(dimse.TagModality, "ct"))}, nil},
		{"wildcard *", []*dimse.Element{key(dimse.TagRequestedProcedureDesc, "Infiltration*")}, []string{"P0001", "P0004"}},
		{"wildcard ? is one character", []*dimse.Element{key(dimse.TagPatientID, "P000?")}, all},
		{"wildcard ? never empty", []*dimse.Element{key(dimse.TagPatientID, "P0001?")}, nil},
		{"wildcard in the middle", []*dimse.Element{key(dimse.TagRequestedProcedureDesc, "*L5*droite")}, []string{"P0001"}},
		{"name ignores case", []*dimse.Element{key(dimse.TagPatientName, "dupré^françoise")}, []string{"P0002"}},
		{"name ignores empty trailing components", []*dimse.Element{key(dimse.TagPatientName, "DUPRÉ^Françoise^^")}, []string{"P0002"}},
		{"name family only is not a prefix", []*dimse.Element{key(dimse.TagPatientName, "DUPRÉ")}, nil},
		{"accented wildcard", []*dimse.Element{key(dimse.TagPatientName, "LEFÈ*")}, []string{"P0001"}},
		{"UID list", []*dimse.Element{key(dimse.TagStudyInstanceUID, `2.25.1002\2.25.1004`)}, []string{"P0002", "P0004"}},
		{"multi-valued attribute", []*dimse.Element{key(dimse.TagMedicalAlerts, "Non accompagn*")}, []string{"P0001"}},
		{"date single", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "20260611"))}, []string{"P0004"}},
		{"date range", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "20260609-20260610"))}, []string{"P0001", "P0003", "P0002"}},
		{"date range open start", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "-20260610"))}, []string{"P0001", "P0003", "P0002"}},
		{"date range open end", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "20260611-"))}, []string{"P0004"}},
		{"legacy dotted date", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "2026.06.11"))}, []string{"P0004"}},
		{"birth date", []*dimse.Element{key(dimse.TagPatientBirthDate, "19800101-19891231")}, []string{"P0001"}},
		{"time range alone, upper bound inclusive", []*dimse.Element{stepKeys(key(dimse.TagSPSStartTime, "0800-0900"))}, []string{"P0001", "P0003"}},
		{"time single value with hour precision", []*dimse.Element{stepKeys(key(dimse.TagSPSStartTime, "14"))}, []string{"P0002"}},
		{"time with colons", []*dimse.Element{stepKeys(key(dimse.TagSPSStartTime, "08:00-08:45"))}, []string{"P0001"}},
		{"combined date-time range", []*dimse.Element{stepKeys(
			key(dimse.TagSPSStartDate, "20260610-20260611"), key(dimse.TagSPSStartTime, "1200-0800"))},
			[]string{"P0002", "P0004"}},
		{"combined date single, time range", []*dimse.Element{stepKeys(
			key(dimse.TagSPSStartDate, "20260610"), key(dimse.TagSPSStartTime, "0845-1000"))},
			[]string{"P0003"}},
		{"sequence matching: station", []*dimse.Element{stepKeys(key(dimse.TagScheduledStationAETitle, "CT_SALLE2"))}, []string{"P0003"}},
		{"sequence matching: every key", []*dimse.Element{stepKeys(
			key(dimse.TagScheduledStationAETitle, "CT_SALLE1"), key(dimse.TagSPSDescription, "Blood*"))},
			[]string{"P0002"}},
		{"sequence with no item is universal", []*dimse.Element{dimse.NewSequence(dimse.TagScheduledProcedureStepSeq)}, all},
		{"code sequence matching", []*dimse.Element{dimse.NewSequence(dimse.TagRequestedProcedureCodeSeq,
			dimse.NewDataset(key(dimse.TagCodeValue, "LHLH001")))}, []string{"P0001"}},
		{"unknown key does not filter", []*dimse.Element{key(0x00104000, "anything")}, all},
	}
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris})
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := find(t, h, "ANY", dimse.CharsetUTF8, tt.query...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.ids); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidQueries(t *testing.T) {
	tests := []struct {
		name      string
		query     []*dimse.Element
		offending dimse.Tag
	}{
		{"bad date", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "2026-06-10"))}, dimse.TagSPSStartDate},
		{"bad date range", []*dimse.Element{key(dimse.TagPatientBirthDate, "-")}, dimse.TagPatientBirthDate},
		{"bad time", []*dimse.Element{stepKeys(key(dimse.TagSPSStartTime, "8h30"))}, dimse.TagSPSStartTime},
		{"bad combined time", []*dimse.Element{stepKeys(key(dimse.TagSPSStartDate, "20260610"), key(dimse.TagSPSStartTime, "99x"))}, dimse.TagSPSStartTime},
		{"two step items", []*dimse.Element{dimse.NewSequence(dimse.TagScheduledProcedureStepSeq, dimse.NewDataset(), dimse.NewDataset())}, dimse.TagScheduledProcedureStepSeq},
		{"step sent as a value", []*dimse.Element{{Tag: dimse.TagScheduledProcedureStepSeq, VR: dimse.LO, Value: []byte("CT")}}, dimse.TagScheduledProcedureStepSeq},
	}
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := find(t, h, "ANY", dimse.CharsetUTF8, tt.query...)
			var statusErr *dimse.StatusError
			if !errors.As(err, &statusErr) || statusErr.Status != dimse.StatusIdentifierDoesNotMatch {
				t.Fatalf("err = %v, want status 0xA900", err)
			}
			if diff := cmp.Diff([]dimse.Tag{tt.offending}, statusErr.Offending); diff != "" {
				t.Errorf("offending (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatusWarnsOfUnsupportedMatchingKeys(t *testing.T) {
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris})
	got, err := find(t, h, "ANY", dimse.CharsetUTF8, key(0x00104000, "anything"))
	if err != nil {
		t.Fatal(err)
	}
	if got.statuses[0] != dimse.StatusPendingWarning {
		t.Errorf("status 0x%04X, want 0xFF01", got.statuses[0])
	}
	got, _ = find(t, h, "ANY", dimse.CharsetUTF8, key(0x00104000, ""))
	if got.statuses[0] != dimse.StatusPending {
		t.Errorf("status 0x%04X for an empty return key, want 0xFF00", got.statuses[0])
	}
}

// TestDefaultStationByCallingAE covers the per-console policy of issue 9:
// a query naming no single station gets the console's own room if it is
// mapped, nothing if it is not, unless AllowUnmappedAll opts in.
func TestDefaultStationByCallingAE(t *testing.T) {
	rooms := map[string]string{"CT2_CONSOLE": "CT_SALLE2"}
	all := []string{"P0001", "P0003", "P0002", "P0004"}
	anyStation := []*dimse.Element{stepKeys(key(dimse.TagScheduledStationAETitle, "*"))}
	wildcard := []*dimse.Element{stepKeys(key(dimse.TagScheduledStationAETitle, "CT_*"))}
	room1 := []*dimse.Element{stepKeys(key(dimse.TagScheduledStationAETitle, "CT_SALLE1"))}
	tests := []struct {
		name, callingAE string
		allowAll        bool
		query           []*dimse.Element
		want            []string
	}{
		{"mapped console, no station", "CT2_CONSOLE", false, nil, []string{"P0003"}},
		{"mapped console, universal station", "CT2_CONSOLE", false, anyStation, []string{"P0003"}},
		{"mapped console, wildcard station", "CT2_CONSOLE", false, wildcard, []string{"P0003"}},
		{"mapped console naming another room", "CT2_CONSOLE", false, room1, []string{"P0001", "P0002", "P0004"}},
		{"unmapped console, no station: nothing", "OTHER", false, nil, nil},
		{"unmapped console, universal station: nothing", "OTHER", false, anyStation, nil},
		{"unmapped console, wildcard station: nothing", "OTHER", false, wildcard, nil},
		{"unmapped console naming its room", "OTHER", false, room1, []string{"P0001", "P0002", "P0004"}},
		{"unmapped console, opted in to all rooms", "OTHER", true, nil, all},
		{"mapped console keeps its room when all are allowed", "CT2_CONSOLE", true, nil, []string{"P0003"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler(Config{
				Source: StaticSource(demoItems()), Location: paris,
				StationByCallingAE: rooms, AllowUnmappedAll: tt.allowAll,
			})
			got, err := find(t, h, tt.callingAE, dimse.CharsetUTF8, tt.query...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.ids); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnmappedConsoleLoggedOncePerAssociation checks the refusal is
// visible to whoever configures the consoles, without flooding the log.
func TestUnmappedConsoleLoggedOncePerAssociation(t *testing.T) {
	var logged bytes.Buffer
	h := NewHandler(Config{Source: StaticSource(demoItems()), Location: paris,
		Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	for _, association := range []uint64{1, 1, 1, 2} {
		req := &dimse.FindRequest{AssociationID: association, CallingAE: "NEW_CT",
			Identifier: dimse.NewDataset(key(dimse.TagPatientID, ""))}
		if err := h.Find(context.Background(), req, func(*dimse.Dataset, uint16) error {
			t.Fatal("an unmapped console got an entry")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "level=INFO") || !strings.Contains(lines[0], "calling_ae=NEW_CT") {
		t.Errorf("want one INFO line per association naming the console, got:\n%s", logged.String())
	}
}

func TestQueryInLatin1(t *testing.T) {
	h := NewHandler(Config{AllowUnmappedAll: true, Source: StaticSource(demoItems()), Location: paris})
	name := dimse.NewText(dimse.TagPatientName, dimse.PN, "DUPRÉ*", dimse.CharsetLatin1)
	got, err := find(t, h, "ANY", dimse.CharsetLatin1, name)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"P0002"}, got.ids); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	// The same bytes read as the default repertoire cannot match.
	got, _ = find(t, h, "ANY", dimse.CharsetDefault, name)
	if len(got.ids) != 0 {
		t.Errorf("non-ASCII bytes without a character set matched %v", got.ids)
	}
}
