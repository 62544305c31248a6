package fhir

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ids returns the ids of a searchset's matches, and its total.
func bundleIDs(t *testing.T, r *response) ([]string, int) {
	t.Helper()
	var b struct {
		Total int
		Entry []struct {
			Resource struct{ ID string }
			Search   struct{ Mode string }
		}
	}
	r.decode(t, &b)
	ids := []string{}
	for _, e := range b.Entry {
		if e.Search.Mode == "match" {
			ids = append(ids, e.Resource.ID)
		}
	}
	return ids, b.Total
}

func TestRead(t *testing.T) {
	_, do := newTestHandler(t)
	tests := []struct {
		path   string
		status int
	}{
		{"/fhir/Patient/1", 200}, {"/fhir/Patient/404", 404}, {"/fhir/Patient/abc", 404},
		{"/fhir/Practitioner/rad-7", 200}, {"/fhir/Practitioner/ref-4", 200}, {"/fhir/Practitioner/4", 404},
		{"/fhir/ServiceRequest/10", 200}, {"/fhir/ServiceRequest/9", 404},
		{"/fhir/Appointment/20", 200}, {"/fhir/Appointment/21", 200}, {"/fhir/Appointment/1", 404},
		{"/fhir/Schedule/1", 200}, {"/fhir/Schedule/2", 404}, // room 2 is a recovery chair
		{"/fhir/QuestionnaireResponse/10", 200}, {"/fhir/QuestionnaireResponse/12", 404},
	}
	for _, tt := range tests {
		r := do("GET", tt.path, tokenAll, "")
		if r.status != tt.status {
			t.Errorf("GET %s = %d, want %d: %s", tt.path, r.status, tt.status, r.body)
		}
		if r.status == 200 {
			var res struct{ ResourceType, ID string }
			r.decode(t, &res)
			if want := strings.Split(tt.path, "/"); res.ResourceType != want[2] || res.ID != want[3] {
				t.Errorf("GET %s returned %s/%s", tt.path, res.ResourceType, res.ID)
			}
		}
	}
	var p Patient
	do("GET", "/fhir/Patient/1", tokenAll, "").decode(t, &p)
	if p.Name[0].Family != "Lefèvre" || p.Name[1].Family != "Durand" || p.Identifier[1].System != SystemINS {
		t.Errorf("patient 1: %+v", p)
	}
	var pr Practitioner
	do("GET", "/fhir/Practitioner/ref-4", tokenAll, "").decode(t, &pr)
	if !slices.ContainsFunc(pr.Identifier, func(id Identifier) bool { return id.System == SystemRPPS && id.Value == "10003456789" }) ||
		!slices.ContainsFunc(pr.Identifier, func(id Identifier) bool { return id.System == SystemIdNatPs && id.Value == "810003456789" }) {
		t.Errorf("no RPPS: %+v", pr.Identifier)
	}
}

