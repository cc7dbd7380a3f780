import type { AgentDefinition, ContinueAsNewConfig } from '@flock-ts/config';
import {
  FLOCK_SEARCH_ATTRIBUTES,
  FlockFailureType,
  WORKFLOW_PATCHES,
  readFlockWorkflowInput,
  type FlockPauseRequest,
  type FlockResumeRequest,
  flockPauseUpdate,
  flockRespondUpdate,
  flockResumeUpdate,
  flockStatusQuery,
  type FlockRunPhase,
  type FlockRunResult,
  type FlockRunStatus,
  type FlockWorkflowInput,
  type FlockActivities,
  type ModelCallOutcome,
  type StepRef,
} from '@flock-ts/contracts';
import {
  applyApproval,
  applyStep,
  approvalWait,
  checkPause,
  checkResponse,
  checkResume,
  inputWait,
  nextStep,
  planRun,
  runResult,
  RUN_FAILURE_TYPES,
  startRun,
  stepFailure,
  timedOutApproval,
  timedOutInput,
  waitTimeoutSeconds,
  waitWithoutOutput,
  beginWait,
  budgetCrossingText,
  budgetPause,
  checkBudget,
  raiseBudget,
  runBudget,
  sumUsage,
  BUDGET_RESUME_FLAGS,
  FlockRunFailedError,
  type ApprovalDecision,
  type BudgetCrossing,
  type FlockResponse,
  type HumanResponse,
  type RunPlan,
  type RunState,
  type StepRequest,
  type StepResult,
  type TokenUsage,
  type ToolCallResult,
  type WaitingFor,
} from '@flock-ts/engine';
import { payloadSize, undecodableReason, DEFAULT_PAYLOAD_GUARD_BYTES } from '@flock-ts/serialization/sandbox';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  ContinueAsNew,
  isCancellation,
  makeContinueAsNewFunc,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { activitiesFor, recordsCalls } from './activity-proxies';

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
    throw error instanceof FlockRunFailedError ? toFailure(error) : error;
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
  // runs recorded before the patch upserted CurrentAgent at every step and FlockRunPhase at the start
  const fewerUpserts = patched(WORKFLOW_PATCHES.fewerUpserts);
  let phase: FlockRunPhase = 'running';
  let shownPhase: FlockRunPhase | undefined = fewerUpserts
    ? (workflowInfo().typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase) as FlockRunPhase | undefined)
    : input.continued
      ? 'running'
      : undefined;
  let currentAgent: string | null = state.next;
  /** What the run waits for, and the answer once it came. */
  let waiting: { wait: WaitingFor; answer?: HumanResponse | ApprovalDecision } | undefined;
  let pauseRequested = input.continued?.paused ?? false;
  /** What the running step spent so far, when its model calls are recorded one by one: shown in status before the step ends. */
  let stepUsage: { agent: string; usage: TokenUsage } | undefined;
  /** Paused, or pausing at the next step boundary: a person asked for it, or a budget with `onExceeded: 'pause'` was crossed. */
  const paused = () => pauseRequested || state.budgetExceeded !== undefined;
  const status = (): FlockRunStatus =>
    usageShown(state, runBudget(plan, state), stepUsage, {
      runId: state.runId,
      flockName: state.flockName,
      phase,
      currentAgent,
      stepsDone: state.stepCount,
      steps: state.recent,
      ...(waiting ? { waitingFor: waiting.wait } : {}),
      ...(paused() ? { pauseRequested: true } : {}),
      ...(state.budgetExceeded ? { budgetExceeded: state.budgetExceeded } : {}),
      continuedRuns,
      workflowVersion: 2,
    });
  setHandler(flockStatusQuery, status);
  setHandler(
    flockRespondUpdate,
    (response: FlockResponse) => {
      // the validator ran before acceptance; checked again for the normalized answer
      const wait = waiting?.wait ?? null;
      const answer = checkResponse(plan, wait && !waiting?.answer ? wait : null, response);
      (waiting as { answer?: HumanResponse | ApprovalDecision }).answer = answer;
      return { agent: (wait as WaitingFor).agent, step: (wait as WaitingFor).step, kind: (wait as WaitingFor).kind };
    },
    // a refused answer never enters history; the caller gets the reason
    { validator: (response: FlockResponse) => refusing(() => checkResponse(plan, waiting && !waiting.answer ? waiting.wait : null, response)) },
  );
  setHandler(
    flockPauseUpdate,
    (_request: FlockPauseRequest) => {
      checkPause(paused());
      pauseRequested = true;
      return status();
    },
    { validator: (_request: FlockPauseRequest) => refusing(() => checkPause(paused())) },
  );
  setHandler(
    flockResumeUpdate,
    // absent in histories and from callers before budget pauses: a plain resume
    (request?: FlockResumeRequest) => {
      checkResume(pauseRequested, state.budgetExceeded, request?.budget);
      if (request?.budget) raiseBudget(state, request.budget);
      pauseRequested = false;
      return status();
    },
    // a resume that does not raise the crossed limit never enters history; the run stays paused
    { validator: (request?: FlockResumeRequest) => refusing(() => checkResume(pauseRequested, state.budgetExceeded, request?.budget)) },
  );
  let shownAgent: string | null | undefined = workflowInfo().typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.CurrentAgent);
  /** The agent whose step runs now: in the status query, and (before the patch) in `CurrentAgent`. */
  const showAgent = (agent: string) => {
    currentAgent = agent;
    if (fewerUpserts || shownAgent === agent) return;
    upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.CurrentAgent, value: agent }]);
    shownAgent = agent;
  };
  /**
   * The run's phase, and with the patch the agent it waits on (`null`: none),
   * in one upsert of what changed.
   */
  const setPhase = (next: FlockRunPhase, waitingOn?: string | null) => {
    phase = next;
    const updates: SearchAttributeUpdatePair[] = [];
    if (fewerUpserts && waitingOn !== undefined && (shownAgent ?? null) !== waitingOn) {
      updates.push({ key: FLOCK_SEARCH_ATTRIBUTES.CurrentAgent, value: waitingOn });
      shownAgent = waitingOn;
    }
    if (shownPhase !== next) {
      updates.push({ key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: next });
      shownPhase = next;
    }
    if (updates.length > 0) upsertSearchAttributes(updates);
  };
  /** Waits for a person's answer, or what the agent's timeout decides; shown in status, memo and search attributes meanwhile. */
  const waitFor = async (wait: WaitingFor): Promise<HumanResponse | ApprovalDecision> => {
    const seconds = waitTimeoutSeconds(plan, wait);
    const shown = beginWait(plan, wait, new Date());
    const entry: { wait: WaitingFor; answer?: HumanResponse | ApprovalDecision } = { wait: shown };
    waiting = entry;
    showAgent(wait.agent);
    upsertMemo({ waitingFor: waitWithoutOutput(shown) });
    // the Web UI's "current details" (no history event)
    setCurrentDetails(describeWait(shown));
    setPhase('waiting', wait.agent);
    try {
      const answered = seconds === undefined ? (await condition(() => entry.answer !== undefined), true) : await condition(() => entry.answer !== undefined, seconds * 1000);
      if (answered) return entry.answer as HumanResponse | ApprovalDecision;
      return failFast(() => (wait.kind === 'input' ? timedOutInput(plan, wait) : timedOutApproval(plan, wait)));
    } finally {
      waiting = undefined;
      upsertMemo({ waitingFor: null });
      setCurrentDetails('');
    }
  };
  /**
   * Waits while the run is paused (`agent`: the one it stops before or
   * in); a budget pause (`crossing`) is in the memo (followers read it as a
   * `paused` event) and the Web UI's current details say how to go on.
   */
  const pauseUntilResumed = async (agent: string, crossing: BudgetCrossing | undefined) => {
    if (crossing) {
      upsertMemo({ budgetExceeded: crossing });
      setCurrentDetails(describeBudgetPause(crossing));
    }
    setPhase('paused', agent);
    await condition(() => !paused());
    if (crossing) {
      upsertMemo({ budgetExceeded: null });
      setCurrentDetails('');
    }
    setPhase('running', null);
  };
  setPhase('running');

  const limits = { ...CONTINUE_AS_NEW_DEFAULTS, ...definition.temporalConfig.continueAsNew };
  let stepsThisRun = 0;
  try {
    for (let request: StepRequest | null = failFast(() => nextStep(plan, state)); request !== null; request = failFast(() => nextStep(plan, state))) {
      if (stepsThisRun > 0 && shouldContinueAsNew(limits, stepsThisRun)) await continueRun(input, state, continuedRuns, pauseRequested);
      const crossing = budgetPause(plan, state, request);
      if (paused()) {
        // at a step boundary: the next step waits until resumed
        await pauseUntilResumed(request.agent, crossing);
        // after a budget pause the step is planned again: the raised limits change what it may spend
        if (crossing) continue;
      }
      const wait = inputWait(plan, request);
      if (wait) {
        const response = (await waitFor(wait)) as HumanResponse;
        setPhase('running', null);
        request = { ...request, response };
      }
      const agent = request.agent;
      guardSize(
        request,
        `Step input of agent "${agent}"`,
        agent,
        'resolve fewer or smaller inputs, or carry less of the run into the step (context.input, a shorter context.history)',
      );
      showAgent(agent);
      // nextStep only plans agents of the definition
      const agentDefinition = agentDefinitions.get(agent) as AgentDefinition;
      const activities = activitiesFor(definition, agentDefinition);
      const step = request;
      const result = recordsCalls(definition, agentDefinition)
        ? await runStep(agent, () =>
            runStepByCalls(step, activities, async (usage) => {
              stepUsage = usage && { agent, usage };
              if (!usage) return;
              // before the next model call: a crossing fails the run here, not after the step, or pauses it until resumed with a higher limit
              for (let crossing = failFast(() => checkBudget(plan, state, agent, usage)); crossing; crossing = failFast(() => checkBudget(plan, state, agent, usage))) {
                await pauseUntilResumed(agent, crossing);
              }
            }).finally(() => (stepUsage = undefined)),
          )
        : await runStep(agent, () => activities.runAgentStep(step));
      const record = failFast(() => applyStep(plan, state, step, result));
      stepsThisRun++;
      const approval = approvalWait(plan, record);
      if (approval) {
        const decision = (await waitFor(approval)) as ApprovalDecision;
        failFast(() => applyApproval(plan, state, approval, record, decision));
        setPhase('running', null);
      }
    }
    const result = runResult(state);
    guardSize(
      result,
      `Result of the run (output of agent "${result.lastAgent}")`,
      result.lastAgent,
      'return a reference to large data (a URL, a file path, a blob store key) from the last agent',
    );
    setPhase('completed');
    currentAgent = null;
    return result;
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    setPhase(isCancellation(error) ? 'cancelled' : 'failed');
    currentAgent = null;
    throw error;
  }
}

