// Package fhir is Repère's FHIR R4 REST API, for other systems: read and
// search of Patient, Practitioner, ServiceRequest (referrals), Appointment,
// Schedule (one per CT room), Slot (free slots, search only) and
// QuestionnaireResponse (safety screening); create of Patient and
// ServiceRequest; the CapabilityStatement at /fhir/metadata. JSON only.
//
// The resources are hand-written structs holding only the elements Repère
// emits or accepts, with mapping functions from and to the domain types.
// Every resource the API emits is checked in the tests against HL7's R4 JSON
// schema (testdata/README.md).
//
// Choices:
//   - Authentication: a bearer token per client system (Authenticator); SMART
//     system scopes per resource type, read (read and search) and write
//     (create). 401 with WWW-Authenticate: Bearer without a valid token, 403
//     without the scope. The metadata needs no token, as the spec wants.
//   - Audit: the client is put in the request context (ClientFrom) together
//     with an audit.Actor "fhir:<client id>", so the store audits API calls
//     as it audits the UI.
//   - Searches are strict: an unknown parameter or modifier is a 400, unless
//     the request says Prefer: handling=lenient; then it is ignored and named
//     in an OperationOutcome entry of the Bundle (search mode "outcome").
//   - Creating a patient already recorded (same INS, or same birth name, first
//     names and birth date) is a 409 Conflict naming the existing Patient: an
//     identity is never silently duplicated; the client searches and uses it.
//   - A received resource breaking FHIR's rules (JSON, types, required
//     elements, codes) is a 400; breaking the practice's (INS key, unknown
//     patient, act or physician, future dates) a 422. Issues carry the
//     FHIRPath of the element at fault in expression.
//   - Procedure, Consent and DiagnosticReport are not served yet: their
//     domain records do not exist.
package fhir