func TestSearchParameters(t *testing.T) {
	_, do := newTestHandler(t)
	tests := []struct {
		query  string
		want   []string
		status int
	}{
		{"Patient", []string{"1", "2", "3"}, 200},
		{"Patient?_id=2", []string{"2"}, 200},
		{"Patient?_id=x", []string{}, 200},
		{"Patient?identifier=" + SystemINS + "|" + insOf("2580975123456"), []string{"1"}, 200},
		{"Patient?identifier=" + insOf("2580975123456"), []string{"1"}, 200},
		{"Patient?identifier=" + SystemPatient + "|3", []string{"3"}, 200},
		{"Patient?identifier=urn:other|3", []string{}, 200},
		{"Patient?name=lefevre", []string{"1"}, 200},
		{"Patient?name=DURAND", []string{"1"}, 200},
		{"Patient?name=Fran%C3%A7oise", []string{"1"}, 200},
		{"Patient?family=durand&given=helene", []string{"1"}, 200},
		{"Patient?family=oeillet", []string{"3"}, 200},
		{"Patient?given=lefevre", []string{}, 200},
		{"Patient?name=n%27guessan", []string{"2"}, 200},
		{"Patient?birthdate=1958-09-30", []string{"1"}, 200},
		{"Patient?birthdate=1971", []string{"2"}, 200},
		{"Patient?birthdate=ge1970&birthdate=lt1990-06-01", []string{"2"}, 200},
		{"Patient?birthdate=gt1971-02-14", []string{"3"}, 200},
		{"Patient?birthdate=le1971-02", []string{"1", "2"}, 200},
		{"Patient?birthdate=ge1990&birthdate=lt1990", []string{}, 200},
		{"Patient?birthdate=sa1971", nil, 400},
		{"Patient?birthdate=30/09/1958", nil, 400},
		{"Patient?name=a&name=b", nil, 400},
		{"Patient?_count=2", []string{"1", "2"}, 200},
		{"Patient?_count=2&_offset=2", []string{"3"}, 200},
		{"Patient?_count=0", nil, 400},
		{"Patient?name:exact=Durand", nil, 400},
		{"Patient?telecom=0612345678", nil, 400},
		{"Practitioner", []string{"rad-7", "ref-4", "ref-5"}, 200},
		{"Practitioner?identifier=" + SystemRPPS + "|10009999999", []string{"ref-5"}, 200},
		{"Practitioner?identifier=10003456789", []string{"ref-4"}, 200},
		{"Practitioner?name=herve", []string{"ref-4"}, 200},
		{"Practitioner?_id=rad-7", []string{"rad-7"}, 200},
		{"ServiceRequest?patient=Patient/1", []string{"10", "12"}, 200},
		{"ServiceRequest?subject=1", []string{"10", "12"}, 200},
		{"ServiceRequest?patient=https://repere.example.fr/fhir/Patient/2", []string{"11"}, 200},
		{"ServiceRequest?patient=Patient/1&subject=Patient/2", []string{}, 200},
		{"ServiceRequest?patient=Patient/x", nil, 400},
		{"ServiceRequest?status=active", []string{"10", "11"}, 200},
		{"ServiceRequest?status=revoked,completed", []string{"12"}, 200},
		{"ServiceRequest?status=on-hold", []string{}, 200},
		{"ServiceRequest?status=pending", nil, 400},
		{"ServiceRequest?authored=ge2026-11", []string{"10", "11"}, 200},
		{"ServiceRequest?identifier=" + SystemReferral + "|11", []string{"11"}, 200},
		{"ServiceRequest?_id=12&status=active", []string{}, 200},
		{"Appointment?patient=Patient/1", []string{"20", "21"}, 200},
		{"Appointment?date=2026-12-01", []string{"20"}, 200},
		{"Appointment?date=ge2026-12-01T09:30:00%2B01:00", []string{"20"}, 200},
		{"Appointment?date=gt2026-12-01T09:30:00%2B01:00", []string{}, 200},
		{"Appointment?date=lt2026-07", []string{"21"}, 200},
		{"Appointment?status=booked", []string{"20"}, 200},
		{"Appointment?status=cancelled,noshow", []string{"21"}, 200},
		{"Appointment?status=arrived", []string{}, 200},
		{"Appointment?identifier=RP2026120001", []string{"20"}, 200},
		{"Appointment?identifier=" + SystemAppt + "|21", []string{"21"}, 200},
		{"Appointment?based-on=ServiceRequest/12", []string{"21"}, 200},
		{"Appointment?actor=Practitioner/rad-7", nil, 400},
		{"Schedule", []string{"1", "3"}, 200},
		{"Schedule?active=true", []string{"1"}, 200},
		{"Schedule?active=oui", nil, 400},
		{"QuestionnaireResponse?patient=Patient/1", []string{"10"}, 200},
		{"QuestionnaireResponse?based-on=ServiceRequest/11", []string{"11"}, 200},
		{"QuestionnaireResponse?_id=11&status=completed", []string{}, 200},
		{"QuestionnaireResponse?_id=10&patient=Patient/2", []string{}, 200},
		{"QuestionnaireResponse?status=completed", nil, 400},
		{"Slot?service-type=epidural_blood_patch&_count=3", []string{"epidural-blood-patch.1.20261123T1400", "epidural-blood-patch.1.20261124T0830", "epidural-blood-patch.1.20261124T1400"}, 200},
		{"Slot?service-type=" + SystemAct + "|epidural_blood_patch&start=ge2026-12-07&start=lt2026-12-08", []string{"epidural-blood-patch.1.20261207T0830", "epidural-blood-patch.1.20261207T1400"}, 200},
		{"Slot?service-type=unknown_act", []string{}, 200},
		{"Slot?service-type=epidural_blood_patch&status=busy", []string{}, 200},
		{"Slot?start=ge2026-12-07", nil, 400},
	}
	for _, tt := range tests {
		r := do("GET", "/fhir/"+tt.query, tokenAll, "")
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.query, r.status, tt.status, r.body)
			continue
		}
		if tt.status != 200 {
			continue
		}
		got, _ := bundleIDs(t, r)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestBundleTotalAndLinks(t *testing.T) {
	_, do := newTestHandler(t)
	var b Bundle
	do("GET", "/fhir/Patient?birthdate=le2000&_count=2", tokenAll, "").decode(t, &b)
	want := []BundleLink{
		{"self", "https://repere.example.fr/fhir/Patient?_count=2&birthdate=le2000"},
		{"next", "https://repere.example.fr/fhir/Patient?_count=2&_offset=2&birthdate=le2000"},
	}
	if b.Type != "searchset" || totalOf(b) != 3 || len(b.Entry) != 2 {
		t.Errorf("bundle: type %s total %d entries %d", b.Type, b.Total, len(b.Entry))
	}
	if diff := cmp.Diff(want, b.Link); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if b.Entry[0].FullURL != "https://repere.example.fr/fhir/Patient/1" {
		t.Errorf("fullUrl %s", b.Entry[0].FullURL)
	}
	var empty Bundle
	do("GET", "/fhir/Patient?name=personne", tokenAll, "").decode(t, &empty)
	if totalOf(empty) != 0 || len(empty.Entry) != 0 || len(empty.Link) != 1 {
		t.Errorf("empty bundle: %+v", empty)
	}
}

