import type { AgentDefinition, ContinueAsNewConfig } from '@flock-ts/config';
import {
  FLOCK_SEARCH_ATTRIBUTES,
  FlockFailureType,
  FlockWorkflowInputSchema,
  flockStatusQuery,
  type FlockRunPhase,
  type FlockRunResult,
  type FlockRunStatus,
  type FlockWorkflowInput,
} from '@flock-ts/contracts';
import {
  applyStep,
  isFlockRunFailedError,
  nextStep,
  planRun,
  runResult,
  RUN_FAILURE_TYPES,
  startRun,
  stepFailure,
  FlockRunFailedError,
  type RunPlan,
  type RunState,
} from '@flock-ts/engine';
import { payloadSize, undecodableReason, DEFAULT_PAYLOAD_GUARD_BYTES } from '@flock-ts/serialization';
import {
  ApplicationFailure,
  ContinueAsNew,
  isCancellation,
  makeContinueAsNewFunc,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { activitiesFor } from './activity-proxies';

/** Defaults of `temporalConfig.continueAsNew`: well under Temporal's warnings (10,240 events / 10 MB per run). */
export const CONTINUE_AS_NEW_DEFAULTS = { maxHistoryEvents: 4_000, maxHistoryBytes: 4 * 1024 * 1024 } as const;

/**
 * A run of a Flock (contract version 2): the run loop of `@flock-ts/engine`
 * driven here, one `runAgentStep` activity per agent step (evaluation and
 * `code`/`router` hand-off together; static hand-offs decided here). A step
 * receives its own inputs and a bounded view of the run, so history grows
 * linearly; before Temporal's limits the run continues as new with its
 * compact state (same workflow id, queries and search attributes). Any
 * failure fails the run, never a workflow task: `ApplicationFailure`s of
 * the types in `FlockFailureType`, details `{ code, agent, causeType }`.
 */
export async function FlockWorkflowV2(rawInput: FlockWorkflowInput): Promise<FlockRunResult> {
  try {
    return await runFlock(rawInput);
  } catch (error) {
    // every run failure fails the run (an ApplicationFailure), never the workflow task
    throw isFlockRunFailedError(error) ? toFailure(error) : error;
  }
}

async function runFlock(rawInput: FlockWorkflowInput): Promise<FlockRunResult> {
  const input = failFast(() => parseInput(rawInput));
  const { definition } = input;
  const plan: RunPlan = failFast(() => planRun(definition));
  const agentDefinitions = new Map(definition.agents.map((agent) => [agent.name, agent]));
  const state: RunState =
    input.continued?.state ??
    failFast(() =>
      startRun(plan, {
        startAgent: input.startAgent,
        input: input.input,
        runId: input.runId,
        ...(input.sessionId ? { sessionId: input.sessionId } : {}),
      }),
    );
  const continuedRuns = input.continued?.runs ?? 0;
  let phase: FlockRunPhase = 'running';
  let currentAgent: string | null = state.next;
  setHandler(
    flockStatusQuery,
    (): FlockRunStatus => ({
      runId: state.runId,
      flockName: state.flockName,
      phase,
      currentAgent,
      stepsDone: state.stepCount,
      steps: state.recent,
      ...(state.usage ? { usage: state.usage } : {}),
      continuedRuns,
      workflowVersion: 2,
    }),
  );
  let shownAgent = workflowInfo().typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.CurrentAgent);
  if (!input.continued) upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: phase }]);

  const limits = { ...CONTINUE_AS_NEW_DEFAULTS, ...definition.temporalConfig.continueAsNew };
  let stepsThisRun = 0;
  try {
    for (let request = failFast(() => nextStep(plan, state)); request !== null; request = failFast(() => nextStep(plan, state))) {
      if (stepsThisRun > 0 && shouldContinueAsNew(limits, stepsThisRun)) await continueRun(input, state, continuedRuns);
      const agent = request.agent;
      guardSize(request, `Step input of agent "${agent}"`, agent, 'resolve fewer or smaller inputs, or carry less of the run into the step (context.input, a shorter context.history)');
      currentAgent = agent;
      if (shownAgent !== agent) {
        upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.CurrentAgent, value: agent }]);
        shownAgent = agent;
      }
      // nextStep only plans agents of the definition
      const activities = activitiesFor(definition, agentDefinitions.get(agent) as AgentDefinition);
      const step = request;
      const result = await runStep(agent, () => activities.runAgentStep(step));
      failFast(() => applyStep(plan, state, step, result));
      stepsThisRun++;
    }
    const result = runResult(state);
    guardSize(result, `Result of the run (output of agent "${result.lastAgent}")`, result.lastAgent, 'return a reference to large data (a URL, a file path, a blob store key) from the last agent');
    phase = 'completed';
    return result;
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    phase = isCancellation(error) ? 'cancelled' : 'failed';
    throw error;
  } finally {
    if (phase !== 'running') {
      currentAgent = null;
      upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: phase }]);
    }
  }
}

