package fhir

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"repere/internal/referral"
)

const newPatient = `{"resourceType":"Patient",
 "identifier":[{"system":"urn:oid:1.2.250.1.213.1.4.8","value":"%INS%"}],
 "name":[{"use":"official","family":"Bénard","given":["Léa","Maëlle"]},{"use":"usual","family":"Gauthier-Bénard"}],
 "gender":"female","birthDate":"1985-03-12",
 "telecom":[{"system":"phone","value":"06 98 76 54 32"},{"system":"email","value":"lea.benard@example.fr"}],
 "address":[{"line":["3 place de la Comédie"],"postalCode":"34000","city":"Montpellier"}]}`

func patientJSON(ins string) string { return strings.ReplaceAll(newPatient, "%INS%", ins) }

// edit changes one top-level element of a JSON object (nil removes it).
func edit(t *testing.T, body, key string, value any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if value == nil {
		delete(m, key)
	} else {
		m[key] = value
	}
	out, _ := json.Marshal(m)
	return string(out)
}

func TestCreatePatient(t *testing.T) {
	valid := patientJSON(insOf("2850334172001"))
	existingINS := patientJSON(insOf("2580975123456"))
	twin := `{"resourceType":"Patient","name":[{"family":"LEFEVRE","given":["françoise","hélène"]}],"gender":"female","birthDate":"1958-09-30"}`
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		expression  string
	}{
		{"valid", valid, "", 201, ""},
		{"json content type", edit(t, valid, "identifier", nil), "application/json; charset=utf-8", 201, ""},
		{"xml", valid, "application/fhir+xml", 415, ""},
		{"not json", `{"resourceType":"Patient",`, "", 400, "Patient"},
		{"array", `[1,2]`, "", 400, "Patient"},
		{"wrong resourceType", edit(t, valid, "resourceType", "Practitioner"), "", 400, "Patient.resourceType"},
		{"numeric resourceType", edit(t, valid, "resourceType", 7), "", 400, "Patient.resourceType"},
		{"name as a string", edit(t, valid, "name", "Léa Bénard"), "", 400, "Patient.name"},
		{"given as a string", edit(t, valid, "name", []any{map[string]any{"family": "Bénard", "given": "Léa"}}), "", 400, "Patient.name.given"},
		{"no name", edit(t, valid, "name", nil), "", 400, "Patient.name"},
		{"unknown gender", edit(t, valid, "gender", "F"), "", 400, "Patient.gender"},
		{"modifier extension", edit(t, valid, "modifierExtension", []any{map[string]any{"url": "x"}}), "", 400, "Patient.modifierExtension"},
		{"no gender", edit(t, valid, "gender", nil), "", 422, "Patient.gender"},
		{"future birth", edit(t, valid, "birthDate", "2027-01-01"), "", 422, "Patient.birthDate"},
		{"partial birth date", edit(t, valid, "birthDate", "1985"), "", 422, "Patient.birthDate"},
		{"bad INS key", patientJSON("285033417200199"), "", 422, "Patient.identifier"},
		{"no given names", edit(t, valid, "name", []any{map[string]any{"family": "Bénard"}}), "", 422, "Patient.name.given"},
		{"same INS", existingINS, "", 409, "Patient.identifier"},
		{"same identity traits", twin, "", 409, "Patient.name"},
		{"too large", `{"resourceType":"Patient","name":[{"family":"` + strings.Repeat("é", MaxBody) + `"}]}`, "", 413, ""},
	}
	for _, tt := range tests {
		store, do := newTestHandler(t)
		var headers []string
		if tt.contentType != "" {
			headers = []string{"Content-Type", tt.contentType}
		}
		before := len(store.patients)
		r := do("POST", "/fhir/Patient", tokenAll, tt.body, headers...)
		if r.status != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.name, r.status, tt.status, r.body)
			continue
		}
		if tt.status == 201 {
			var p Patient
			r.decode(t, &p)
			if r.header.Get("Location") != "https://repere.example.fr/fhir/Patient/"+p.ID+"/_history/1" || len(store.patients) != before+1 {
				t.Errorf("%s: Location %q for %s", tt.name, r.header.Get("Location"), p.ID)
			}
			continue
		}
		if len(store.patients) != before {
			t.Errorf("%s: a patient was created", tt.name)
		}
		var oo OperationOutcome
		r.decode(t, &oo)
		if tt.expression != "" && (len(oo.Issue) == 0 || len(oo.Issue[0].Expression) == 0 || oo.Issue[0].Expression[0] != tt.expression) {
			t.Errorf("%s: issue %s, want expression %s", tt.name, r.body, tt.expression)
		}
	}
}

