import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinDir, startPostgresCluster } from './postgres-cluster';

describe('findPostgresBinDir', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flock-postgres-find-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function install(major: string): string {
    const bin = join(root, major, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const name of ['postgres', 'initdb']) {
      writeFileSync(join(bin, name), '#!/bin/sh\n');
      chmodSync(join(bin, name), 0o755);
    }
    return bin;
  }

  it("prefers the topology's major version, else the newest supported one", () => {
    install('13');
    install('16');
    expect(findPostgresBinDir({ PATH: '' }, root)).toBe(join(root, '16', 'bin'));
    install('15');
    expect(findPostgresBinDir({ PATH: '' }, root)).toBe(join(root, '15', 'bin'));
  });

  it('ignores versions the server does not support (before 12) and folders without a server', () => {
    install('11');
    mkdirSync(join(root, '14', 'bin'), { recursive: true });
    expect(findPostgresBinDir({ PATH: '' }, root)).toBeUndefined();
  });

  it('takes FLOCK_POSTGRES_BIN_DIR when it holds a server, and nothing else then', () => {
    const bin = install('17');
    expect(findPostgresBinDir({ FLOCK_POSTGRES_BIN_DIR: bin, PATH: '' }, join(root, 'none'))).toBe(bin);
    expect(findPostgresBinDir({ FLOCK_POSTGRES_BIN_DIR: join(root, 'nowhere'), PATH: '' }, root)).toBeUndefined();
  });
});

describe('startPostgresCluster', () => {
  it('names the apt package when no PostgreSQL server is installed', async () => {
    const saved = { ...process.env };
    process.env['FLOCK_POSTGRES_BIN_DIR'] = join(tmpdir(), 'flock-no-postgres-here');
    try {
      await expect(startPostgresCluster()).rejects.toMatchObject({ code: 'POSTGRES_NOT_FOUND', message: expect.stringContaining('apt-get install -y postgresql') });
    } finally {
      process.env = saved;
    }
  });
});
