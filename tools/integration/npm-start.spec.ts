import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { obtainTemporalCli } from '../src/lib/find-binary';
import { signalProcessGroup } from '../src/lib/process-cleanup';
import { testTemporalEnv } from '../src/lib/test-temporal-env';
import { findWorkspaceRoot } from '../src/lib/workspace';
import { eventually, isAlive } from './support';

// `npm start` (exec tools/scripts/start.mjs, which runs demo.ts). Each test
// runs it as a user would, with a dev server of its own in a scratch cache dir.
//
// Runs a command on a pseudo-terminal (stdin and stdout are TTYs, as in a
// terminal) and relays it: what is written to this script's stdin reaches
// the terminal, so "\x03" is a Ctrl-C the terminal turns into SIGINT for its
// whole foreground process group. Exits with the command's exit code.
const IN_PTY = `
import os, pty, sys
status = pty.spawn(sys.argv[1:])
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;
const root = findWorkspaceRoot();
const PRESS_CTRL_C = 'Press Ctrl-C to stop it.';
const STOPPED = 'Temporal dev server stopped.';

interface StartRun {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves once the output contains `text`. */
  printed(text: string, withinMs?: number): Promise<void>;
  exitCode: Promise<number | null>;
  /** The dev server's pid, read from FLOCK_TEMPORAL_PID_DIR while it runs. */
  serverPid(): number;
}

describe('npm start', () => {
  let scratch: string;
  let pidDir: string;
  let cliPath: string;
  const runs: StartRun[] = [];

  beforeAll(async () => {
    cliPath = testTemporalEnv().cliPath ?? (await obtainTemporalCli()).path;
  });

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'flock-npm-start-'));
    pidDir = join(scratch, 'pids');
  });

  afterEach(async () => {
    for (const run of runs.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    // a test that failed half-way must not leave its dev server behind
    for (const pgid of listPids()) signalProcessGroup(pgid, 'SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  });

  function listPids(): number[] {
    try {
      return readdirSync(pidDir).map(Number);
    } catch {
      return [];
    }
  }

  function start(onTerminal: boolean): StartRun {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_CLI_PATH: cliPath,
      FLOCK_TEMPORAL_CACHE_DIR: scratch,
      FLOCK_TEMPORAL_PID_DIR: pidDir,
    };
    // its own dev server, no telemetry export
    for (const name of Object.keys(env)) if (name.startsWith('TEMPORAL_') && name !== 'TEMPORAL_CLI_PATH') delete env[name];
    for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
    const command = onTerminal ? ['python3', '-c', IN_PTY, 'npm', 'start'] : ['npm', 'start'];
    const child = spawn(command[0] as string, command.slice(1), { cwd: root, env, stdio: 'pipe' });
    runs.push(run(child));
    return runs[runs.length - 1] as StartRun;
  }

  function run(child: ChildProcessWithoutNullStreams): StartRun {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let exited = false;
    void exitCode.then(() => (exited = true));
    return {
      child,
      output: () => out,
      exitCode,
      printed: (text, withinMs = 90_000) =>
        eventually(() => {
          if (out.includes(text)) return true;
          if (exited) throw new Error(`exited before printing "${text}":\n${out}`);
          return undefined;
        }, withinMs).then(() => undefined),
      serverPid: () => {
        const pids = listPids();
        if (pids.length !== 1) throw new Error(`expected one dev server pid in ${pidDir}, found ${pids.length}:\n${out}`);
        return pids[0] as number;
      },
    };
  }

  /** The first http(s) link on the line that starts with `label`. */
  function linkAfter(output: string, label: string): string {
    const line = output.split(/\r?\n/).find((candidate) => candidate.startsWith(label));
    const link = line?.match(/https?:\/\/\S+/)?.[0];
    if (!link) throw new Error(`no "${label}" line with a link in:\n${output}`);
    return link;
  }

  it('on a terminal: stays up with the Web UI answering after the result, and on Ctrl-C stops the dev server and exits 0', async () => {
    const demo = start(true);
    await demo.printed('Temporal: ');
    const serverPid = demo.serverPid();
    await demo.printed(PRESS_CTRL_C);

    await delay(2_000);
    expect(demo.child.exitCode).toBeNull();
    expect(isAlive(serverPid)).toBe(true);
    const link = linkAfter(demo.output(), 'Web UI:');
    expect((await fetch(link)).status).toBe(200);

    demo.child.stdin.write('\x03');
    expect(await demo.exitCode).toBe(0);
    const output = demo.output();
    expect(output.indexOf(STOPPED)).toBeGreaterThan(output.indexOf(PRESS_CTRL_C));
    expect(isAlive(serverPid)).toBe(false);
    // demo.ts's cleanup stopped it (a kill by the exit handler leaves the file)
    expect(listPids()).toEqual([]);
  });

  it('without a terminal: prints the result and the link, stops the dev server and exits 0 by itself', async () => {
    const demo = start(false);
    await demo.printed('Temporal: ');
    const serverPid = demo.serverPid();

    expect(await demo.exitCode).toBe(0);
    const output = demo.output();
    expect(output).toMatch(/^Web UI: +http/m);
    expect(output).not.toContain(PRESS_CTRL_C);
    expect(output).toContain(STOPPED);
    await eventually(() => (isAlive(serverPid) ? undefined : true), 10_000);
    expect(listPids()).toEqual([]);
  });
});
