// Checks Repère's FHIR API with clients other people wrote: fhir-kit-client
// (a FHIR R4 client library) makes the requests and the "fhir" package
// (FHIR.js) validates every resource received. Node's own crypto signs the
// SMART Backend Services assertions. Run by internal/web's
// TestFHIRWithIndependentClients:
//
//   node interop.mjs keys DIR        writes DIR/jwks.json (public) and DIR/private.json
//   node interop.mjs run  CONFIG     runs every check, one line each: "ok NAME" or "not ok NAME: why"
import { Client, CapabilityTool } from 'fhir-kit-client';
import fhirjs from 'fhir';
import crypto from 'node:crypto';
import fs from 'node:fs';

const [mode, arg] = process.argv.slice(2);

if (mode === 'keys') {
  const keys = { rs: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }), es: crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }) };
  const jwk = (k, kid, alg) => ({ ...k.export({ format: 'jwk' }), kid, alg, use: 'sig' });
  fs.writeFileSync(`${arg}/jwks.json`, JSON.stringify({ keys: [jwk(keys.rs.publicKey, 'rs-1', 'RS384'), jwk(keys.es.publicKey, 'es-1', 'ES384')] }));
  fs.writeFileSync(`${arg}/private.json`, JSON.stringify({ rs: jwk(keys.rs.privateKey, 'rs-1', 'RS384'), es: jwk(keys.es.privateKey, 'es-1', 'ES384') }));
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
  fs.writeFileSync(`${arg}/other.json`, JSON.stringify(jwk(other.privateKey, 'es-1', 'ES384')));
  process.exit(0);
}

const cfg = JSON.parse(fs.readFileSync(arg, 'utf8'));
const validator = new fhirjs.Fhir();
const client = new Client({ baseUrl: cfg.base });
client.bearerToken = cfg.token;

