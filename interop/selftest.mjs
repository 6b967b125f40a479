#!/usr/bin/env node
// Self-test of the interop verifier/signer:  node interop/selftest.mjs
// Needs only interop/fixtures/ and credo's contexts and OB 3.0 schema
// (../credo/credentials/ob3/). Exits non-zero on any failure.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import zlib from 'node:zlib';

import {
  compileSchema, CREDENTIAL_STATUS_NOTE, didKeySigningKey, Ed25519Multikey, issue, jsigs, keyFromFile,
  loadContexts, makeDocumentLoader, verifyDocument
} from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const ob3 = path.join(here, '..', 'credo', 'credentials', 'ob3');
const CONTEXTS = path.join(ob3, 'contexts');
const SCHEMA = path.join(ob3, 'schemas', 'ob_v3p0_achievementcredential_schema.json');

const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_V3P0 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
const CLR_V2P0 = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
const STATUS_URL = 'https://credo.example/status/selftest';

const readJson = file => JSON.parse(fs.readFileSync(file, 'utf8'));
const contexts = loadContexts(CONTEXTS);
const validateSchema = compileSchema(SCHEMA);

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch(e) {
    failed++;
    console.log(`FAIL - ${name}\n  ${String(e?.stack ?? e).split('\n').join('\n  ')}`);
  }
}

// A proof purpose that checks only that the method is authorised for
// assertionMethod by its controller, not that the controller is the issuer:
// the W3C vector's issuer is https://vc.example/issuers/5678 while it is
// signed with a did:key, so the vc library's CredentialIssuancePurpose
// (issuer must equal the method's controller) rightly refuses it.
const assertionOnly = () => new jsigs.purposes.AssertionProofPurpose();

/** 'u' + base64url(gzip(bits)), bit 0 = most significant bit of byte 0. */
function encodeList(setIndexes, length = 131072) {
  const bytes = new Uint8Array(length / 8);
  for(const i of setIndexes) {
    bytes[i >> 3] |= 0x80 >> (i & 7);
  }
  return 'u' + zlib.gzipSync(bytes).toString('base64url');
}

