/**
 * The consumer check: what a new user gets from npm, tried outside this repository.
 *
 * Builds the publishable packages (every workspace under packages/ and apps/ that is not private), packs
 * each one (`npm pack`, so their `prepack` checks run), creates a new npm project under the OS temp folder,
 * installs the tarballs there (their other dependencies come from the registry) with TypeScript, and there:
 *
 * - runs a flock in-process and on a Temporal dev server (`executor: temporal()`, an in-process worker) from
 *   an ES module (.mjs), a CommonJS file (.cjs) and TypeScript compiled by `tsc` with `"module": "nodenext"`
 *   (an .mts and a .cts file, whose typed results must compile), and compares the outputs;
 * - runs `npx flock-worker --version` and `npx flockctl --help`, starts `npx flock-worker --flock
 *   ./my-flock.cjs`, runs that flock through it with `npx flockctl run --wait --json` and stops the worker
 *   with SIGTERM (it must drain and exit 0).
 *
 * Prints the tarball sizes, the consumer's install size and how long each part took; exits 1 naming every
 * check that failed. The consumer project never imports @flock-ts/tools: this script starts the dev server.
 * `--keep` keeps the consumer project (it is also kept when a check fails).
 *
 * Run with: npm run consumer-check (node --conditions=@flock-ts/source --import tsx tools/scripts/consumer-check.ts)
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../src';
import { spawnManaged } from '../src/lib/managed-process';

const ROOT = path.resolve(__dirname, '..', '..');
/** The worker's prebuilt workflow bundles: a worker tarball without them bundles at every start. */
const WORKER_BUNDLES = ['workflow-bundle.js', 'workflow-bundle.traced.js', 'workflow-bundle.encoded-failures.js', 'workflow-bundle.encoded-failures.traced.js'];
/** The flock's start agent counts the words of its text; the next agent reports the count. */
const expectedReport = (text: string) => `${text.split(/\s+/).filter(Boolean).length} words`;

interface PublishablePackage {
  name: string;
  version: string;
  dir: string;
}

interface Packed {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One line per check; any failure makes the script exit 1. */
const results: { name: string; ok: boolean; detail: string }[] = [];
const timings: [string, number][] = [];

function record(name: string, ok: boolean, detail = ''): void {
  results.push({ name, ok, detail });
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}\n`);
}

/** Runs `part` under a heading and records how long it took. */
async function timed<T>(name: string, part: () => Promise<T>): Promise<T> {
  const started = Date.now();
  process.stdout.write(`== ${name}\n`);
  try {
    return await part();
  } finally {
    timings.push([name, Date.now() - started]);
  }
}

/** Every workspace package under packages/ and apps/ that npm would publish. */
function publishablePackages(): PublishablePackage[] {
  return ['packages', 'apps'].flatMap((parent) =>
    readdirSync(path.join(ROOT, parent))
      .map((name) => path.join(ROOT, parent, name))
      .filter((dir) => existsSync(path.join(dir, 'package.json')))
      .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string; private?: unknown } }))
      .filter(({ manifest }) => !manifest.private)
      .map(({ dir, manifest }) => ({ name: manifest.name, version: manifest.version, dir })),
  );
}

/** Runs a command to its end, output collected; SIGKILL to its process group after `timeoutMs`. */
function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; echo?: boolean }): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs / 1000} s)`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The command, its exit and the tail of its output: what a failed check says. */
function describeRun(what: string, ran: Ran): string {
  const tail = `${ran.stdout}\n${ran.stderr}`.trim().split('\n').slice(-15).join('\n    ');
  return `${what} exited with code ${ran.code}${ran.signal ? ` (signal ${ran.signal})` : ''}\n    ${tail}`;
}

/**
 * The environment of the consumer's commands: none of this repository's npm run variables (npm_config_*
 * would point npm at this workspace) and none of its node_modules/.bin on PATH, so every `npx` and `tsc`
 * resolves in the consumer project alone.
 */
function consumerEnv(temporalAddress: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$|TEMPORAL_|FLOCK_)/i.test(key)) continue;
    env[key] = value;
  }
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .filter((entry) => !entry.startsWith(ROOT) && !entry.includes(`${path.sep}node_modules${path.sep}.bin`))
    .join(path.delimiter);
  env['TEMPORAL_ADDRESS'] = temporalAddress;
  env['TEMPORAL_NAMESPACE'] = 'default';
  // the dev server started here; any other FLOCK_ setting (payload keys...) would change what the runs do
  if (process.env['FLOCK_TEMPORAL_PID_DIR']) env['FLOCK_TEMPORAL_PID_DIR'] = process.env['FLOCK_TEMPORAL_PID_DIR'];
  return env;
}