// Every resource a check receives is validated by FHIR.js (unknown
// properties are errors).
function valid(res, where) {
  const r = validator.validate(res, { errorOnUnexpected: true });
  const errors = (r.messages || []).filter((m) => m.severity === 'error');
  if (errors.length) throw new Error(`${where}: FHIR.js finds ${JSON.stringify(errors.slice(0, 3))}`);
  return res;
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(got, want, msg) { assert(JSON.stringify(got) === JSON.stringify(want), `${msg}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); }
const status = (res) => Client.httpFor(res).response?.status;
const header = (res, name) => Client.httpFor(res).response?.headers.get(name);
async function refused(promise, want, msg) {
  try { await promise; } catch (e) {
    if (e.response?.data?.resourceType) valid(e.response.data, msg);
    eq(e.response?.status, want, msg);
    return e.response.data;
  }
  throw new Error(`${msg}: accepted, want ${want}`);
}
const ids = (bundle) => (bundle.entry || []).filter((e) => e.search?.mode === 'match').map((e) => e.resource.id);
const search = async (resourceType, searchParams) => valid(await client.search({ resourceType, searchParams }), `${resourceType} search`);
// raw does a request with fetch itself, for what the library does not model.
async function raw(path, init = {}) {
  const res = await fetch(path.startsWith('http') ? path : `${cfg.base}/${path}`, init);
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
const ins = (nir) => nir + String(97n - (BigInt(nir) % 97n)).padStart(2, '0');
let seq = 0;
const unique = () => `${process.pid}-${Date.now()}-${++seq}`;

function newPatient(extra = {}) {
  const n = 1000000 + Math.floor(Math.random() * 8999999);
  return { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: ins(`2${n}123456`.slice(0, 13)) }],
    name: [{ use: 'official', family: `Interop${unique().replace(/[^0-9]/g, '').slice(-6)}`, given: ['Zoé'] }], gender: 'female', birthDate: '1961-05-04', ...extra };
}
function newReferral(patientRef, extra = {}) {
  return { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: patientRef },
    code: { coding: [{ system: 'urn:repere:act', code: 'facet_joint_infiltration' }] }, authoredOn: cfg.today,
    requester: { identifier: { system: 'http://rpps.fr', value: cfg.rpps } }, reasonCode: [{ text: 'Lombalgie facettaire' }], ...extra };
}

const checks = [];
const check = (name, fn) => checks.push([name, fn]);

check('capability-statement', async () => {
  const cs = valid(await client.capabilityStatement(), 'metadata');
  const tool = new CapabilityTool(cs);
  assert(tool.resourceCan('ServiceRequest', 'create') && tool.resourceCan('Patient', 'create'), 'creates advertised');
  assert(tool.serverCan('transaction'), 'transaction advertised');
  assert(!tool.resourceCan('Patient', 'update') && !tool.resourceCan('Patient', 'delete'), 'no update or delete advertised');
  assert(tool.resourceSearch('Appointment', '_lastUpdated'), '_lastUpdated advertised');
  eq(tool.capabilityContents({ resourceType: 'ServiceRequest', capabilityType: 'conditionalCreate' }), true, 'conditional create on ServiceRequest');
  eq(tool.capabilityContents({ resourceType: 'Patient', capabilityType: 'versioning' }), 'versioned', 'Patient versioning');
});

// For every resource type, interaction and search parameter the
// CapabilityStatement advertises, a request succeeds; what it does not
// advertise is refused.
check('capability-matches-server', async () => {
  const cs = await client.capabilityStatement();
  const tool = new CapabilityTool(cs);
  const sample = { Patient: cfg.patientID, Practitioner: cfg.practitionerID, ServiceRequest: cfg.referralID, Appointment: cfg.appointmentID,
    Schedule: cfg.scheduleID, Consent: cfg.consentID, Procedure: cfg.procedureID, DiagnosticReport: cfg.reportID, QuestionnaireResponse: cfg.screeningID,
    Slot: null, Binary: cfg.binaryID };
  const tokens = { status: { ServiceRequest: 'active', Appointment: 'booked', Slot: 'free', Consent: 'active', QuestionnaireResponse: 'completed' },
    identifier: { Patient: `urn:repere:patient|${cfg.patientID}` }, active: 'true', 'service-type': 'facet_joint_infiltration', _id: '1' };
  for (const res of cs.rest[0].resource) {
    const t = res.type;
    for (const code of ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type']) {
      const advertised = tool.resourceCan(t, code);
      if (code === 'read' && sample[t]) {
        const r = await raw(`${t}/${sample[t]}`, { headers: { authorization: `Bearer ${cfg.token}`, accept: t === 'Binary' ? 'application/fhir+json' : 'application/fhir+json' } });
        eq(r.status === 200, advertised, `${t} read (${r.status})`);
      }
      if (code === 'history-instance' && sample[t]) {
        const r = await raw(`${t}/${sample[t]}/_history`, { headers: { authorization: `Bearer ${cfg.token}` } });
        eq(r.status === 200, advertised, `${t} history (${r.status})`);
      }
      if ((code === 'update' || code === 'delete') && sample[t]) {
        const r = await raw(`${t}/${sample[t]}`, { method: code === 'update' ? 'PUT' : 'DELETE', headers: { authorization: `Bearer ${cfg.token}`, 'content-type': 'application/fhir+json' }, body: code === 'update' ? '{}' : undefined });
        eq(r.status === 405, !advertised, `${t} ${code} refused (${r.status})`);
      }
    }
    for (const sp of res.searchParam || []) {
      const params = {};
      for (const req of res.searchParam.filter((p) => (p.documentation || '').startsWith('required'))) params[req.name] = sampleValue(req, t);
      params[sp.name] = sampleValue(sp, t);
      const r = await raw(`${t}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${cfg.token}` } });
      eq(r.status, 200, `${t}?${sp.name} (${r.bytes.toString().slice(0, 200)})`);
    }
    const r = await raw(`${t}?not-a-parameter=1`, { headers: { authorization: `Bearer ${cfg.token}` } });
    eq(r.status, tool.resourceCan(t, 'search-type') ? 400 : 405, `${t}?not-a-parameter refused`);
  }
  function sampleValue(sp, t) {
    switch (sp.type) {
      case 'reference': return sp.name === 'based-on' ? `ServiceRequest/${cfg.referralID}` : `Patient/${cfg.patientID}`;
      case 'date': return 'ge2000-01-01';
      case 'string': return 'a';
      default: {
        const v = tokens[sp.name];
        return typeof v === 'object' ? (v[t] || '1') : (v || '1');
      }
    }
  }
});

check('status-search', async () => {
  const refs = await search('ServiceRequest', { status: 'active' });
  assert(refs.total >= 1, 'active referrals found');
  await search('ServiceRequest', { status: 'revoked,completed' });
  const appts = await search('Appointment', { status: 'booked' });
  assert(appts.total >= 1, 'booked appointments found');
  await search('Appointment', { status: 'cancelled,noshow' });
});

check('comma-lists-are-or', async () => {
  const b = await search('Patient', { _id: `${cfg.patientID},${cfg.otherPatientID}` });
  eq(ids(b).sort(), [cfg.patientID, cfg.otherPatientID].sort(), '_id=a,b');
  const c = await search('ServiceRequest', { _id: `${cfg.referralID},999999` });
  eq(ids(c), [cfg.referralID], '_id=a,unknown');
});

check('conditional-create-referral', async () => {
  const ident = { system: 'urn:oid:1.2.250.1.999.1.2', value: `DPI-${unique()}` };
  const body = newReferral(`Patient/${cfg.patientID}`, { identifier: [ident] });
  const opts = { headers: { 'If-None-Exist': `identifier=${ident.system}|${ident.value}` } };
  const first = valid(await client.create({ resourceType: 'ServiceRequest', body, options: opts }), 'create');
  eq(status(first), 201, 'first create');
  assert(first.identifier.some((i) => i.system === ident.system && i.value === ident.value), "the sender's identifier is kept");
  const again = valid(await client.create({ resourceType: 'ServiceRequest', body, options: opts }), 'create again');
  eq(status(again), 200, 'same request again');
  eq(again.id, first.id, 'the same referral');
  const found = await search('ServiceRequest', { identifier: `${ident.system}|${ident.value}` });
  eq(ids(found), [first.id], "found by the sender's identifier");
  const bare = await search('ServiceRequest', { identifier: ident.value });
  eq(ids(bare), [first.id], "found by the identifier's value alone");
});

check('conditional-create-patient', async () => {
  const p = newPatient();
  const created = valid(await client.create({ resourceType: 'Patient', body: p }), 'create patient');
  eq(status(created), 201, 'created');
  const insToken = `urn:oid:1.2.250.1.213.1.4.8|${p.identifier[0].value}`;
  const again = valid(await client.create({ resourceType: 'Patient', body: p, options: { headers: { 'If-None-Exist': `identifier=${insToken}` } } }), 'conditional create');
  eq(status(again), 200, 'If-None-Exist matching gives 200');
  eq(again.id, created.id, 'the existing patient');
  const dup = await refused(client.create({ resourceType: 'Patient', body: p }), 409, 'a duplicate without If-None-Exist');
  assert(JSON.stringify(dup).includes(`Patient/${created.id}`), 'the 409 names the existing patient');
  await refused(client.create({ resourceType: 'Patient', body: newPatient(), options: { headers: { 'If-None-Exist': 'birthdate=ge1900' } } }), 412, 'several matches');
});

check('versioning', async () => {
  const p = valid(await client.read({ resourceType: 'Patient', id: cfg.patientID }), 'read');
  assert(p.meta?.versionId && p.meta?.lastUpdated, 'meta.versionId and meta.lastUpdated');
  eq(header(p, 'etag'), `W/"${p.meta.versionId}"`, 'ETag');
  assert(header(p, 'last-modified'), 'Last-Modified');
  const r = await raw(`Patient/${cfg.patientID}`, { headers: { authorization: `Bearer ${cfg.token}`, 'if-none-match': `W/"${p.meta.versionId}"` } });
  eq(r.status, 304, 'If-None-Match with the current version');
  const sr = valid(await client.read({ resourceType: 'ServiceRequest', id: cfg.changedReferralID }), 'read changed referral');
  assert(Number(sr.meta.versionId) >= 2, `a changed referral has version >= 2 (${sr.meta.versionId})`);
  const hist = valid(await client.history({ resourceType: 'ServiceRequest', id: cfg.changedReferralID }), 'history');
  eq(hist.type, 'history', 'history bundle');
  eq(hist.entry.length, Number(sr.meta.versionId), 'one entry per version');
  eq(hist.entry[0].resource.meta.versionId, sr.meta.versionId, 'newest first');
  const v1 = valid(await client.vread({ resourceType: 'ServiceRequest', id: cfg.changedReferralID, version: '1' }), 'vread 1');
  eq(v1.meta.versionId, '1', 'vread gives version 1');
  assert(v1.status !== sr.status, `version 1's status (${v1.status}) is not the current one (${sr.status})`);
  await refused(client.vread({ resourceType: 'ServiceRequest', id: cfg.changedReferralID, version: '99' }), 404, 'unknown version');
});

check('last-updated-polling', async () => {
  const since = cfg.serverNowISO;
  const before = await search('ServiceRequest', { _lastUpdated: `ge${since}` });
  const created = await client.create({ resourceType: 'ServiceRequest', body: newReferral(`Patient/${cfg.patientID}`) });
  const after = await search('ServiceRequest', { _lastUpdated: `ge${since}`, _count: '100' });
  assert(ids(after).includes(created.id), 'the new referral is found by _lastUpdated');
  eq(after.total, before.total + 1, 'one more since');
  const none = await search('Patient', { _lastUpdated: 'gt2999-01-01' });
  eq(none.total, 0, 'nothing after 2999');
  await search('Appointment', { _lastUpdated: 'ge2000-01-01' });
});

check('smart-configuration-public', async () => {
  const r = await raw('.well-known/smart-configuration');
  eq(r.status, 200, 'no token needed');
  const conf = JSON.parse(r.bytes);
  assert(conf.token_endpoint, 'token_endpoint');
  eq(conf.grant_types_supported, ['client_credentials'], 'grant types');
  eq(conf.token_endpoint_auth_methods_supported, ['private_key_jwt'], 'auth methods');
  eq(conf.token_endpoint_auth_signing_alg_values_supported.sort(), ['ES384', 'RS384'], 'algorithms');
  assert(conf.capabilities.includes('client-confidential-asymmetric'), 'capability');
  assert(!('authorization_endpoint' in conf), 'no authorization endpoint advertised (none exists)');
  const meta = await new Client({ baseUrl: cfg.base }).smartAuthMetadata();
  eq(meta.tokenUrl?.toString(), conf.token_endpoint, 'fhir-kit-client finds the token URL');
});

const keys = cfg.keysDir ? JSON.parse(fs.readFileSync(`${cfg.keysDir}/private.json`, 'utf8')) : {};
function assertion(jwk, { aud, exp = cfg.serverNow + 240, jti = unique(), iss = cfg.smartClientID } = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: jwk.alg, typ: 'JWT', kid: jwk.kid })}.${b64({ iss, sub: iss, aud, exp, jti })}`;
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const sig = crypto.sign('sha384', Buffer.from(input), jwk.alg === 'ES384' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${sig.toString('base64url')}`;
}
async function token(jwt, scope = 'system/*.read') {
  const conf = JSON.parse((await raw('.well-known/smart-configuration')).bytes);
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt(conf.token_endpoint) });
  const r = await raw(conf.token_endpoint, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return { status: r.status, body: JSON.parse(r.bytes.toString() || '{}') };
}

