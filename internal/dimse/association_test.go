package dimse

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// rawAssociate opens a connection from local (nil: any) to addr, sends rq
// and returns the connection, a reader of the server's PDUs and the type
// and body of its answer.
func rawAssociate(t *testing.T, addr string, local net.IP, rq *associate) (net.Conn, *pduReader, pduType, []byte) {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if local != nil {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.Write(rq.encode(false)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	reader := &pduReader{r: bufio.NewReader(conn), limit: 1 << 20}
	typ, body, err := reader.read()
	if err != nil {
		t.Fatalf("no answer to the association request: %v", err)
	}
	return conn, reader, typ, append([]byte(nil), body...)
}

func request(maxLength uint32, abstractSyntaxes ...string) *associate {
	rq := &associate{calledAE: DefaultAETitle, callingAE: "RAW", maxLength: maxLength}
	for i, as := range abstractSyntaxes {
		rq.contexts = append(rq.contexts, presentationContext{id: byte(2*i + 1), abstractSyntax: as, transferSyntaxes: []string{ImplicitVRLittleEndian}})
	}
	return rq
}

// An association none of whose contexts we can serve is rejected (PS3.8
// 9.3.4, as dcmtk's servers do), not accepted with every context refused.
func TestAssociationWithoutUsableContextRejected(t *testing.T) {
	addr := startServer(t, &Server{}) // C-ECHO only
	_, _, typ, body := rawAssociate(t, addr, nil, request(16384, "1.2.840.10008.5.1.4.1.1.2", WorklistFindSOPClass))
	if typ != pduAssociateRJ || len(body) < 4 || body[1] != rejectPermanent || body[2] != rejectSourceUser || body[3] != rejectNoReason {
		t.Fatalf("answer %s % x, want A-ASSOCIATE-RJ permanent, service user, no reason", typ, body)
	}
	// The same server accepts a request with one context it serves.
	_, _, typ, _ = rawAssociate(t, addr, nil, request(16384, WorklistFindSOPClass, VerificationSOPClass))
	if typ != pduAssociateAC {
		t.Fatalf("answer %s to a request with Verification", typ)
	}
}

// findscu proposing only the worklist to a server without one is told so
// at association, as by dcmtk's own wlmscpfs.
func TestDcmtkFindscuRejectedWithoutWorklist(t *testing.T) {
	addr := startServer(t, &Server{})
	host, port := hostPort(t, addr)
	out, err := runTool(t, "findscu", "-W", "-aec", "REPERE", "-k", "PatientID", host, port)
	if err == nil || !strings.Contains(out, "Association Rejected") {
		t.Fatalf("findscu: err = %v, want an association rejection:\n%s", err, out)
	}
}

// A peer announcing a maximum PDU of 512 bytes (allowed: PS3.8 sets no
// minimum) is served, every PDU we send fitting in it. dcmtk's tools do not
// go below 4096, hence the raw client.
func TestPeerMaximumLength512(t *testing.T) {
	comments := strings.Repeat("0123456789", 300)
	big := FindHandlerFunc(func(ctx context.Context, req *FindRequest, send SendFunc) error {
		for i := range 3 {
			ds := NewDataset(NewText(TagPatientID, LO, fmt.Sprint("P", i), CharsetDefault), NewText(0x00104000, LT, comments, CharsetDefault))
			if err := send(ds, StatusPending); err != nil {
				return err
			}
		}
		return nil
	})
	addr := startServer(t, &Server{Find: big})
	for _, maxLength := range []uint32{512, minPeerPDULength} {
		t.Run(fmt.Sprint(maxLength), func(t *testing.T) {
			conn, reader, typ, _ := rawAssociate(t, addr, nil, request(maxLength, WorklistFindSOPClass))
			if typ != pduAssociateAC {
				t.Fatalf("answer %s, want A-ASSOCIATE-AC", typ)
			}
			if _, err := conn.Write(pData(pdv{contextID: 1, command: true, last: true, data: (&command{field: commandCFindRQ, messageID: 1, sopClassUID: WorklistFindSOPClass, hasDataset: true}).encode()},
				pdv{contextID: 1, last: true, data: mustEncode(t, worklistQuery())})); err != nil {
				t.Fatal(err)
			}
			reader.limit = maxLength // a longer PDU fails the read
			assembled := &assembler{limits: DefaultLimits}
			pending, pdus := 0, 0
			for {
				typ, body, err := reader.read()
				if err != nil {
					t.Fatalf("after %d PDUs: %v", pdus, err)
				}
				if typ != pduData {
					t.Fatalf("PDU %s", typ)
				}
				pdus++
				var final bool
				err = eachPDV(body, func(v pdv) error {
					msg, err := assembled.add(v)
					if err != nil || msg == nil {
						return err
					}
					switch {
					case msg.command.status == StatusPending:
						pending++
						if !strings.Contains(string(msg.data), comments) {
							return errors.New("answer lost its comment")
						}
					case msg.command.status == StatusSuccess:
						final = true
					default:
						return fmt.Errorf("status 0x%04X", msg.command.status)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if final {
					break
				}
			}
			if pending != 3 {
				t.Errorf("%d answers, want 3", pending)
			}
			t.Logf("maximum length %d: %d PDUs", maxLength, pdus)
		})
	}
}

func mustEncode(t *testing.T, ds *Dataset) []byte {
	t.Helper()
	b, err := EncodeDataset(ds, ImplicitVRLittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// One client address holding idle associations up to its own limit never
// locks another console out: the finding was 32 idle associations from one
// peer refusing every console for the idle timeout.
func TestAssociationsPerAddress(t *testing.T) {
	addr := startServer(t, &Server{MaxAssociations: 4, MaxAssociationsPerAddress: 2})
	greedy := net.ParseIP("127.0.0.2")
	for i := range 2 {
		if _, _, typ, _ := rawAssociate(t, addr, greedy, request(16384, VerificationSOPClass)); typ != pduAssociateAC {
			t.Fatalf("idle association %d: %s", i, typ)
		}
	}
	_, _, typ, body := rawAssociate(t, addr, greedy, request(16384, VerificationSOPClass))
	if typ != pduAssociateRJ || body[1] != rejectTransient || body[3] != rejectLocalLimitExceeded {
		t.Fatalf("third association from one address: %s % x, want a transient rejection", typ, body)
	}
	// Another console is served while the greedy one holds its two.
	host, port := hostPort(t, addr)
	if out, err := runTool(t, "echoscu", "-aec", "REPERE", host, port); err != nil {
		t.Fatalf("echoscu from another address: %v\n%s", err, out)
	}
	if err := Echo(context.Background(), addr, "SCU", DefaultAETitle); err != nil {
		t.Fatalf("our client from another address: %v", err)
	}
}

// The ARTIM timer closes a connection that never asks for an association,
// whatever the idle timeout.
func TestARTIMBeforeAssociation(t *testing.T) {
	addr := startServer(t, &Server{Timeouts: Timeouts{Association: 200 * time.Millisecond, Idle: time.Hour}})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("the server wrote to a silent peer")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %s: ARTIM not applied", time.Since(start))
	}
}
