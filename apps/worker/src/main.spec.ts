/**
 * flock-worker as a real process (from its sources): --version, --help and
 * wrong options answer without touching Temporal; with no --flock it says
 * on stderr that it hosts the example flocks.
 */
import { runSource } from '@flock-ts/tools';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_FLOCKS_NOTICE } from './lib/cli';

const WORKER = 'apps/worker/src/main.ts';
const FIXTURE = 'apps/worker/integration/fixtures/worker-flock.ts';
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

// a bundle that does not exist ends the start once the flocks are planned, before any connection
const STOP_AFTER_PLANNING = ['--workflow-bundle', 'no-such-bundle.js', '--log-level', 'silent'];

jest.setTimeout(60_000);

describe('flock-worker process', () => {
  it('prints the package version with --version and exits 0', async () => {
    expect(await runSource(WORKER, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints the options and their variables with --help and exits 0', async () => {
    const help = await runSource(WORKER, ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: flock-worker \[options\]\n/);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('(env: TEMPORAL_MAX_CONCURRENCY)');
  });

  it('exits 2 on an unknown option, naming it once, with a suggestion', async () => {
    expect(await runSource(WORKER, ['--servr', 'temporal:7233'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "flock-worker: unknown option '--servr'\n(Did you mean --server?)\nRun flock-worker --help for the options.\n",
    });
  });

  it('exits 2 naming the variable when an environment variable holds a bad value', async () => {
    const result = await runSource(WORKER, [], { TEMPORAL_MAX_CONCURRENCY: 'lots' });
    expect(result).toMatchObject({ code: 2, stderr: 'flock-worker: TEMPORAL_MAX_CONCURRENCY must be a positive integer, got "lots"\n' });
  });

  it('says on stderr that it hosts the example flocks when no --flock is given, and not otherwise', async () => {
    const examples = await runSource(WORKER, STOP_AFTER_PLANNING, { FLOCK_MODULES: '' });
    expect(examples.code).toBe(2);
    expect(examples.stderr).toContain(`flock-worker: ${EXAMPLE_FLOCKS_NOTICE}\n`);
    expect(examples.stderr).toContain('--workflow-bundle: no file at');
    const own = await runSource(WORKER, [...STOP_AFTER_PLANNING, '--flock', FIXTURE]);
    expect(own.code).toBe(2);
    expect(own.stderr).not.toContain('no --flock given');
  });
});
