import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TemporalServerBuildError } from './errors';
import { findOnPath, isExecutableFile } from './executables';
import { PRODUCTION_TOPOLOGY } from './production-topology';
import { runCommand } from './run-command';
import { findWorkspaceRoot } from './workspace';

/** `temporal-server`, its SQL schema tool and the PostgreSQL schemas of one server version. */
export interface TemporalServerBinaries {
  version: string;
  /** The server (`go.temporal.io/server/cmd/server`). */
  serverPath: string;
  /** `temporal-sql-tool` (`go.temporal.io/server/cmd/tools/sql`). */
  sqlToolPath: string;
  /** The module's `schema/postgresql/v12`: `temporal/versioned` and `visibility/versioned`. */
  postgresSchemaDir: string;
}

/** Where and how to obtain them (for tests: another cache). */
export interface ObtainTemporalServerOptions {
  /** Default `<repo>/.cache`: binaries under `temporal-server/v<version>`, Go's caches under `go/`. */
  cacheRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines; default: to stderr. */
  log?: (line: string) => void;
}

const MODULE = 'go.temporal.io/server';
const GO_INSTALL_URL = 'https://go.dev/dl/';

function binariesIn(dir: string): TemporalServerBinaries {
  return {
    version: PRODUCTION_TOPOLOGY.temporalServerVersion,
    serverPath: join(dir, 'bin', 'server'),
    sqlToolPath: join(dir, 'bin', 'sql'),
    postgresSchemaDir: join(dir, 'schema', 'postgresql', 'v12'),
  };
}

/** The cached binaries, when a complete build is there; never builds. */
export function findTemporalServer(options: Pick<ObtainTemporalServerOptions, 'cacheRoot'> = {}): TemporalServerBinaries | undefined {
  const cacheRoot = options.cacheRoot ?? join(findWorkspaceRoot(), '.cache');
  const found = binariesIn(join(cacheRoot, 'temporal-server', `v${PRODUCTION_TOPOLOGY.temporalServerVersion}`));
  return isExecutableFile(found.serverPath) && isExecutableFile(found.sqlToolPath) && existsSync(found.postgresSchemaDir) ? found : undefined;
}

/** `go` on PATH, else in `GOROOT` (default: Go's install folder `/usr/local/go`); `undefined` when neither. */
function findGo(env: NodeJS.ProcessEnv): string | undefined {
  const inRoot = join(env['GOROOT'] ?? '/usr/local/go', 'bin', 'go');
  return findOnPath('go', env['PATH']) ?? (isExecutableFile(inRoot) ? inRoot : undefined);
}

/** `go1.26.8` -> [1, 26, 8]. */
function versionParts(version: string): number[] {
  return (version.match(/\d+(\.\d+)*/)?.[0] ?? '0').split('.').map(Number);
}

/** True when Go version `have` (e.g. `go1.26.8`) is at least `need` (`1.26.8`). */
export function goVersionAtLeast(have: string, need: string): boolean {
  const [a, b] = [versionParts(have), versionParts(need)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/**
 * `temporal-server` and `temporal-sql-tool` at {@link PRODUCTION_TOPOLOGY}'s
 * version: from `.cache/temporal-server/v<version>` when built before,
 * else built with this machine's Go (`go install` from the Go module proxy,
 * with Go's module and build caches under `.cache/go`, so a clone is
 * self-contained: 3-5 minutes from empty caches on 2 cores). No package
 * registry ships the full server. The build goes to a temporary folder
 * renamed into place, so concurrent callers never see half a build.
 *
 * @throws TemporalServerBuildError naming the Go version needed when there is no Go, an older one, or the build fails.
 */
export async function obtainTemporalServer(options: ObtainTemporalServerOptions = {}): Promise<TemporalServerBinaries> {
  const cacheRoot = options.cacheRoot ?? join(findWorkspaceRoot(), '.cache');
  const cached = findTemporalServer({ cacheRoot });
  if (cached) return cached;
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`[temporal-server] ${line}\n`));
  const { temporalServerVersion: version, goVersion: needed } = PRODUCTION_TOPOLOGY;
  const need = `temporal-server ${version} is built from source and needs Go ${needed} or newer`;

  const go = findGo(env);
  if (!go) throw new TemporalServerBuildError(`${need}; no \`go\` on PATH or at /usr/local/go/bin/go. Install it from ${GO_INSTALL_URL}`);
  const have = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', env }).stdout?.trim() ?? '';
  const toolchain = env['GOTOOLCHAIN'] ?? 'auto';
  if (!goVersionAtLeast(have, needed) && toolchain === 'local') {
    throw new TemporalServerBuildError(
      `${need}; ${go} is ${have || 'of an unknown version'} and GOTOOLCHAIN=local forbids fetching ${needed}. Install Go ${needed} from ${GO_INSTALL_URL}`,
    );
  }

  const finalDir = join(cacheRoot, 'temporal-server', `v${version}`);
  const buildDir = `${finalDir}.building-${process.pid}`;
  const goCache = join(cacheRoot, 'go');
  const goEnv = {
    ...env,
    GOBIN: join(buildDir, 'bin'),
    GOMODCACHE: join(goCache, 'mod'),
    GOCACHE: join(goCache, 'build'),
    // module files writable, so `rm -rf .cache` works without root
    GOFLAGS: `${env['GOFLAGS'] ?? ''} -modcacherw`.trim(),
    CGO_ENABLED: '0',
  };
  log(`building temporal-server ${version} and temporal-sql-tool with ${have} (go install from the Go module proxy; 3-5 min from empty caches)...`);
  const startedAt = Date.now();
  rmSync(buildDir, { recursive: true, force: true });
  const build = await runCommand(go, ['install', `${MODULE}/cmd/server@v${version}`, `${MODULE}/cmd/tools/sql@v${version}`], { env: goEnv });
  if (build.code !== 0) {
    rmSync(buildDir, { recursive: true, force: true });
    const tooOld = /requires go >=|toolchain/i.test(build.tail) ? ` (${need}; this machine has ${have})` : '';
    throw new TemporalServerBuildError(`go install exited with code ${build.code}${tooOld}`, build.tail);
  }
  const download = spawnSync(go, ['mod', 'download', '-json', `${MODULE}@v${version}`], { encoding: 'utf8', env: goEnv });
  const moduleDir = download.status === 0 ? (JSON.parse(download.stdout) as { Dir?: string }).Dir : undefined;
  if (!moduleDir) throw new TemporalServerBuildError(`go mod download found no source folder of ${MODULE}@v${version}`, download.stderr);
  mkdirSync(join(buildDir, 'schema'), { recursive: true });
  cpSync(join(moduleDir, 'schema', 'postgresql', 'v12'), join(buildDir, 'schema', 'postgresql', 'v12'), { recursive: true });
  if (findTemporalServer({ cacheRoot })) {
    // another process finished first
    rmSync(buildDir, { recursive: true, force: true });
  } else {
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(buildDir, finalDir);
  }
  log(`built in ${Math.round((Date.now() - startedAt) / 1000)} s: ${finalDir}`);
  return binariesIn(finalDir);
}
