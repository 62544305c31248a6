package dimse

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// countingHandler answers every query with n matches numbered in
// PatientID, waiting delay before each.
func countingHandler(n int, delay time.Duration) FindHandlerFunc {
	return func(ctx context.Context, req *FindRequest, send SendFunc) error {
		for i := range n {
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			ds := NewDataset(NewText(TagPatientID, LO, fmt.Sprintf("P%05d", i), CharsetDefault))
			if err := send(ds, StatusPending); err != nil {
				return err
			}
		}
		return nil
	}
}

func worklistQuery() *Dataset {
	return NewDataset(NewText(TagPatientID, LO, "", CharsetDefault))
}

func connect(t *testing.T, addr string, opts ClientOptions) *Client {
	t.Helper()
	c, err := Connect(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Abort)
	return c
}

func TestFindStreamsMatches(t *testing.T) {
	addr := startServer(t, &Server{Find: countingHandler(300, 0)})
	for _, ts := range []string{ImplicitVRLittleEndian, ExplicitVRLittleEndian} {
		c := connect(t, addr, ClientOptions{TransferSyntaxes: []string{ts}, Limits: Limits{MaxPDULength: 4096}})
		var ids []string
		err := c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), func(ds *Dataset) error {
			ids = append(ids, ds.String(TagPatientID, CharsetDefault))
			return nil
		})
		if err != nil || len(ids) != 300 || ids[299] != "P00299" {
			t.Fatalf("%s: err=%v, %d matches", ts, err, len(ids))
		}
		if err := c.Release(context.Background()); err != nil {
			t.Errorf("release: %v", err)
		}
	}
}

func TestFindFailureStatuses(t *testing.T) {
	tests := []struct {
		name    string
		handler FindHandlerFunc
		want    uint16
	}{
		{"status error", func(context.Context, *FindRequest, SendFunc) error {
			return &StatusError{Status: StatusIdentifierDoesNotMatch, Comment: "bad key"}
		}, StatusIdentifierDoesNotMatch},
		{"plain error", func(context.Context, *FindRequest, SendFunc) error {
			return errors.New("database down")
		}, StatusUnableToProcess},
		{"panic ends only the association", func(context.Context, *FindRequest, SendFunc) error {
			panic("bug")
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startServer(t, &Server{Find: tt.handler})
			c := connect(t, addr, ClientOptions{})
			err := c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), func(*Dataset) error { return nil })
			var statusErr *StatusError
			switch {
			case tt.want == 0:
				if err == nil {
					t.Fatal("find succeeded although the handler panicked")
				}
				if err := Echo(context.Background(), addr, "SCU", DefaultAETitle); err != nil {
					t.Errorf("server down after a panic: %v", err)
				}
			case !errors.As(err, &statusErr) || statusErr.Status != tt.want:
				t.Errorf("err = %v, want status 0x%04X", err, tt.want)
			}
		})
	}
}

func TestMalformedIdentifier(t *testing.T) {
	addr := startServer(t, &Server{Find: countingHandler(1, 0)})
	c := connect(t, addr, ClientOptions{TransferSyntaxes: []string{ImplicitVRLittleEndian}})
	pc, _ := c.context(WorklistFindSOPClass)
	rq := &command{field: commandCFindRQ, messageID: 1, sopClassUID: WorklistFindSOPClass, hasDataset: true}
	if err := c.writer.writeMessage(pc.id, rq, []byte{0x10, 0, 0x20, 0, 0xFF, 0xFF, 0, 0}); err != nil {
		t.Fatal(err)
	}
	rsp, err := c.readMessage(context.Background())
	if err != nil || rsp.command.status != StatusUnableToProcess {
		t.Fatalf("rsp=%+v err=%v, want status 0xC000", rsp, err)
	}
	if err := c.Echo(context.Background()); err != nil {
		t.Errorf("association unusable after a bad identifier: %v", err)
	}
}

func TestOperationOnWrongSOPClass(t *testing.T) {
	addr := startServer(t, &Server{Find: countingHandler(1, 0)})
	c := connect(t, addr, ClientOptions{})
	err := c.Find(context.Background(), VerificationSOPClass, worklistQuery(), func(*Dataset) error { return nil })
	var statusErr *StatusError
	if !errors.As(err, &statusErr) || statusErr.Status != StatusUnrecognizedOperation {
		t.Errorf("C-FIND on Verification: err = %v, want 0x0211", err)
	}
}

func TestWorklistRefusedWithoutHandler(t *testing.T) {
	addr := startServer(t, &Server{})
	c := connect(t, addr, ClientOptions{})
	if err := c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), nil); err == nil {
		t.Error("worklist context accepted without a Find handler")
	}
	if err := c.Echo(context.Background()); err != nil {
		t.Errorf("echo: %v", err)
	}
}

