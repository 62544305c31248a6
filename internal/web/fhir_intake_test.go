package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"repere/internal/app"
	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/fhir"
	"repere/internal/store"
	"repere/internal/storetest"
)

func fhirPost(t *testing.T, h *harness, path, token, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.ts.URL+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/fhir+json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

// TestFHIRWritesGoThroughTheApplication: what the API receives is checked by
// app.ReceiveIntake as the pages check their forms (here an identifier
// longer than its limit, which only the application checks), recorded in
// one transaction and audited under the client; a patient's history follows
// an identity correction made on the pages' use case.
func TestFHIRWritesGoThroughTheApplication(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		token := "intake-token"
		id, err := h.store.CreateAPIClient(system, "DPI", fhir.HashToken(token), []string{"system/*.read", "system/Patient.write", "system/ServiceRequest.write"}, storetest.Now().AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		refID, _ := strconv.ParseInt(h.referralID("LEFÈVRE"), 10, 64)
		ref, _ := h.store.Referral(system, refID)
		_, total, _ := h.store.FindReferrals(system, store.ReferralSearch{Limit: -1})
		long := `{"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"Patient/` + itoa(ref.PatientID) + `"},
			"identifier":[{"system":"urn:oid:1.2.3","value":"` + strings.Repeat("9", app.MaxIdentifierValue+1) + `"}],
			"code":{"coding":[{"system":"urn:repere:act","code":"facet_joint_infiltration"}]}}`
		code, oo := fhirPost(t, h, "/fhir/ServiceRequest", token, long)
		if issues, _ := json.Marshal(oo["issue"]); code != http.StatusUnprocessableEntity || !strings.Contains(string(issues), "too-long") {
			t.Errorf("a too long identifier: %d %s", code, issues)
		}
		if _, after, _ := h.store.FindReferrals(system, store.ReferralSearch{Limit: -1}); after != total {
			t.Errorf("refused, yet %d referrals became %d", total, after)
		}
		ok := strings.Replace(long, strings.Repeat("9", app.MaxIdentifierValue+1), "DPI-42", 1)
		if code, res := fhirPost(t, h, "/fhir/ServiceRequest", token, ok); code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, res)
		}
		if n := h.auditCount(audit.Filter{Actor: "fhir:" + itoa(id), Action: "create"}); n == 0 {
			t.Error("the intake is not in the audit log under the client")
		}

		// The same referral sent eight times at once with If-None-Exist: one
		// is recorded, every sender gets it.
		same := strings.Replace(ok, "DPI-42", "DPI-43", 1)
		got := make(chan string, 8)
		for range 8 {
			go func() {
				code, res := fhirPost(t, h, "/fhir/ServiceRequest", token, same, "If-None-Exist", "identifier=urn:oid:1.2.3|DPI-43")
				id, _ := res["id"].(string)
				got <- strconv.Itoa(code) + " " + id
			}()
		}
		seen := map[string]bool{}
		for range 8 {
			r := <-got
			code, id, _ := strings.Cut(r, " ")
			if code != "200" && code != "201" {
				t.Errorf("concurrent conditional create: %s", r)
			}
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Errorf("concurrent conditional creates made %v", seen)
		}

		ctx := audit.WithActor(context.Background(), audit.Actor{Login: "t.secretary", Role: string(auth.Secretary)})
		pt, _ := h.store.Patient(system, ref.PatientID)
		if err := h.app.CorrectIdentity(ctx, pt.ID, app.IdentityCorrection{BirthName: pt.BirthName + "-MARTIN", UsedName: pt.UsedName, FirstNames: pt.FirstNames,
			BirthDate: pt.BirthDate, Sex: pt.Sex, Document: "cni", Reason: "typo"}); err != nil {
			t.Fatal(err)
		}
		code, _, hist := fhirGet(t, h, "/fhir/Patient/"+itoa(pt.ID)+"/_history", token)
		entries, _ := hist["entry"].([]any)
		if code != http.StatusOK || len(entries) != 2 {
			t.Fatalf("patient history: %d, %d entries", code, len(entries))
		}
		names := func(e any) string {
			b, _ := json.Marshal(e.(map[string]any)["resource"].(map[string]any)["name"])
			return string(b)
		}
		if !strings.Contains(names(entries[0]), "-MARTIN") || strings.Contains(names(entries[1]), "-MARTIN") {
			t.Errorf("history: newest %s, oldest %s", names(entries[0]), names(entries[1]))
		}
		code, hdr, v1 := fhirGet(t, h, "/fhir/Patient/"+itoa(pt.ID)+"/_history/1", token)
		if meta, _ := v1["meta"].(map[string]any); code != http.StatusOK || meta["versionId"] != "1" || hdr.Get("ETag") != `W/"1"` {
			t.Errorf("vread 1: %d %v %s", code, v1["meta"], hdr.Get("ETag"))
		}
	})
}
