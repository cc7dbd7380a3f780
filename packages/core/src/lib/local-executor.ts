import { MaxIterationsExceededError } from './errors';
import type { FlockExecutor } from './executor';
import { executeAgentStep } from './execute-step';
import type { Flock } from './flock';
import { resolveHandoff } from './resolve-next';
import { createRunState, type RunRequest, type RunResult, type RunState } from './run-state';
import { sumUsage } from './usage';

/** The result of a finished run state. */
export function toRunResult(state: RunState): RunResult {
  const last = state.history[state.history.length - 1];
  const result: RunResult = {
    runId: state.runId,
    flockName: state.flockName,
    lastAgent: last.agent,
    output: last.output,
    steps: state.history,
    variables: state.variables,
  };
  if (state.sessionId !== undefined) result.sessionId = state.sessionId;
  const usage = sumUsage(state.history.flatMap((step) => [step.usage, step.routingUsage]));
  if (usage) result.usage = usage;
  return result;
}

/**
 * Runs a flock in-process: step after step from the start agent, following
 * hand-offs until none is next. Fails before anything runs on an unknown
 * start agent or an invalid flock; rejects with `MaxIterationsExceededError`
 * once `maxIterations` steps ran and another is due; rejects with the error
 * of a failing step (naming the agent).
 *
 * @example
 * const result = await runLocally(flock, { startAgent: 'reader', input: { folder } });
 */
export async function runLocally(flock: Flock, request: RunRequest): Promise<RunResult> {
  flock.validate();
  const state = createRunState(flock, request);
  const { signal, onStep } = request;
  let current: string | null = request.startAgent;
  while (current !== null) {
    if (state.iteration >= flock.maxIterations) {
      throw new MaxIterationsExceededError(
        flock.name,
        flock.maxIterations,
        state.history.map((step) => step.agent),
        current,
      );
    }
    const outcome = await executeAgentStep(flock, current, state, { signal });
    state.history.push(outcome.record);
    state.variables = outcome.variables;
    state.iteration++;
    onStep?.(outcome.record);
    const handoff = await resolveHandoff(flock, current, outcome.record.output, state);
    if (handoff.usage) outcome.record.routingUsage = handoff.usage;
    current = handoff.nextAgent;
  }
  return toRunResult(state);
}

/**
 * The in-process executor: what `flock.run()` uses unless `enableTemporal` is set.
 *
 * @example
 * const result = await new LocalExecutor().run(flock, { startAgent: 'reader', input: {} });
 */
export class LocalExecutor implements FlockExecutor {
  run(flock: Flock, request: RunRequest): Promise<RunResult> {
    return runLocally(flock, request);
  }
}
