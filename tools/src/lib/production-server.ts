import { Connection } from '@temporalio/client';
import Long from 'long';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchAttributeTypeName } from './dev-server';
import { ProductionServerStartError } from './errors';
import { isPortFree } from './free-port';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { POSTGRES_USER, startPostgresCluster, type PostgresCluster } from './postgres-cluster';
import { PRODUCTION_TOPOLOGY } from './production-topology';
import { runCommand } from './run-command';
import { eventually } from './source-processes';
import { obtainTemporalServer, type TemporalServerBinaries } from './temporal-server-binary';
import { waitUntilHealthy } from './wait-healthy';

/**
 * Dynamic config the production-style server starts with. Each history
 * shard reads transfer tasks at `history.transferProcessorMaxPollRPS`
 * (default 20/s), which makes every workflow wait tens of ms per hand-back
 * on a quiet cluster: raised, as on the tuned dev server, so figures measure
 * Flock, not that limit. Everything else keeps the server's defaults
 * (eager workflow start and updates are on by default in 1.32).
 */
export const PRODUCTION_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'history.transferProcessorMaxPollRPS': 10_000,
};

/** Options of {@link startProductionServer}; every one has a default. */
export interface ProductionServerOptions {
  /** Binaries; default {@link obtainTemporalServer} (builds them when needed). */
  binaries?: TemporalServerBinaries;
  /** The PostgreSQL cluster to keep data in; default a new throwaway one, stopped with the server. */
  postgres?: PostgresCluster;
  /** Prefix of the two database names (`<prefix>` and `<prefix>_visibility`); default `temporal`. Several servers can share a cluster. */
  databasePrefix?: string;
  /** Namespace registered at start and checked for readiness; default `default`. */
  namespace?: string;
  /** Search attributes registered on it. */
  searchAttributes?: Record<string, SearchAttributeTypeName>;
  /** Frontend gRPC port on 127.0.0.1; default a free one (the other services' ports are always free ones). */
  port?: number;
  /** Server log level; default `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** More dynamic config on top of {@link PRODUCTION_SERVER_DYNAMIC_CONFIG}. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** How long to wait for health; default 90 s. */
  startTimeoutMs?: number;
  /** `false` leaves the server (and a cluster started here) running after this process ends; default `true`. */
  diesWithParent?: boolean;
  /** Folder for the server's config and log files; default a new temp folder, removed by `stop()`. */
  workDir?: string;
  /** Receives each line the server prints. */
  onOutput?: (line: string) => void;
}

/** A running production-style Temporal server. */
export interface ProductionServer {
  /** Frontend gRPC `host:port`. */
  address: string;
  namespace: string;
  /** There is no Web UI: `undefined`, so no link points at nothing. */
  uiUrl: undefined;
  /** The server process (also its process-group id); changes with `restart()`. */
  readonly pid: number;
  postgres: PostgresCluster;
  /** Milliseconds from the first spawn until the namespace was usable. */
  readyAfterMs: number;
  /** SIGKILL: the server process dies at once, as in a crash; PostgreSQL keeps running. */
  kill(): Promise<void>;
  /** Starts the server again (same config, ports and databases) after `kill()`; resolves once the namespace answers. */
  restart(): Promise<void>;
  /** Stops the server, then the cluster when it was started here, and removes their files. Idempotent. */
  stop(): Promise<void>;
}

interface Ports {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  membership: [number, number, number, number];
}

/**
 * Starts `temporal-server` the way production runs it, without containers:
 * all services (frontend, history, matching, worker) on PostgreSQL with
 * {@link PRODUCTION_TOPOLOGY}'s history shards and schema, the namespace
 * and search attributes registered through the frontend like an operator
 * would. Bound to 127.0.0.1 on free ports; no Web UI. The server runs in
 * its own process group and is killed with this process unless
 * `diesWithParent` is `false`.
 *
 * @throws ProductionServerStartError with the server's or the schema tool's last output lines.
 * @example
 * const server = await startProductionServer({ namespace: 'flock-test', searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } });
 * const connection = await Connection.connect({ address: server.address });
 * // ...
 * await server.stop();
 */
