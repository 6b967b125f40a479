// Shared core of the interop verifier/signer: an offline document loader,
// the DCC Data Integrity (eddsa-rdfc-2022) suite, Bitstring Status List checks
// and OB 3.0 JSON Schema validation. Used by verify.mjs, sign.mjs and
// selftest.mjs. Nothing here touches the network.
import fs from 'node:fs';
import path from 'node:path';

import * as vc from '@digitalcredentials/vc';
import jsigs from '@digitalcredentials/jsonld-signatures';
import {DataIntegrityProof} from '@digitalcredentials/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalcredentials/ed25519-multikey';
import * as didKey from '@digitalcredentials/did-method-key';
import {checkStatus as bslCheckStatus} from '@digitalcredentials/vc-bitstring-status-list';
import multikeyContext from '@digitalbazaar/multikey-context';
import Ajv2019Module from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

const Ajv2019 = Ajv2019Module.default ?? Ajv2019Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

export {vc, jsigs, Ed25519Multikey, DataIntegrityProof, eddsaRdfc2022};

export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

// ---------------------------------------------------------------------------
// Contexts

/**
 * Reads `<dir>/manifest.json` (context URL -> file name in <dir>) and returns
 * a Map of URL -> parsed context document. Throws on any unreadable file.
 */
export function loadContexts(dir) {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  if(!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`${manifestPath} must be a JSON object (URL -> file name)`);
  }
  const contexts = new Map();
  for(const [url, file] of Object.entries(manifest)) {
    if(typeof file !== 'string' || path.isAbsolute(file) || file.includes('..')) {
      throw new Error(`${manifestPath}: bad file name for ${url}: ${JSON.stringify(file)}`);
    }
    contexts.set(url, JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  }
  return contexts;
}

/**
 * Contexts bundled by the DCC / Digital Bazaar packages that credo's manifest
 * does not carry. Only added for URLs the manifest does not define: the
 * manifest always wins.
 */
function bundledContexts() {
  return new Map([[multikeyContext.CONTEXT_URL, multikeyContext.CONTEXT]]);
}

// ---------------------------------------------------------------------------
// DIDs

// The DCC did:key driver, restricted to Ed25519 Multikeys (did:key:z6Mk...).
const didKeyDriver = didKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

/** Resolves a did:key (or did:key URL with fragment) with the DCC driver. */
export async function resolveDidKey(url) {
  return didKeyDriver.get({url});
}

function resolveFromDidMap(url, dids) {
  const [did, fragment] = url.split('#');
  const doc = dids.get(did);
  if(!doc) {
    return undefined;
  }
  if(doc.id !== did) {
    throw new Error(`DID document for ${did} has id ${JSON.stringify(doc.id)}`);
  }
  if(fragment === undefined) {
    return doc;
  }
  // A DID URL: find the verification method, either listed in
  // verificationMethod or embedded in a verification relationship.
  const candidates = [
    ...[].concat(doc.verificationMethod ?? []),
    ...['assertionMethod', 'authentication', 'capabilityInvocation',
      'capabilityDelegation', 'keyAgreement']
      .flatMap(term => [].concat(doc[term] ?? []))
      .filter(entry => entry && typeof entry === 'object')
  ];
  const method = candidates.find(m => m.id === url || m.id === `#${fragment}`);
  if(!method) {
    throw new Error(`DID document for ${did} has no verification method ${url}`);
  }
  return {'@context': doc['@context'], ...method, id: url};
}

// ---------------------------------------------------------------------------
// Document loader

/**
 * A strict, offline JSON-LD document loader. It serves only:
 *  - the contexts from the manifest (plus bundled multikey v1, and whatever
 *    jsonld-signatures' extendContextLoader adds: security v1/v2),
 *  - DID documents / verification methods from `dids` (did:web etc.),
 *  - did:key, always resolved by the DCC did:key driver (never from `dids`),
 *  - status list credentials from `statusLists`.
 * Anything else throws.
 */
export function makeDocumentLoader({contexts, dids = new Map(), statusLists = new Map()}) {
  const docs = new Map(bundledContexts());
  for(const [url, doc] of contexts) {
    docs.set(url, doc);
  }
  const didKeyCache = new Map();
  const loader = async url => {
    if(typeof url !== 'string') {
      throw new Error(`document loader: URL must be a string, got ${typeof url}`);
    }
    let document = docs.get(url);
    if(document === undefined) {
      document = statusLists.get(url);
    }
    if(document === undefined && url.startsWith('did:key:')) {
      // always the DCC driver; did:key entries in --dids are ignored
      let promise = didKeyCache.get(url);
      if(!promise) {
        promise = resolveDidKey(url);
        didKeyCache.set(url, promise);
        promise.catch(() => didKeyCache.delete(url));
      }
      document = await promise;
    } else if(document === undefined && url.startsWith('did:')) {
      document = resolveFromDidMap(url, dids);
    }
    if(document === undefined) {
      throw new Error(
        `document loader refused "${url}": not in the contexts manifest, ` +
        'the --dids file or the --status file (offline verifier)');
    }
    return {contextUrl: null, documentUrl: url, document};
  };
  // security v1/v2 contexts bundled with jsonld-signatures
  return jsigs.extendContextLoader(loader);
}