function parseInput(raw: FlockWorkflowInput) {
  const undecodable = undecodableReason(raw);
  if (undecodable !== undefined) {
    throw new FlockRunFailedError(`The run's input cannot be decoded: ${undecodable}`, { code: 'INVALID_RUN_INPUT', causeType: 'PayloadDecodeError' });
  }
  // plain checks: the client validated the definition; zod here would be rebuilt for every workflow
  const read = readFlockWorkflowInput(raw);
  if (read.ok) return read.value;
  throw new FlockRunFailedError(`Invalid FlockWorkflowV2 input: ${read.issues.join('; ')}`, { code: 'INVALID_RUN_INPUT', causeType: 'InvalidWorkflowInputError' });
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
    if (error instanceof FlockRunFailedError) throw error;
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
async function continueRun(input: ReturnType<typeof parseInput>, state: RunState, continuedRuns: number, paused: boolean): Promise<never> {
  // updates accepted so far finish in this run
  await condition(allHandlersFinished);
  const next: FlockWorkflowInput = {
    definition: input.definition,
    startAgent: input.startAgent,
    input: input.input,
    runId: input.runId,
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    continued: { state, runs: continuedRuns + 1, ...(paused ? { paused } : {}) },
  };
  guardSize(
    next,
    `Run state carried into the next run of the chain (after ${state.stepCount} steps)`,
    state.lastAgent,
    'keep variables and outputs small: they are carried across continue-as-new',
  );
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
  throw new FlockRunFailedError(`${subject} is ${size} bytes, over the ${DEFAULT_PAYLOAD_GUARD_BYTES}-byte payload limit: ${hint}`, {
    code: 'PAYLOAD_TOO_LARGE',
    agent,
    causeType: RUN_FAILURE_TYPES.PAYLOAD_TOO_LARGE,
  });
}

/** Runs an agent's step activity; its failure fails the run, naming the agent once. */
async function runStep<T>(agent: string, step: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await step();
  } catch (error) {
    // a run failure decided here (a budget crossed between two model calls) is already one
    if (isCancellation(error) || error instanceof FlockRunFailedError) throw error;
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

/** The Web UI's current details of a budget pause: what was crossed and how to go on. */
function describeBudgetPause(crossing: BudgetCrossing): string {
  const flag = BUDGET_RESUME_FLAGS[crossing.limit];
  return [
    `**Paused by its budget**: ${budgetCrossingText(crossing, true)}`,
    `Go on with a higher limit: flockctl resume <workflowId> ${flag} <n> (n above ${crossing.used}), or cancel the run.`,
  ].join('\n\n');
}

/** One line for the Web UI: what the run waits for and how to answer. */
function describeWait(wait: WaitingFor): string {
  const what = wait.kind === 'input' ? `input for agent "${wait.agent}"` : `approval of the output of agent "${wait.agent}"`;
  const answer = wait.kind === 'input' ? `flockctl respond <workflowId> --input '<json>'` : 'flockctl respond <workflowId> --approve | --reject';
  return [
    `**Waiting for ${what}** (step ${wait.step})`,
    wait.prompt,
    wait.signature && typeof wait.signature === 'string' ? `Answer: ${wait.signature}` : undefined,
    wait.deadline ? `Until ${wait.deadline}` : undefined,
    `Respond: ${answer}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * Runs an update validator's check; a refusal reaches the caller as an
 * `ApplicationFailure` of the refusal's type, with the field issues of an
 * `InvalidResponseError` in its details (a plain error would lose them).
 */
function refusing(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    const refusal = error as Error & { issues?: readonly string[] };
    throw ApplicationFailure.create({ type: refusal.name, message: refusal.message, nonRetryable: true, details: refusal.issues?.length ? [{ issues: [...refusal.issues] }] : [] });
  }
}

/**
 * A model agent's step recorded call by call (`durability: 'call'`): the
 * model loop runs here, each model call and each tool call is an activity
 * (with the agent's timeouts and retries each), so a retry or a lost
 * worker resumes after the last completed call. `spent` sees the step's
 * usage after each model call that asked for more (tool calls, a retry),
 * and may hold the step there (a budget pause) before its next call; the
 * run loop checks the step's whole usage once it ends.
 *
 * Bounded: the worker refuses tool calls past the agent's `maxToolCalls`
 * and offers no tools once they are spent, and an unusable answer is sent
 * back once (`retry`), then fails the step.
 */
async function runStepByCalls(request: StepRequest, activities: FlockActivities, spent: (usage: TokenUsage | undefined) => Promise<void>): Promise<StepResult> {
  let outcome: ModelCallOutcome = await activities.callAgentModel({ step: request, toolCalls: 0 });
  // the first call of a step always reports what it began with
  const begun = outcome.begun as NonNullable<ModelCallOutcome['begun']>;
  // later model calls carry the conversation instead of the inputs; tool calls and the finish see the whole step, as in one activity
  let variables = begun.variables;
  const ref = (): StepRef => ({
    flockName: request.flockName,
    agent: request.agent,
    runId: request.runId,
    step: request.step,
    variables,
    ...(request.sessionId !== undefined ? { sessionId: request.sessionId } : {}),
  });
  let usage = outcome.usage;
  let toolCalls = 0;
  let retried = false;
  while (outcome.kind !== 'output') {
    // a model call that crossed the budget fails (or pauses) the run before its tool calls run
    await spent(usage);
    let toolResults: ToolCallResult[] | undefined;
    if (outcome.kind === 'tool-calls') {
      toolResults = [];
      // one at a time, in the model's order: each sees the variables the one before left
      for (const call of outcome.calls) {
        if (call.refused !== undefined) {
          toolResults.push({ id: call.id, name: call.name, refused: call.refused });
          continue;
        }
        toolCalls += 1;
        const done = await activities.callAgentTool({ step: { ...request, variables }, call, ordinal: toolCalls });
        variables = done.variables;
        toolResults.push({ id: call.id, name: call.name, output: done.output });
      }
    } else {
      retried = true;
    }
    outcome = await activities.callAgentModel({ step: ref(), conversation: outcome.conversation, toolResults, toolCalls, retried, startedAt: begun.startedAt });
    usage = sumUsage([usage, outcome.usage]);
  }
  const result =
    outcome.result ?? (await activities.finishAgentStep({ step: { ...request, inputs: begun.inputs, variables }, output: outcome.output, startedAt: begun.startedAt }));
  return usage ? { ...result, usage } : result;
}

/** The status with the run's budget, and the usage so far: the running step's included while its calls are recorded one by one. */
function usageShown(
  state: RunState,
  budget: FlockRunStatus['budget'],
  running: { agent: string; usage: TokenUsage } | undefined,
  status: Omit<FlockRunStatus, 'usage' | 'budget' | 'agentUsage'>,
): FlockRunStatus {
  const usage = sumUsage([state.usage, running?.usage]);
  let agentUsage = state.agentUsage;
  if (running && agentUsage?.[running.agent]) agentUsage = { ...agentUsage, [running.agent]: sumUsage([agentUsage[running.agent], running.usage]) as TokenUsage };
  return { ...status, ...(usage ? { usage } : {}), ...(budget ? { budget } : {}), ...(agentUsage ? { agentUsage } : {}) };
}