export async function startProductionServer(options: ProductionServerOptions = {}): Promise<ProductionServer> {
  const startedAt = Date.now();
  const binaries = options.binaries ?? (await obtainTemporalServer());
  const ownsPostgres = options.postgres === undefined;
  const postgres = options.postgres ?? (await startPostgresCluster({ diesWithParent: options.diesWithParent }));
  const ownsWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'flock-temporal-server-'));
  const namespace = options.namespace ?? 'default';
  const databases = databaseNames(options.databasePrefix);
  let serverProcess: ManagedProcess | undefined;
  const cleanUp = async () => {
    await serverProcess?.stop();
    if (ownsPostgres) await postgres.stop();
    if (ownsWorkDir) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await setUpSchemas(binaries, postgres, databases);
    const ports = await freePorts(options.port);
    const configFile = writeConfig(workDir, postgres, databases, ports, options);
    const address = `127.0.0.1:${ports.frontend}`;
    const deadline = () => Date.now() + (options.startTimeoutMs ?? 90_000);
    const launch = async () => {
      serverProcess = await spawnManaged(binaries.serverPath, ['--config-file', configFile, '--allow-no-auth', 'start'], {
        cwd: workDir,
        diesWithParent: options.diesWithParent,
        logFile: options.diesWithParent === false ? join(workDir, 'temporal-server.log') : undefined,
        onOutput: options.onOutput,
      });
      const running = serverProcess;
      try {
        await waitUntilHealthy({ address, namespace: 'temporal-system', deadline: deadline(), failure: running.failure });
      } catch (error) {
        throw new ProductionServerStartError((error as Error).message, summarizeServerOutput(running.output()));
      }
    };
    await launch();
    await registerNamespace(address, namespace, options.searchAttributes ?? {}, deadline());
    let stopped: Promise<void> | undefined;
    return {
      address,
      namespace,
      uiUrl: undefined,
      get pid() {
        return (serverProcess as ManagedProcess).pid;
      },
      postgres,
      readyAfterMs: Date.now() - startedAt,
      kill: async () => {
        await serverProcess?.kill();
      },
      restart: async () => {
        await serverProcess?.kill();
        await launch();
        await waitUntilUsable(address, namespace, deadline());
      },
      stop: () => (stopped ??= cleanUp()),
    };
  } catch (error) {
    const output = summarizeServerOutput(serverProcess?.output() ?? '');
    await cleanUp();
    if ((error as Error).name === 'ProductionServerStartError') throw error;
    throw new ProductionServerStartError((error as Error).message, output);
  }
}

/** The two databases a server keeps its data and its visibility records in. */
export function databaseNames(prefix: string = PRODUCTION_TOPOLOGY.databases.temporal): { temporal: string; visibility: string } {
  return { temporal: prefix, visibility: `${prefix}_visibility` };
}

/** `temporal-sql-tool`: each database created, its versioning tables set up, then updated to the newest schema. */
async function setUpSchemas(binaries: TemporalServerBinaries, postgres: PostgresCluster, databases: { temporal: string; visibility: string }): Promise<void> {
  const connect = ['--plugin', PRODUCTION_TOPOLOGY.sqlPlugin, '--ep', postgres.host, '-p', String(postgres.port), '-u', POSTGRES_USER, '--pw', 'unused'];
  for (const [kind, database] of Object.entries(databases)) {
    const steps = [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', join(binaries.postgresSchemaDir, kind, 'versioned')]];
    for (const step of steps) {
      const result = await runCommand(binaries.sqlToolPath, [...connect, '--db', database, ...step]);
      if (result.code !== 0) throw new ProductionServerStartError(`temporal-sql-tool ${step[0]} of database ${database} exited with code ${result.code}`, result.tail);
    }
  }
}

/**
 * Free ports below 32768: the server stores each service's port in a
 * PostgreSQL `smallint` (cluster membership), so the kernel's ephemeral
 * ports (32768 and up) that {@link getFreePort} hands out do not fit.
 */
async function freePorts(frontend?: number): Promise<Ports> {
  const taken = new Set<number>(frontend === undefined ? [] : [frontend]);
  const next = async () => {
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 12_000);
      if (!taken.has(port) && (await isPortFree(port))) {
        taken.add(port);
        return port;
      }
    }
  };
  return {
    frontend: frontend ?? (await next()),
    frontendHttp: await next(),
    history: await next(),
    matching: await next(),
    worker: await next(),
    membership: [await next(), await next(), await next(), await next()],
  };
}

