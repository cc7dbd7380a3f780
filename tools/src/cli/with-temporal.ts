import { spawn } from 'node:child_process';
import { describeServer, startTestServer, testServerEnv } from '../lib/test-server';

const USAGE = `Usage: with-temporal.ts -- COMMAND [ARGS...]

Starts the shared test dev server, runs COMMAND with FLOCK_TEST_TEMPORAL_*
set (so every project's Jest global setup reuses that one server), then stops
the server and exits with COMMAND's exit code.`;

/** Runs a command against one shared test server, stopped afterwards whatever happens. */
export async function withTemporal(argv: string[]): Promise<number> {
  const command = argv[0] === '--' ? argv.slice(1) : argv;
  const [program, ...args] = command;
  if (!program || program === '--help' || program === '-h') {
    process.stderr.write(`${USAGE}\n`);
    return program ? 0 : 2;
  }
  const server = await startTestServer();
  process.stderr.write(`[temporal] ${describeServer(server)}\n`);
  try {
    const child = spawn(program, args, { stdio: 'inherit', env: { ...process.env, ...testServerEnv(server) } });
    // Pass on a Ctrl-C or a CI runner's SIGTERM, and wait for the command to finish on it.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    try {
      return await new Promise<number>((resolve) => {
        child.once('error', (error) => {
          process.stderr.write(`cannot run ${program}: ${error.message}\n`);
          resolve(127);
        });
        child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
      });
    } finally {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    }
  } finally {
    await server.stop();
    process.stderr.write('[temporal] dev server stopped\n');
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}