// ---------------------------------------------------------------------------
// Keys, suites

/** Reads a Multikey key file: {publicKeyMultibase, secretKeyMultibase|privateKeyMultibase}. */
export async function keyFromFile(file) {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const secretKeyMultibase = raw.secretKeyMultibase ?? raw.privateKeyMultibase;
  if(typeof raw.publicKeyMultibase !== 'string' || !raw.publicKeyMultibase.startsWith('z6Mk')) {
    throw new Error(`${file}: publicKeyMultibase must be an Ed25519 Multikey (z6Mk...)`);
  }
  if(typeof secretKeyMultibase !== 'string') {
    throw new Error(`${file}: secretKeyMultibase (or privateKeyMultibase) is required`);
  }
  return didKeySigningKey({publicKeyMultibase: raw.publicKeyMultibase, secretKeyMultibase});
}

/** An Ed25519 Multikey key pair whose controller is its did:key. */
export async function didKeySigningKey({publicKeyMultibase, secretKeyMultibase}) {
  const did = `did:key:${publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({
    '@context': MULTIKEY_V1,
    type: 'Multikey',
    id: `${did}#${publicKeyMultibase}`,
    controller: did,
    publicKeyMultibase,
    secretKeyMultibase
  });
  return {did, key};
}

export function signingSuite(key, {date} = {}) {
  return new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022, date});
}

export function verifyingSuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

/** Sets the issuer (string or Profile object) of a credential to `did`. */
export function setIssuer(credential, did) {
  if(credential.issuer && typeof credential.issuer === 'object') {
    credential.issuer.id = did;
  } else {
    credential.issuer = did;
  }
  return credential;
}

/** vc.issue with DataIntegrityProof + eddsa-rdfc-2022. */
export async function issue({credential, key, documentLoader, date}) {
  return vc.issue({credential, suite: signingSuite(key, {date}), documentLoader});
}

// ---------------------------------------------------------------------------
// Errors

