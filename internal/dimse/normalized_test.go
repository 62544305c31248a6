package dimse

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// fakeMPPS keeps step statuses by UID with the rules of PS3.4 F.7, enough
// to test the messages; package mpps holds the real ones.
type fakeMPPS struct {
	mu    sync.Mutex
	steps map[string]string
	last  *NRequest
}

func newFakeMPPS() *fakeMPPS { return &fakeMPPS{steps: make(map[string]string)} }

func (f *fakeMPPS) NCreate(_ context.Context, req *NRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	status := req.Attributes.String(0x00400252, req.Charset)
	switch {
	case f.steps[req.SOPInstanceUID] != "":
		return &StatusError{Status: StatusDuplicateSOPInstance}
	case status != "IN PROGRESS":
		return &StatusError{Status: StatusInvalidAttributeValue, Offending: []Tag{0x00400252}}
	}
	f.steps[req.SOPInstanceUID] = status
	return nil
}

func (f *fakeMPPS) NSet(_ context.Context, req *NRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	switch f.steps[req.SOPInstanceUID] {
	case "":
		return &StatusError{Status: StatusNoSuchSOPInstance}
	case "IN PROGRESS":
	default:
		return &StatusError{Status: StatusProcessingFailure, ErrorID: ErrorIDNoLongerUpdatable}
	}
	if req.Attributes.String(0x00400303, CharsetDefault) == "boom" {
		return errors.New("database down")
	}
	if req.Attributes.String(0x00400303, CharsetDefault) == "panic" {
		panic("bug")
	}
	f.steps[req.SOPInstanceUID] = req.Attributes.String(0x00400252, req.Charset)
	return nil
}

func stepAttributes(status string) *Dataset {
	return NewDataset(NewString(TagSpecificCharacterSet, "ISO_IR 192"), NewString(0x00400252, status))
}

func mppsClient(t *testing.T, addr string, ts string) *Client {
	return connect(t, addr, ClientOptions{AbstractSyntaxes: []string{VerificationSOPClass, ModalityPerformedProcedureStepSOPClass},
		TransferSyntaxes: []string{ts}, CallingAE: "CT_SALLE1"})
}

func statusOf(err error) uint16 {
	var statusErr *StatusError
	if errors.As(err, &statusErr) {
		return statusErr.Status
	}
	if err != nil {
		return 0xFFFF
	}
	return StatusSuccess
}