func TestLenientHandling(t *testing.T) {
	_, do := newTestHandler(t)
	r := do("GET", "/fhir/Patient?name=durand&_text=x&telecom=x", tokenAll, "", "Prefer", "handling=lenient")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var b Bundle
	r.decode(t, &b)
	last := b.Entry[len(b.Entry)-1]
	if totalOf(b) != 1 || len(b.Entry) != 2 || last.Search.Mode != "outcome" || !strings.Contains(string(r.body), "_text, telecom") {
		t.Errorf("lenient bundle: %s", r.body)
	}
	if strict := do("GET", "/fhir/Patient?name=durand&_text=name", tokenAll, ""); strict.status != 400 {
		t.Errorf("strict: %d", strict.status)
	}
}

func TestAuth(t *testing.T) {
	store, do := newTestHandler(t)
	patientBody := `{"resourceType":"Patient","name":[{"use":"official","family":"Bénard","given":["Léa"]}],"gender":"female","birthDate":"1985-03-12"}`
	tests := []struct {
		name, method, path, token, auth string
		status                          int
		challenge                       string
	}{
		{"metadata needs no token", "GET", "/fhir/metadata", "", "", 200, ""},
		{"no token", "GET", "/fhir/Patient/1", "", "", 401, `Bearer realm="fhir"`},
		{"basic auth", "GET", "/fhir/Patient/1", "", "Basic dXNlcjpwYXNz", 401, `Bearer realm="fhir"`},
		{"unknown token", "GET", "/fhir/Patient/1", "nope", "", 401, `Bearer realm="fhir", error="invalid_token"`},
		{"read scope reads", "GET", "/fhir/Appointment?patient=1", tokenReadOnly, "", 200, ""},
		{"read scope cannot create", "POST", "/fhir/Patient", tokenReadOnly, "", 403, `Bearer realm="fhir", error="insufficient_scope", scope="system/Patient.write"`},
		{"v2 scope reads its type", "GET", "/fhir/Patient?name=durand", tokenPatient, "", 200, ""},
		{"v2 scope limited to its type", "GET", "/fhir/ServiceRequest/10", tokenPatient, "", 403, `Bearer realm="fhir", error="insufficient_scope", scope="system/ServiceRequest.read"`},
		{"write scope without read", "GET", "/fhir/ServiceRequest/10", tokenReferral, "", 403, `Bearer realm="fhir", error="insufficient_scope", scope="system/ServiceRequest.read"`},
		{"write scope creates", "POST", "/fhir/Patient", tokenAll, "", 201, ""},
		{"unknown type after auth", "GET", "/fhir/Procedure/1", "", "", 401, `Bearer realm="fhir"`},
	}
	for _, tt := range tests {
		body := ""
		if tt.method == "POST" {
			body = patientBody
		}
		var headers []string
		if tt.auth != "" {
			headers = []string{"Authorization", tt.auth}
		}
		r := do(tt.method, tt.path, tt.token, body, headers...)
		if r.status != tt.status || r.header.Get("WWW-Authenticate") != tt.challenge {
			t.Errorf("%s: %d %q, want %d %q: %s", tt.name, r.status, r.header.Get("WWW-Authenticate"), tt.status, tt.challenge, r.body)
		}
	}
	if want := "fhir:entrepot/entrepot"; !slices.Contains(store.actors, want) {
		t.Errorf("store calls were made as %v, want %s among them", store.actors, want)
	}
}