/** Flattens DCC / jsonld / ajv errors into plain, de-duplicated messages. */
export function errorMessages(error, out = [], seen = new Set()) {
  if(error === undefined || error === null) {
    return out;
  }
  if(Array.isArray(error)) {
    for(const e of error) {
      errorMessages(e, out, seen);
    }
    return out;
  }
  if(typeof error !== 'object') {
    const msg = String(error);
    if(!out.includes(msg)) {
      out.push(msg);
    }
    return out;
  }
  if(seen.has(error)) {
    return out;
  }
  seen.add(error);
  let msg = error.message || error.name || JSON.stringify(error);
  const details = error.details;
  if(details?.code === 'loading remote context failed' ||
    details?.code === 'loading document failed') {
    // jsonld's long "Dereferencing a URL ..." text: say which URL instead;
    // the loader's own reason follows from details.cause
    msg = `jsonld ${details.code}: ${details.url}`;
  } else if(details?.url && !msg.includes(details.url)) {
    msg += ` (${details.url})`;
  }
  const event = details?.event;
  if(event) {
    // jsonld safe mode: say which term or value was dropped
    const detail = event.details ? ` ${JSON.stringify(event.details)}` : '';
    msg += ` ${event.code}: ${event.message}${detail}`;
  }
  if(!out.some(m => m.includes(msg))) {
    out.push(msg);
  }
  if(error.errors) {
    errorMessages(error.errors, out, seen);
  }
  if(details?.cause) {
    errorMessages(details.cause, out, seen);
  }
  if(error.cause && !(error.cause.message && msg.includes(error.cause.message))) {
    errorMessages(error.cause, out, seen);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Schema

function newAjv() {
  // strict: false only relaxes complaints about how the schema is written
  // (e.g. tuple `items`); it does not change what the schema accepts.
  const ajv = new Ajv2019({allErrors: true, strict: false});
  addFormats(ajv);
  return ajv;
}

function schemaErrors(validate) {
  return (validate.errors ?? []).map(e => `schema: ${e.instancePath || '/'} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));
}

export const CREDENTIAL_STATUS_NOTE =
  'schema: credentialStatus is an array; 1EdTech\'s OB 3.0 schema allows one object ' +
  'only; accepted as an array of CredentialStatus objects (docs/decisions/0005)';

/**
 * Compiles the OB 3.0 AchievementCredential schema (JSON Schema 2019-09) and
 * returns check(credential) -> {valid, errors, notes}.
 *
 * With relaxCredentialStatus (the default), the one relaxation credo's
 * decision 0005 makes is applied in code, not in the pinned file:
 * `credentialStatus` may also be a non-empty array of CredentialStatus
 * objects (credo issues a revocation and a suspension entry). Everything else
 * is 1EdTech's schema as published. A note says when the relaxation was used.
 */
export function compileSchema(file, {relaxCredentialStatus = true} = {}) {
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  const strict = newAjv().compile(schema);
  let relaxed;
  if(relaxCredentialStatus) {
    const copy = structuredClone(schema);
    if(!copy.properties?.credentialStatus || !copy.$defs?.CredentialStatus) {
      throw new Error(`${file}: no properties.credentialStatus / $defs.CredentialStatus to relax`);
    }
    copy.properties.credentialStatus = {
      anyOf: [
        copy.properties.credentialStatus,
        {type: 'array', minItems: 1, items: {$ref: '#/$defs/CredentialStatus'}}
      ]
    };
    relaxed = newAjv().compile(copy);
  }
  return credential => {
    if(strict(credential)) {
      return {valid: true, errors: [], notes: []};
    }
    const notes = [];
    if(relaxed && Array.isArray(credential?.credentialStatus)) {
      notes.push(CREDENTIAL_STATUS_NOTE);
      if(relaxed(credential)) {
        return {valid: true, errors: [], notes};
      }
      return {valid: false, errors: schemaErrors(relaxed), notes};
    }
    return {valid: false, errors: schemaErrors(strict), notes};
  };
}

export function isObCredential(credential) {
  const types = [].concat(credential?.type ?? []);
  return types.includes('OpenBadgeCredential') || types.includes('AchievementCredential');
}

export function isClrCredential(credential) {
  return [].concat(credential?.type ?? []).includes('ClrCredential');
}

// ---------------------------------------------------------------------------
// Verification

/**
 * Status check handed to vc.verifyCredential. Uses the DCC
 * @digitalcredentials/vc-bitstring-status-list library as is: it loads the
 * BitstringStatusListCredential through our document loader, verifies the
 * status list credential's own DataIntegrityProof (with its bundled vc@8 and
 * our eddsa-rdfc-2022 suite), requires the same issuer as the credential,
 * checks the entry's statusPurpose against the list's, and decodes the
 * 'u'+base64url(gzip) list itself. It handles VC 2.0 BitstringStatusList
 * credentials, so we do not decode lists ourselves.
 */
function statusChecker({documentLoader, suite}) {
  return async ({credential}) => bslCheckStatus({
    credential,
    documentLoader,
    suite,
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true
  });
}

/** {revoked, suspended} (each bool or null when not checked) from a statusResult. */
function summariseStatus(credential, statusResult) {
  if(!credential.credentialStatus) {
    return null;
  }
  const status = {revoked: null, suspended: null};
  for(const r of statusResult?.results ?? []) {
    const purpose = r.credentialStatus?.statusPurpose;
    if(purpose === 'revocation') {
      status.revoked = (status.revoked === true) || !r.verified;
    } else if(purpose === 'suspension') {
      status.suspended = (status.suspended === true) || !r.verified;
    }
  }
  return status;
}

/**
 * Verifies one credential: signature (DCC vc.verifyCredential, safe mode),
 * status (BitstringStatusListEntry), schema (OB credentials when a validator
 * is given). Returns the per-credential result (without "file").
 */
export async function verifyOne(credential, {documentLoader, validateSchema, makePurpose, now}) {
  const suite = verifyingSuite();
  const errors = [];
  const notes = [];
  const result = {verified: false, signature: false, status: null, schema: null, errors, notes};

  if(!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    errors.push('credential must be a JSON object');
    return result;
  }

  // Schema first: it does not depend on anything else.
  if(validateSchema && isObCredential(credential)) {
    const checked = validateSchema(credential);
    result.schema = checked.valid;
    errors.push(...checked.errors);
    notes.push(...checked.notes);
  }

  // The proof purpose is only validated after a proof's signature verified;
  // it then checks the method is authorised by its controller for
  // assertionMethod and (CredentialIssuancePurpose) that the controller is
  // the credential's issuer. Recording its outcome tells "signature" apart
  // from later failures (status, validFrom/validUntil) without verifying twice.
  const purpose = makePurpose ? makePurpose() : new vc.CredentialIssuancePurpose();
  let purposeValid = false;
  const validate = purpose.validate.bind(purpose);
  purpose.validate = async (...args) => {
    const r = await validate(...args);
    if(r?.valid) {
      purposeValid = true;
    }
    return r;
  };

  let vr;
  try {
    vr = await vc.verifyCredential({
      credential,
      suite,
      purpose,
      documentLoader,
      checkStatus: statusChecker({documentLoader, suite}),
      ...(now ? {now} : {})
    });
  } catch(e) {
    vr = {verified: false, error: e};
  }
  const proofResults = (vr.results ?? []).filter(r => r && 'proof' in r);
  result.signature = purposeValid &&
    (proofResults.length === 0 || proofResults.some(r => r.verified === true));
  // jsonld-signatures accepts a proof set when ANY proof verifies, and skips
  // proofs no suite matches. credo issues exactly one proof, so be stricter:
  // every proof must be an eddsa-rdfc-2022 DataIntegrityProof that verified.
  const proofs = [].concat(credential.proof ?? []);
  const unchecked = proofs.filter(p => !(p?.type === 'DataIntegrityProof' &&
    p?.cryptosuite === 'eddsa-rdfc-2022'));
  for(const p of unchecked) {
    errors.push(`proof of type ${JSON.stringify(p?.type)} / ${JSON.stringify(p?.cryptosuite)} ` +
      'is not an eddsa-rdfc-2022 DataIntegrityProof; not checked');
  }
  const failedProofs = proofResults.filter(r => r.verified !== true);
  if(result.signature && (unchecked.length > 0 || failedProofs.length > 0)) {
    result.signature = false;
    for(const r of failedProofs) {
      errorMessages(r.error, errors);
    }
    errors.push('not every proof verified');
  }

  if(!result.signature) {
    errorMessages(vr.error, errors);
    for(const r of proofResults) {
      errorMessages(r.error, errors);
      errorMessages(r.purposeResult?.error, errors);
    }
    if(!errors.some(e => !e.startsWith('schema: '))) {
      errors.push('signature not verified');
    }
  } else if(vr.verified !== true && !vr.statusResult) {
    // signature fine, but a later vc check (validFrom/validUntil, shape) failed
    errorMessages(vr.error, errors);
  }

  let statusOk = true;
  if(credential.credentialStatus) {
    result.status = result.signature ?
      summariseStatus(credential, vr.statusResult) : {revoked: null, suspended: null};
    if(vr.statusResult?.error) {
      errorMessages(vr.statusResult.error, errors);
    }
    if(result.status.revoked) {
      errors.push('credential is revoked');
    }
    if(result.status.suspended) {
      errors.push('credential is suspended');
    }
    statusOk = vr.statusResult?.verified === true && !vr.statusResult.error &&
      result.status.revoked !== true && result.status.suspended !== true;
    if(result.signature && !statusOk && !vr.statusResult?.error &&
      !result.status.revoked && !result.status.suspended) {
      errors.push('status not verified');
    }
  }

  result.verified = vr.verified === true && result.signature &&
    result.schema !== false && statusOk;
  if(!result.verified && errors.length === 0) {
    errors.push('not verified');
  }
  return result;
}

/**
 * Verifies a credential and, for a ClrCredential, every credential in
 * credentialSubject.verifiableCredential. `verified` covers all of them.
 */
export async function verifyDocument(credential, options) {
  const outer = await verifyOne(credential, options);
  const embedded = [];
  if(isClrCredential(credential)) {
    const subjects = [].concat(credential.credentialSubject ?? []);
    const inner = subjects.flatMap(s => [].concat(s?.verifiableCredential ?? []));
    if(inner.length === 0) {
      outer.errors.push('ClrCredential has no credentialSubject.verifiableCredential');
    }
    for(const [i, vcInner] of inner.entries()) {
      const r = await verifyOne(vcInner, options);
      const id = vcInner?.id ?? `#${i}`;
      embedded.push({id, ...r});
      for(const e of r.errors) {
        outer.errors.push(`embedded ${id}: ${e}`);
      }
      for(const n of r.notes) {
        outer.notes.push(`embedded ${id}: ${n}`);
      }
    }
  }
  const verified = outer.verified && embedded.every(e => e.verified);
  return {
    verified,
    signature: outer.signature,
    status: outer.status,
    schema: outer.schema,
    embedded,
    errors: outer.errors,
    notes: outer.notes
  };
}

/** Reads a JSON object file mapping keys to documents into a Map. */
export function readJsonMap(file) {
  const value = JSON.parse(fs.readFileSync(file, 'utf8'));
  if(!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file} must be a JSON object`);
  }
  return new Map(Object.entries(value));
}
