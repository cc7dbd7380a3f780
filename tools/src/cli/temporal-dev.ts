import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer } from '../lib/dev-server';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../lib/flock-search-attributes';
import { isPortFree } from '../lib/free-port';
import { defaultCacheDir } from '../lib/workspace';

const USAGE = `Usage: npm run temporal:dev [-- options]

Starts a Temporal dev server with its Web UI for local development and keeps
it running until Ctrl-C. The Flock search attributes are registered.

  --namespace NAME     namespace to create (default: default)
  --port PORT          gRPC port (default: 7233, or a free one if taken)
  --ui-port PORT       Web UI port (default: 8233, or a free one if taken)
  --ip ADDRESS         address to bind (default: 127.0.0.1)
  --db-filename FILE   SQLite file that keeps runs across restarts
                       (default: .cache/temporal/dev-server.db)
  --in-memory          keep nothing across restarts
  --headless           no Web UI`;

async function preferredPort(wanted: string | undefined, usual: number, ip: string): Promise<number | undefined> {
  if (wanted) return Number(wanted);
  // The usual ports make the defaults of flockctl and flock-worker just work;
  // when they are taken (another server), any free port will do.
  return (await isPortFree(usual, ip)) ? usual : undefined;
}

/** `npm run temporal:dev`: a dev server for a developer, until Ctrl-C. */
export async function temporalDev(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      namespace: { type: 'string', default: 'default' },
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      ip: { type: 'string', default: '127.0.0.1' },
      'db-filename': { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      headless: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const ip = values.ip;
  const dbFilename = values['in-memory'] ? undefined : (values['db-filename'] ?? join(defaultCacheDir(), 'dev-server.db'));
  const server = await startDevServer({
    namespace: values.namespace,
    ip,
    port: await preferredPort(values.port, 7233, ip),
    uiPort: values.headless ? undefined : await preferredPort(values['ui-port'], 8233, ip),
    headless: values.headless,
    dbFilename,
    searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES },
    keepProcessAlive: true,
    onOutput: (line) => process.stderr.write(`[server] ${line}\n`),
  });

  process.stdout.write(
    [
      `Temporal dev server ready in ${server.readyAfterMs} ms (${server.cliPath})`,
      `  gRPC address:      ${server.address}`,
      `  namespace:         ${server.namespace}`,
      `  Web UI:            ${server.uiUrl ?? '(headless)'}`,
      `  database:          ${dbFilename ?? '(in memory)'}`,
      `  search attributes: ${Object.keys(FLOCK_DEV_SEARCH_ATTRIBUTES).join(', ')}`,
      `Point flockctl / flock-worker at it: --server ${server.address} --namespace ${server.namespace}`,
      // links are never guessed from the gRPC port: the UI may be on any port
      ...(server.uiUrl ? [`Web UI links (flockctl, run results): export TEMPORAL_UI_URL=${server.uiUrl}`] : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: stopping the dev server...\n`);
      void server.stop().then(() => {
        process.stdout.write('Stopped.\n');
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void server.exited.then(({ code, signal }) => {
      if (stopping) return;
      process.stderr.write(`The dev server exited on its own (code ${code}, signal ${signal}).\n`);
      resolve(1);
    });
  });
}
