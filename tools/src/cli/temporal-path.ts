import { parseArgs } from 'node:util';
import { findTemporalCli, findTemporalTestServer, obtainTemporalCli, obtainTemporalTestServer } from '../lib/find-binary';

const USAGE = `Usage: npm run --silent temporal:path [-- --test-server] [-- --no-install]

Prints the absolute path of the Temporal CLI (or, with --test-server, the
time-skipping test server) and nothing else on stdout, installing it into
.cache/temporal when needed. Progress goes to stderr.`;

/** `npm run temporal:path`: the binary's path on stdout, installing it when needed. */
export async function temporalPath(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'test-server': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  const testServer = values['test-server'];
  const found = values['no-install'] ? (testServer ? findTemporalTestServer : findTemporalCli)() : await (testServer ? obtainTemporalTestServer : obtainTemporalCli)();
  if (!found) {
    process.stderr.write(`No ${testServer ? 'time-skipping test server' : 'Temporal CLI'} found (--no-install).\n`);
    return 1;
  }
  process.stderr.write(`[temporal] using ${found.path} (from ${found.source})\n`);
  process.stdout.write(`${found.path}\n`);
  return 0;
}
