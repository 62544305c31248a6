package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"repere/internal/audit"
	"repere/internal/fhir"
	"repere/internal/storetest"
)

// TestFHIROverTheStore reads the demo practice through the mounted FHIR API
// with a client's token, and finds the reads in the audit log under the
// client's name.
func TestFHIROverTheStore(t *testing.T) {
	engines(t, func(t *testing.T, h *harness) {
		token := "test-token-for-the-his"
		id, err := h.store.CreateAPIClient(system, "SIH du centre hospitalier", fhir.HashToken(token), []string{"system/*.read"}, storetest.Now().AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		get := func(path, tok string) (int, map[string]any) {
			req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
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
		if code, v := get("/fhir/metadata", ""); code != http.StatusOK || v["resourceType"] != "CapabilityStatement" {
			t.Fatalf("metadata: %d %v", code, v["resourceType"])
		}
		if code, _ := get("/fhir/Patient?name=lef", ""); code != http.StatusUnauthorized {
			t.Fatalf("no token: %d", code)
		}
		code, bundle := get("/fhir/Patient?name=lef", token)
		if code != http.StatusOK || bundle["total"] != float64(1) {
			t.Fatalf("patient search: %d %v", code, bundle["total"])
		}
		entry := bundle["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
		if names, _ := json.Marshal(entry["name"]); !strings.Contains(string(names), "Lefèvre") && !strings.Contains(string(names), "LEFÈVRE") {
			t.Errorf("patient name %s", names)
		}
		if code, b := get("/fhir/Appointment?patient=Patient/"+entry["id"].(string), token); code != http.StatusOK || b["total"] != float64(1) {
			t.Errorf("appointment search: %d %v", code, b["total"])
		}
		if code, b := get("/fhir/Slot?service-type=facet_joint_infiltration&_count=3", token); code != http.StatusOK || len(b["entry"].([]any)) != 3 {
			t.Errorf("free slots: %d", code)
		}
		h.consentID()
		h.reportID()
		if code, b := get("/fhir/DiagnosticReport?patient=Patient/"+entry["id"].(string), token); code != http.StatusOK || b["total"] != float64(1) {
			t.Errorf("report search: %d %v", code, b["total"])
		}
		if code, b := get("/fhir/Consent?patient=Patient/"+entry["id"].(string), token); code != http.StatusOK || b["total"] != float64(1) {
			t.Errorf("consent search: %d %v", code, b["total"])
		}
		if n := h.auditCount(audit.Filter{Actor: "fhir:" + itoa(id)}); n == 0 {
			t.Error("the API reads are not in the audit log under the client")
		}
		h.store.RevokeAPIClient(system, id)
		if code, _ := get("/fhir/Patient?name=lef", token); code != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", code)
		}
	})
}
