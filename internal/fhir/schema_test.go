package fhir

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official R4 schema (testdata/README.md), compiled once per resource type.
var (
	schemaOnce     sync.Once
	schemaCompiler *jsonschema.Compiler
	schemaErr      error
	schemaMu       sync.Mutex
	schemas        = map[string]*jsonschema.Schema{}
)

const schemaURL = "http://hl7.org/fhir/json-schema/4.0/fhir.schema.json"

func loadSchema() {
	f, err := os.Open("testdata/fhir.schema.json.gz")
	if err != nil {
		schemaErr = err
		return
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		schemaErr = err
		return
	}
	doc, err := jsonschema.UnmarshalJSON(zr)
	if err != nil {
		schemaErr = err
		return
	}
	schemaCompiler = jsonschema.NewCompiler()
	schemaErr = schemaCompiler.AddResource(schemaURL, doc)
}

// schemaFor compiles the definition of one resource type.
func schemaFor(t testing.TB, resourceType string) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(loadSchema)
	if schemaErr != nil {
		t.Fatalf("R4 schema: %v", schemaErr)
	}
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if s, ok := schemas[resourceType]; ok {
		return s
	}
	s, err := schemaCompiler.Compile(schemaURL + "#/definitions/" + resourceType)
	if err != nil {
		t.Fatalf("compiling the R4 schema of %s: %v", resourceType, err)
	}
	schemas[resourceType] = s
	return s
}

// validateR4 checks a JSON resource against the official R4 schema of its type.
func validateR4(t testing.TB, body []byte) {
	t.Helper()
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.ResourceType == "" {
		t.Fatalf("not a FHIR resource (%v): %s", err, body)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := schemaFor(t, head.ResourceType).Validate(inst); err != nil {
		t.Errorf("%s does not match the R4 schema: %v\n%s", head.ResourceType, err, body)
	}
}

// validateValue marshals a mapped resource and validates it.
func validateValue(t testing.TB, v any) []byte {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	validateR4(t, body)
	return body
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// decode reads the response body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response body: %v\n%s", err, r.body)
	}
}

// serve sends one request; every response body is checked against the R4
// schema, so each test also proves that what the API emits is valid FHIR.
func serve(t testing.TB, h http.Handler, method, target, token, body string, headers ...string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if ct := res.header.Get("Content-Type"); ct != ContentType {
		t.Errorf("%s %s: Content-Type %q", method, target, ct)
	}
	if method != http.MethodHead {
		validateR4(t, res.body)
	}
	return res
}