func TestCapabilityStatementListsWhatIsServed(t *testing.T) {
	_, do := newTestHandler(t)
	var cs CapabilityStatement
	do("GET", "/fhir/metadata", "", "").decode(t, &cs)
	if cs.FhirVersion != "4.0.1" || cs.Kind != "instance" || len(cs.Rest) != 1 {
		t.Fatalf("capability statement: %+v", cs)
	}
	var types []string
	probe := map[string]string{"Patient": "1", "Practitioner": "rad-7", "ServiceRequest": "10", "Appointment": "20",
		"Schedule": "1", "QuestionnaireResponse": "10", "Slot": "epidural-blood-patch.1.20261124T0830", "Consent": "30", "Procedure": "20", "DiagnosticReport": "41",
		"Binary": "report-41"}
	for _, res := range cs.Rest[0].Resource {
		types = append(types, res.Type)
		has := func(code string) bool {
			return slices.Contains(res.Interaction, CapabilityInteraction{code})
		}
		read := do("GET", "/fhir/"+res.Type+"/"+probe[res.Type], tokenAll, "", "Accept", "application/fhir+json")
		if has("read") != (read.status == 200) {
			t.Errorf("%s: read listed %v, read answered %d", res.Type, has("read"), read.status)
		}
		need := map[string]string{"Slot": "service-type=epidural_blood_patch", "QuestionnaireResponse": "patient=Patient/1", "Consent": "patient=Patient/1", "Procedure": "patient=Patient/1", "DiagnosticReport": "patient=Patient/1"}[res.Type]
		if search := do("GET", "/fhir/"+res.Type+"?"+need, tokenAll, ""); has("search-type") != (search.status == 200) {
			t.Errorf("%s: search listed %v, answered %d: %s", res.Type, has("search-type"), search.status, search.body)
		}
		create := do("POST", "/fhir/"+res.Type, tokenAll, `{"resourceType":"`+res.Type+`"}`)
		if has("create") != (create.status != 405) {
			t.Errorf("%s: create listed %v, answered %d", res.Type, has("create"), create.status)
		}
		for _, sp := range res.SearchParam {
			r := do("GET", "/fhir/"+res.Type+"?"+sp.Name+"=zz-unknown&"+need, tokenAll, "")
			if strings.Contains(string(r.body), "unknown search parameter") {
				t.Errorf("%s: listed parameter %s refused as unknown", res.Type, sp.Name)
			}
		}
		history := do("GET", "/fhir/"+res.Type+"/"+probe[res.Type]+"/_history", tokenAll, "")
		if has("history-instance") != (history.status == 200) {
			t.Errorf("%s: history listed %v, answered %d", res.Type, has("history-instance"), history.status)
		}
	}
	want := []string{"Appointment", "Binary", "Consent", "DiagnosticReport", "Patient", "Practitioner", "Procedure", "QuestionnaireResponse", "Schedule", "ServiceRequest", "Slot"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("resource types (-want +got):\n%s", diff)
	}
	for _, typ := range []string{"Location", "Observation"} {
		if r := do("GET", "/fhir/"+typ, tokenAll, ""); r.status != 404 {
			t.Errorf("%s not listed but answered %d", typ, r.status)
		}
	}
	for _, path := range []string{"/fhir/", "/fhir/metadata/x"} {
		if r := do("GET", path, tokenAll, ""); r.status != 404 {
			t.Errorf("%s answered %d", path, r.status)
		}
	}
}

func TestFormats(t *testing.T) {
	_, do := newTestHandler(t)
	tests := []struct {
		target string
		accept string
		status int
	}{
		{"/fhir/Patient/1", "", 200},
		{"/fhir/Patient/1", "application/fhir+json", 200},
		{"/fhir/Patient/1", "application/json;q=0.9, text/html", 200},
		{"/fhir/Patient/1", "*/*", 200},
		{"/fhir/Patient/1", "application/fhir+xml", 406},
		{"/fhir/Patient/1?_format=json", "application/fhir+xml", 200},
		{"/fhir/Patient/1?_format=application/fhir+json", "", 200}, // "+" read as a space
		{"/fhir/Patient/1?_format=xml", "", 406},
		{"/fhir/metadata?_format=xml", "", 406},
		{"/fhir/Patient?_format=json&name=durand&_pretty=true", "", 200},
	}
	for _, tt := range tests {
		var h []string
		if tt.accept != "" {
			h = []string{"Accept", tt.accept}
		}
		if r := do("GET", tt.target, tokenAll, "", h...); r.status != tt.status {
			t.Errorf("%s Accept %q: %d, want %d", tt.target, tt.accept, r.status, tt.status)
		}
	}
}

