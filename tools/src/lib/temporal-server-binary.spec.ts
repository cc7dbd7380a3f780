import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRODUCTION_TOPOLOGY } from './production-topology';
import { findTemporalServer, goVersionAtLeast, obtainTemporalServer } from './temporal-server-binary';

describe('goVersionAtLeast', () => {
  it.each([
    ['go1.26.8', '1.26.8', true],
    ['go1.26.10', '1.26.8', true],
    ['go1.27rc1', '1.26.8', true],
    ['go1.26.7', '1.26.8', false],
    ['go1.9', '1.26.8', false],
    ['', '1.26.8', false],
  ])('%s >= %s: %s', (have, need, expected) => {
    expect(goVersionAtLeast(have, need)).toBe(expected);
  });
});

describe('obtainTemporalServer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flock-server-binary-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A `go` that reports `version` and answers `go install` with `installOutput` and exit code 1. */
  function fakeGo(version: string, installOutput = ''): string {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'go'), `#!/bin/sh\nif [ "$1" = env ]; then echo ${version}; exit 0; fi\nif [ "$1" = install ]; then echo "${installOutput}" >&2; exit 1; fi\nexit 2\n`);
    chmodSync(join(bin, 'go'), 0o755);
    return bin;
  }

  it('names the Go version to install when there is no Go', async () => {
    const env = { PATH: join(dir, 'empty'), GOROOT: join(dir, 'no-go') };
    await expect(obtainTemporalServer({ cacheRoot: dir, env, log: () => undefined })).rejects.toMatchObject({
      code: 'TEMPORAL_SERVER_BUILD_FAILED',
      message: expect.stringContaining(`needs Go ${PRODUCTION_TOPOLOGY.goVersion} or newer; no \`go\` on PATH`),
    });
  });

  it('refuses an older Go that may not fetch a newer toolchain, naming both versions', async () => {
    const env = { PATH: fakeGo('go1.20.3'), GOTOOLCHAIN: 'local', GOROOT: join(dir, 'no-go') };
    await expect(obtainTemporalServer({ cacheRoot: dir, env, log: () => undefined })).rejects.toMatchObject({
      message: expect.stringMatching(/is go1\.20\.3 and GOTOOLCHAIN=local forbids fetching 1\.26\.8\. Install Go 1\.26\.8/),
    });
  });

  it('shows the end of go output when the build fails, and leaves no half build behind', async () => {
    const env = { PATH: fakeGo('go1.22.0', 'go: go.temporal.io/server@v1.32.1 requires go >= 1.26.8 (running go 1.22.0)'), GOROOT: join(dir, 'no-go') };
    const failure = obtainTemporalServer({ cacheRoot: dir, env, log: () => undefined });
    await expect(failure).rejects.toMatchObject({ message: expect.stringContaining('requires go >= 1.26.8') });
    await expect(failure).rejects.toMatchObject({ message: expect.stringContaining('this machine has go1.22.0') });
    expect(findTemporalServer({ cacheRoot: dir })).toBeUndefined();
  });

  it('uses a complete cached build without running Go', async () => {
    const versionDir = join(dir, 'temporal-server', `v${PRODUCTION_TOPOLOGY.temporalServerVersion}`);
    mkdirSync(join(versionDir, 'bin'), { recursive: true });
    mkdirSync(join(versionDir, 'schema', 'postgresql', 'v12'), { recursive: true });
    for (const name of ['server', 'sql']) {
      writeFileSync(join(versionDir, 'bin', name), '#!/bin/sh\n');
      chmodSync(join(versionDir, 'bin', name), 0o755);
    }
    const found = await obtainTemporalServer({ cacheRoot: dir, env: { PATH: '' } });
    expect(found).toEqual({
      version: PRODUCTION_TOPOLOGY.temporalServerVersion,
      serverPath: join(versionDir, 'bin', 'server'),
      sqlToolPath: join(versionDir, 'bin', 'sql'),
      postgresSchemaDir: join(versionDir, 'schema', 'postgresql', 'v12'),
    });
  });
});
