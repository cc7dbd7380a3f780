import { spawn } from 'node:child_process';
import { describeServer, startTestServer, testServerEnv } from '../lib/test-server';
import { parseTopology, TEST_TEMPORAL_ENV_VARS, type TestTopology } from '../lib/test-temporal-env';

const USAGE = `Usage: with-temporal.ts [--production] -- COMMAND [ARGS...]

Starts the shared test server, runs COMMAND with FLOCK_TEST_TEMPORAL_*
set (so every project's Jest global setup reuses that one server), then stops
the server and exits with COMMAND's exit code.

  --production   temporal-server on a throwaway PostgreSQL cluster with
                 several history shards (npm run temporal:prod's topology)
                 instead of the CLI's dev server; when one is already given
                 (FLOCK_TEST_TEMPORAL_TOPOLOGY=production and _ADDRESS set),
                 COMMAND just runs against it`;

/** Runs a command against one shared test server, stopped afterwards whatever happens. */
export async function withTemporal(argv: string[]): Promise<number> {
  const topology: TestTopology = argv[0] === '--production' ? 'production' : 'dev';
  const rest = topology === 'production' ? argv.slice(1) : argv;
  const command = rest[0] === '--' ? rest.slice(1) : rest;
  const [program, ...args] = command;
  if (!program || program === '--help' || program === '-h') {
    process.stderr.write(`${USAGE}\n`);
    return program ? 0 : 2;
  }
  const given = process.env[TEST_TEMPORAL_ENV_VARS.address] && parseTopology(process.env[TEST_TEMPORAL_ENV_VARS.topology]) === topology;
  if (given && topology === 'production') return run(program, args, {});
  const server = await startTestServer(topology);
  process.stderr.write(`[temporal] ${describeServer(server)}\n`);
  try {
    return await run(program, args, testServerEnv(server));
  } finally {
    await server.stop();
    process.stderr.write(`[temporal] ${topology === 'production' ? 'temporal-server and PostgreSQL' : 'dev server'} stopped\n`);
  }
}

/** Runs the command to its end, passing on Ctrl-C and SIGTERM; resolves with its exit code. */
async function run(program: string, args: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(program, args, { stdio: 'inherit', env: { ...process.env, ...env } });
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
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}
