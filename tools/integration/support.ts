export { isAlive } from '../src/lib/process-cleanup';
import { setTimeout as delay } from 'node:timers/promises';

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
