#!/usr/bin/env node
// Checks the current schema against the last released one; exits 1 on a refused change.
//
//   node tools/schema/check.mjs [RELEASED CURRENT] [--today YYYY-MM-DD]
//
// By default RELEASED is schema/released.graphql and CURRENT is schema.graphql, at the root
// of the repository. The rule is in lib.mjs and README.md ("Schema lifecycle").

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSchemas, today } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
let on = today();
const files = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--today') {
    on = args[(i += 1)];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(on ?? '')) {
      console.error('--today takes a date, YYYY-MM-DD');
      process.exit(2);
    }
  } else {
    files.push(args[i]);
  }
}
if (files.length !== 0 && files.length !== 2) {
  console.error('usage: check.mjs [RELEASED CURRENT] [--today YYYY-MM-DD]');
  process.exit(2);
}
const [releasedPath, currentPath] =
  files.length === 2 ? files : [resolve(root, 'schema/released.graphql'), resolve(root, 'schema.graphql')];

const result = await checkSchemas(readFileSync(releasedPath, 'utf8'), readFileSync(currentPath, 'utf8'), on);

console.log(`Schema check: ${currentPath} against ${releasedPath}, on ${on}`);
// One line per change: descriptions can span lines.
const oneLine = (text) => {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
};
const section = (title, entries, line) => {
  if (entries.length === 0) return;
  console.log(`\n${title} (${entries.length}):`);
  for (const entry of entries) console.log(`  ${oneLine(line(entry))}`);
};
section('Safe changes', result.safe, (entry) => entry.message);
section('Dangerous changes (allowed; clients may behave differently)', result.dangerous, (entry) => entry.message);
section('Breaking changes allowed (deprecated, removal date passed)', result.allowed, (e) => `${e.message}: ${e.why}`);
section('Breaking changes REFUSED', result.refused, (entry) => `${entry.message}: ${entry.why}`);
section('Deprecations without a removal date', result.malformed, (entry) => entry);
const total = result.safe.length + result.dangerous.length + result.allowed.length + result.refused.length;
if (total === 0) console.log('\nNo change since the released schema.');
if (result.ok) {
  console.log('\nSchema check passed.');
} else {
  console.log(
    '\nSchema check FAILED: deprecate first, with @deprecated(reason: "… Removal after YYYY-MM-DD."),' +
      ' release that, and remove only after the date (README.md, "Schema lifecycle").',
  );
  process.exit(1);
}