for (const alg of ['rs', 'es']) {
  check(`smart-backend-token-${alg}384`, async () => {
    const t = await token((aud) => assertion(keys[alg], { aud }));
    eq(t.status, 200, `token (${JSON.stringify(t.body)})`);
    eq(t.body.token_type, 'bearer', 'token_type');
    assert(t.body.expires_in > 0 && t.body.expires_in <= 300, 'expires_in at most 5 minutes');
    eq(t.body.scope, 'system/*.read', 'scope granted');
    const c = new Client({ baseUrl: cfg.base });
    c.bearerToken = t.body.access_token;
    valid(await c.read({ resourceType: 'Patient', id: cfg.patientID }), 'read with the access token');
    await refused(c.create({ resourceType: 'Patient', body: newPatient() }), 403, 'read scope only');
  });
}

check('smart-backend-token-refusals', async () => {
  const other = JSON.parse(fs.readFileSync(`${cfg.keysDir}/other.json`, 'utf8'));
  const bad = await token((aud) => assertion(other, { aud }));
  eq([bad.status, bad.body.error], [401, 'invalid_client'], 'a key not registered');
  const jti = unique();
  eq((await token((aud) => assertion(keys.es, { aud, jti }))).status, 200, 'first use');
  eq((await token((aud) => assertion(keys.es, { aud, jti }))).body.error, 'invalid_client', 'a replayed assertion');
  eq((await token((aud) => assertion(keys.es, { aud, exp: cfg.serverNow - 10 }))).body.error, 'invalid_client', 'an expired assertion');
  eq((await token((aud) => assertion(keys.es, { aud, exp: cfg.serverNow + 3600 }))).body.error, 'invalid_client', 'an assertion valid too long');
  eq((await token(() => assertion(keys.es, { aud: 'https://elsewhere.example/token' }))).body.error, 'invalid_client', 'another audience');
  eq((await token((aud) => assertion(keys.es, { aud }), 'system/Consent.write')).body.error, 'invalid_scope', 'a scope not granted');
  const c = new Client({ baseUrl: cfg.base });
  c.bearerToken = 'not-a-token';
  await refused(c.read({ resourceType: 'Patient', id: cfg.patientID }), 401, 'a made-up token');
});