func TestFindCancel(t *testing.T) {
	handlerStopped := make(chan error, 1)
	slow := countingHandler(1000, 5*time.Millisecond)
	addr := startServer(t, &Server{Find: FindHandlerFunc(func(ctx context.Context, req *FindRequest, send SendFunc) error {
		err := slow(ctx, req, send)
		handlerStopped <- err
		return err
	})})
	c := connect(t, addr, ClientOptions{})

	enough := errors.New("enough")
	received := 0
	err := c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), func(*Dataset) error {
		received++
		if received == 3 {
			return enough
		}
		return nil
	})
	if !errors.Is(err, enough) || received != 3 {
		t.Fatalf("err=%v after %d matches, want the callback's error after 3", err, received)
	}
	if err := <-handlerStopped; err == nil {
		t.Error("handler ran to completion despite C-CANCEL")
	}

	// Cancelling the context cancels the C-FIND too, and the association
	// stays usable.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Find(ctx, WorklistFindSOPClass, worklistQuery(), func(*Dataset) error { return nil })
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	<-handlerStopped
	if err := c.Echo(context.Background()); err != nil {
		t.Errorf("echo after cancel: %v", err)
	}
}

func TestConcurrentAssociations(t *testing.T) {
	addr := startServer(t, &Server{Find: countingHandler(50, 0), MaxAssociationsPerAddress: 16}) // all from loopback
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			c, err := Connect(context.Background(), addr, ClientOptions{})
			if err != nil {
				errs <- err
				return
			}
			for range 5 {
				n := 0
				if err := c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), func(*Dataset) error { n++; return nil }); err != nil || n != 50 {
					errs <- fmt.Errorf("find: %v, %d matches", err, n)
				}
			}
			errs <- c.Release(context.Background())
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestMaxAssociations(t *testing.T) {
	addr := startServer(t, &Server{MaxAssociations: 1})
	connect(t, addr, ClientOptions{})
	_, err := Connect(context.Background(), addr, ClientOptions{})
	var rejected *RejectedError
	if !errors.As(err, &rejected) || rejected.Result != rejectTransient {
		t.Errorf("second association: err = %v, want a transient rejection", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	addr := startServer(t, &Server{Timeouts: Timeouts{Idle: 100 * time.Millisecond}})
	c := connect(t, addr, ClientOptions{})
	time.Sleep(300 * time.Millisecond)
	if err := c.Echo(context.Background()); err == nil {
		t.Error("association still open after the idle timeout")
	}
}

func TestGracefulShutdown(t *testing.T) {
	s := &Server{Find: countingHandler(20, 10*time.Millisecond), ShutdownGrace: 5 * time.Second, Logger: testLogger(t)}
	addr, stop := startStoppable(t, s)
	c := connect(t, addr, ClientOptions{})
	result := make(chan error, 1)
	n := 0
	go func() {
		result <- c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), func(*Dataset) error { n++; return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	stopped := stop()
	if err := <-result; err != nil || n != 20 {
		t.Errorf("find during shutdown: err=%v, %d of 20 matches", err, n)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := Connect(context.Background(), addr, ClientOptions{}); err == nil {
		t.Error("connection accepted after shutdown")
	}
}

func TestShutdownGraceElapses(t *testing.T) {
	s := &Server{Find: countingHandler(1000, 10*time.Millisecond), ShutdownGrace: 100 * time.Millisecond, Logger: testLogger(t)}
	addr, stop := startStoppable(t, s)
	c := connect(t, addr, ClientOptions{})
	go func() {
		_ = c.Find(context.Background(), WorklistFindSOPClass, worklistQuery(), func(*Dataset) error { return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := <-stop(); err != nil {
		t.Errorf("Serve: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("shutdown took %v despite a 100ms grace", elapsed)
	}
}

// startStoppable serves s and returns a function that cancels it and
// delivers Serve's result.
func startStoppable(t *testing.T, s *Server) (string, func() <-chan error) {
	t.Helper()
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return ln.Addr().String(), func() <-chan error { cancel(); return done }
}

func TestUnsupportedCharsetReadAsASCII(t *testing.T) {
	var got Charset = "unset"
	addr := startServer(t, &Server{Find: FindHandlerFunc(func(ctx context.Context, req *FindRequest, send SendFunc) error {
		got = req.Charset
		return nil
	})})
	c := connect(t, addr, ClientOptions{})
	query := worklistQuery()
	query.Set(NewString(TagSpecificCharacterSet, "ISO_IR 144"))
	if err := c.Find(context.Background(), WorklistFindSOPClass, query, func(*Dataset) error { return nil }); err != nil {
		t.Fatalf("query with a Cyrillic character set refused: %v", err)
	}
	if got != CharsetDefault {
		t.Errorf("handler got charset %q, want the default repertoire", got)
	}
}