func TestCreatedPatientIsRecordedAsSent(t *testing.T) {
	store, do := newTestHandler(t)
	if r := do("POST", "/fhir/Patient", tokenAll, patientJSON(insOf("2850334172001"))); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	p := store.patients[len(store.patients)-1]
	if p.BirthName != "Bénard" || p.UsedName != "Gauthier-Bénard" || p.FirstNames != "Léa Maëlle" || p.Sex != "F" ||
		p.Phone != "06 98 76 54 32" || p.Address != "3 place de la Comédie, 34000 Montpellier" || p.INS != insOf("2850334172001") {
		t.Errorf("recorded %+v", p)
	}
}

const newReferral = `{"resourceType":"ServiceRequest","status":"active","intent":"order","priority":"urgent",
 "code":{"coding":[{"system":"urn:repere:act","code":"lumbar_epidural_infiltration"}]},
 "subject":{"reference":"Patient/2"},"authoredOn":"2026-11-18T16:20:00+01:00",
 "requester":{"identifier":{"system":"urn:oid:1.2.250.1.71.4.2.1","value":"10009999999"}},
 "reasonCode":[{"text":"Lombosciatique droite L5 hyperalgique"}],
 "bodySite":[{"text":"L4-L5"},{"coding":[{"system":"urn:repere:side","code":"right"}]}],
 "note":[{"text":"IRM du 10/11/2026 : hernie L4-L5 droite"}]}`

