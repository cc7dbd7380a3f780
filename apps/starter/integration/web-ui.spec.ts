/**
 * The Temporal Web UI of the dev server, in a real browser: Debian's
 * headless Chromium driven by playwright-core finds a Flock run by its
 * FlockName and SessionId search attributes, opens the run's own link
 * (`result.temporal.webUiUrl`, from TEMPORAL_UI_URL: the test server's UI
 * address, never guessed from its gRPC port) and saves a screenshot
 * (tmp/web-ui/, git-ignored).
 */
import { Flock, defineAgent } from '@flock-ts/core';
import { flockRunsQuery, temporal } from '@flock-ts/temporal';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { testServer, WORKSPACE_ROOT } from '@flock-ts/tools';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(WORKSPACE_ROOT, 'tmp', 'web-ui');

jest.setTimeout(120_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `webui-it-${suffix}`;
const sessionId = `webui-session-${suffix}`;
const server = testServer();

let context: BrowserContext | undefined;
let profile: string;
const savedUiUrl = process.env['TEMPORAL_UI_URL'];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The Web UI test drives Debian's Chromium at ${CHROMIUM}, which is missing: ` +
        'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium ' +
        '(`npm test` does this itself when run as root).',
    );
  }
  if (!server.uiUrl) throw new Error('FLOCK_TEST_TEMPORAL_UI is not set: the dev server of the Jest global setup serves the Web UI');
  // the UI's address is known only to whoever started the server: links come from it
  process.env['TEMPORAL_UI_URL'] = server.uiUrl;
  profile = mkdtempSync(path.join(tmpdir(), 'flock-chromium-'));
  // a fresh profile per run; no network beyond the UI (no updates, sync or QUIC probes)
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
  });
});

afterAll(async () => {
  if (savedUiUrl === undefined) delete process.env['TEMPORAL_UI_URL'];
  else process.env['TEMPORAL_UI_URL'] = savedUiUrl;
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('Temporal Web UI', () => {
  it('lists a Flock run found by its FlockName and SessionId search attributes, and screenshots it', async () => {
    const flock = new Flock({
      name: flockName,
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: `webui-it-${suffix}` },
      agents: [defineAgent({ name: 'greeter', input: 'who: string', output: 'greeting: string', evaluate: ({ who }) => ({ greeting: `hello ${String(who)}` }) })],
    });
    const result = await flock.run({ startAgent: 'greeter', input: { who: 'browser' }, sessionId });
    const { workflowId, runId, webUiUrl } = result.temporal;
    expect(webUiUrl).toBe(`${server.uiUrl as string}/namespaces/${encodeURIComponent(server.namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);

    const page = await (context as BrowserContext).newPage();
    // the UI is all this test talks to (the UI's news feed on the internet is not)
    const ui = new URL(server.uiUrl as string).origin;
    await page.route(
      (url) => url.origin !== ui,
      (route) => route.abort(),
    );
    const query = flockRunsQuery({ flockName, sessionId });
    await page.goto(`${server.uiUrl as string}/namespaces/${encodeURIComponent(server.namespace)}/workflows?query=${encodeURIComponent(query)}`);
    // the list comes from visibility, which may trail the run by a moment: reload until the row shows
    const row = page.getByText(workflowId, { exact: true }).first();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const shown = await row.waitFor({ state: 'visible', timeout: 15_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      if (Date.now() > deadline) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, `${flockName}-not-listed.png`), fullPage: true });
        const text = (await page.locator('body').innerText()).slice(0, 1500);
        throw new Error(`run ${workflowId} not listed by the Web UI at ${page.url()} (screenshot in tmp/web-ui/); the page said:\n${text}`);
      }
      await page.reload();
    }
    expect(await page.getByText(workflowId, { exact: true }).count()).toBeGreaterThanOrEqual(1);
    expect(decodeURIComponent(page.url())).toContain(`FlockName = '${flockName}'`);
    // the UI read the query into its filters
    const body = await page.locator('body').innerText();
    expect(body).toContain(`FlockName = "${flockName}"`);
    expect(body).toContain(`SessionId = "${sessionId}"`);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${flockName}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    // the run's own link is live: the UI shows that run's history
    const response = await page.goto(webUiUrl as string);
    expect(response?.ok()).toBe(true);
    await page.getByText(workflowId, { exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.getByText(runId, { exact: false }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${flockName}-run.png`), fullPage: true });
    await page.close();
  });
});
