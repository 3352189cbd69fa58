// A typed client of the CUF Cooperation API, run by CI against a live server:
//   1. signs in with `login` and sends the access token as `Authorization: Bearer`;
//   2. pages through the whole directory (`cooperations`, `first`/`after` until
//      `hasNextPage` is false), checking that the pages add up to `totalCount`;
//   3. changes a fiche it read with `updateCooperation` and the version it read, then checks
//      that the same version again is refused as a CONFLICT.
// Any failure exits non-zero.
//
// Environment: CUF_API_URL (default http://127.0.0.1:8080), CUF_EMAIL and CUF_PASSWORD (a
// CUF staff or administrator account), CUF_PAGE_SIZE (default 2), CUF_TIMEOUT_MS (default
// 10000).
import { HttpClient } from './http';
import { DirectoryPage, Login, UpdateNotes } from './operations';
import type { DirectoryPageQuery } from './gql/graphql';

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
async function changeFiche(client: HttpClient, fiche: Fiche, notes: string): Promise<number> {
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

async function main(): Promise<void> {
  const base = (process.env.CUF_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const timeoutMs = positive('CUF_TIMEOUT_MS', 10_000);
  const client = new HttpClient(`${base}/graphql`, timeoutMs);

  await signIn(client, required('CUF_EMAIL'), required('CUF_PASSWORD'));
  const fiches = await readDirectory(client, positive('CUF_PAGE_SIZE', 2));
  const fiche = fiches[0];
  check(fiche !== undefined, 'the directory is empty: nothing to change');
  await changeFiche(client, fiche, `Touched by the typed client example at ${new Date().toISOString()}.`);
  console.log('Typed client example: all steps passed.');
}

main().catch((error: unknown) => {
  console.error(`Typed client example FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