func TestCreateServiceRequest(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		token      string
		status     int
		expression string
	}{
		{"valid by RPPS", newReferral, tokenReferral, 201, ""},
		{"valid by id", edit(t, newReferral, "requester", map[string]any{"reference": "Practitioner/ref-4"}), tokenAll, 201, ""},
		{"no requester", edit(t, newReferral, "requester", nil), tokenAll, 201, ""},
		{"read-only client", newReferral, tokenReadOnly, 403, ""},
		{"no subject", edit(t, newReferral, "subject", nil), tokenAll, 400, "ServiceRequest.subject"},
		{"subject elsewhere", edit(t, newReferral, "subject", map[string]any{"reference": "http://autre.fr/Patient/2"}), tokenAll, 422, "ServiceRequest.subject"},
		{"no status", edit(t, newReferral, "status", nil), tokenAll, 400, "ServiceRequest.status"},
		{"no intent", edit(t, newReferral, "intent", nil), tokenAll, 400, "ServiceRequest.intent"},
		{"bad priority", edit(t, newReferral, "priority", "urgente"), tokenAll, 400, "ServiceRequest.priority"},
		{"bad authoredOn", edit(t, newReferral, "authoredOn", "18/11/2026"), tokenAll, 400, "ServiceRequest.authoredOn"},
		{"radiologist as requester", edit(t, newReferral, "requester", map[string]any{"reference": "Practitioner/rad-7"}), tokenAll, 400, "ServiceRequest.requester"},
		{"draft", edit(t, newReferral, "status", "draft"), tokenAll, 422, "ServiceRequest.status"},
		{"proposal", edit(t, newReferral, "intent", "proposal"), tokenAll, 422, "ServiceRequest.intent"},
		{"unknown patient", edit(t, newReferral, "subject", map[string]any{"reference": "Patient/404"}), tokenAll, 422, "ServiceRequest.subject"},
		{"unknown act", edit(t, newReferral, "code", map[string]any{"coding": []any{map[string]any{"system": SystemAct, "code": "ponction"}}}), tokenAll, 422, "ServiceRequest.code"},
		{"no act", edit(t, newReferral, "code", map[string]any{"text": "infiltration"}), tokenAll, 422, "ServiceRequest.code"},
		{"unknown RPPS", edit(t, newReferral, "requester", map[string]any{"identifier": map[string]any{"system": SystemRPPS, "value": "1"}}), tokenAll, 422, "ServiceRequest.requester.identifier"},
		{"unknown physician", edit(t, newReferral, "requester", map[string]any{"reference": "Practitioner/ref-99"}), tokenAll, 422, "ServiceRequest.requester"},
		{"other identifier", edit(t, newReferral, "requester", map[string]any{"identifier": map[string]any{"system": "urn:adeli", "value": "1"}}), tokenAll, 422, "ServiceRequest.requester"},
		{"future prescription", edit(t, newReferral, "authoredOn", "2026-12-25"), tokenAll, 422, "ServiceRequest.authoredOn"},
		{"bad side", edit(t, newReferral, "bodySite", []any{map[string]any{"coding": []any{map[string]any{"system": SystemSide, "code": "gauche"}}}}), tokenAll, 422, "ServiceRequest.bodySite"},
	}
	for _, tt := range tests {
		store, do := newTestHandler(t)
		r := do("POST", "/fhir/ServiceRequest", tt.token, tt.body)
		if r.status != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.name, r.status, tt.status, r.body)
			continue
		}
		var oo OperationOutcome
		r.decode(t, &oo)
		if tt.expression != "" && (len(oo.Issue) == 0 || len(oo.Issue[0].Expression) == 0 || oo.Issue[0].Expression[0] != tt.expression) {
			t.Errorf("%s: issues %s, want expression %s first", tt.name, r.body, tt.expression)
		}
		if tt.name == "valid by RPPS" {
			got := store.referrals[len(store.referrals)-1]
			if got.PatientID != 2 || got.PhysicianID != 5 || got.Status != referral.Received || got.Urgency != referral.Soon ||
				got.Side != "right" || got.Levels != "L4-L5" || got.PrescriptionDate != "2026-11-18" || !strings.Contains(got.PriorImaging, "hernie") {
				t.Errorf("recorded %+v", got)
			}
			if loc := r.header.Get("Location"); loc != "https://repere.example.fr/fhir/ServiceRequest/103/_history/1" {
				t.Errorf("Location %s", loc)
			}
		}
	}
}

// FuzzCreate sends arbitrary bodies to both creates: never a panic, never
// an answer other than 201, 400 or 422 (or 409, should the fuzzer rebuild
// the identity of one of the store's patients).
func FuzzCreate(f *testing.F) {
	f.Add("Patient", patientJSON(insOf("2850334172001")))
	f.Add("Patient", `{"resourceType":"Patient","name":[{"family":"Ñ","given":[""]}],"gender":"unknown","birthDate":"1900-01-01"}`)
	f.Add("ServiceRequest", newReferral)
	f.Add("ServiceRequest", `{"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"Patient/9223372036854775807"}}`)
	f.Add("Patient", `{"resourceType":"Patient","name":null,"identifier":[{}],"telecom":[null]}`)
	f.Add("ServiceRequest", `{"resourceType":"ServiceRequest","requester":{"reference":"Practitioner/ref--1"},"bodySite":[{}],"code":{}}`)
	f.Fuzz(func(t *testing.T, typ, body string) {
		if typ != "Patient" {
			typ = "ServiceRequest"
		}
		store := newFakeStore()
		h := NewHandler(store, testTokens, Options{Catalog: testCatalog, Location: paris, Now: func() time.Time { return now }})
		req := httptest.NewRequest("POST", "/fhir/"+typ, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokenAll)
		req.Header.Set("Content-Type", "application/fhir+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusConflict:
		default:
			t.Fatalf("%s %q: status %d %s", typ, body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("response is not JSON: %s", rec.Body)
		}
	})
}