check('report-pdf-and-performer', async () => {
  const dr = valid(await client.read({ resourceType: 'DiagnosticReport', id: cfg.reportID }), 'report');
  const pdf = dr.presentedForm.find((f) => f.contentType === 'application/pdf');
  assert(pdf?.url, 'a PDF attachment with a URL');
  assert(pdf.hash && pdf.size > 0, 'hash and size');
  assert(dr.performer?.[0]?.reference?.startsWith('Practitioner/'), 'performer');
  assert(dr.resultsInterpreter?.[0]?.reference?.startsWith('Practitioner/') ?? true, 'interpreter');
  const url = pdf.url.startsWith('http') ? pdf.url : `${cfg.base}/${pdf.url}`;
  const r = await raw(url, { headers: { authorization: `Bearer ${cfg.token}`, accept: 'application/pdf' } });
  eq(r.status, 200, 'the PDF');
  eq(r.headers.get('content-type'), 'application/pdf', 'its type');
  eq(r.bytes.subarray(0, 5).toString(), '%PDF-', 'PDF bytes');
  eq(r.bytes.length, pdf.size, 'size');
  eq(crypto.createHash('sha1').update(r.bytes).digest('base64'), pdf.hash, 'hash (SHA-1, base64)');
  eq((await raw(url, { headers: { accept: 'application/pdf' } })).status, 401, 'not without the token');
  const bin = valid(await client.request(pdf.url.replace(`${cfg.base}/`, '')), 'Binary as JSON');
  eq(bin.resourceType, 'Binary', 'Binary resource');
  eq(Buffer.from(bin.data, 'base64').subarray(0, 5).toString(), '%PDF-', 'Binary data');
});

