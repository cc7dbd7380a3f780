import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { signalProcessGroup, trackProcessGroup } from './process-cleanup';

/** How {@link spawnManaged} runs a server process. */
export interface ManagedProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user and group (a root process starting PostgreSQL, which refuses root). */
  uid?: number;
  gid?: number;
  /** Keep this Node process alive while the server runs; default `false`. */
  keepProcessAlive?: boolean;
  /**
   * Kill it with this process, whatever way that ends (default `true`).
   * `false` leaves it running on purpose (`npm run temporal:prod`, which
   * starts servers and returns).
   */
  diesWithParent?: boolean;
  /** Receives each line it prints (not with `logFile`). */
  onOutput?: (line: string) => void;
  /**
   * Write its output to this file instead of a pipe: for a server that
   * outlives this process (a pipe with no reader would end it).
   */
  logFile?: string;
  /** Signal that asks it to stop; default `SIGTERM` (PostgreSQL: `SIGINT`, its fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** How long `stop()` waits before SIGKILL; default 10 s. */
  stopGraceMs?: number;
}

/** A server process in its own process group. */
export interface ManagedProcess {
  pid: number;
  /** Its last 60 output lines. */
  output(): string;
  /** Why it is not running (spawn error or exit), else `undefined`. */
  failure(): string | undefined;
  /** Settles when it has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The stop signal to its group, SIGKILL after the grace period; resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL to its group, at once (a crash, for tests); resolves once it is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns a server process that leads its own process group (one signal
 * reaches all of it, and a Ctrl-C meant for a parent script does not kill
 * it before that script stops it in order), collects its output, and,
 * unless `diesWithParent` is `false`, records it so it is killed with this
 * process (see process-cleanup.ts).
 *
 * @throws Error when it cannot be spawned at all.
 */
export async function spawnManaged(command: string, args: readonly string[], options: ManagedProcessOptions = {}): Promise<ManagedProcess> {
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  const output = options.logFile === undefined ? collectOutput(child, options.onOutput) : () => tailOf(options.logFile as string);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitInfo: string | undefined;
  let spawnError: string | undefined;
  child.once('error', (error) => (spawnError = error.message));
  void exited.then(({ code, signal }) => (exitInfo = `${command} exited (code ${code}, signal ${signal})`));

  if (child.pid === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(`cannot run ${command}: ${spawnError ?? 'no pid'}`);
  }
  const pid = child.pid;
  const untrack = options.diesWithParent === false ? () => undefined : trackProcessGroup(pid);
  if (!options.keepProcessAlive) unrefAll(child);

  let stopping: Promise<void> | undefined;
  const end = (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined) {
        signalProcessGroup(pid, signal);
        const killer = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), graceMs);
        // the child is unref'd: without a timer, a script awaiting this would just end
        const keepAlive = setInterval(() => undefined, 1_000);
        await exited;
        clearTimeout(killer);
        clearInterval(keepAlive);
      }
      untrack();
    })();
    return stopping;
  };
  return {
    pid,
    output,
    failure: () => spawnError ?? exitInfo,
    exited,
    stop: () => end(options.stopSignal ?? 'SIGTERM', options.stopGraceMs ?? 10_000),
    kill: () => end('SIGKILL', 0),
  };
}

function collectOutput(child: ChildProcess, onOutput?: (line: string) => void): () => string {
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 60) lines.shift();
        onOutput?.(line);
      }
    });
  }
  return () => lines.join('\n');
}

function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-60).join('\n');
  } catch {
    return '';
  }
}

function unrefAll(child: ChildProcess): void {
  child.unref();
  // The pipes would keep the event loop alive just as the process handle does.
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();
}
