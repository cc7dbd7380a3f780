import { UnknownRunError } from './errors';
import type { FlockExecutor } from './executor';
import type { Flock } from './flock';
import { LocalFlockRun } from './local-run';
import type { FlockRun } from './run-handle';
import type { RunRequest, RunResult } from './run-state';

/**
 * Runs a flock in-process to the end (see {@link LocalFlockRun}). Fails
 * before anything runs on an unknown start agent, an invalid flock or a run
 * request `prepareRunInput` refuses; a failing run rejects with a
 * `FlockRunFailedError` (`code`, `agent`, and the agent's own error as
 * `cause`); an aborted run rejects with the signal's reason.
 *
 * @example
 * const result = await runLocally(flock, { startAgent: 'reader', input: { folder } });
 */
export async function runLocally(flock: Flock, request: RunRequest): Promise<RunResult> {
  return new LocalFlockRun(flock, request).result();
}

/** Ended runs a local executor still finds by id. */
const ENDED_RUNS_KEPT = 100;

/**
 * The in-process executor: what `flock.run()` and `flock.start()` use
 * unless `enableTemporal` is set. Finds the runs it started (and the
 * latest {@link ENDED_RUNS_KEPT} ended ones) by id.
 *
 * @example
 * const run = await new LocalExecutor().start(flock, { startAgent: 'reader', input: {} });
 */
export class LocalExecutor implements FlockExecutor {
  readonly kind = 'local';
  private readonly runs = new Map<string, LocalFlockRun>();
  private readonly ended: string[] = [];

  run(flock: Flock, request: RunRequest): Promise<RunResult> {
    return runLocally(flock, request);
  }

  async start(flock: Flock, request: RunRequest): Promise<FlockRun> {
    const run = new LocalFlockRun(flock, request);
    this.runs.set(run.id, run);
    const forget = () => {
      this.ended.push(run.id);
      if (this.ended.length > ENDED_RUNS_KEPT) this.runs.delete(this.ended.shift() as string);
    };
    run.result().then(forget, forget);
    return run;
  }

  getRun(flock: Flock, id: string): FlockRun {
    const run = this.runs.get(id);
    if (!run) throw new UnknownRunError(id, flock.name);
    return run;
  }
}