check('consent-attachment', async () => {
  const c = valid(await client.read({ resourceType: 'Consent', id: cfg.consentID }), 'consent');
  const att = c.sourceAttachment;
  assert(att?.url && att.hash && att.size > 0, 'attachment with url, hash, size');
  const r = await raw(att.url.startsWith('http') ? att.url : `${cfg.base}/${att.url}`, { headers: { authorization: `Bearer ${cfg.token}`, accept: att.contentType } });
  eq(r.status, 200, 'the document');
  eq(crypto.createHash('sha1').update(r.bytes).digest('base64'), att.hash, 'hash');
});

check('include-and-revinclude', async () => {
  const b = await search('ServiceRequest', { _id: cfg.referralID, _include: ['ServiceRequest:subject', 'ServiceRequest:requester'] });
  const included = b.entry.filter((e) => e.search.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
  assert(included.includes(`Patient/${cfg.patientID}`), `the patient is included (${included})`);
  assert(included.some((r) => r.startsWith('Practitioner/')), 'the requester is included');
  const a = await search('Appointment', { _id: cfg.appointmentID, _include: 'Appointment:patient' });
  assert(a.entry.some((e) => e.search.mode === 'include' && e.resource.resourceType === 'Patient'), 'appointment patient included');
  const p = await search('Patient', { _id: cfg.patientID, _revinclude: 'ServiceRequest:subject' });
  assert(p.entry.some((e) => e.search.mode === 'include' && e.resource.resourceType === 'ServiceRequest'), 'revinclude of referrals');
  await refused(client.search({ resourceType: 'Patient', searchParams: { _include: 'Patient:link' } }), 400, 'an include not served');
});

check('sort-summary-elements', async () => {
  const asc = await search('ServiceRequest', { patient: `Patient/${cfg.patientID}`, _sort: 'authored' });
  const desc = await search('ServiceRequest', { patient: `Patient/${cfg.patientID}`, _sort: '-authored' });
  const dates = (b) => b.entry.map((e) => e.resource.authoredOn || '');
  eq(dates(asc), [...dates(asc)].sort(), 'ascending');
  eq(dates(desc), [...dates(asc)].sort().reverse(), 'descending');
  const ad = await search('Appointment', { _sort: '-date' });
  const starts = ad.entry.map((e) => e.resource.start);
  eq(starts, [...starts].sort().reverse(), 'appointments by date, latest first');
  await search('Patient', { _sort: '-_lastUpdated' });
  await refused(client.search({ resourceType: 'Patient', searchParams: { _sort: 'telecom' } }), 400, 'an unsupported sort');
  const count = await search('ServiceRequest', { _summary: 'count' });
  assert(count.total > 0 && !count.entry, '_summary=count: a total and no entries');
  const el = await search('Patient', { _id: cfg.patientID, _elements: 'birthDate' });
  const res = el.entry[0].resource;
  eq(Object.keys(res).sort(), ['birthDate', 'id', 'meta', 'resourceType'], '_elements');
  assert(res.meta.tag.some((t) => t.code === 'SUBSETTED'), 'marked SUBSETTED');
});

check('slots', async () => {
  const b = await search('Slot', { 'service-type': 'facet_joint_infiltration', _count: '3' });
  eq(b.entry.length, 3, 'three slots');
  assert(b.entry.every((e) => e.resource.id && e.fullUrl), 'slots have ids and fullUrls');
  assert(b.total === undefined || b.total >= 3, `total is not the page size only (${b.total})`);
  assert(b.link.some((l) => l.relation === 'next'), 'a next page');
  const s = valid(await client.read({ resourceType: 'Slot', id: b.entry[0].resource.id }), 'slot read');
  eq(s.start, b.entry[0].resource.start, 'read slot');
});

check('absolute-reference', async () => {
  const created = valid(await client.create({ resourceType: 'ServiceRequest', body: newReferral(`${cfg.base}/Patient/${cfg.patientID}`) }), 'absolute subject');
  eq(created.subject.reference, `Patient/${cfg.patientID}`, 'subject');
  await refused(client.create({ resourceType: 'ServiceRequest', body: newReferral('https://other.example/fhir/Patient/1') }), 422, 'another server');
});

check('unknown-elements-refused', async () => {
  const oo = await refused(client.create({ resourceType: 'Patient', body: newPatient({ favouriteColour: 'blue' }) }), 400, 'not a FHIR element');
  assert(JSON.stringify(oo).includes('Patient.favouriteColour'), 'named');
  const oo2 = await refused(client.create({ resourceType: 'Patient', body: newPatient({ maritalStatus: { text: 'married' } }) }), 400, 'an element the server does not keep');
  assert(JSON.stringify(oo2).includes('Patient.maritalStatus'), 'named');
  valid(await client.create({ resourceType: 'Patient', body: newPatient({ meta: { profile: ['https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient'] }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }) }), 'meta and text are accepted');
});

check('transaction', async () => {
  const p = newPatient();
  const ident = { system: 'urn:oid:1.2.250.1.999.1.2', value: `TX-${unique()}` };
  const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [
    { fullUrl: 'urn:uuid:7d2b3a6e-0d7e-4a59-9f3c-3f1f2d0c9a01', resource: p, request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:oid:1.2.250.1.213.1.4.8|${p.identifier[0].value}` } },
    { resource: newReferral('urn:uuid:7d2b3a6e-0d7e-4a59-9f3c-3f1f2d0c9a01', { identifier: [ident] }), request: { method: 'POST', url: 'ServiceRequest', ifNoneExist: `identifier=${ident.system}|${ident.value}` } },
  ] };
  const res = valid(await client.transaction({ body: bundle }), 'transaction response');
  eq(res.type, 'transaction-response', 'response type');
  eq(res.entry.map((e) => e.response.status.slice(0, 3)), ['201', '201'], 'both created');
  const sr = valid(await client.request(res.entry[1].response.location), 'created referral');
  eq(sr.subject.reference, res.entry[0].response.location.replace(/\/_history\/.*$/, ''), 'the referral names the new patient');
  const again = valid(await client.transaction({ body: bundle }), 'the same transaction again');
  eq(again.entry.map((e) => e.response.status.slice(0, 3)), ['200', '200'], 'nothing created twice');
  const before = (await search('Patient', { _summary: 'count' })).total;
  const broken = structuredClone(bundle);
  broken.entry[0].resource = newPatient();
  broken.entry[0].request.ifNoneExist = undefined;
  broken.entry[1].resource.code.coding[0].code = 'no_such_act';
  broken.entry[1].request.ifNoneExist = undefined;
  await refused(client.transaction({ body: broken }), 422, 'a transaction with a bad entry');
  eq((await search('Patient', { _summary: 'count' })).total, before, 'nothing of it kept');
});

check('fr-core-identifiers', async () => {
  const pr = valid(await client.read({ resourceType: 'Practitioner', id: cfg.practitionerID }), 'physician');
  const idnat = pr.identifier.find((i) => i.system === 'urn:oid:1.2.250.1.71.4.2.1');
  eq(idnat?.value, `8${cfg.rpps}`, 'IdNatPs is 8 + RPPS');
  eq(pr.identifier.find((i) => i.system === 'http://rpps.fr')?.value, cfg.rpps, 'RPPS');
  const byIdNat = await search('Practitioner', { identifier: `urn:oid:1.2.250.1.71.4.2.1|8${cfg.rpps}` });
  eq(ids(byIdNat), [cfg.practitionerID], 'found by IdNatPs');
  const body = newReferral(`Patient/${cfg.patientID}`, { requester: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: `8${cfg.rpps}` } } });
  const sr = valid(await client.create({ resourceType: 'ServiceRequest', body }), 'requester by IdNatPs');
  eq(sr.requester.reference, `Practitioner/${cfg.practitionerID}`, 'requester resolved');
  const pt = valid(await client.create({ resourceType: 'Patient', body: newPatient() }), 'patient with an INS');
  const insID = pt.identifier.find((i) => i.system === 'urn:oid:1.2.250.1.213.1.4.8');
  assert(insID?.type?.coding?.some((c) => c.code === 'INS-NIR'), 'INS typed INS-NIR');
});

let failed = 0;
const only = process.env.REPERE_INTEROP_ONLY;
for (const [name, fn] of checks) {
  if (only && !only.split(',').includes(name)) continue;
  try {
    await fn();
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${name}: ${(e.message + (e.response ? ` ${JSON.stringify(e.response.data).slice(0, 400)}` : '')).replace(/\n/g, ' ')}`);
  }
}
process.exit(failed ? 1 : 0);
