// Package fhir is Repère's FHIR R4 REST API, for other systems: read and
// search of Patient, Practitioner, ServiceRequest (referrals), Appointment,
// Schedule (one per CT room), Slot (free slots), Consent, Procedure,
// DiagnosticReport, QuestionnaireResponse (safety screening) and Binary
// (signed report PDFs, consent documents); create of Patient and
// ServiceRequest, conditional (If-None-Exist) or not, one at a time or in a
// transaction Bundle; the CapabilityStatement at /fhir/metadata. JSON only.
//
// The resources are hand-written structs holding only the elements Repère
// emits or accepts, with mapping functions from and to the domain types.
// Every resource the API emits is checked in the tests against HL7's R4 JSON
// schema (testdata/README.md), and, in internal/web's
// TestFHIRWithIndependentClients, by other people's client (fhir-kit-client)
// and validator (FHIR.js) on both database engines (testdata/node).
//
// Choices:
//   - Authentication: a bearer token per client system (Authenticator),
//     either fixed (issued by the administrator) or, with SMART Backend
//     Services, an access token the token endpoint issues for five minutes
//     to a client that signs a JWT (RS384 or ES384) with a key the
//     administrator registered; /fhir/.well-known/smart-configuration says
//     so without a token. SMART system scopes per resource type, read (read,
//     search, history) and write (create). 401 with WWW-Authenticate: Bearer
//     without a valid token, 403 without the scope. The metadata needs no
//     token, as the spec wants.
//   - Audit: the client is put in the request context (ClientFrom) together
//     with an audit.Actor "fhir:<client id>", so the store audits API calls
//     as it audits the UI.
//   - Searches are strict: an unknown parameter, modifier, _sort key or
//     _include is a 400, unless the request says Prefer: handling=lenient
//     for parameters; then it is ignored and named in an OperationOutcome
//     entry of the Bundle (search mode "outcome"). A comma-separated value
//     finds any of its values.
//   - Creating a patient already recorded (same INS, or same birth name,
//     first names and birth date) is a 409 Conflict naming the existing
//     Patient: an identity is never silently duplicated. With If-None-Exist
//     finding it, the answer is 200 with the existing one (as HAPI does);
//     several matches are a 412.
//   - The identifiers a sender gives (its record or order number) are kept
//     and searchable; another record holding one is a 409.
//   - Writes go through Source.Receive, the application's intake use case:
//     the same checks as the pages, one transaction, audited.
//   - A received resource breaking FHIR's rules (JSON, types, required
//     elements, codes, an element this server does not keep) is a 400;
//     breaking the practice's (INS key, unknown patient, act or physician,
//     future dates, lengths) a 422. Issues carry the FHIRPath of the element
//     at fault in expression.
//   - Versions: meta.versionId counts a record's recorded changes; ETag is
//     W/"<versionId>". Patient, ServiceRequest, Appointment, Consent and
//     DiagnosticReport keep their history (vread, _history); an
//     Appointment's versions come from the state each of its events keeps
//     (events recorded before states were kept have none: not given back).
//   - Identifiers follow FR Core: INS-NIR, IdNatPs ("8" + RPPS) and RPPS.
package fhir