/** The server logs JSON lines with stack traces: level, message and error of the last few, for error messages. */
export function summarizeServerOutput(output: string, lines = 8): string {
  return output
    .split('\n')
    .filter(Boolean)
    .slice(-lines)
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
        return [entry.level, entry.msg, entry.error].filter(Boolean).join(': ');
      } catch {
        return line;
      }
    })
    .join('\n');
}

/**
 * The server config, written as JSON (YAML's subset): the module's
 * `config/development-postgres12.yaml` with the topology's shard count,
 * the given databases and free ports, no metrics or pprof listener.
 */
function writeConfig(workDir: string, postgres: PostgresCluster, databases: { temporal: string; visibility: string }, ports: Ports, options: ProductionServerOptions): string {
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: PRODUCTION_TOPOLOGY.sqlPlugin,
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: POSTGRES_USER,
      password: 'unused',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, number> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnIP: '127.0.0.1', ...extra } });
  const dynamicConfigFile = join(workDir, 'dynamic-config.yaml');
  const dynamic = { ...PRODUCTION_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig };
  writeFileSync(dynamicConfigFile, JSON.stringify(Object.fromEntries(Object.entries(dynamic).map(([key, value]) => [key, [{ value }]])), null, 2));
  const config = {
    log: { stdout: true, level: options.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: PRODUCTION_TOPOLOGY.numHistoryShards,
      datastores: { 'postgres-default': sql(databases.temporal, 20), 'postgres-visibility': sql(databases.visibility, 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc(ports.frontend, ports.membership[0], { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.membership[1]),
      matching: rpc(ports.matching, ports.membership[2]),
      worker: rpc(ports.worker, ports.membership[3]),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  const file = join(workDir, 'temporal-server.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, number> = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 };

/**
 * Registers the namespace (1-day retention) and its search attributes as an
 * operator would, then waits until both are served: the frontend caches
 * namespaces and search attributes and refreshes every few seconds.
 */
async function registerNamespace(address: string, namespace: string, searchAttributes: Record<string, SearchAttributeTypeName>, deadline: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    if (namespace !== 'default' || !(await namespaceExists(connection, namespace))) {
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(24 * 3600) } })
        .catch((error: Error & { code?: number }) => {
          if (error.code !== 6 /* ALREADY_EXISTS */) throw error;
        });
    }
    if (Object.keys(searchAttributes).length > 0) {
      const types = Object.fromEntries(Object.entries(searchAttributes).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]));
      await eventually(
        () => connection.operatorService.addSearchAttributes({ namespace, searchAttributes: types }),
        deadline - Date.now(),
        `search attributes of ${namespace} registered`,
      );
    }
  } finally {
    await connection.close();
  }
  await waitUntilUsable(address, namespace, deadline, Object.keys(searchAttributes)[0]);
}

async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  }
}

/** Until a visibility query in the namespace (by a search attribute, when given) answers: the caches have caught up. */
async function waitUntilUsable(address: string, namespace: string, deadline: number, searchAttribute?: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const query = searchAttribute ? `${searchAttribute} = 'readiness-check'` : '';
    await eventually(() => connection.workflowService.countWorkflowExecutions({ namespace, query }), deadline - Date.now(), `namespace ${namespace} usable`);
  } finally {
    await connection.close();
  }
}
