package dimse

import (
	"context"
	"errors"
	"sync"
	"testing"
)

type recordingStore struct {
	mu       sync.Mutex
	received []*StoreRequest
	fail     error
}

func (s *recordingStore) Store(_ context.Context, req *StoreRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.received = append(s.received, req)
	return nil
}

func TestStoreDoseReport(t *testing.T) {
	h := &recordingStore{}
	addr := startServer(t, &Server{Store: h})
	ctx := context.Background()
	c, err := Connect(ctx, addr, ClientOptions{CallingAE: "CT1", AbstractSyntaxes: []string{XRayRadiationDoseSRStorage, "1.2.840.10008.5.1.4.1.1.2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release(ctx)
	object := NewDataset(NewString(0x00080016, XRayRadiationDoseSRStorage), NewString(0x00080018, "2.25.1"),
		NewString(TagStudyInstanceUID, "2.25.2"))
	if err := c.Store(ctx, XRayRadiationDoseSRStorage, "2.25.1", object); err != nil {
		t.Fatal(err)
	}
	if len(h.received) != 1 || h.received[0].SOPInstanceUID != "2.25.1" || h.received[0].Dataset.String(TagStudyInstanceUID, CharsetDefault) != "2.25.2" ||
		h.received[0].CallingAE != "CT1" {
		t.Fatalf("received: %+v", h.received)
	}

	// A truncated object: Cannot understand, and the handler never sees it.
	encoded, err := EncodeDataset(object, c.contexts[XRayRadiationDoseSRStorage].transferSyntax)
	if err != nil {
		t.Fatal(err)
	}
	err = c.StoreEncoded(ctx, XRayRadiationDoseSRStorage, "2.25.3", encoded[:len(encoded)-5])
	var status *StatusError
	if !errors.As(err, &status) || status.Status != StatusStoreCannotUnderstand {
		t.Fatalf("truncated object: %v", err)
	}
	// The handler's refusal is the peer's status.
	h.fail = &StatusError{Status: StatusStoreDataSetMismatch, Comment: "not a CT dose report"}
	if err := c.Store(ctx, XRayRadiationDoseSRStorage, "2.25.4", object); !errors.As(err, &status) || status.Status != StatusStoreDataSetMismatch {
		t.Fatalf("refused object: %v", err)
	}
	// A handler error that is not a status: Out of Resources, no detail.
	h.fail = errors.New("disk full at /var/lib/repere")
	if err := c.Store(ctx, XRayRadiationDoseSRStorage, "2.25.5", object); !errors.As(err, &status) || status.Status != StatusStoreOutOfResources || status.Comment != "processing failure" {
		t.Fatalf("failed handler: %v", err)
	}
	if len(h.received) != 1 {
		t.Fatalf("%d objects stored, want 1", len(h.received))
	}
	// An image storage class is not negotiated: we keep dose reports only.
	if _, err := c.context("1.2.840.10008.5.1.4.1.1.2"); err == nil {
		t.Fatal("CT Image Storage was accepted")
	}
}

func TestStoreRefusedWithoutHandler(t *testing.T) {
	addr := startServer(t, &Server{})
	ctx := context.Background()
	c, err := Connect(ctx, addr, ClientOptions{CallingAE: "CT1", AbstractSyntaxes: []string{XRayRadiationDoseSRStorage, VerificationSOPClass}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release(ctx)
	if _, err := c.context(XRayRadiationDoseSRStorage); err == nil {
		t.Fatal("dose reports accepted by a server without a store")
	}
}
