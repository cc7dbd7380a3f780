import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresNotFoundError, PostgresStartError } from './errors';
import { findOnPath, isExecutableFile } from './executables';
import { getFreePort } from './free-port';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { PRODUCTION_TOPOLOGY } from './production-topology';
import { runCommand } from './run-command';

/** The superuser of a throwaway cluster; trusted on 127.0.0.1, so any password works. */
export const POSTGRES_USER = 'temporal';

/** Options of {@link startPostgresCluster}; every one has a default. */
export interface PostgresClusterOptions {
  /** Folder of `initdb` and `postgres`; default {@link findPostgresBinDir}. */
  binDir?: string;
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /** Where the cluster's files go; default a new folder under the system's temp folder. */
  parentDir?: string;
  /** See {@link ManagedProcessOptions.diesWithParent}; default `true`. */
  diesWithParent?: boolean;
  /** Its log file, instead of a pipe (for a cluster that outlives this process). */
  logFile?: string;
  /** How long to wait until it accepts connections; default 60 s. */
  startTimeoutMs?: number;
}

/** A running throwaway PostgreSQL cluster. */
export interface PostgresCluster {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** The cluster's files; removed by `stop()`. */
  dataDir: string;
  binDir: string;
  /** The postmaster's process id (also its process-group id). */
  pid: number;
  /** Fast shutdown (SIGINT: sessions end, no waiting for clients), then the files are removed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The PostgreSQL server binaries: `FLOCK_POSTGRES_BIN_DIR`, else Debian's
 * `/usr/lib/postgresql/<major>/bin` (the topology's major first, else the
 * newest), else the folder of a `postgres` on PATH; `undefined` when none.
 */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env, debianRoot = '/usr/lib/postgresql'): string | undefined {
  const named = env['FLOCK_POSTGRES_BIN_DIR'];
  if (named) return isExecutableFile(join(named, 'postgres')) ? named : undefined;
  let majors: number[] = [];
  try {
    majors = readdirSync(debianRoot)
      .map(Number)
      .filter((major) => Number.isInteger(major) && major >= 12);
  } catch {
    // not Debian, or no server package
  }
  majors.sort((a, b) => (a === PRODUCTION_TOPOLOGY.postgresMajor ? -1 : b === PRODUCTION_TOPOLOGY.postgresMajor ? 1 : b - a));
  for (const major of majors) {
    const dir = join(debianRoot, String(major), 'bin');
    if (isExecutableFile(join(dir, 'postgres')) && isExecutableFile(join(dir, 'initdb'))) return dir;
  }
  const onPath = findOnPath('postgres', env['PATH']);
  return onPath ? join(onPath, '..') : undefined;
}

/** PostgreSQL refuses to run as root: a root process runs it as the `postgres` user Debian's package creates. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = ['-u', '-g'].map((flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  if (ids.some((id) => id.status !== 0)) {
    throw new PostgresStartError('this process runs as root, which PostgreSQL refuses, and there is no `postgres` user to run it as', '');
  }
  return { uid: Number(ids[0].stdout.trim()), gid: Number(ids[1].stdout.trim()) };
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1: `initdb` into a new
 * folder (superuser {@link POSTGRES_USER}, trust authentication), then
 * `postgres` in its own process group, killed with this process unless
 * `diesWithParent` is `false`. Resolves once it accepts connections.
 *
 * @throws PostgresNotFoundError when no PostgreSQL server is installed (names the apt package).
 * @throws PostgresStartError with its output when `initdb` or the server fails.
 * @example
 * const postgres = await startPostgresCluster();
 * // ... postgres.port ...
 * await postgres.stop();
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (!binDir) throw new PostgresNotFoundError();
  const user = serverUser();
  const parentDir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'flock-postgres-'));
  const dataDir = join(parentDir, 'data');
  if (user) chownSync(parentDir, user.uid, user.gid);
  const removeFiles = () => rmSync(parentDir, { recursive: true, force: true });

  const initdb = await runCommand(join(binDir, 'initdb'), ['-D', dataDir, '-U', POSTGRES_USER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-instructions'], {
    ...user,
  });
  if (initdb.code !== 0) {
    removeFiles();
    throw new PostgresStartError(`initdb exited with code ${initdb.code}`, initdb.tail);
  }

  const port = options.port ?? (await getFreePort('127.0.0.1'));
  let server: ManagedProcess;
  try {
    server = await spawnManaged(
      join(binDir, 'postgres'),
      // the socket goes into the cluster's folder: /var/run/postgresql may not exist or be writable
      ['-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
      { ...user, stopSignal: 'SIGINT', diesWithParent: options.diesWithParent, logFile: options.logFile },
    );
  } catch (error) {
    removeFiles();
    throw new PostgresStartError((error as Error).message, '');
  }
  const stop = async () => {
    await server.stop();
    removeFiles();
  };
  try {
    await waitUntilAccepting(binDir, port, Date.now() + (options.startTimeoutMs ?? 60_000), server.failure);
  } catch (error) {
    const output = server.output();
    await stop();
    throw new PostgresStartError((error as Error).message, output);
  }
  return { host: '127.0.0.1', port, user: POSTGRES_USER, dataDir, binDir, pid: server.pid, stop };
}

/** Until `pg_isready` says it accepts sessions (the port opens before recovery ends); gives up at once when the server died. */
async function waitUntilAccepting(binDir: string, port: number, deadline: number, failure: () => string | undefined): Promise<void> {
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const why = failure();
    if (why) throw new Error(why);
    const ready = await runCommand(join(binDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_USER, '-q']);
    if (ready.code === 0) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL on 127.0.0.1:${port} did not accept sessions in time`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
