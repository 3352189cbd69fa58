// A typed client of the CUF Cooperation API, run by CI against a live server:
//   1. signs in with `login` and sends the access token as `Authorization: Bearer`;
//   2. pages through the whole directory (`cooperations`, `first`/`after` until
//      `hasNextPage` is false), checking that the pages add up to `totalCount`;
//   3. subscribes to `cooperationChanged` over WebSocket (graphql-ws), changes a fiche it read
//      with `updateCooperation` and the version it read, checks that the same version again
//      is refused as a CONFLICT, and waits until the subscription delivers the change.
// Any failure exits non-zero, and so does a change not delivered within CUF_TIMEOUT_MS.
//
// Environment: CUF_API_URL (default http://127.0.0.1:8080), CUF_EMAIL and CUF_PASSWORD (a
// CUF staff or administrator account), CUF_PAGE_SIZE (default 2), CUF_TIMEOUT_MS (default
// 10000).
import { HttpClient } from './http';
import { CooperationChanged, DirectoryPage, Login, UpdateNotes } from './operations';
import type { CooperationChangedSubscription, DirectoryPageQuery } from './gql/graphql';
import { subscribe, type Subscription } from './subscription';

type Fiche = DirectoryPageQuery['cooperations']['nodes'][number];

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function signIn(client: HttpClient, email: string, password: string): Promise<void> {
  const { login } = await client.execute(Login, { input: { email, password } });
  check(
    login.userErrors.length === 0,
    `login refused: ${login.userErrors.map((error) => `${error.code} ${error.message}`).join('; ')}`,
  );
  check(login.accessToken != null && login.user != null, 'login answered without a token');
  client.token = login.accessToken;
  console.log(`Signed in as ${login.user.email} (${login.user.role}), token until ${login.expiresAt ?? '?'}.`);
}

async function readDirectory(client: HttpClient, pageSize: number): Promise<Fiche[]> {
  const fiches: Fiche[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 1; ; page += 1) {
    const { cooperations }: DirectoryPageQuery = await client.execute(DirectoryPage, { first: pageSize, after });
    if (totalCount === -1) totalCount = cooperations.totalCount;
    check(cooperations.totalCount === totalCount, `totalCount changed while paging: ${totalCount}, then ${cooperations.totalCount}`);
    check(cooperations.nodes.length <= pageSize, `page ${page} holds ${cooperations.nodes.length} fiches, over ${pageSize}`);
    fiches.push(...cooperations.nodes);
    console.log(`Page ${page}: ${cooperations.nodes.length} fiches (${fiches.length} of ${totalCount}).`);
    if (!cooperations.pageInfo.hasNextPage) break;
    check(cooperations.pageInfo.endCursor != null, `page ${page} has a next page but no endCursor`);
    after = cooperations.pageInfo.endCursor;
  }
  check(fiches.length === totalCount, `read ${fiches.length} fiches, totalCount says ${totalCount}`);
  check(new Set(fiches.map((fiche) => fiche.id)).size === fiches.length, 'a fiche appeared on two pages');
  console.log(`Directory: ${fiches.length} fiches in ${Math.ceil(fiches.length / pageSize) || 1} pages of ${pageSize}.`);
  return fiches;
}

