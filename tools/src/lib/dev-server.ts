import { DevServerStartError } from './errors';
import { obtainTemporalCli } from './find-binary';
import { getFreePort } from './free-port';
import { spawnManaged } from './managed-process';
import { waitForPort, waitUntilHealthy } from './wait-healthy';

/** Search attribute types the dev server's `--search-attribute` flag accepts. */
export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** Options of {@link startDevServer}; every one has a default. */
export interface DevServerOptions {
  /** The `temporal` executable; default: {@link obtainTemporalCli} (installs it when needed). */
  cliPath?: string;
  /** Namespace created at start and checked for readiness; default `default`. */
  namespace?: string;
  /** Address the gRPC service and the UI bind to; default `127.0.0.1`. */
  ip?: string;
  /** gRPC port; default a free one. */
  port?: number;
  /** Web UI port; default a free one. */
  uiPort?: number;
  /** No Web UI; default `false`. */
  headless?: boolean;
  /** SQLite file that keeps workflows across restarts; default in memory. */
  dbFilename?: string;
  /** Search attributes registered at start (`--search-attribute Name=Type`). */
  searchAttributes?: Record<string, SearchAttributeTypeName>;
  /** Server log level; default `warn`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for health; default 60 s. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL; default 10 s. */
  stopGraceMs?: number;
  /**
   * Keep this Node process alive while the server runs (a dev script);
   * default `false`, so a forgotten server never holds a test run open (it
   * is still killed when this process exits).
   */
  keepProcessAlive?: boolean;
  /** Receives each line the server prints. */
  onOutput?: (line: string) => void;
  /** More `temporal server start-dev` flags, e.g. `--dynamic-config-value`. */
  extraArgs?: string[];
  /**
   * Start with {@link FAST_DEV_SERVER_CONFIG} (default `true`): the dev
   * server's one history shard otherwise reads transfer tasks at 20/s, so
   * every workflow waits ~37 ms per hand-back and latency figures measure
   * that limit, not the code. `false` starts it with the CLI's defaults.
   */
  tuned?: boolean;
}

/**
 * Dynamic config the tuned dev server starts with (`--dynamic-config-value`):
 * transfer tasks read without the 20/s limit, and eager workflow start (a
 * start request hands the first workflow task straight to a worker of the
 * starting process). Production servers have several history shards and
 * their own limits: size `history.transferProcessorMaxPollRPS` and friends
 * to the cluster instead; eager start is on there by default.
 */
export const FAST_DEV_SERVER_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'history.transferProcessorMaxPollRPS': 10_000,
  'system.enableEagerWorkflowStart': true,
};

/** A running dev server. */
export interface DevServer {
  /** gRPC `host:port` for clients and workers. */
  address: string;
  namespace: string;
  /** Web UI link; `undefined` when headless. */
  uiUrl: string | undefined;
  /** Process id of the server (also its process-group id). */
  pid: number;
  /** The `temporal` executable that runs it. */
  cliPath: string;
  /** Milliseconds from spawn until the health check answered. */
  readyAfterMs: number;
  /** Settles when the server process has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the process group, SIGKILL after the grace period; resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL to the process group, as in a crash; resolves once it is gone. */
  kill(): Promise<void>;
}

const MAX_PORT_ATTEMPTS = 3;

/**
 * Starts `temporal server start-dev` on free ports bound to 127.0.0.1 and
 * resolves once the server answers a health check for the namespace. The
 * server runs in its own process group and is killed with this process,
 * whatever way it ends; call `stop()` to end it earlier, cleanly.
 *
 * Not `TestWorkflowEnvironment.createLocal` (nor the core-bridge ephemeral
 * server below it, the same Rust code): it waits a fixed 5 s for the server,
 * stops it with SIGKILL only, leaves it running when this process exits or
 * crashes, exposes neither its pid nor its exit nor its output (stdio is
 * inherited), health-checks `127.0.0.1` whatever `ip` is, and instantiates
 * the worker `Runtime`, whose SIGINT/SIGTERM listeners cancel Node's default
 * exit on those signals. See tools/README.md.
 *
 * @throws DevServerStartError with the server's last output lines.
 * @example
 * const server = await startDevServer({ namespace: 'flock-example', headless: true });
 * const connection = await Connection.connect({ address: server.address });
 * // ... use the server ...
 * await connection.close();
 * await server.stop();
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cliPath = options.cliPath ?? (await obtainTemporalCli()).path;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(cliPath, options);
    } catch (error) {
      // A free port can be taken between choosing it and binding it.
      const portRace = (error as DevServerStartError).code === 'DEV_SERVER_START_FAILED' && /address already in use/i.test((error as DevServerStartError).output);
      const portsChosenHere = options.port === undefined || (!options.headless && options.uiPort === undefined);
      if (!portRace || !portsChosenHere || attempt >= MAX_PORT_ATTEMPTS) throw error;
    }
  }
}

async function startOnce(cliPath: string, options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const headless = options.headless ?? false;
  const port = options.port ?? (await getFreePort(ip));
  const uiPort = headless ? undefined : (options.uiPort ?? (await getFreePort(ip)));

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', options.logLevel ?? 'warn'];
  if (uiPort !== undefined) args.push('--ui-port', String(uiPort));
  if (headless) args.push('--headless');
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const [name, type] of Object.entries(options.searchAttributes ?? {})) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  if (options.tuned !== false) {
    for (const [key, value] of Object.entries(FAST_DEV_SERVER_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  args.push(...(options.extraArgs ?? []));

  const spawnedAt = Date.now();
  let server;
  try {
    server = await spawnManaged(cliPath, args, options);
  } catch (error) {
    throw new DevServerStartError((error as Error).message, '');
  }
  const { pid, exited, stop, kill } = server;

  const address = `${ip}:${port}`;
  const deadline = spawnedAt + (options.startTimeoutMs ?? 60_000);
  try {
    await waitUntilHealthy({ address, namespace, deadline, failure: server.failure });
    if (uiPort !== undefined) await waitForPort(ip, uiPort, deadline, server.failure);
  } catch (error) {
    await stop();
    throw new DevServerStartError((error as Error).message, server.output());
  }
  return {
    address,
    namespace,
    uiUrl: uiPort === undefined ? undefined : `http://${ip}:${uiPort}`,
    pid,
    cliPath,
    readyAfterMs: Date.now() - spawnedAt,
    exited,
    stop,
    kill,
  };
}
