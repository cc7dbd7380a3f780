import type { FlockRunEvent } from './run-state';

/** Events a local run keeps for followers that attach late (text deltas are never kept). */
export const LOCAL_EVENTS_KEPT = 1_000;

/**
 * The events of one in-process run: kept (up to {@link LOCAL_EVENTS_KEPT},
 * text deltas aside) and handed to every follower in order, each once.
 */
export class RunEventLog {
  private readonly kept: FlockRunEvent[] = [];
  /** Index of `kept[0]` among all kept events. */
  private offset = 0;
  private ended = false;
  private readonly waiters = new Set<() => void>();
  private readonly live = new Set<(event: FlockRunEvent, at: number) => void>();

  push(event: FlockRunEvent): void {
    if (this.ended) return;
    if (event.type === 'text-delta') {
      // a delta comes after every kept event pushed before it
      for (const listener of this.live) listener(event, this.offset + this.kept.length);
    } else {
      this.kept.push(event);
      if (this.kept.length > LOCAL_EVENTS_KEPT) {
        this.kept.shift();
        this.offset++;
      }
      if (event.type === 'run-completed' || event.type === 'run-failed') this.ended = true;
    }
    for (const wake of [...this.waiters]) wake();
  }

  /** Every kept event from the oldest, then new ones as they come; ends after the run's last event. */
  async *follow(options: { signal?: AbortSignal; text?: boolean } = {}): AsyncGenerator<FlockRunEvent> {
    const { signal } = options;
    const deltas: Array<{ at: number; event: FlockRunEvent }> = [];
    const onDelta = (event: FlockRunEvent, at: number) => deltas.push({ at, event });
    if (options.text !== false) this.live.add(onDelta);
    let next = this.offset;
    try {
      for (;;) {
        if (signal?.aborted) return;
        if (next < this.offset) next = this.offset;
        if (deltas.length && deltas[0].at <= next) {
          yield (deltas.shift() as { event: FlockRunEvent }).event;
          continue;
        }
        if (next - this.offset < this.kept.length) {
          const event = this.kept[next - this.offset];
          next++;
          yield event;
          if (event.type === 'run-completed' || event.type === 'run-failed') return;
          continue;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            this.waiters.delete(wake);
            signal?.removeEventListener('abort', wake);
            resolve();
          };
          this.waiters.add(wake);
          signal?.addEventListener('abort', wake, { once: true });
        });
      }
    } finally {
      this.live.delete(onDelta);
    }
  }
}