/** Changes the fiche's internal notes at the version read; returns the new version. */
async function changeFiche(client: HttpClient, fiche: Fiche, notes: string, checkStale: boolean): Promise<number> {
  const { updateCooperation } = await client.execute(UpdateNotes, {
    input: { id: fiche.id, version: fiche.version, internalNotes: notes },
  });
  check(
    updateCooperation.userErrors.length === 0,
    `updateCooperation refused: ${updateCooperation.userErrors.map((error) => `${error.code} ${error.message}`).join('; ')}`,
  );
  const changed = updateCooperation.cooperation;
  check(changed != null, 'updateCooperation answered without the fiche');
  check(changed.internalNotes === notes, `the notes read back are ${JSON.stringify(changed.internalNotes)}`);
  check(changed.version > fiche.version, `the version went from ${fiche.version} to ${changed.version}`);
  console.log(`Changed "${fiche.title}": version ${fiche.version} -> ${changed.version}.`);
  if (!checkStale) return changed.version;

  // The version read before the change is stale now: the server must refuse it.
  const stale = await client.execute(UpdateNotes, {
    input: { id: fiche.id, version: fiche.version, internalNotes: `${notes} (stale)` },
  });
  check(
    stale.updateCooperation.cooperation == null &&
      stale.updateCooperation.userErrors.some((error) => error.code === 'CONFLICT'),
    `a stale version was not refused as a CONFLICT: ${JSON.stringify(stale.updateCooperation)}`,
  );
  console.log('The stale version is refused as a CONFLICT.');
  return changed.version;
}

/**
 * Changes the fiche and waits for the subscription to deliver the change. The protocol does
 * not say when the server has started a subscription, so a change made too early would not
 * be delivered: if none arrives within a few seconds, the fiche is changed again, until
 * `timeoutMs` has passed. Any delivered change of ours passes, checked against what was sent.
 */
async function changeAndSeeDelivered(
  client: HttpClient,
  changes: Subscription<CooperationChangedSubscription>,
  fiche: Fiche,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const sent = new Map<number, { notes: string; attempt: number }>(); // by the version made
  let version = fiche.version;
  for (let attempt = 1; Date.now() < deadline; attempt += 1) {
    const notes = `Touched by the typed client example at ${new Date().toISOString()} (change ${attempt}).`;
    version = await changeFiche(client, { ...fiche, version }, notes, attempt === 1);
    sent.set(version, { notes, attempt });
    const waitUntil = Math.min(deadline, Date.now() + 3_000);
    for (let left = waitUntil - Date.now(); left > 0; left = waitUntil - Date.now()) {
      const result = await changes.next(left);
      if (result === null) break;
      const change = result.cooperationChanged;
      console.log(`Delivered: ${change.kind} ${change.cooperationId}, version ${change.cooperation?.version ?? '-'}.`);
      if (change.cooperationId !== fiche.id) continue;
      check(change.kind === 'UPDATED', `the change of ${fiche.id} is delivered as ${change.kind}`);
      check(change.cooperation != null, 'the changed fiche is delivered without its content');
      const expected = sent.get(change.cooperation.version);
      check(expected !== undefined, `version ${change.cooperation.version} is not one we made`);
      check(
        change.cooperation.internalNotes === expected.notes,
        `version ${change.cooperation.version} is delivered with notes ${JSON.stringify(change.cooperation.internalNotes)}`,
      );
      console.log(`The subscription delivered change ${expected.attempt} of ${attempt}.`);
      return;
    }
    console.log(`Change ${attempt} not delivered within 3 s.`);
  }
  throw new Error(`the subscription delivered no change of ${fiche.id} within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const base = (process.env.CUF_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const timeoutMs = positive('CUF_TIMEOUT_MS', 10_000);
  const client = new HttpClient(`${base}/graphql`, timeoutMs);

  await signIn(client, required('CUF_EMAIL'), required('CUF_PASSWORD'));
  const fiches = await readDirectory(client, positive('CUF_PAGE_SIZE', 2));
  const fiche = fiches[0];
  check(fiche !== undefined, 'the directory is empty: nothing to change');
  const token = client.token;
  check(token !== null, 'not signed in');

  const changes = subscribe(`${base.replace(/^http/, 'ws')}/graphql/ws`, token, CooperationChanged, {
    filter: { countryCode: fiche.countryCode },
  });
  try {
    await changeAndSeeDelivered(client, changes, fiche, timeoutMs);
  } finally {
    await changes.close();
  }
  console.log('Typed client example: all steps passed.');
}

main().catch((error: unknown) => {
  console.error(`Typed client example FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
