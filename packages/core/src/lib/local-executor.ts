import { applyStep, findUnstorableResult, isFlockRunFailedError, nextStep, runResult, startRun, stepFailure, type StepRecord } from '@flock-ts/engine';
import { randomUUID } from 'node:crypto';
import { OnStepError, errorMessage, failureTypeOf } from './errors';
import type { FlockExecutor } from './executor';
import { executeStep } from './execute-step';
import type { Flock } from './flock';
import { prepareRunInput } from './run-input';
import type { RunRequest, RunResult } from './run-state';

/**
 * Runs a flock in-process: the run loop of `@flock-ts/engine` driven step
 * by step, each step through `executeStep`, exactly as the Temporal
 * workflow and its activity drive them. Fails before anything runs on an
 * unknown start agent, an invalid flock or a run request `prepareRunInput`
 * refuses; a failing run rejects with a
 * `FlockRunFailedError` (`code`, `agent`, and the agent's own error as
 * `cause`); an aborted run rejects with the signal's reason.
 *
 * @example
 * const result = await runLocally(flock, { startAgent: 'reader', input: { folder } });
 */
export async function runLocally(flock: Flock, request: RunRequest): Promise<RunResult> {
  flock.validate();
  const plan = flock.runPlan();
  // the same checks, and the same input, as a run on Temporal gets
  const input = prepareRunInput(request);
  const { signal } = request;
  let onStep = request.onStep;
  let observerFailure: { record: StepRecord; error: unknown } | undefined;
  const start = { startAgent: request.startAgent, input, runId: request.runId ?? randomUUID() };
  const state = startRun(plan, request.sessionId === undefined ? start : { ...start, sessionId: request.sessionId });
  for (let step = nextStep(plan, state); step !== null; step = nextStep(plan, state)) {
    let result;
    try {
      result = await executeStep(flock, step, { signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isFlockRunFailedError(error)) throw error;
      throw stepFailure(step.agent, { name: failureTypeOf(error), message: errorMessage(error) }, error);
    }
    // a step result a Temporal run could not store fails the run here as it would there
    const unstorable = findUnstorableResult(step.agent, result);
    if (unstorable) throw stepFailure(step.agent, { name: 'SerializationError', message: unstorable.message });
    const record = applyStep(plan, state, step, result);
    try {
      onStep?.(record);
    } catch (error) {
      // an observer's failure never changes the run: as on Temporal, it goes on without the callback
      observerFailure = { record, error };
      onStep = undefined;
    }
  }
  const result = runResult(state);
  if (observerFailure) throw new OnStepError(observerFailure.record.step, observerFailure.record.agent, observerFailure.error, result);
  return result;
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
