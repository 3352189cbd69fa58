// Tests of the schema checker on small released/current pairs (test/fixtures/*), with a
// fixed "today" so that the dates in the fixtures stay in the past or the future.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSchemas, removalDate } from '../lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name) => ({
  released: join(here, 'fixtures', name, 'released.graphql'),
  current: join(here, 'fixtures', name, 'current.graphql'),
});
const TODAY = '2026-06-01';
async function check(name, on = TODAY) {
  const { released, current } = fixture(name);
  return checkSchemas(readFileSync(released, 'utf8'), readFileSync(current, 'utf8'), on);
}

test('an additive change passes, and its changes are listed as safe', async () => {
  const result = await check('additive');
  assert.equal(result.ok, true);
  assert.deepEqual(result.refused, []);
  const paths = result.safe.map((change) => change.path);
  assert.ok(paths.includes('Query.things'), paths.join(', '));
  assert.ok(paths.includes('Thing.colour'), paths.join(', '));
  assert.ok(paths.includes('Colour'), paths.join(', '));
});

test('a dangerous change (a new enum value) passes and is listed as dangerous', async () => {
  const result = await check('dangerous');
  assert.equal(result.ok, true);
  assert.deepEqual(result.dangerous.map((change) => change.path), ['Colour.GREEN']);
});

test('removing a field that was never deprecated fails', async () => {
  const result = await check('removal');
  assert.equal(result.ok, false);
  assert.deepEqual(result.refused.map((change) => change.path), ['Thing.name']);
  assert.match(result.refused[0].why, /not @deprecated/);
});

test('removing a field deprecated with a removal date that has passed passes', async () => {
  const result = await check('deprecated-past');
  assert.equal(result.ok, true);
  assert.deepEqual(result.allowed.map((change) => change.path), ['Thing.name']);
  assert.match(result.allowed[0].why, /removal after 2026-01-31/);
});

test('the removal date itself is not yet past; the day after it is', async () => {
  assert.equal((await check('deprecated-past', '2026-01-31')).ok, false);
  assert.equal((await check('deprecated-past', '2026-02-01')).ok, true);
});

test('removing a field deprecated with a removal date in the future fails', async () => {
  const result = await check('deprecated-future');
  assert.equal(result.ok, false);
  assert.deepEqual(result.refused.map((change) => change.path), ['Thing.name']);
  assert.match(result.refused[0].why, /removal after 2999-12-31, and today is 2026-06-01/);
});

test('removing a field deprecated without a removal date fails', async () => {
  const result = await check('deprecated-no-date');
  assert.equal(result.ok, false);
  assert.match(result.refused[0].why, /without a removal date/);
});

test('a removal date that does not exist (2026-02-30) is no date', async () => {
  const result = await check('deprecated-bad-date');
  assert.equal(result.ok, false);
  assert.match(result.refused[0].why, /without a removal date/);
});

test('an enum value deprecated with a past date may go; one never deprecated may not', async () => {
  assert.equal((await check('enum-value-past')).ok, true);
  const refused = await check('enum-value-undeprecated');
  assert.equal(refused.ok, false);
  assert.deepEqual(refused.refused.map((change) => change.path), ['Colour.MAUVE']);
});

test('types reachable only through a removed deprecated field go with it', async () => {
  const result = await check('type-behind-deprecated-field');
  assert.equal(result.ok, true, JSON.stringify(result.refused));
  assert.deepEqual(result.allowed.map((change) => change.path).sort(), [
    'OldConnection',
    'OldEdge',
    'OldFilter',
    'Query.oldThings',
  ]);
});

test('a type still reachable through a field that was not deprecated may not go', async () => {
  const result = await check('type-still-referenced');
  assert.equal(result.ok, false);
  const refused = result.refused.map((change) => change.path).sort();
  assert.deepEqual(refused, ['OldConnection', 'Query.otherThings']);
  assert.match(result.refused.find((change) => change.path === 'OldConnection').why, /Query\.otherThings/);
});

test('any other breaking change (a non-null field made nullable) fails', async () => {
  const result = await check('type-change');
  assert.equal(result.ok, false);
  assert.deepEqual(result.refused.map((change) => change.path), ['Thing.name']);
});

test('a new deprecation must carry its removal date', async () => {
  const result = await check('new-deprecation-without-date');
  assert.equal(result.ok, false);
  assert.deepEqual(result.refused, []);
  assert.equal(result.malformed.length, 1);
  assert.match(result.malformed[0], /^Thing\.name: /);
});

test('removalDate reads exactly "Removal after YYYY-MM-DD."', () => {
  assert.equal(removalDate('Use `b`. Removal after 2027-03-31.'), '2027-03-31');
  assert.equal(removalDate('Removal after 2027-03-31'), null, 'the final full stop is part of the marker');
  assert.equal(removalDate('removal after 2027-03-31.'), null, 'the marker is case-sensitive');
  assert.equal(removalDate('Removal after 31/03/2027.'), null);
  assert.equal(removalDate('Removal after 2027-13-01.'), null);
  assert.equal(removalDate(null), null);
});

test('the command line exits 1 on a refused change and 0 otherwise, and prints the changes', () => {
  const run = (name) => {
    const { released, current } = fixture(name);
    return spawnSync(process.execPath, [join(here, '..', 'check.mjs'), released, current, '--today', TODAY], {
      encoding: 'utf8',
    });
  };
  const refused = run('removal');
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stdout, /Breaking changes REFUSED \(1\):\n {2}Field 'name' was removed/);
  const passed = run('additive');
  assert.equal(passed.status, 0, passed.stderr);
  assert.match(passed.stdout, /Safe changes \(\d+\):/);
  assert.match(passed.stdout, /Schema check passed\./);
});
