import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../lib/flock-search-attributes';
import { isPortFree } from '../lib/free-port';
import { isAlive, signalProcessGroup } from '../lib/process-cleanup';
import { startPostgresCluster } from '../lib/postgres-cluster';
import { PRODUCTION_TOPOLOGY } from '../lib/production-topology';
import { startProductionServer } from '../lib/production-server';
import { obtainTemporalServer } from '../lib/temporal-server-binary';
import { findWorkspaceRoot } from '../lib/workspace';

const USAGE = `Usage: npm run temporal:prod [-- options]

Starts a production-style Temporal in the background, without containers:
temporal-server ${PRODUCTION_TOPOLOGY.temporalServerVersion} (built with this machine's Go on first use, cached
under .cache/temporal-server) on a throwaway PostgreSQL ${PRODUCTION_TOPOLOGY.postgresMajor} cluster, with
${PRODUCTION_TOPOLOGY.numHistoryShards} history shards, a namespace and the Flock search attributes. There
is no Web UI: inspect runs with flockctl or the temporal CLI. Prints the
address and returns; stop it with --stop.

  --namespace NAME   namespace to register (default: default)
  --port PORT        frontend gRPC port (default: 7233, or a free one if taken;
                     0: a free one)
  --stop             stop the server and PostgreSQL, and remove their files
  --status           say whether one is running
  --obtain           only build (or find) temporal-server and print its path`;

/** What a background start leaves for `--stop` and `--status`. */
interface ProdState {
  address: string;
  namespace: string;
  serverPid: number;
  postgresPid: number;
  /** Folders removed by `--stop`. */
  dirs: string[];
  logFile: string;
}

/** `FLOCK_TEMPORAL_PROD_DIR`, else `<repo>/.cache/temporal-prod`: the state file and the server's config and logs. */
function prodDir(): string {
  return process.env['FLOCK_TEMPORAL_PROD_DIR'] ?? join(findWorkspaceRoot(), '.cache', 'temporal-prod');
}

function stateFile(): string {
  return join(prodDir(), 'state.json');
}

function readState(): ProdState | undefined {
  const file = stateFile();
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProdState) : undefined;
}

/** Signals a process group and waits until its leader is gone; SIGKILL after the grace period. */
async function stopGroup(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  signalProcessGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) signalProcessGroup(pid, 'SIGKILL');
    await delay(100);
  }
}

/** `npm run temporal:prod`: start in the background, `--stop`, `--status`. */
export async function temporalProd(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      namespace: { type: 'string', default: 'default' },
      port: { type: 'string' },
      stop: { type: 'boolean', default: false },
      status: { type: 'boolean', default: false },
      obtain: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.obtain) {
    process.stdout.write(`${(await obtainTemporalServer()).serverPath}\n`);
    return 0;
  }
  const state = readState();
  if (values.stop) {
    if (!state) {
      process.stdout.write(`No production-style Temporal is running (nothing recorded in ${prodDir()}).\n`);
      return 0;
    }
    await stopGroup(state.serverPid, 'SIGTERM', 10_000);
    await stopGroup(state.postgresPid, 'SIGINT', 10_000);
    for (const dir of state.dirs) rmSync(dir, { recursive: true, force: true });
    rmSync(stateFile(), { force: true });
    process.stdout.write(`Stopped temporal-server (pid ${state.serverPid}) and PostgreSQL (pid ${state.postgresPid}); removed their files.\n`);
    return 0;
  }
  if (state && isAlive(state.serverPid)) {
    process.stdout.write(`Already running: ${state.address}, namespace ${state.namespace} (stop it with npm run temporal:prod -- --stop).\n`);
    return 0;
  }
  if (values.status) {
    process.stdout.write('Not running.\n');
    return 1;
  }
  if (state) {
    // a crash or a reboot left the record behind: clean up what is left
    if (isAlive(state.postgresPid)) await stopGroup(state.postgresPid, 'SIGINT', 10_000);
    for (const dir of state.dirs) rmSync(dir, { recursive: true, force: true });
  }

  const binaries = await obtainTemporalServer();
  // --port 0: any free port
  const wanted = values.port === undefined ? 7233 : Number(values.port);
  const port = wanted > 0 && (values.port !== undefined || (await isPortFree(wanted))) ? wanted : undefined;
  const workDir = join(prodDir(), 'server');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const postgres = await startPostgresCluster({ diesWithParent: false, logFile: join(workDir, 'postgres.log') });
  const server = await startProductionServer({
    binaries,
    postgres,
    namespace: values.namespace,
    port,
    searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES },
    diesWithParent: false,
    workDir,
  }).catch(async (error: Error) => {
    await postgres.stop();
    throw error;
  });
  const record: ProdState = {
    address: server.address,
    namespace: server.namespace,
    serverPid: server.pid,
    postgresPid: postgres.pid,
    dirs: [workDir, dirname(postgres.dataDir)],
    logFile: join(workDir, 'temporal-server.log'),
  };
  mkdirSync(dirname(stateFile()), { recursive: true });
  writeFileSync(stateFile(), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(
    [
      `Production-style Temporal ready in ${server.readyAfterMs} ms`,
      `  gRPC address:      ${server.address}`,
      `  namespace:         ${server.namespace}`,
      `  topology:          temporal-server ${binaries.version}, ${PRODUCTION_TOPOLOGY.numHistoryShards} history shards, PostgreSQL on 127.0.0.1:${postgres.port} (${PRODUCTION_TOPOLOGY.sqlPlugin})`,
      `  search attributes: ${Object.keys(FLOCK_DEV_SEARCH_ATTRIBUTES).join(', ')}`,
      `  Web UI:            none (use flockctl, or: temporal workflow list --address ${server.address} --namespace ${server.namespace})`,
      `  server log:        ${record.logFile}`,
      `Point flockctl / flock-worker at it: --server ${server.address} --namespace ${server.namespace}`,
      'Stop it with: npm run temporal:prod -- --stop',
      '',
    ].join('\n'),
  );
  return 0;
}