function statusEntry(purpose, index) {
  const list = `${STATUS_URL}/${purpose}`;
  return {
    id: `${list}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose,
    statusListIndex: String(index), statusListCredential: list
  };
}

function openBadge({issuer, id, name = 'Selftest badge', status}) {
  const credential = {
    '@context': [VC_V2, OB_V3P0],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name,
    issuer: {id: issuer, type: ['Profile'], name: 'Credo selftest issuer', url: 'https://credo.example/'},
    validFrom: '2024-11-20T09:30:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{type: 'IdentityObject', identityHash: 'Aroha Ngata', identityType: 'name', hashed: false}],
      achievement: {
        id: 'https://credo.example/achievements/selftest',
        type: ['Achievement'],
        name,
        description: 'Shows the interop verifier works end to end.',
        criteria: {narrative: 'Run node interop/selftest.mjs and see every check pass.'}
      }
    }
  };
  if(status) {
    credential.credentialStatus = status;
  }
  return credential;
}

/** Signs, then turns `proof` into an array as credo (and the OB schema) want. */
async function signWithArrayProof(credential, key, documentLoader) {
  const signed = await issue({credential, key, documentLoader});
  signed.proof = [].concat(signed.proof);
  return signed;
}

function runCli(script, args) {
  const r = spawnSync(process.execPath, [path.join(here, script), ...args], {encoding: 'utf8'});
  return {
    code: r.status, stderr: r.stderr,
    lines: r.stdout.split('\n').filter(Boolean).map(l => JSON.parse(l))
  };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'credo-interop-'));
try {
  // ---------------------------------------------------------------- W3C vector
  const vector = readJson(path.join(fixtures, 'w3c-signedDataInt.json'));
  const w3cLoader = makeDocumentLoader({contexts});

  await check('W3C vc-di-eddsa signedDataInt.json verifies (proof + assertionMethod)', async () => {
    const r = await verifyDocument(vector, {documentLoader: w3cLoader, makePurpose: assertionOnly});
    assert.equal(r.signature, true, r.errors.join('; '));
    assert.equal(r.verified, true, r.errors.join('; '));
  });

  await check('W3C vector fails the issuer check (issuer is not the did:key)', async () => {
    const r = await verifyDocument(vector, {documentLoader: w3cLoader});
    assert.equal(r.verified, false);
    assert.match(r.errors.join('; '), /issuer must match the verification method controller/);
  });

  await check('W3C vector with credentialSubject.alumniOf changed fails', async () => {
    const tampered = structuredClone(vector);
    tampered.credentialSubject.alumniOf = 'The School of Counterexamples';
    const r = await verifyDocument(tampered, {documentLoader: w3cLoader, makePurpose: assertionOnly});
    assert.equal(r.signature, false);
    assert.equal(r.verified, false);
    assert.match(r.errors.join('; '), /Invalid signature/);
  });

  await check('signing the W3C unsigned vector with its key reproduces its proof exactly', async () => {
    const {key} = await keyFromFile(path.join(fixtures, 'w3c-keyPair.json'));
    const unsigned = readJson(path.join(fixtures, 'w3c-unsigned.json'));
    const signed = await issue({
      credential: unsigned, key, documentLoader: w3cLoader, date: vector.proof.created
    });
    assert.deepEqual(signed.proof, vector.proof);
  });

  // ------------------------------------------------- own OB credential, did:key
  const fresh = await Ed25519Multikey.generate();
  const {did: keyDid, key: didKeyKey} = await didKeySigningKey(
    await fresh.export({publicKey: true, secretKey: true}));
  const plainLoader = makeDocumentLoader({contexts});
  const badge = await signWithArrayProof(
    openBadge({issuer: keyDid, id: 'urn:uuid:2f1ac0de-0000-4000-8000-000000000001'}),
    didKeyKey, plainLoader);

  await check('fresh did:key OpenBadgeCredential signs, verifies and passes the OB 3.0 schema', async () => {
    assert.equal(badge.proof[0].cryptosuite, 'eddsa-rdfc-2022');
    assert.ok(badge.proof[0].verificationMethod.startsWith(`${keyDid}#`));
    const r = await verifyDocument(badge, {documentLoader: plainLoader, validateSchema});
    assert.deepEqual(r, {
      verified: true, signature: true, status: null, schema: true, embedded: [], errors: [], notes: []
    });
  });

  await check('the same credential with `proof` as an object verifies but fails the schema', async () => {
    const objectProof = {...badge, proof: badge.proof[0]};
    const r = await verifyDocument(objectProof, {documentLoader: plainLoader, validateSchema});
    assert.equal(r.signature, true);
    assert.equal(r.schema, false);
    assert.equal(r.verified, false);
    assert.match(r.errors.join('; '), /schema: \/proof must be array/);
  });

  await check('changing the achievement name breaks the signature', async () => {
    const tampered = structuredClone(badge);
    tampered.credentialSubject.achievement.name = 'Something else';
    const r = await verifyDocument(tampered, {documentLoader: plainLoader, validateSchema});
    assert.equal(r.signature, false);
    assert.equal(r.schema, true);
    assert.equal(r.verified, false);
  });

  await check('an undefined term is refused in safe mode (signing and verifying)', async () => {
    const withJunk = openBadge({issuer: keyDid, id: 'urn:uuid:2f1ac0de-0000-4000-8000-000000000002'});
    withJunk.credentialSubject.favouriteColour = 'blue';
    await assert.rejects(issue({credential: withJunk, key: didKeyKey, documentLoader: plainLoader}),
      /Safe mode validation error/);
    const tampered = structuredClone(badge);
    tampered.credentialSubject.favouriteColour = 'blue';
    const r = await verifyDocument(tampered, {documentLoader: plainLoader});
    assert.equal(r.verified, false);
    assert.match(r.errors.join('; '), /Safe mode validation error/);
  });

  await check('a context outside the manifest is refused (no network)', async () => {
    const other = structuredClone(badge);
    other['@context'] = [...other['@context'], 'https://example.org/unlisted-context.jsonld'];
    const r = await verifyDocument(other, {documentLoader: plainLoader});
    assert.equal(r.verified, false);
    assert.match(r.errors.join('; '), /document loader refused "https:\/\/example\.org\/unlisted-context\.jsonld"/);
    assert.equal(r.signature, false);
  });

  await check('a credential claiming another issuer than its did:key fails', async () => {
    const other = await Ed25519Multikey.generate();
    const stolen = openBadge({issuer: `did:key:${other.publicKeyMultibase}`,
      id: 'urn:uuid:2f1ac0de-0000-4000-8000-000000000003'});
    const signed = await signWithArrayProof(stolen, didKeyKey, plainLoader);
    const r = await verifyDocument(signed, {documentLoader: plainLoader});
    assert.equal(r.verified, false);
    assert.match(r.errors.join('; '), /issuer must match/);
  });

  // ----------------------------------------- did:web issuer, status lists, CLR
  const webDid = 'did:web:credo.example:issuers:selftest';
  const webKeyPair = await Ed25519Multikey.generate({controller: webDid, id: `${webDid}#key-1`});
  const retired = await Ed25519Multikey.generate({controller: webDid, id: `${webDid}#key-0`});
  const webKey = await Ed25519Multikey.from({
    ...await webKeyPair.export({publicKey: true, secretKey: true}), id: `${webDid}#key-1`, controller: webDid
  });
  const method = k => ({
    id: k.id, type: 'Multikey', controller: webDid, publicKeyMultibase: k.publicKeyMultibase
  });
  const didDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: webDid,
    verificationMethod: [method(retired), method(webKeyPair)],
    assertionMethod: [retired.id, webKeyPair.id],
    authentication: [retired.id, webKeyPair.id]
  };
  const dids = new Map([[webDid, didDocument]]);

  // revocation list: index 7 set; suspension list: index 9 set
  const listCredential = (purpose, setIndexes) => ({
    '@context': [VC_V2],
    id: `${STATUS_URL}/${purpose}`,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: webDid,
    validFrom: '2024-11-20T09:30:00Z',
    credentialSubject: {
      id: `${STATUS_URL}/${purpose}#list`, type: 'BitstringStatusList',
      statusPurpose: purpose, encodedList: encodeList(setIndexes)
    }
  });
  const webLoader = makeDocumentLoader({contexts, dids});
  const revocationList = await signWithArrayProof(listCredential('revocation', [7]), webKey, webLoader);
  const suspensionList = await signWithArrayProof(listCredential('suspension', [9]), webKey, webLoader);
  const statusLists = new Map([
    [revocationList.id, revocationList], [suspensionList.id, suspensionList]
  ]);
  const loader = makeDocumentLoader({contexts, dids, statusLists});

  const withStatus = async (id, status) => signWithArrayProof(
    openBadge({issuer: webDid, id, status}), webKey, loader);
  const good = await withStatus('urn:uuid:2f1ac0de-0000-4000-8000-000000000010',
    statusEntry('revocation', 3));
  const revoked = await withStatus('urn:uuid:2f1ac0de-0000-4000-8000-000000000011',
    statusEntry('revocation', 7));
  const suspended = await withStatus('urn:uuid:2f1ac0de-0000-4000-8000-000000000012',
    statusEntry('suspension', 9));
  // both purposes: credentialStatus is then an array, which VC 2.0 allows but
  // the OB 3.0 JSON schema (credentialStatus: one object) does not
  const both = await withStatus('urn:uuid:2f1ac0de-0000-4000-8000-000000000013',
    [statusEntry('revocation', 3), statusEntry('suspension', 3)]);
  const bothRevoked = await withStatus('urn:uuid:2f1ac0de-0000-4000-8000-000000000014',
    [statusEntry('revocation', 7), statusEntry('suspension', 7)]);

  await check('did:web credential with a revocation entry verifies, not revoked', async () => {
    const r = await verifyDocument(good, {documentLoader: loader, validateSchema});
    assert.deepEqual(r, {
      verified: true, signature: true, status: {revoked: false, suspended: null},
      schema: true, embedded: [], errors: [], notes: []
    });
  });

  await check('bit 7 of the revocation list: revoked, not verified', async () => {
    const r = await verifyDocument(revoked, {documentLoader: loader, validateSchema});
    assert.equal(r.signature, true);
    assert.equal(r.schema, true);
    assert.deepEqual(r.status, {revoked: true, suspended: null});
    assert.equal(r.verified, false);
    assert.deepEqual(r.errors, ['credential is revoked']);
  });

  await check('bit 9 of the suspension list: suspended, not verified', async () => {
    const r = await verifyDocument(suspended, {documentLoader: loader, validateSchema});
    assert.equal(r.signature, true);
    assert.deepEqual(r.status, {revoked: null, suspended: true});
    assert.equal(r.verified, false);
  });

  await check('revocation + suspension entries (array): both checked', async () => {
    let r = await verifyDocument(both, {documentLoader: loader});
    assert.deepEqual([r.verified, r.status], [true, {revoked: false, suspended: false}], r.errors.join('; '));
    r = await verifyDocument(bothRevoked, {documentLoader: loader});
    assert.deepEqual([r.verified, r.status], [false, {revoked: true, suspended: false}]);
  });

  await check('OB 3.0 schema: credentialStatus array refused as published, accepted relaxed (0005)', async () => {
    const strictSchema = compileSchema(SCHEMA, {relaxCredentialStatus: false});
    let r = await verifyDocument(both, {documentLoader: loader, validateSchema: strictSchema});
    assert.deepEqual([r.signature, r.schema, r.verified], [true, false, false]);
    assert.match(r.errors.join('; '), /schema: \/credentialStatus must be object/);
    r = await verifyDocument(both, {documentLoader: loader, validateSchema});
    assert.deepEqual([r.signature, r.schema, r.verified], [true, true, true], r.errors.join('; '));
    assert.deepEqual(r.notes, [CREDENTIAL_STATUS_NOTE]);
    // the relaxation is for arrays of CredentialStatus objects only
    const broken = structuredClone(both);
    delete broken.credentialStatus[1].id;
    r = await verifyDocument(broken, {documentLoader: loader, validateSchema});
    assert.equal(r.schema, false);
    assert.match(r.errors.join('; '), /schema: \/credentialStatus\/1 must have required property 'id'/);
    broken.credentialStatus = [];
    assert.equal(validateSchema(broken).valid, false);
  });

  await check('a status list whose encodedList was changed after signing is refused', async () => {
    const forged = structuredClone(revocationList);
    forged.credentialSubject.encodedList = encodeList([]);
    const forgedLoader = makeDocumentLoader({contexts, dids, statusLists: new Map([
      [forged.id, forged], [suspensionList.id, suspensionList]])});
    const r = await verifyDocument(revoked, {documentLoader: forgedLoader});
    assert.equal(r.signature, true);
    assert.equal(r.verified, false);
    assert.equal(r.status.revoked, null);
    assert.match(r.errors.join('; '), /"BitstringStatusListCredential" not verified/);
  });

  await check('credentialStatus without its status list credential: not verified', async () => {
    const r = await verifyDocument(good, {documentLoader: webLoader});
    assert.equal(r.signature, true);
    assert.equal(r.verified, false);
    assert.deepEqual(r.status, {revoked: null, suspended: null});
    assert.match(r.errors.join('; '), /Could not load "BitstringStatusListCredential"/);
  });

  await check('a key no longer in assertionMethod is not authorised', async () => {
    const demoted = structuredClone(didDocument);
    demoted.assertionMethod = [retired.id];
    const demotedLoader = makeDocumentLoader({contexts, dids: new Map([[webDid, demoted]]), statusLists});
    const r = await verifyDocument(good, {documentLoader: demotedLoader});
    assert.equal(r.signature, false);
    assert.match(r.errors.join('; '), /not authorized by controller for proof purpose "assertionMethod"/);
  });

  const clr = await signWithArrayProof({
    '@context': [VC_V2, CLR_V2P0, OB_V3P0],
    id: 'urn:uuid:2f1ac0de-0000-4000-8000-000000000020',
    type: ['VerifiableCredential', 'ClrCredential'],
    name: 'Selftest transcript',
    issuer: {id: webDid, type: ['Profile'], name: 'Credo selftest issuer'},
    validFrom: '2024-11-21T09:30:00Z',
    credentialSubject: {
      type: ['ClrSubject'],
      identifier: [{type: 'IdentityObject', identityHash: 'Aroha Ngata', identityType: 'name', hashed: false}],
      verifiableCredential: [good, badge],
      achievement: [structuredClone(good.credentialSubject.achievement)],
      association: [{
        type: 'Association', associationType: 'isParentOf',
        sourceId: 'https://credo.example/achievements/selftest',
        targetId: 'https://credo.example/achievements/selftest'
      }]
    }
  }, webKey, loader);

  await check('ClrCredential: outer proof and both embedded credentials verify', async () => {
    const r = await verifyDocument(clr, {documentLoader: loader, validateSchema});
    assert.equal(r.verified, true, r.errors.join('; '));
    assert.equal(r.signature, true);
    assert.equal(r.schema, null);
    assert.deepEqual(r.embedded.map(e => [e.id, e.verified, e.schema]), [
      [good.id, true, true], [badge.id, true, true]
    ]);
  });

  await check('ClrCredential with a revoked embedded credential is not verified', async () => {
    const withRevoked = structuredClone(clr);
    withRevoked.credentialSubject.verifiableCredential[0] = revoked;
    const r = await verifyDocument(withRevoked, {documentLoader: loader});
    assert.equal(r.verified, false);
    assert.equal(r.signature, false); // the outer proof covers the embedded credentials
    assert.deepEqual(r.embedded.map(e => e.verified), [false, true]);
    assert.equal(r.embedded[0].status.revoked, true);
  });

  // ----------------------------------------------------------- the CLI contract
  const write = (name, value) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify(value, null, 2));
    return file;
  };
  const didsFile = write('dids.json', Object.fromEntries(dids));
  const statusFile = write('status.json', Object.fromEntries(statusLists));
  const cliArgs = ['--contexts', CONTEXTS, '--dids', didsFile, '--status', statusFile, '--schema', SCHEMA];

  await check('verify.mjs: all good -> exit 0, one JSON line per file', async () => {
    const files = [write('badge.json', badge), write('good.json', good), write('clr.json', clr)];
    const r = runCli('verify.mjs', [...cliArgs, ...files]);
    assert.equal(r.code, 0, r.stderr + JSON.stringify(r.lines));
    assert.deepEqual(r.lines.map(l => [l.file, l.verified]), files.map(f => [f, true]));
    assert.deepEqual(Object.keys(r.lines[0]),
      ['file', 'verified', 'signature', 'status', 'schema', 'embedded', 'errors', 'notes']);
    assert.equal(r.lines[2].embedded.length, 2);
  });

  await check('verify.mjs: a revoked credential -> status.revoked true, verified false, exit 1', async () => {
    const files = [write('good2.json', good), write('revoked.json', revoked)];
    const r = runCli('verify.mjs', [...cliArgs, ...files]);
    assert.equal(r.code, 1);
    assert.equal(r.lines[0].verified, true);
    assert.deepEqual([r.lines[1].verified, r.lines[1].status], [false, {revoked: true, suspended: null}]);
  });

  await check('verify.mjs --now: validFrom and validUntil are checked against it', async () => {
    const file = write('badge-now.json', badge);
    const before = runCli('verify.mjs', ['--contexts', CONTEXTS, '--now', '2024-01-01T00:00:00Z', file]);
    assert.equal(before.code, 1);
    assert.equal(before.lines[0].signature, true);
    assert.match(before.lines[0].errors.join('; '), /before "validFrom"/);
    assert.equal(runCli('verify.mjs', ['--contexts', CONTEXTS, '--now', '2030-01-01T00:00:00Z', file]).code, 0);
  });

  await check('verify.mjs --strict-schema: the published schema, unrelaxed', async () => {
    const file = write('both.json', both);
    let r = runCli('verify.mjs', [...cliArgs, file]);
    assert.deepEqual([r.code, r.lines[0].schema, r.lines[0].notes], [0, true, [CREDENTIAL_STATUS_NOTE]]);
    r = runCli('verify.mjs', [...cliArgs, '--strict-schema', file]);
    assert.deepEqual([r.code, r.lines[0].schema, r.lines[0].verified], [1, false, false]);
  });

  await check('verify.mjs: usage errors -> exit 2', async () => {
    assert.equal(runCli('verify.mjs', [write('x.json', badge)]).code, 2);
    assert.equal(runCli('verify.mjs', ['--contexts', CONTEXTS]).code, 2);
    assert.equal(runCli('verify.mjs', ['--contexts', path.join(tmp, 'nowhere'), write('y.json', badge)]).code, 2);
    assert.equal(runCli('verify.mjs', [...cliArgs, '--bogus', write('z.json', badge)]).code, 2);
    assert.equal(runCli('verify.mjs', ['--contexts', CONTEXTS, '--strict-schema', write('w.json', badge)]).code, 2);
  });

  await check('verify.mjs: unreadable credential file -> verified false, exit 1', async () => {
    const bad = path.join(tmp, 'broken.json');
    fs.writeFileSync(bad, '{not json');
    const r = runCli('verify.mjs', [...cliArgs, bad]);
    assert.equal(r.code, 1);
    assert.equal(r.lines[0].verified, false);
  });

  await check('sign.mjs: signs and verifies the W3C unsigned vector', async () => {
    const r = runCli('sign.mjs', ['--contexts', CONTEXTS, '--key', path.join(fixtures, 'w3c-keyPair.json'),
      '--n', '5', path.join(fixtures, 'w3c-unsigned.json')]);
    assert.equal(r.code, 0, r.stderr + JSON.stringify(r.lines));
    assert.equal(r.lines[0].verified, true);
    assert.ok(r.lines[0].sign_per_s > 0 && r.lines[0].verify_per_s > 0);
  });
} finally {
  fs.rmSync(tmp, {recursive: true, force: true});
}

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
