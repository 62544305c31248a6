package mail

import (
	"encoding/base64"
	"errors"
	"net/textproto"
	"strings"
	"testing"
)

// A server that echoes the AUTH line in its refusal must not leak it.
func TestRedactEchoedCredentials(t *testing.T) {
	s := &Sender{config: Config{Username: "cabinet", Password: "hunter2"}}
	blob := base64.StdEncoding.EncodeToString([]byte("\x00cabinet\x00hunter2"))
	err := s.redact(&SendError{Step: "auth", Err: &textproto.Error{Code: 535, Msg: "bad AUTH PLAIN " + blob + " (hunter2)"}})
	if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), blob) {
		t.Errorf("redacted error still holds the secret: %v", err)
	}
	var reply *textproto.Error
	if !errors.As(err, &reply) || reply.Code != 535 || strings.Contains(reply.Msg, "hunter2") {
		t.Errorf("redacted error lost its code or kept the secret: %#v", reply)
	}
	if !Permanent(err) {
		t.Errorf("redacted 535 is no longer permanent")
	}
	plain := errors.New("connection refused")
	if s.redact(plain) != plain {
		t.Errorf("an error without the secret was rewritten")
	}
}