func TestNormalizedStatuses(t *testing.T) {
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian} {
		t.Run(ts, func(t *testing.T) {
			handler := newFakeMPPS()
			addr := startServer(t, &Server{MPPS: handler})
			c := mppsClient(t, addr, ts)
			ctx := context.Background()
			uid, err := c.NCreate(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.42", stepAttributes("IN PROGRESS"))
			if err != nil || uid != "2.25.42" {
				t.Fatalf("N-CREATE: uid %q, err %v", uid, err)
			}
			if handler.last.CallingAE != "CT_SALLE1" || handler.last.Charset != CharsetUTF8 || handler.last.AssociationID == 0 {
				t.Errorf("request seen by the handler: %+v", handler.last)
			}
			steps := []struct {
				name string
				err  error
				want uint16
			}{
				{"duplicate", second(c.NCreate(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.42", stepAttributes("IN PROGRESS"))), StatusDuplicateSOPInstance},
				{"not in progress", second(c.NCreate(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.43", stepAttributes("COMPLETED"))), StatusInvalidAttributeValue},
				{"unknown", c.NSet(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.99", stepAttributes("COMPLETED")), StatusNoSuchSOPInstance},
				{"no UID", c.NSet(ctx, ModalityPerformedProcedureStepSOPClass, "", stepAttributes("COMPLETED")), StatusNoSuchSOPInstance},
				{"handler error", c.NSet(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.42", NewDataset(NewString(0x00400303, "boom"))), StatusProcessingFailure},
				{"completed", c.NSet(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.42", stepAttributes("COMPLETED")), StatusSuccess},
				{"after completed", c.NSet(ctx, ModalityPerformedProcedureStepSOPClass, "2.25.42", stepAttributes("DISCONTINUED")), StatusProcessingFailure},
			}
			for _, step := range steps {
				if got := statusOf(step.err); got != step.want {
					t.Errorf("%s: status 0x%04X (%v), want 0x%04X", step.name, got, step.err, step.want)
				}
			}
			var statusErr *StatusError
			if errors.As(steps[len(steps)-1].err, &statusErr) && statusErr.ErrorID != ErrorIDNoLongerUpdatable {
				t.Errorf("error ID 0x%04X, want 0xA710", statusErr.ErrorID)
			}
			if errors.As(steps[1].err, &statusErr) && (len(statusErr.Offending) != 1 || statusErr.Offending[0] != 0x00400252) {
				t.Errorf("offending %v, want (0040,0252)", statusErr.Offending)
			}
		})
	}
}

func second(_ string, err error) error { return err }

func TestNCreateWithoutUIDGetsOne(t *testing.T) {
	addr := startServer(t, &Server{MPPS: newFakeMPPS()})
	c := mppsClient(t, addr, ImplicitVRLittleEndian)
	uid, err := c.NCreate(context.Background(), ModalityPerformedProcedureStepSOPClass, "", stepAttributes("IN PROGRESS"))
	if err != nil || len(uid) < 10 || uid[:5] != "2.25." {
		t.Fatalf("uid %q, err %v", uid, err)
	}
	if err := c.NSet(context.Background(), ModalityPerformedProcedureStepSOPClass, uid, stepAttributes("COMPLETED")); err != nil {
		t.Errorf("N-SET of the assigned UID: %v", err)
	}
}

func TestNormalizedMalformedAndPanic(t *testing.T) {
	addr := startServer(t, &Server{MPPS: newFakeMPPS()})
	c := mppsClient(t, addr, ImplicitVRLittleEndian)
	pc, _ := c.context(ModalityPerformedProcedureStepSOPClass)
	rq := &command{field: commandNCreateRQ, messageID: 1, sopClassUID: ModalityPerformedProcedureStepSOPClass,
		sopInstanceUID: "2.25.5", hasDataset: true}
	if err := c.writer.writeMessage(pc.id, rq, []byte{0x40, 0, 0x52, 2, 0xFF, 0xFF, 0, 0}); err != nil {
		t.Fatal(err)
	}
	rsp, err := c.readMessage(context.Background())
	if err != nil || rsp.command.status != StatusProcessingFailure || rsp.command.sopInstanceUID != "2.25.5" {
		t.Fatalf("rsp=%+v err=%v, want 0x0110 for 2.25.5", rsp, err)
	}
	if err := c.Echo(context.Background()); err != nil {
		t.Fatalf("association unusable after a malformed N-CREATE: %v", err)
	}
	if _, err := c.NCreate(context.Background(), ModalityPerformedProcedureStepSOPClass, "2.25.6", stepAttributes("IN PROGRESS")); err != nil {
		t.Fatal(err)
	}
	if err := c.NSet(context.Background(), ModalityPerformedProcedureStepSOPClass, "2.25.6", NewDataset(NewString(0x00400303, "panic"))); err == nil {
		t.Error("N-SET succeeded although the handler panicked")
	}
	if err := Echo(context.Background(), addr, "SCU", DefaultAETitle); err != nil {
		t.Errorf("server down after a panicking N-SET: %v", err)
	}
}

func TestMPPSRefusedWithoutHandler(t *testing.T) {
	addr := startServer(t, &Server{})
	c := mppsClient(t, addr, ImplicitVRLittleEndian)
	if _, err := c.NCreate(context.Background(), ModalityPerformedProcedureStepSOPClass, "2.25.1", stepAttributes("IN PROGRESS")); err == nil {
		t.Error("MPPS context accepted without a handler")
	}
}
