#!/usr/bin/env node
// Signing/verification benchmark with the DCC stack (single-threaded).
//
//   node interop/sign.mjs --contexts <dir> --key <keyfile.json> --n <N> <unsigned.json>...
//   node interop/sign.mjs --contexts <dir> --key <keyfile.json> --serve
//
// keyfile: {"publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z..."}
// ("privateKeyMultibase" is accepted too, as in the W3C vector key file).
//
// With --n, for each document: issuer (or issuer.id) := did:key of the key;
// warm up; time N x vc.issue (DataIntegrityProof + eddsa-rdfc-2022, fresh
// structuredClone each time) and N x vc.verifyCredential of the signed result
// (did:key resolved by the DCC driver). Every verification must succeed.
// Prints {"file", "sign_per_s", "verify_per_s", "verified": true} per document.
//
// With --serve, it answers JSON requests, one per line on stdin, one JSON line
// each on stdout, the same protocol as credo's bench/credential_worker.py, so
// bench/credentials.py can time both sides alike:
//   {"op": "load", "name", "unsigned"}          keep a document (issuer := the key's did:key)
//   {"op": "sign", "name", "created"}           sign it once with that proof date -> {"signed"}
//   {"op": "use_signed", "name", "signed"}      the signed document to time verifications with
//   {"op": "verify", "document"}                verify once -> {"verified", "errors"}
//   {"op": "time", "what": "sign"|"verify", "name", "seconds"}
//                                               repeat for at least that long -> {"count", "seconds"}
//   {"op": "quit"}
// A request that fails answers {"error"}.
//
// Verification is vc.verifyCredential: the proof, its purpose and controller,
// and the credential's shape and dates. Status lists are not fetched (the
// checkStatus given says every status is fine), as credo's proofs.verify does
// not look at them either: both sides time the signature check.
import fs from 'node:fs';
import readline from 'node:readline';
import {
  errorMessages, issue, keyFromFile, loadContexts, makeDocumentLoader, setIssuer,
  vc, verifyingSuite
} from './lib.mjs';

const USAGE = 'usage: node interop/sign.mjs --contexts <dir> --key <keyfile.json> (--n <N> <unsigned.json>... | --serve)';

function usage(message) {
  process.stderr.write(`sign.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {files: [], serve: false};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(['--contexts', '--key', '--n'].includes(arg)) {
      const value = argv[++i];
      if(value === undefined) {
        usage(`${arg} needs a value`);
      }
      options[arg.slice(2)] = value;
    } else if(arg === '--serve') {
      options.serve = true;
    } else if(arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else {
      options.files.push(arg);
    }
  }
  if(!options.contexts || !options.key) {
    usage('--contexts and --key are required');
  }
  if(options.serve) {
    if(options.n !== undefined || options.files.length > 0) {
      usage('--serve takes no --n and no documents');
    }
    return options;
  }
  if(options.n === undefined) {
    usage('--n (or --serve) is required');
  }
  options.n = Number(options.n);
  if(!Number.isInteger(options.n) || options.n < 1) {
    usage('--n must be a positive integer');
  }
  if(options.files.length === 0) {
    usage('no documents given');
  }
  return options;
}

// Status lists are out of the comparison: every status is reported fine, without a fetch.
const statusNotChecked = async () => ({verified: true});

async function verifyResult(credential, documentLoader) {
  const result = await vc.verifyCredential({
    credential, suite: verifyingSuite(), documentLoader, checkStatus: statusNotChecked
  });
  if(result.verified) {
    return {verified: true, errors: []};
  }
  const messages = errorMessages(result.error);
  for(const r of result.results ?? []) {
    errorMessages(r.error, messages);
  }
  return {verified: false, errors: messages.length ? messages : ['not verified']};
}

async function verifyOrThrow(credential, documentLoader) {
  const result = await verifyResult(credential, documentLoader);
  if(!result.verified) {
    throw new Error(`verification failed: ${result.errors.join('; ')}`);
  }
}

/** Runs `operation` back to back until `seconds` pass; how many times and how long it really took. */
async function repeat(operation, seconds) {
  let count = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  for(;;) {
    await operation();
    count++;
    const now = performance.now();
    if(now >= deadline) {
      return {count, seconds: (now - started) / 1000};
    }
  }
}

async function runFiles(options, documentLoader, {did, key}) {
  const warmup = Math.min(options.n, 20);
  let failed = false;
  for(const file of options.files) {
    try {
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      delete doc.proof;
      setIssuer(doc, did);

      let signed;
      for(let i = 0; i < warmup; i++) {
        signed = await issue({credential: structuredClone(doc), key, documentLoader});
        await verifyOrThrow(signed, documentLoader);
      }

      let t0 = performance.now();
      for(let i = 0; i < options.n; i++) {
        signed = await issue({credential: structuredClone(doc), key, documentLoader});
      }
      const signSeconds = (performance.now() - t0) / 1000;

      t0 = performance.now();
      for(let i = 0; i < options.n; i++) {
        await verifyOrThrow(signed, documentLoader);
      }
      const verifySeconds = (performance.now() - t0) / 1000;

      process.stdout.write(`${JSON.stringify({
        file,
        sign_per_s: Math.round(options.n / signSeconds * 10) / 10,
        verify_per_s: Math.round(options.n / verifySeconds * 10) / 10,
        verified: true
      })}\n`);
    } catch(e) {
      failed = true;
      process.stdout.write(`${JSON.stringify({file, verified: false, errors: errorMessages(e)})}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

async function serve(documentLoader, {did, key}) {
  const unsigned = new Map();
  const signed = new Map();
  const known = (map, name) => {
    if(!map.has(name)) {
      throw new Error(`no document named ${JSON.stringify(name)}`);
    }
    return map.get(name);
  };
  const answer = async request => {
    switch(request.op) {
      case 'load':
        unsigned.set(request.name, setIssuer(structuredClone(request.unsigned), did));
        return {};
      case 'sign':
        return {signed: await issue({
          credential: structuredClone(known(unsigned, request.name)), key, documentLoader,
          date: request.created
        })};
      case 'use_signed':
        signed.set(request.name, request.signed);
        return {};
      case 'verify':
        return verifyResult(request.document, documentLoader);
      case 'time': {
        const seconds = Number(request.seconds);
        if(request.what === 'sign') {
          const doc = known(unsigned, request.name);
          return repeat(() => issue({credential: structuredClone(doc), key, documentLoader}), seconds);
        }
        const doc = known(signed, request.name);
        return repeat(() => verifyOrThrow(doc, documentLoader), seconds);
      }
      default:
        throw new Error(`unknown op ${JSON.stringify(request.op)}`);
    }
  };
  const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const line of lines) {
    if(!line.trim()) {
      continue;
    }
    let reply;
    try {
      const request = JSON.parse(line);
      if(request.op === 'quit') {
        break;
      }
      reply = await answer(request);
    } catch(e) {
      reply = {error: errorMessages(e).join('; ') || String(e)};
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let documentLoader;
  let signer;
  try {
    documentLoader = makeDocumentLoader({contexts: loadContexts(options.contexts)});
    signer = await keyFromFile(options.key);
  } catch(e) {
    usage(errorMessages(e).join('; '));
  }
  if(options.serve) {
    await serve(documentLoader, signer);
  } else {
    await runFiles(options, documentLoader, signer);
  }
}

main().catch(e => {
  process.stderr.write(`sign.mjs: ${e?.stack ?? e}\n`);
  process.exit(2);
});
