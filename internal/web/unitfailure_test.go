package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/sms"
	"repere/internal/store"
	"repere/internal/storetest"
)

// brokenSMS is an SMS provider whose message cannot be written.
type brokenSMS struct{}

func (brokenSMS) Text(sms.Message) (string, error) { return "", errors.New("template broken") }
func (brokenSMS) Send(context.Context, string, string, string) error {
	return errors.New("not sent")
}

// TestFailedSendLeavesNoLink: the questionnaire link by SMS is one unit of
// work. When its message cannot be made (after the link is written), the
// link and its audit entry are undone with it, while the reads of the
// referral and the patient stay in the audit log.
func TestFailedSendLeavesNoLink(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, st *store.Store) {
		h := newHarnessWith(t, st, func(c *setup) { c.app.SMS = brokenSMS{} })
		pid := h.zoe()
		ref := h.referralID("LEFÈVRE")
		c := h.signedIn(auth.Secretary)
		if r := c.post("/staff/referrals/"+ref+"/screening/send", url.Values{"channel": {"sms"}}); r.status != http.StatusInternalServerError {
			t.Fatalf("send with a broken SMS template: %d, want 500", r.status)
		}
		entries := func(f audit.Filter) int {
			f.Actor = roleLogins[auth.Secretary]
			list, err := h.store.SearchAudit(system, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		if n := entries(audit.Filter{Action: "create", Entity: "screening_link"}); n != 0 {
			t.Errorf("%d link(s) created by the failed send, want none", n)
		}
		if n := entries(audit.Filter{Action: "queue"}); n != 0 {
			t.Errorf("%d message(s) queued by the failed send, want none", n)
		}
		if n := entries(audit.Filter{Action: "read", PatientID: pid}); n == 0 {
			t.Error("the failed send's reads of the patient are not in the audit log")
		}
	})
}
