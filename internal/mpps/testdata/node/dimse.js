// Runs dcmjs-dimse (an independent DIMSE implementation) against Repère's
// DICOM server: node dimse.js <host> <port> <scenario>. Prints one JSON
// object: what the server answered.
'use strict';
const dimse = require('dcmjs-dimse');
const { Client, Dataset, Implementation, log } = dimse;
log.setLevel('silent');
const { CFindRequest, NCreateRequest, NSetRequest, CEchoRequest } = dimse.requests;
const { SopClass } = dimse.constants;

const [host, portText, scenario] = process.argv.slice(2);
const port = Number(portText);
const timeouts = { connectTimeout: 5000, associationTimeout: 5000, pduTimeout: 5000 };

function run(requests, maxPdu) {
  return new Promise((resolve) => {
    if (maxPdu) Implementation.setMaxPduLength(maxPdu);
    const out = { accepted: false, rejected: false, responses: [] };
    const client = new Client();
    for (const r of requests) {
      r.on('response', (res) => {
        const ds = res.getDataset();
        out.responses.push({ status: res.getStatus(), comment: res.getErrorComment ? res.getErrorComment() || '' : '',
          patientName: ds ? personName(ds.getElement('PatientName')) : undefined });
      });
      client.addRequest(r);
    }
    client.on('associationAccepted', () => { out.accepted = true; });
    client.on('associationRejected', (rej) => { out.rejected = true; out.rejection = rej; });
    client.on('networkError', (e) => { out.networkError = String(e); });
    client.on('closed', () => resolve(out));
    client.send(host, port, 'DCMJS', 'REPERE', timeouts);
  });
}

// personName gives a PN value as text, whichever form dcmjs reads it in.
function personName(v) {
  if (Array.isArray(v)) v = v[0];
  if (v && typeof v === 'object') return v.Alphabetic || '';
  return v;
}

const uid = '2.25.' + Date.now();
const inProgress = {
  SpecificCharacterSet: 'ISO_IR 192',
  PatientName: 'DVOŘÁK^Zoé',
  PatientID: 'P0001',
  ScheduledStepAttributesSequence: [{ AccessionNumber: 'A0001', StudyInstanceUID: '2.25.1001', ScheduledProcedureStepID: 'S0001', RequestedProcedureID: 'RP0001' }],
  PerformedStationAETitle: 'CT_SALLE1',
  PerformedProcedureStepID: 'PPS0001',
  Modality: 'CT',
  PerformedProcedureStepStartDate: '20260610',
  PerformedProcedureStepStartTime: '083512',
  PerformedProcedureStepEndDate: '',
  PerformedProcedureStepEndTime: '',
  PerformedProcedureStepStatus: 'IN PROGRESS',
};

function nCreate(elements, instance) {
  const r = new NCreateRequest(SopClass.ModalityPerformedProcedureStep, instance);
  r.setDataset(new Dataset(elements));
  return r;
}

function nSet(elements, instance) {
  const r = new NSetRequest(SopClass.ModalityPerformedProcedureStep, instance);
  r.setDataset(new Dataset(elements));
  return r;
}

const scenarios = {
  // The worklist with the smallest maximum PDU this client takes.
  worklist512: () => run([CFindRequest.createWorklistFindRequest({ PatientName: '', PatientID: '', PatientComments: '' })], 512),
  mpps: () => {
    const noID = Object.assign({}, inProgress);
    delete noID.PerformedProcedureStepID;
    return run([
      nCreate(noID, uid + '.1'),
      nCreate(inProgress, uid + '.2'),
      nSet({ PatientName: 'AUTRE^Nom' }, uid + '.2'),
      nSet({ PerformedProcedureStepEndDate: '20260610', PerformedProcedureStepEndTime: '090100', PerformedProcedureStepStatus: 'COMPLETED' }, uid + '.2'),
    ]);
  },
  // A server without MPPS: the association offers nothing it serves.
  mppsOnly: () => run([nCreate(inProgress, uid + '.3')]),
  echo: () => run([new CEchoRequest()]),
};

scenarios[scenario]().then((out) => {
  process.stdout.write(JSON.stringify(out) + '\n');
});