function parseInput(raw: FlockWorkflowInput) {
  const undecodable = undecodableReason(raw);
  if (undecodable !== undefined) {
    throw new FlockRunFailedError(`The run's input cannot be decoded: ${undecodable}`, { code: 'INVALID_RUN_INPUT', causeType: 'PayloadDecodeError' });
  }
  const parsed = FlockWorkflowInputSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new FlockRunFailedError(`Invalid FlockWorkflowV2 input: ${issues}`, { code: 'INVALID_RUN_INPUT', causeType: 'InvalidWorkflowInputError' });
}

/**
 * Runs deterministic workflow code whose failure must fail the run: a
 * `FlockRunFailedError` as is, anything else (a bug, a corrupt value) as
 * an invalid-input failure. Never left to fail the workflow task, which
 * Temporal would retry forever.
 */
function failFast<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isFlockRunFailedError(error)) throw error;
    throw new FlockRunFailedError(`Flock run cannot go on: ${(error as Error)?.message ?? String(error)}`, {
      code: 'INVALID_RUN_INPUT',
      causeType: (error as Error)?.name,
    });
  }
}

function shouldContinueAsNew(limits: Required<Pick<ContinueAsNewConfig, 'maxHistoryEvents' | 'maxHistoryBytes'>> & ContinueAsNewConfig, stepsThisRun: number): boolean {
  const info = workflowInfo();
  return (
    info.continueAsNewSuggested ||
    info.historyLength >= limits.maxHistoryEvents ||
    info.historySize >= limits.maxHistoryBytes ||
    (limits.maxSteps !== undefined && stepsThisRun >= limits.maxSteps)
  );
}

/** Continues the run as new with its compact state: same workflow id, memo and search attributes. */
async function continueRun(input: ReturnType<typeof parseInput>, state: RunState, continuedRuns: number): Promise<never> {
  const next: FlockWorkflowInput = {
    definition: input.definition,
    startAgent: input.startAgent,
    input: input.input,
    runId: input.runId,
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    continued: { state, runs: continuedRuns + 1 },
  };
  guardSize(next, `Run state carried into the next run of the chain (after ${state.stepCount} steps)`, state.lastAgent, 'keep variables and outputs small: they are carried across continue-as-new');
  const info = workflowInfo();
  const continueAsNew = makeContinueAsNewFunc<typeof FlockWorkflowV2>({
    memo: info.memo,
    typedSearchAttributes: info.typedSearchAttributes,
  });
  return continueAsNew(next);
}

/** Fails the run (not the workflow task) when a value it is about to write would be over the payload limit. */
function guardSize(value: unknown, subject: string, agent: string | undefined, hint: string): void {
  const size = payloadSize(value);
  if (size <= DEFAULT_PAYLOAD_GUARD_BYTES) return;
  throw new FlockRunFailedError(
    `${subject} is ${size} bytes, over the ${DEFAULT_PAYLOAD_GUARD_BYTES}-byte payload limit: ${hint}`,
    { code: 'PAYLOAD_TOO_LARGE', agent, causeType: RUN_FAILURE_TYPES.PAYLOAD_TOO_LARGE },
  );
}

/** Runs an agent's step activity; its failure fails the run, naming the agent once. */
async function runStep<T>(agent: string, step: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await step();
  } catch (error) {
    if (isCancellation(error)) throw error;
    throw stepFailure(agent, rootCause(error), error);
  }
  const undecodable = undecodableReason(result);
  if (undecodable !== undefined) throw stepFailure(agent, { name: 'PayloadDecodeError', message: `The result of agent "${agent}" cannot be decoded: ${undecodable}` });
  return result;
}

/** The step's failure type (what the activity reported) and its innermost message. */
function rootCause(error: unknown): { name?: string; message: string } {
  type Link = { message?: string; cause?: unknown; type?: string; name?: string };
  const failure = (error as Link | undefined)?.cause as Link | undefined;
  let current = error as Link | undefined;
  while (current?.cause) current = current.cause as Link;
  return { name: failure?.type ?? failure?.name ?? current?.type ?? current?.name, message: current?.message ?? String(error) };
}

function toFailure(error: FlockRunFailedError): ApplicationFailure {
  const type = (RUN_FAILURE_TYPES as Record<string, string>)[error.code] ?? FlockFailureType.AgentFailed;
  return ApplicationFailure.create({
    type,
    message: error.message,
    nonRetryable: true,
    cause: error.cause instanceof Error ? error.cause : undefined,
    details: [{ code: error.code, ...(error.agent ? { agent: error.agent } : {}), ...(error.causeType ? { causeType: error.causeType } : {}) }],
  });
}
