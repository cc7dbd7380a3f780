import type { EvaluateAgentOutput, RunStateV1, StepRecordV1 } from '@flock-ts/contracts';
import type { Flock, StepRequest, StepView } from '@flock-ts/core';
import { guardSize } from './payload-guard';

// Contract v1 (`FlockWorkflow`) sent the whole run state to every step.
// These adapters serve its in-flight runs with today's step function.

const hasOwn = Object.prototype.hasOwnProperty;

/** v1 input resolution over the whole history: newest output with the field, else the run input, else the variables. */
function lookupV1(field: string, state: RunStateV1): unknown {
  for (let i = state.history.length - 1; i >= 0; i--) {
    const output = state.history[i].output;
    if (hasOwn.call(output, field) && output[field] !== undefined) return output[field];
  }
  if (hasOwn.call(state.input, field) && state.input[field] !== undefined) return state.input[field];
  if (hasOwn.call(state.variables, field)) return state.variables[field];
  return undefined;
}

/** What a v1 run state shows one step: all of it. */
export function viewOfV1State(state: RunStateV1): StepView {
  const history = state.history.map((record, step) => ({ step, ...record }));
  return { runId: state.runId, sessionId: state.sessionId, flockName: state.flockName, step: state.iteration, input: state.input, history, variables: state.variables };
}

/** The step request of a v1 `evaluateAgent` call. */
export function stepRequestOfV1(flock: Flock, agentName: string, state: RunStateV1): StepRequest {
  const inputs: Record<string, unknown> = {};
  for (const field of flock.agent(agentName).input.fields) {
    const value = lookupV1(field, state);
    if (value !== undefined) inputs[field] = value;
  }
  const view = viewOfV1State(state);
  return {
    flockName: state.flockName,
    agent: agentName,
    runId: state.runId,
    sessionId: state.sessionId,
    step: view.step,
    inputs,
    variables: state.variables,
    input: state.input,
    history: [...(view.history ?? [])],
  };
}

/** v1 also refused a step whose run state (which every later step carries) grew over the limit. */
export function guardV1State(agent: string, outcome: EvaluateAgentOutput, state: RunStateV1, limit?: number): void {
  const next: RunStateV1 = { ...state, history: [...state.history, outcome.record as StepRecordV1], variables: outcome.variables };
  guardSize(
    agent,
    next,
    `Run state after agent "${agent}" (${next.history.length} steps)`,
    'return a reference to large data, or end the run sooner (each step of a v1 run carries every earlier step)',
    limit,
  );
}