func TestOperationOutcomeShape(t *testing.T) {
	store, do := newTestHandler(t)
	store.fail = errors.New("disk on fire")
	for _, tt := range []struct {
		method, path, token string
		status              int
		code                string
	}{
		{"GET", "/fhir/Patient/1", "", 401, "login"},
		{"GET", "/fhir/Patient/1", tokenPatient + "x", 401, "login"},
		{"GET", "/fhir/Appointment/20", tokenPatient, 403, "forbidden"},
		{"GET", "/fhir/Observation", tokenAll, 404, "not-supported"},
		{"DELETE", "/fhir/Patient/1", tokenAll, 405, "not-supported"},
		{"GET", "/fhir/Patient?foo=bar", tokenAll, 400, "not-supported"},
		{"GET", "/fhir/Patient/1", tokenAll, 500, "exception"},
	} {
		r := do(tt.method, tt.path, tt.token, "")
		var oo OperationOutcome
		r.decode(t, &oo)
		if r.status != tt.status || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 || oo.Issue[0].Code != tt.code || oo.Issue[0].Severity == "" {
			t.Errorf("%s %s: %d %s", tt.method, tt.path, r.status, r.body)
		}
		if strings.Contains(string(r.body), "disk on fire") {
			t.Errorf("internal error leaked: %s", r.body)
		}
	}
}

// TestConsentResource: a patient's consents, active and withdrawn, valid R4.
func TestConsentResource(t *testing.T) {
	_, do := newTestHandler(t)
	var b struct {
		Total int `json:"total"`
		Entry []struct {
			Resource Consent `json:"resource"`
		} `json:"entry"`
	}
	r := do("GET", "/fhir/Consent?patient=Patient/1", tokenAll, "")
	validateR4(t, r.body)
	r.decode(t, &b)
	if b.Total != 2 || b.Entry[0].Resource.Status != "active" || b.Entry[1].Resource.Status != "inactive" || b.Entry[1].Resource.Provision.Period.End == "" {
		t.Fatalf("consents: %+v", b)
	}
	r = do("GET", "/fhir/Consent?patient=Patient/1&status=active", tokenAll, "")
	r.decode(t, &b)
	if b.Total != 1 {
		t.Errorf("active consents: %d", b.Total)
	}
	read := do("GET", "/fhir/Consent/31", tokenAll, "")
	validateR4(t, read.body)
	if read.status != 200 || !strings.Contains(string(read.body), SystemConsentSHA256) {
		t.Errorf("read: %d %s", read.status, read.body)
	}
	if r := do("GET", "/fhir/Consent", tokenAll, ""); r.status != 400 {
		t.Errorf("search without patient: %d", r.status)
	}
}

// TestProcedureAndReport: an act performed and its signed reports, valid R4.
func TestProcedureAndReport(t *testing.T) {
	_, do := newTestHandler(t)
	proc := do("GET", "/fhir/Procedure/20", tokenAll, "")
	validateR4(t, proc.body)
	for _, want := range []string{`"status":"completed"`, `"ServiceRequest/10"`, "DLP 123.5", `"L4-L5 (left)"`, "urn:oid:1.2.250.1.999.1.20"} {
		if !strings.Contains(string(proc.body), want) {
			t.Errorf("procedure lacks %s: %s", want, proc.body)
		}
	}
	var b struct {
		Total int `json:"total"`
		Entry []struct {
			Resource DiagnosticReport `json:"resource"`
		} `json:"entry"`
	}
	r := do("GET", "/fhir/DiagnosticReport?patient=Patient/1", tokenAll, "")
	validateR4(t, r.body)
	r.decode(t, &b)
	if b.Total != 2 || b.Entry[0].Resource.Status != "final" || b.Entry[1].Resource.Status != "amended" ||
		b.Entry[0].Resource.Conclusion != "Infiltration épidurale L4-L5 réalisée sans complication." {
		t.Fatalf("reports: %+v", b)
	}
	validateR4(t, do("GET", "/fhir/Procedure?patient=Patient/1", tokenAll, "").body)
	if r := do("GET", "/fhir/DiagnosticReport", tokenAll, ""); r.status != 400 {
		t.Errorf("search without patient: %d", r.status)
	}
}

// totalOf is a Bundle's total (-1 when it has none).
func totalOf(b Bundle) int {
	if b.Total == nil {
		return -1
	}
	return *b.Total
}