/** Apparent size of a folder in bytes, as `du -sb` counts it (symbolic links not followed). */
function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : lstatSync(full).size;
  }
  return total;
}

/** `true` once no process of the group is left, `false` if some still run after `timeoutMs`. */
async function waitUntilGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** `promise`'s value, or `fallback` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;

/**
 * The flock every consumer file runs, in the given module syntax: `count` hands off to `report`. It runs
 * in-process, then (with TEMPORAL_ADDRESS) on Temporal with an in-process worker, and prints one JSON line.
 * In TypeScript the outputs are typed by the signatures: `report` must be a string, not `any`.
 */
function consumerFile(label: string, syntax: 'esm' | 'cjs' | 'ts'): string {
  const imports =
    syntax === 'cjs'
      ? `const { Flock, defineAgent } = require('@flock-ts/core');\nconst { temporal } = require('@flock-ts/temporal');`
      : `import { Flock, defineAgent } from '@flock-ts/core';\nimport { temporal } from '@flock-ts/temporal';`;
  const typeCheck =
    syntax === 'ts'
      ? `
type IsAny<T> = 0 extends 1 & T ? true : false;
function typed(result: Awaited<ReturnType<ReturnType<typeof createFlock>['run']>>): string {
  const report: string = result.output.report; // typed by the signature 'report: string'
  const notAny: IsAny<typeof result.output.report> = false;
  return notAny ? '' : report;
}`
      : '';
  const reportOf = syntax === 'ts' ? 'typed' : '((result) => result.output.report)';
  return `${imports}

const count = defineAgent({
  name: 'count',
  description: 'Counts the words of a text',
  input: 'text: string',
  output: 'words: integer',
  evaluate: ({ text }) => ({ words: text.split(/\\s+/).filter(Boolean).length }),
  next: 'report',
});
const report = defineAgent({
  name: 'report',
  description: 'Says how many words the text had',
  input: 'words: integer',
  output: 'report: string',
  evaluate: ({ words }) => ({ report: \`\${words} words\` }),
});
const createFlock = (onTemporal${syntax === 'ts' ? ': boolean' : ''}) =>
  new Flock({
    name: 'consumer_check',
    agents: [count, report],
    ...(onTemporal
      ? {
          executor: temporal(),
          temporalStartInProcessWorker: true,
          temporalConfig: { serverUrl: process.env['TEMPORAL_ADDRESS'], namespace: 'default', taskQueue: 'consumer-check-${label}' },
        }
      : {}),
  });
${typeCheck}
async function main() {
  const text = '${label} says hello from a consumer project';
  const reportOf = ${reportOf};
  const local = await createFlock(false).run({ startAgent: 'count', input: { text } });
  const flock = createFlock(true);
  try {
    const durable = await flock.run({ startAgent: 'count', input: { text } });
    const line = { local: { lastAgent: local.lastAgent, report: reportOf(local) }, temporal: { lastAgent: durable.lastAgent, report: reportOf(durable), workflowId: durable.temporal?.workflowId } };
    console.log(JSON.stringify(line));
  } finally {
    await flock.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

/** The flock module flock-worker hosts and flockctl starts (CommonJS, as `--flock` modules often are). */
const WORKER_FLOCK = `const { Flock, defineAgent } = require('@flock-ts/core');

const count = defineAgent({ name: 'count', input: 'text: string', output: 'words: integer', evaluate: ({ text }) => ({ words: text.split(/\\s+/).filter(Boolean).length }), next: 'report' });
const report = defineAgent({ name: 'report', input: 'words: integer', output: 'report: string', evaluate: ({ words }) => ({ report: \`\${words} words\` }) });

exports.flock = new Flock({ name: 'consumer_worker', agents: [count, report], temporalConfig: { taskQueue: 'consumer-check-worker' } });
`;

/** Builds and packs every publishable package; returns the tarballs' paths. */
async function buildAndPack(packages: PublishablePackage[], tarballDir: string): Promise<string[]> {
  const names = packages.map((p) => p.name);
  const build = await timed('build (nx run-many -t build)', () =>
    run('npx', ['nx', 'run-many', '-t', 'build', '-p', ...names, '--outputStyle=static'], { cwd: ROOT, env: process.env, timeoutMs: 15 * 60_000, echo: true }),
  );
  if (build.code !== 0) throw new Error(describeRun('nx run-many -t build', build));
  const pack = await timed('npm pack', () =>
    run('npm', ['pack', '--json', '--pack-destination', tarballDir, ...names.flatMap((name) => ['-w', name])], { cwd: ROOT, env: process.env, timeoutMs: 5 * 60_000 }),
  );
  if (pack.code !== 0) throw new Error(describeRun('npm pack', pack));
  const packed = JSON.parse(pack.stdout) as Packed[];
  process.stdout.write('tarballs:\n');
  for (const p of packed)
    process.stdout.write(`  ${p.filename.padEnd(36)} ${kb(p.size).padStart(10)} packed, ${kb(p.unpackedSize).padStart(10)} unpacked, ${p.files.length} files\n`);
  process.stdout.write(`  ${'total'.padEnd(36)} ${kb(packed.reduce((sum, p) => sum + p.size, 0)).padStart(10)} packed\n`);
  for (const p of packed) {
    const files = new Set(p.files.map((file) => file.path));
    const missing = ['LICENSE', 'README.md', ...(p.name === '@flock-ts/worker' ? WORKER_BUNDLES.map((bundle) => `dist/${bundle}`) : [])].filter((file) => !files.has(file));
    record(
      `${p.name} tarball holds LICENSE, README.md${p.name === '@flock-ts/worker' ? ' and the prebuilt workflow bundles' : ''}`,
      missing.length === 0,
      missing.length ? `missing ${missing.join(', ')}` : '',
    );
  }
  return packed.map((p) => path.join(tarballDir, p.filename));
}

/** A new npm project with the tarballs, TypeScript and Node's types installed; returns its folder. */
async function createConsumer(consumerDir: string, tarballs: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const rootManifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  // the TypeScript and Node types this repository builds with: the check stays the same from day to day
  const typescript = `typescript@${rootManifest.devDependencies['typescript']}`;
  const nodeTypes = `@types/node@${rootManifest.devDependencies['@types/node']}`;
  writeFileSync(path.join(consumerDir, 'package.json'), `${JSON.stringify({ name: 'flock-consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  const install = await timed('npm install (tarballs, their dependencies from the registry, TypeScript)', () =>
    run('npm', ['install', '--no-audit', '--no-fund', ...tarballs, typescript, nodeTypes], { cwd: consumerDir, env, timeoutMs: 10 * 60_000, echo: true }),
  );
  if (install.code !== 0) throw new Error(describeRun('npm install', install));
  const modules = path.join(consumerDir, 'node_modules');
  const withoutTypeScript = folderBytes(modules) - folderBytes(path.join(modules, 'typescript')) - folderBytes(path.join(modules, '@types'));
  process.stdout.write(
    `consumer install: ${mb(folderBytes(modules))} in node_modules (${mb(withoutTypeScript)} without typescript and @types), ${install.stdout.match(/added \d+ packages/)?.[0] ?? ''}\n`,
  );
}

/** Runs one consumer file and compares its JSON line with what the flock must answer. */
async function checkConsumerRun(label: string, consumerDir: string, file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const ran = await run(process.execPath, [file], { cwd: consumerDir, env, timeoutMs: 180_000 });
  if (ran.code !== 0) {
    record(`${label}: the flock runs in-process and on Temporal`, false, describeRun(`node ${file}`, ran));
    return;
  }
  const want = expectedReport(`${label} says hello from a consumer project`);
  const line = JSON.parse(ran.stdout.trim().split('\n').pop() ?? '{}') as {
    local?: { lastAgent?: string; report?: string };
    temporal?: { lastAgent?: string; report?: string; workflowId?: string };
  };
  const local = line.local?.lastAgent === 'report' && line.local.report === want;
  const durable = line.temporal?.lastAgent === 'report' && line.temporal.report === want && typeof line.temporal.workflowId === 'string';
  record(`${label}: in-process run answers "${want}"`, local, local ? '' : JSON.stringify(line.local));
  record(`${label}: run on Temporal (in-process worker) answers "${want}"`, durable, durable ? `workflow ${line.temporal?.workflowId}` : JSON.stringify(line.temporal));
}

/** ESM, CommonJS and TypeScript (tsc, module nodenext) consumers: each runs the flock locally and on Temporal. */
async function checkModuleFormats(consumerDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  writeFileSync(path.join(consumerDir, 'run.mjs'), consumerFile('esm', 'esm'));
  writeFileSync(path.join(consumerDir, 'run.cjs'), consumerFile('cjs', 'cjs'));
  writeFileSync(path.join(consumerDir, 'run-ts.mts'), consumerFile('ts-esm', 'ts'));
  writeFileSync(path.join(consumerDir, 'run-ts.cts'), consumerFile('ts-cjs', 'ts'));
  const tsconfig = {
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' },
    files: ['run-ts.mts', 'run-ts.cts'],
  };
  writeFileSync(path.join(consumerDir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const tsc = await run('npx', ['--no', '--', 'tsc', '-p', 'tsconfig.json'], { cwd: consumerDir, env, timeoutMs: 180_000 });
  // skipLibCheck is off so our .d.ts files are checked too; errors in other packages' types are theirs to fix
  const errors = `${tsc.stdout}\n${tsc.stderr}`.split('\n').filter((line) => /: error TS\d+:/.test(line));
  const ours = errors.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@flock-ts/'));
  for (const line of errors.filter((line) => !ours.includes(line))) process.stdout.write(`note (not ours): ${line}\n`);
  const compiled = ours.length === 0 && existsSync(path.join(consumerDir, 'out', 'run-ts.mjs')) && existsSync(path.join(consumerDir, 'out', 'run-ts.cjs'));
  record(
    'TypeScript: tsc (module nodenext, strict) compiles an .mts and a .cts consumer, no error in them or in @flock-ts types',
    compiled,
    compiled ? '' : ours.length ? ours.join('\n    ') : describeRun('tsc', tsc),
  );
  await checkConsumerRun('esm', consumerDir, 'run.mjs', env);
  await checkConsumerRun('cjs', consumerDir, 'run.cjs', env);
  if (compiled) {
    await checkConsumerRun('ts-esm', consumerDir, 'out/run-ts.mjs', env);
    await checkConsumerRun('ts-cjs', consumerDir, 'out/run-ts.cjs', env);
  }
}

/** `npx flock-worker` and `npx flockctl` in the consumer: version, help, and a run served by the worker. */
async function checkBins(consumerDir: string, env: NodeJS.ProcessEnv, server: DevServer, versions: Map<string, string>): Promise<void> {
  const version = await run('npx', ['--no', '--', 'flock-worker', '--version'], { cwd: consumerDir, env, timeoutMs: 60_000 });
  const wantVersion = versions.get('@flock-ts/worker');
  record(
    `npx flock-worker --version prints ${wantVersion}`,
    version.code === 0 && version.stdout.trim() === wantVersion,
    version.code === 0 ? version.stdout.trim() : describeRun('npx flock-worker --version', version),
  );
  const help = await run('npx', ['--no', '--', 'flockctl', '--help'], { cwd: consumerDir, env, timeoutMs: 60_000 });
  record('npx flockctl --help prints its usage', help.code === 0 && help.stdout.includes('Usage: flockctl'), help.code === 0 ? '' : describeRun('npx flockctl --help', help));

  writeFileSync(path.join(consumerDir, 'my-flock.cjs'), WORKER_FLOCK);
  const lines: string[] = [];
  let polling: () => void = () => undefined;
  const pollingNow = new Promise<void>((resolve) => (polling = resolve));
  const worker = await spawnManaged('npx', ['--no', '--', 'flock-worker', '--flock', './my-flock.cjs', '--server', server.address], {
    cwd: consumerDir,
    env,
    keepProcessAlive: true,
    stopGraceMs: 30_000,
    onOutput: (line) => {
      lines.push(line);
      if (line.includes('polling task queue(s)')) polling();
    },
  });
  try {
    const started = await within(Promise.race([pollingNow.then(() => true), worker.exited.then(() => false)]), 120_000, false);
    record(
      'npx flock-worker --flock ./my-flock.cjs starts polling',
      started,
      started ? '' : `${worker.failure() ?? 'no "polling" line within 120 s'}\n    ${worker.output().split('\n').slice(-15).join('\n    ')}`,
    );
    if (!started) return;
    const bundle = path.join(consumerDir, 'node_modules', '@flock-ts', 'worker', 'dist', 'workflow-bundle.js');
    const usesBundle = lines.some((line) => line.includes(`workflow bundle ${bundle}`));
    record('flock-worker loads its prebuilt workflow bundle (no bundling at start)', usesBundle, usesBundle ? '' : lines.filter((line) => line.includes('bundl')).join(' | '));

    const text = 'flockctl sends four words';
    const flockctl = await run(
      'npx',
      ['--no', '--', 'flockctl', 'run', '--flock', './my-flock.cjs', '--input', JSON.stringify({ text }), '--wait', '--json', '--server', server.address],
      { cwd: consumerDir, env, timeoutMs: 120_000 },
    );
    const answer = flockctl.code === 0 ? (JSON.parse(flockctl.stdout) as { result?: { lastAgent?: string; output?: { report?: string } } }) : undefined;
    const ok = answer?.result?.lastAgent === 'report' && answer.result.output?.report === expectedReport(text);
    record(
      `npx flockctl run --flock ./my-flock.cjs --wait: the worker answers "${expectedReport(text)}"`,
      ok,
      ok ? '' : answer ? JSON.stringify(answer.result) : describeRun('npx flockctl run', flockctl),
    );
  } finally {
    // SIGTERM to the process group (npm exec, its sh -c, the worker), as a terminal or a service manager
    // stops a command: npm exec re-raises the signal on itself, so its own exit says nothing of the worker's
    await worker.stop();
    const gone = await waitUntilGroupGone(worker.pid, 40_000);
    if (!gone) process.kill(-worker.pid, 'SIGKILL');
    const drained = lines.some((line) => line.includes('all tasks drained, worker stopped'));
    const ok = gone && drained && !lines.some((line) => line.includes('again: exiting without waiting'));
    record(
      'SIGTERM stops npx flock-worker: the worker drains, stops cleanly and leaves no process',
      ok,
      ok ? '' : `${gone ? '' : 'still running 40 s after SIGTERM; '}\n    ${lines.slice(-10).join('\n    ')}`,
    );
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const keep = process.argv.includes('--keep');
  const packages = publishablePackages();
  const work = mkdtempSync(path.join(tmpdir(), 'flock-consumer-'));
  const tarballDir = path.join(work, 'tarballs');
  const consumerDir = path.join(work, 'consumer');
  mkdirSync(tarballDir);
  mkdirSync(consumerDir);
  process.stdout.write(`consumer check of ${packages.length} packages in ${work}\n`);
  let server: DevServer | undefined;
  try {
    const tarballs = await buildAndPack(packages, tarballDir);
    server = await timed('Temporal dev server', () => startDevServer({ namespace: 'default', headless: true }));
    const env = consumerEnv(server.address);
    await createConsumer(consumerDir, tarballs, env);
    await timed('ESM, CommonJS and TypeScript consumers (in-process and on Temporal)', () => checkModuleFormats(consumerDir, env));
    const active = server;
    await timed('npx flock-worker and npx flockctl', () => checkBins(consumerDir, env, active, new Map(packages.map((p) => [p.name, p.version]))));
  } catch (error) {
    record('consumer check ran to its end', false, (error as Error).message);
  } finally {
    await server?.stop();
  }
  const failed = results.filter((result) => !result.ok);
  process.stdout.write('== time of each part\n');
  for (const [name, ms] of timings) process.stdout.write(`  ${name.padEnd(72)} ${(ms / 1000).toFixed(1).padStart(6)} s\n`);
  process.stdout.write(`consumer check: ${results.length - failed.length} of ${results.length} checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (failed.length > 0) {
    process.stdout.write(
      `FAILED:\n${failed.map((result) => `  - ${result.name}${result.detail ? `: ${result.detail}` : ''}`).join('\n')}\nconsumer project kept in ${consumerDir}\n`,
    );
    return 1;
  }
  if (keep) process.stdout.write(`consumer project kept in ${consumerDir}\n`);
  else rmSync(work, { recursive: true, force: true });
  return 0;
}

let finished = false;
// a child handle unref'd by mistake would let Node end quietly with code 0 halfway through
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write('consumer check: the process ran out of work before the checks ended\n');
  process.exitCode = 1;
});
main().then(
  (code) => {
    finished = true;
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
