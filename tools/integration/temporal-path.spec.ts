import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkspaceRoot } from '../src/lib/workspace';

// `npm run --silent temporal:path` is used as `$(npm run --silent temporal:path)`:
// its stdout must be the path and nothing else.
describe('the temporal:path script', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flock-temporal-path-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function runScript(args: string[], env: NodeJS.ProcessEnv) {
    return spawnSync(process.execPath, ['--conditions=@flock-ts/source', '--import', 'tsx', 'tools/scripts/temporal-path.ts', ...args], {
      cwd: findWorkspaceRoot(),
      env: { PATH: process.env['PATH'], ...env },
      encoding: 'utf8',
    });
  }

  it('prints only the absolute path on stdout, progress on stderr', () => {
    const fake = join(root, 'temporal');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);

    const result = runScript([], { TEMPORAL_CLI_PATH: fake });

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${fake}\n`);
    expect(result.stderr).toContain('from env');
  });

  it('fails with a message and an empty stdout when --no-install finds nothing', () => {
    const result = runScript(['--test-server', '--no-install'], {
      PATH: join(root, 'empty'),
      FLOCK_TEMPORAL_CACHE_DIR: join(root, 'cache'),
    });

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No time-skipping test server found');
  });
});
