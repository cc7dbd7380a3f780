import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

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

/**
 * Polls `probe` until it returns a value other than `undefined`, for at most
 * `withinMs`: for eventually consistent things (visibility, process exit).
 */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, withinMs = 20_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  let pause = 20;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await delay(pause);
    pause = Math.min(pause * 2, 500);
  }
}
