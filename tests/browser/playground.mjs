// The playground in a real browser: headless Chromium, driven over WebDriver (chromedriver)
// with Node's global fetch, no npm dependency. It opens GET /graphql on a live server, sets a
// query in GraphiQL's editor, presses the run button, and reads the answer in the result pane,
// which must equal what the same query answers over plain HTTP. Then it proves that nothing
// left the machine: Chromium resolves no host but the loopback and sends everything else to a
// dead proxy, and every request in its network log (and in the page's resource timing) went
// to the server's own origin. Chromium or chromedriver missing is a failure, never a skip.
//
//   CUF_API_URL=http://127.0.0.1:8080 node tests/browser/playground.mjs
//
// CHROMIUM_BIN and CHROMEDRIVER_BIN override where the two programs are looked for.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const base = (process.env.CUF_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const origin = new URL(base).origin;
const TIMEOUT_MS = 30_000;
const QUERY = '{ authorities(first: 5, filter: {search: "haute saone"}) { totalCount nodes { id name kind } } }';

function findProgram(variable, candidates) {
  const explicit = process.env[variable];
  const names = explicit ? [explicit] : candidates;
  for (const name of names) {
    const paths = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
    for (const path of paths) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  throw new Error(
    `${names.join(' or ')} not found (set ${variable}, or apt-get install chromium chromium-driver): ` +
      'the browser test cannot run without it',
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, probe, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** A minimal W3C WebDriver client. */
class WebDriver {
  constructor(url) {
    this.url = url;
    this.session = null;
  }

  async command(method, path, body) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const json = await response.json();
    if (!response.ok || json.value?.error) {
      throw new Error(`WebDriver ${method} ${path}: ${json.value?.error ?? response.status}: ${json.value?.message ?? ''}`);
    }
    return json.value;
  }

  sessionCommand(method, path, body) {
    return this.command(method, `/session/${this.session}${path}`, body);
  }

  async start(capabilities) {
    const value = await this.command('POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    this.session = value.sessionId;
    return value.capabilities;
  }

  navigate(url) {
    return this.sessionCommand('POST', '/url', { url });
  }

  execute(script, ...args) {
    return this.sessionCommand('POST', '/execute/sync', { script, args });
  }

  async find(css) {
    const value = await this.sessionCommand('POST', '/element', { using: 'css selector', value: css });
    return Object.values(value)[0];
  }

  click(element) {
    return this.sessionCommand('POST', `/element/${element}/click`, {});
  }

  /** chromedriver's log endpoint: `performance` (DevTools events) or `browser` (console). */
  log(type) {
    return this.sessionCommand('POST', '/se/log', { type });
  }

  async quit() {
    if (this.session !== null) await this.sessionCommand('DELETE', '', undefined).catch(() => {});
  }
}

function step(message) {
  console.log(`- ${message}`);
}

async function main() {
  const chromium = findProgram('CHROMIUM_BIN', ['/usr/lib/chromium/chromium', 'chromium', 'chromium-browser']);
  const chromedriverPath = findProgram('CHROMEDRIVER_BIN', ['chromedriver']);

  // The answer the playground must show, asked over plain HTTP.
  const direct = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY }),
  }).then((response) => response.json());
  if (!direct.data || direct.errors) throw new Error(`the server did not answer the query: ${JSON.stringify(direct)}`);
  if (direct.data.authorities.totalCount < 1) throw new Error('the query finds no authority: is the demo dataset loaded?');

  const port = await freePort();
  const driverProcess = spawn(chromedriverPath, [`--port=${port}`, '--allowed-ips=127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const driverExited = new Promise((resolve) => driverProcess.once('exit', resolve));
  const driver = new WebDriver(`http://127.0.0.1:${port}`);
  try {
    await waitFor('chromedriver', async () => (await driver.command('GET', '/status')).ready, 10_000);
    const capabilities = await driver.start({
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: chromium,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-dev-shm-usage',
          '--disable-component-update',
          '--disable-default-apps',
          '--disable-extensions',
          '--disable-sync',
          '--no-first-run',
          '--no-default-browser-check',
          // No --user-data-dir: chromedriver makes a fresh profile and removes it, and opens
          // data:, first (with a profile of our own, Chromium opens its new-tab page, which
          // tries to load the default search engine's start page).
          // No host name resolves but the loopback's, and every request to any other
          // address goes to a proxy that does not exist (loopback is never proxied).
          '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
          '--proxy-server=http://127.0.0.1:9',
        ],
      },
      'goog:loggingPrefs': { performance: 'ALL', browser: 'ALL' },
    });
    step(`Chromium ${capabilities.browserVersion} through chromedriver ${capabilities.chrome?.chromedriverVersion?.split(' ')[0] ?? '?'}`);

    await driver.log('performance'); // reading the log empties it: keep only the page's events
    await driver.navigate(`${base}/graphql`);
    const title = await driver.execute('return document.title');
    if (!/playground/i.test(title)) throw new Error(`GET /graphql is not the playground: title ${JSON.stringify(title)}`);
    await waitFor('the GraphiQL editor', () =>
      driver.execute("return !!document.querySelector('.graphiql-query-editor .CodeMirror')"),
    );
    step(`opened ${base}/graphql: "${title}", GraphiQL's editor is up`);

    await driver.execute(
      "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(arguments[0])",
      QUERY,
    );
    const inEditor = await driver.execute(
      "return document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()",
    );
    if (inEditor !== QUERY) throw new Error(`the editor holds ${JSON.stringify(inEditor)}`);
    await driver.click(await driver.find('.graphiql-execute-button'));
    step('set the query in the editor and pressed the run button');

    const shown = await waitFor('the result pane', async () => {
      const text = await driver.execute(
        "const pane = document.querySelector('.graphiql-response .CodeMirror'); return pane ? pane.CodeMirror.getValue() : ''",
      );
      return text.includes('"data"') ? text : null;
    });
    const result = JSON.parse(shown);
    if (JSON.stringify(result.data) !== JSON.stringify(direct.data)) {
      throw new Error(`the result pane shows ${JSON.stringify(result.data)}, the server answers ${JSON.stringify(direct.data)}`);
    }
    step(`the result pane shows the server's answer: ${result.data.authorities.totalCount} authorities, first "${result.data.authorities.nodes[0].name}"`);

    // Every request the browser made, from its DevTools network events and from the page.
    const events = (await driver.log('performance')).map((entry) => JSON.parse(entry.message).message);
    const requests = events
      .filter((event) => event.method === 'Network.requestWillBeSent')
      .map((event) => ({ method: event.params.request.method, url: event.params.request.url }));
    const resources = await driver.execute(
      "return performance.getEntriesByType('resource').map((entry) => entry.name)",
    );
    // data: and blob: URLs are in the page; chrome:// and the like are the browser's own pages
    // (its new tab), served from inside the browser. Anything else must be the server's origin.
    const internal = (url) => /^(data|blob|chrome|chrome-untrusted|chrome-extension|devtools):/.test(url);
    const all = [...requests.map((request) => request.url), ...resources];
    const foreign = all.filter((url) => !internal(url) && new URL(url).origin !== origin);
    if (foreign.length > 0) throw new Error(`requests left the server's origin: ${[...new Set(foreign)].join(', ')}`);
    const internalCount = all.filter(internal).length;
    // The log must hold what we know happened, or it proves nothing.
    const expected = [
      ['GET', `${origin}/graphql`],
      ['GET', `${origin}/graphql/assets/graphiql.min.js`],
      ['POST', `${origin}/graphql`],
    ];
    for (const [method, url] of expected) {
      if (!requests.some((request) => request.method === method && request.url === url)) {
        throw new Error(`the network log lacks ${method} ${url}: ${JSON.stringify(requests)}`);
      }
    }
    const failed = events.filter((event) => event.method === 'Network.loadingFailed');
    if (failed.length > 0) {
      const urlOf = (id) => events.find((event) => event.params?.requestId === id && event.params.request)?.params.request.url;
      throw new Error(`requests failed: ${failed.map((event) => `${urlOf(event.params.requestId) ?? event.params.requestId}: ${event.params.errorText}`).join(', ')}`);
    }
    step(
      `all ${requests.length} requests (${resources.length} resource entries) went to ${origin}` +
        `${internalCount > 0 ? ` or were inline data: URLs (${internalCount})` : ''}; none failed`,
    );

    const console_ = await driver.log('browser');
    // The server has no favicon: the browser's own request for it is answered 404, which
    // Chromium logs as an error. Any other error fails.
    const severe = console_.filter(
      (entry) => entry.level === 'SEVERE' && !entry.message.startsWith(`${origin}/favicon.ico - `),
    );
    if (severe.length > 0) throw new Error(`console errors: ${severe.map((entry) => entry.message).join(' | ')}`);
    step(`no console error (${console_.length} console entries)`);
    console.log('Playground browser test passed.');
  } finally {
    await driver.quit();
    driverProcess.kill();
    await Promise.race([driverExited, sleep(2_000)]);
  }
}

main().catch((error) => {
  console.error(`Playground browser test FAILED: ${error.message}`);
  process.exit(1);
});
