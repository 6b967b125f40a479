#!/usr/bin/env node
// Independent offline verifier for credo's credentials (DCC JavaScript stack).
//
//   node interop/verify.mjs --contexts <dir> [--dids <file.json>]
//     [--status <file.json>] [--schema <ob3-schema.json> [--strict-schema]]
//     [--now <ISO date-time>] <credential.json>...
//
// One JSON line per input file on stdout:
//   {"file", "verified", "signature", "status", "schema", "embedded", "errors", "notes"}
// Exit 0 when every file verified, 1 when any did not, 2 on usage errors.
import fs from 'node:fs';
import {
  compileSchema, errorMessages, loadContexts, makeDocumentLoader, readJsonMap,
  verifyDocument
} from './lib.mjs';

const USAGE = 'usage: node interop/verify.mjs --contexts <dir> [--dids <file.json>] ' +
  '[--status <file.json>] [--schema <ob3-schema.json> [--strict-schema]] [--now <ISO date-time>] ' +
  '<credential.json>...';

function usage(message) {
  process.stderr.write(`verify.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {files: []};
  const valued = new Set(['--contexts', '--dids', '--status', '--schema', '--now']);
  for(let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if(arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if(arg === '--') {
      options.files.push(...argv.slice(i + 1));
      break;
    }
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ?
      [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if(valued.has(name)) {
      const value = inline ?? argv[++i];
      if(value === undefined || value === '') {
        usage(`${name} needs a value`);
      }
      if(options[name.slice(2)] !== undefined) {
        usage(`${name} given twice`);
      }
      options[name.slice(2)] = value;
    } else if(arg === '--strict-schema') {
      options.strictSchema = true;
    } else if(arg.startsWith('--')) {
      usage(`unknown option ${arg}`);
    } else {
      options.files.push(arg);
    }
  }
  if(!options.contexts) {
    usage('--contexts is required');
  }
  if(options.strictSchema && !options.schema) {
    usage('--strict-schema needs --schema');
  }
  if(options.files.length === 0) {
    usage('no credential files given');
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let documentLoader;
  let validateSchema;
  try {
    const contexts = loadContexts(options.contexts);
    const dids = options.dids ? readJsonMap(options.dids) : new Map();
    const statusLists = options.status ? readJsonMap(options.status) : new Map();
    documentLoader = makeDocumentLoader({contexts, dids, statusLists});
    validateSchema = options.schema ?
      compileSchema(options.schema, {relaxCredentialStatus: !options.strictSchema}) : undefined;
    if(options.now !== undefined && isNaN(new Date(options.now))) {
      throw new Error(`--now ${JSON.stringify(options.now)} is not a date-time`);
    }
  } catch(e) {
    usage(errorMessages(e).join('; '));
  }

  let allVerified = true;
  for(const file of options.files) {
    let line;
    try {
      const credential = JSON.parse(fs.readFileSync(file, 'utf8'));
      line = {file, ...await verifyDocument(credential, {documentLoader, validateSchema, now: options.now})};
    } catch(e) {
      line = {
        file, verified: false, signature: false, status: null, schema: null,
        embedded: [], errors: errorMessages(e), notes: []
      };
    }
    allVerified &&= line.verified === true;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  process.exitCode = allVerified ? 0 : 1;
}

main().catch(e => {
  process.stderr.write(`verify.mjs: ${e?.stack ?? e}\n`);
  process.exit(2);
});
