#!/usr/bin/env node
// Signing/verification benchmark with the DCC stack (single-threaded).
//
//   node interop/sign.mjs --contexts <dir> --key <keyfile.json> --n <N> <unsigned.json>...
//
// keyfile: {"publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z..."}
// ("privateKeyMultibase" is accepted too, as in the W3C vector key file).
// For each document: issuer (or issuer.id) := did:key of the key; warm up; time
// N x vc.issue (DataIntegrityProof + eddsa-rdfc-2022, fresh structuredClone
// each time) and N x vc.verifyCredential of the signed result (did:key
// resolved by the DCC driver). Every verification must succeed.
// Prints {"file", "sign_per_s", "verify_per_s", "verified": true} per document.
import fs from 'node:fs';
import {
  errorMessages, issue, keyFromFile, loadContexts, makeDocumentLoader, setIssuer,
  vc, verifyingSuite
} from './lib.mjs';

const USAGE = 'usage: node interop/sign.mjs --contexts <dir> --key <keyfile.json> --n <N> <unsigned.json>...';

function usage(message) {
  process.stderr.write(`sign.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {files: []};
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(['--contexts', '--key', '--n'].includes(arg)) {
      const value = argv[++i];
      if(value === undefined) {
        usage(`${arg} needs a value`);
      }
      options[arg.slice(2)] = value;
    } else if(arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else {
      options.files.push(arg);
    }
  }
  if(!options.contexts || !options.key || options.n === undefined) {
    usage('--contexts, --key and --n are required');
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

async function verifyOrThrow(credential, documentLoader) {
  const result = await vc.verifyCredential({credential, suite: verifyingSuite(), documentLoader});
  if(!result.verified) {
    const messages = errorMessages(result.error);
    for(const r of result.results ?? []) {
      errorMessages(r.error, messages);
    }
    throw new Error(`verification failed: ${messages.join('; ')}`);
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
  const {did, key} = signer;
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

main().catch(e => {
  process.stderr.write(`sign.mjs: ${e?.stack ?? e}\n`);
  process.exit(2);
});
