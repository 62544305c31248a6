package mpps

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"repere/internal/dimse"
)

// TestWholeSequence plays what consoles send over a real association, the
// ordinary runs and the odd ones, and checks both the statuses answered
// and what the store recorded: no step may stay stuck or change once
// final.
func TestWholeSequence(t *testing.T) {
	store := NewMemoryStore()
	h := NewHandler(Config{Store: store, Location: paris, Now: func() time.Time { return arrival }})
	addr := startMPPS(t, h)
	c, err := dimse.Connect(context.Background(), addr, dimse.ClientOptions{
		CallingAE: "CT1_CONSOLE", AbstractSyntaxes: []string{dimse.ModalityPerformedProcedureStepSOPClass},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Abort()
	ctx := context.Background()
	const class = dimse.ModalityPerformedProcedureStepSOPClass
	create := func(uid string, ds *dimse.Dataset) error { _, err := c.NCreate(ctx, class, uid, ds); return err }
	set := func(uid string, ds *dimse.Dataset) error { return c.NSet(ctx, class, uid, ds) }
	discontinued := ended(StatusDiscontinued, dimse.NewSequence(tagDiscontinuationReason, dimse.NewDataset(
		dimse.NewString(dimse.TagCodeValue, "110514"), dimse.NewString(dimse.TagCodingSchemeDesignator, "DCM"),
		dimse.NewText(dimse.TagCodeMeaning, dimse.LO, "Incorrect worklist entry selected", dimse.CharsetDefault))))
	discontinued.Remove(tagPPSEndDate) // the console did not say when: the arrival is kept
	discontinued.Remove(tagPPSEndTime)

	steps := []struct {
		name    string
		err     error
		status  uint16
		errorID uint16
	}{
		{"N-CREATE in progress", create("2.25.1", inProgress()), dimse.StatusSuccess, 0},
		{"N-SET dose while in progress", set("2.25.1", dimse.NewDataset(dimse.NewFloat64(tagCTDIvol, 12.5))), dimse.StatusSuccess, 0},
		{"N-SET completed", set("2.25.1", ended(StatusCompleted, comments("Total DLP = 512.3 mGy*cm"))), dimse.StatusSuccess, 0},
		{"N-SET after completed", set("2.25.1", ended(StatusDiscontinued)), dimse.StatusProcessingFailure, dimse.ErrorIDNoLongerUpdatable},
		{"N-CREATE duplicate", create("2.25.1", inProgress()), dimse.StatusDuplicateSOPInstance, 0},
		{"N-CREATE second step", create("2.25.2", inProgress()), dimse.StatusSuccess, 0},
		{"N-SET invalid status", set("2.25.2", ended("DONE")), dimse.StatusInvalidAttributeValue, 0},
		{"N-SET discontinued", set("2.25.2", discontinued), dimse.StatusSuccess, 0},
		{"N-SET after discontinued", set("2.25.2", ended(StatusCompleted)), dimse.StatusProcessingFailure, dimse.ErrorIDNoLongerUpdatable},
		{"N-SET unknown", set("2.25.404", ended(StatusCompleted)), dimse.StatusNoSuchSOPInstance, 0},
		{"N-CREATE completed", create("2.25.3", withStatus(inProgress(), StatusCompleted)), dimse.StatusInvalidAttributeValue, 0},
		{"N-CREATE without status", create("2.25.4", withStatus(inProgress(), "")), dimse.StatusMissingAttribute, 0},
	}
	for _, step := range steps {
		var statusErr *dimse.StatusError
		status, errorID := dimse.StatusSuccess, uint16(0)
		if errors.As(step.err, &statusErr) {
			status, errorID = statusErr.Status, statusErr.ErrorID
		} else if step.err != nil {
			t.Fatalf("%s: %v", step.name, step.err)
		}
		if status != step.status || errorID != step.errorID {
			t.Errorf("%s: status 0x%04X error ID 0x%04X, want 0x%04X 0x%04X (%v)",
				step.name, status, errorID, step.status, step.errorID, step.err)
		}
	}

	want := map[string]PerformedStep{
		"2.25.1": {SOPInstanceUID: "2.25.1", Status: StatusCompleted, CallingAE: "CT1_CONSOLE", StationAE: "CT_SALLE1",
			PatientID: "P0001", PatientName: "LEFÈVRE^Zoé", AccessionNumber: "A0001", StudyInstanceUID: "2.25.1001", ScheduledStepID: "S0001", RequestedProcedureID: "RP0001",
			Start: time.Date(2026, 6, 10, 8, 35, 12, 500_000_000, paris), End: time.Date(2026, 6, 10, 9, 1, 0, 0, paris),
			DLP: ptr(512.3), CTDIvol: ptr(12.5)},
		"2.25.2": {SOPInstanceUID: "2.25.2", Status: StatusDiscontinued, CallingAE: "CT1_CONSOLE", StationAE: "CT_SALLE1",
			PatientID: "P0001", PatientName: "LEFÈVRE^Zoé", AccessionNumber: "A0001", StudyInstanceUID: "2.25.1001", ScheduledStepID: "S0001", RequestedProcedureID: "RP0001",
			Start: time.Date(2026, 6, 10, 8, 35, 12, 500_000_000, paris), End: arrival,
			DiscontinuationReason: "Incorrect worklist entry selected"},
	}
	for uid, w := range want {
		got, ok := store.Step(uid)
		if !ok {
			t.Errorf("%s not stored", uid)
			continue
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", uid, diff)
		}
	}
	for _, uid := range []string{"2.25.3", "2.25.4", "2.25.404"} {
		if _, ok := store.Step(uid); ok {
			t.Errorf("refused step %s was stored", uid)
		}
	}
}

// failingStore stands for a database that is down.
type failingStore struct{}

func (failingStore) CreateStep(context.Context, PerformedStep) error { return errors.New("disk full") }
func (failingStore) UpdateStep(context.Context, string, func(*PerformedStep) error) error {
	return errors.New("disk full")
}

func TestStoreFailureIsProcessingFailure(t *testing.T) {
	h := NewHandler(Config{Store: failingStore{}, Location: paris})
	req := &dimse.NRequest{SOPInstanceUID: "2.25.1", Attributes: inProgress()}
	var statusErr *dimse.StatusError
	if err := h.NCreate(context.Background(), req); err == nil || errors.As(err, &statusErr) {
		t.Errorf("N-CREATE: err = %v, want a plain error (answered 0x0110 by dimse)", err)
	}
	set := &dimse.NRequest{SOPInstanceUID: "2.25.1", Attributes: ended(StatusCompleted)}
	if err := h.NSet(context.Background(), set); err == nil || errors.As(err, &statusErr) {
		t.Errorf("N-SET: err = %v, want a plain error", err)
	}
}

// TestCreateAndSetChecks: an N-CREATE without a type 1 attribute is
// refused with 0120H (absent) or 0121H (empty), naming it; an N-SET of an
// attribute fixed at N-CREATE (the patient's name...) with 0105H, never
// silently ignored (PS3.4 F.7.2, PS3.7 10.1).
func TestCreateAndSetChecks(t *testing.T) {
	h := NewHandler(Config{Store: failingStore{}, Location: paris})
	without := func(tag dimse.Tag) *dimse.Dataset {
		ds := inProgress()
		ds.Remove(tag)
		return ds
	}
	emptied := inProgress()
	emptied.Set(dimse.NewString(tagModality, ""))
	noStudy := inProgress()
	noStudy.Set(dimse.NewSequence(tagScheduledStepAttributes, dimse.NewDataset(dimse.NewText(dimse.TagAccessionNumber, dimse.SH, "A1", dimse.CharsetLatin1))))
	tests := []struct {
		name   string
		ds     *dimse.Dataset
		status uint16
		tag    dimse.Tag
	}{
		{"no scheduled step attributes", without(tagScheduledStepAttributes), dimse.StatusMissingAttribute, tagScheduledStepAttributes},
		{"no PPS ID", without(tagPPSID), dimse.StatusMissingAttribute, tagPPSID},
		{"no modality", without(tagModality), dimse.StatusMissingAttribute, tagModality},
		{"no start date", without(tagPPSStartDate), dimse.StatusMissingAttribute, tagPPSStartDate},
		{"empty modality", emptied, dimse.StatusMissingAttributeValue, tagModality},
		{"no study UID in the scheduled step", noStudy, dimse.StatusMissingAttributeValue, tagScheduledStepAttributes},
	}
	for _, tt := range tests {
		var se *dimse.StatusError
		err := h.NCreate(context.Background(), &dimse.NRequest{SOPInstanceUID: "2.25.9", Attributes: tt.ds})
		if !errors.As(err, &se) || se.Status != tt.status || len(se.Offending) != 1 || se.Offending[0] != tt.tag {
			t.Errorf("%s: %v, want status 0x%04X on %v", tt.name, err, tt.status, tt.tag)
		}
	}
	var se *dimse.StatusError
	rename := ended(StatusCompleted, dimse.NewText(dimse.TagPatientName, dimse.PN, "AUTRE^Nom", dimse.CharsetLatin1))
	if err := h.NSet(context.Background(), &dimse.NRequest{SOPInstanceUID: "2.25.9", Attributes: rename}); !errors.As(err, &se) ||
		se.Status != dimse.StatusNoSuchAttribute || len(se.Offending) != 1 || se.Offending[0] != dimse.TagPatientName {
		t.Errorf("N-SET of the patient's name: %v, want 0x0105 naming it", err)
	}
}

func TestDateTimes(t *testing.T) {
	tests := []struct {
		date, tm string
		want     time.Time
	}{
		{"20260610", "083512", time.Date(2026, 6, 10, 8, 35, 12, 0, paris)},
		{"20260610", "0835", time.Date(2026, 6, 10, 8, 35, 0, 0, paris)},
		{"20260610", "08", time.Date(2026, 6, 10, 8, 0, 0, 0, paris)},
		{"2026.06.10", "08:35:12.25", time.Date(2026, 6, 10, 8, 35, 12, 250_000_000, paris)},
		{"20260610", "", time.Date(2026, 6, 10, 0, 0, 0, 0, paris)},
		{"20260610", "2599", time.Date(2026, 6, 10, 0, 0, 0, 0, paris)},
		{"", "083512", time.Time{}},
		{"2026-06-10", "083512", time.Time{}},
	}
	for _, tt := range tests {
		d := decoder{ds: dimse.NewDataset(dimse.NewString(tagPPSStartDate, tt.date), dimse.NewString(tagPPSStartTime, tt.tm)), location: paris}
		if got := d.dateTime(tagPPSStartDate, tagPPSStartTime); !got.Equal(tt.want) {
			t.Errorf("%q %q: %v, want %v", tt.date, tt.tm, got, tt.want)
		}
	}
}
