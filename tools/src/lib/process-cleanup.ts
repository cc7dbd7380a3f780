import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Servers this process started and has not stopped yet, by process-group id.
 * Whatever happens to this process (normal exit, crash, Ctrl-C, SIGTERM from
 * a CI runner), they are killed with it: a leftover dev server would hold
 * ports and memory on a 2-core CI machine.
 */
const live = new Set<number>();
const exitSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let handlersInstalled = false;

/**
 * Signals a whole process group; quiet when it is already gone.
 * @internal
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

/** True while `pid` is a live process (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; Z = exited, not yet reaped.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function killAllNow(): void {
  // Inside 'exit' nothing asynchronous runs any more, so no grace period.
  for (const pgid of live) signalProcessGroup(pgid, 'SIGKILL');
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Ask politely; the servers finish shutting down on their own while this
  // process goes away.
  for (const pgid of live) signalProcessGroup(pgid, 'SIGTERM');
  live.clear();
  // Alone on this signal, we replaced Node's default (exit), so restore it.
  // Someone else listening (the temporal:dev script, a test runner) decides.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of exitSignals) process.on(signal, onSignal);
}

/**
 * Records a server's process group so it dies with this process. When
 * `FLOCK_TEMPORAL_PID_DIR` is set (as `.ci/run` does), the group id is also
 * written there, so a shell trap can kill what even SIGKILL of this process
 * would leave behind.
 *
 * @returns the function to call once the server has stopped.
 * @internal
 */
export function trackProcessGroup(pgid: number): () => void {
  installHandlers();
  live.add(pgid);
  const pidDir = process.env['FLOCK_TEMPORAL_PID_DIR'];
  const pidFile = pidDir ? join(pidDir, String(pgid)) : undefined;
  if (pidDir && pidFile) {
    mkdirSync(pidDir, { recursive: true });
    writeFileSync(pidFile, `${pgid}\n`);
  }
  return () => {
    live.delete(pgid);
    if (pidFile) rmSync(pidFile, { force: true });
  };
}
