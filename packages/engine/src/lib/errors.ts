/**
 * Errors of `@flock-ts/engine`: {@link FlockError}s, so `instanceof` works
 * across the workflow sandbox and package copies. Over the wire (a failed
 * workflow) they arrive as failures: match those by `type` ({@link RUN_FAILURE_TYPES}).
 */
import { FlockError } from '@flock-ts/config/sandbox';
import type { BudgetRaise } from './run-types';

/** Why a run ended without a result; stable across executors and versions. */
export type FlockRunErrorCode =
  /** An agent step failed (after its retries): evaluator, validation, tool, component or routing. */
  | 'AGENT_FAILED'
  /** The run reached `maxIterations` steps (often a hand-off cycle). */
  | 'MAX_ITERATIONS_EXCEEDED'
  /** A start agent or hand-off named an agent the flock does not have. */
  | 'UNKNOWN_AGENT'
  /** The run's input or the workflow input is not acceptable. */
  | 'INVALID_RUN_INPUT'
  /** A value the run would store is over the payload limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** The worker's flock no longer matches the definition the run started with. */
  | 'DEFINITION_DRIFT'
  /** A reviewer rejected an agent's output (`approval.onReject: 'fail'`), or an approval timed out. */
  | 'REJECTED'
  /** Nobody answered a human agent in time and it declares no fallback. */
  | 'RESPONSE_TIMED_OUT'
  /** The run (or one agent) spent more tokens or model calls than its `budget` allows. */
  | 'BUDGET_EXCEEDED'
  /** The run was cancelled. */
  | 'CANCELLED'
  /** Temporal ended the run: terminated or timed out. */
  | 'TERMINATED'
  | 'TIMED_OUT';

/**
 * The failure type (`ApplicationFailure.type`) a Flock workflow fails with,
 * per code: what histories and the Web UI show.
 */
export const RUN_FAILURE_TYPES = {
  AGENT_FAILED: 'AgentExecutionError',
  MAX_ITERATIONS_EXCEEDED: 'MaxIterationsExceededError',
  UNKNOWN_AGENT: 'UnknownAgentError',
  INVALID_RUN_INPUT: 'InvalidWorkflowInputError',
  PAYLOAD_TOO_LARGE: 'PayloadTooLargeError',
  DEFINITION_DRIFT: 'DefinitionDriftError',
  REJECTED: 'ApprovalRejectedError',
  RESPONSE_TIMED_OUT: 'ResponseTimedOutError',
  BUDGET_EXCEEDED: 'BudgetExceededError',
} as const satisfies Partial<Record<FlockRunErrorCode, string>>;

/** The code of a workflow failure type; `AGENT_FAILED` for any other type. */
export function runErrorCodeOfFailureType(type: string | undefined): FlockRunErrorCode {
  for (const [code, name] of Object.entries(RUN_FAILURE_TYPES)) if (name === type) return code as FlockRunErrorCode;
  return 'AGENT_FAILED';
}

/** The codes of `@flock-ts/engine`'s errors. */
export type EngineErrorCode = FlockRunErrorCode | 'INVALID_RESPONSE' | 'INVALID_RUN_COMMAND';

/** What a {@link FlockRunFailedError} carries besides its message. */
export interface FlockRunFailure {
  code: FlockRunErrorCode;
  /** The agent at fault, when one was. */
  agent?: string;
  /** Name of the error at the root of the failure (`AgentOutputValidationError`, `ToolError`, a user error's name). */
  causeType?: string;
  /** Workflow id of a run on Temporal. */
  workflowId?: string;
  /** Web UI link of a run on Temporal, when known. */
  webUiUrl?: string;
  cause?: unknown;
}

/**
 * A run ended without a result, on either executor: `code` says why,
 * `agent` which agent, `causeType` the name of the root error, `cause` the
 * error itself (locally the agent's own error; on Temporal the failure).
 *
 * @example
 * try { await flock.run(request) } catch (e) { if (e instanceof FlockRunFailedError && e.code === 'MAX_ITERATIONS_EXCEEDED') ... }
 */
export class FlockRunFailedError extends FlockError<FlockRunErrorCode> {
  static {
    FlockError.named(this, 'FlockRunFailedError');
  }
  readonly agent: string | undefined;
  readonly causeType: string | undefined;
  readonly workflowId: string | undefined;
  readonly webUiUrl: string | undefined;
  /** The workflow failure type of this code (what Temporal histories show and v1 clients matched on). */
  readonly failureType: string | undefined;

  constructor(message: string, failure: FlockRunFailure) {
    // the run has ended: nothing retries it
    super(failure.code, message, { cause: failure.cause, nonRetryable: true });
    this.agent = failure.agent;
    this.causeType = failure.causeType;
    this.workflowId = failure.workflowId;
    this.webUiUrl = failure.webUiUrl;
    this.failureType = (RUN_FAILURE_TYPES as Partial<Record<FlockRunErrorCode, string>>)[this.code];
  }
}

/**
 * A response to a waiting run was refused: the run waits for nothing, for
 * another step, or the answer does not match. Nothing changed; the run
 * keeps waiting. On Temporal the update validator throws it, so the answer
 * never enters history and the caller gets this message.
 */
export class InvalidResponseError extends FlockError<'INVALID_RESPONSE'> {
  static {
    FlockError.named(this, 'InvalidResponseError');
  }
  /** Each field that does not match (`output.summary: expected string`). */
  readonly issues: readonly string[];

  constructor(message: string, issues: readonly string[] = []) {
    super('INVALID_RESPONSE', message, { nonRetryable: true });
    this.issues = issues;
  }
}

/** `pause` on a run that is already paused (or pausing), `resume` on one that is not. Nothing changed. */
export class InvalidRunCommandError extends FlockError<'INVALID_RUN_COMMAND'> {
  static {
    FlockError.named(this, 'InvalidRunCommandError');
  }
  constructor(message: string) {
    super('INVALID_RUN_COMMAND', message, { nonRetryable: true });
  }
}

/** Refuses a pause when one is already asked for. */
export function checkPause(pauseRequested: boolean): void {
  if (pauseRequested) throw new InvalidRunCommandError('The run is already paused (or pauses at the next step boundary)');
}

/**
 * Refuses a resume when the run is not paused; a resume of a budget pause
 * (`budgetExceeded`) unless `budget` raises the crossed limit above what
 * was used; and a `budget` when there is no budget pause to raise.
 */
export function checkResume(pauseRequested: boolean, budgetExceeded?: BudgetCrossing, budget?: BudgetRaise): void {
  if (!pauseRequested && !budgetExceeded) throw new InvalidRunCommandError('The run is not paused');
  if (budget === undefined) {
    if (budgetExceeded) throw new InvalidRunCommandError(raiseNeeded(budgetExceeded));
    return;
  }
  if (!budgetExceeded) throw new InvalidRunCommandError('The run is not paused for a budget: a resume with a budget raises the limit a budget pause crossed');
  for (const limit of BUDGET_LIMITS) {
    const max = budget[limit];
    if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new InvalidRunCommandError(`budget.${limit} must be a positive integer, got ${String(max)}`);
  }
  const raised = budget[budgetExceeded.limit];
  if (raised === undefined || raised <= budgetExceeded.used) throw new InvalidRunCommandError(raiseNeeded(budgetExceeded, raised));
}

/** The limits of a `budget`, in the order crossings are looked for. */
export const BUDGET_LIMITS: readonly BudgetLimit[] = ['maxTokens', 'maxModelCalls'];

/** The `flockctl resume` option of each limit. */
export const BUDGET_RESUME_FLAGS: Readonly<Record<BudgetLimit, string>> = { maxTokens: '--max-tokens', maxModelCalls: '--max-model-calls' };

/** Why a resume of a budget pause was refused: the limit, the figure used and the flag to pass. */
function raiseNeeded(crossing: BudgetCrossing, raised?: number): string {
  const given = raised === undefined ? 'none was given' : `${raised} is not`;
  return (
    `The run is paused for its budget (${budgetCrossingText(crossing, true)}): resuming needs a ${crossing.limit} above ${crossing.used} (${given}); ` +
    `pass ${BUDGET_RESUME_FLAGS[crossing.limit]} <n> to flockctl resume, or resume({ budget: { ${crossing.limit}: n } })`
  );
}

/** Which limit of a `budget` was crossed. */
export type BudgetLimit = 'maxTokens' | 'maxModelCalls';

/** What a {@link BudgetExceededError} reports: the agent that crossed the limit, which limit, whose, and the figures. */
export interface BudgetCrossing {
  agent: string;
  limit: BudgetLimit;
  /**
   * `run`: the flock's `budget`, summed over the whole run; `agent`: the
   * agent's own `budget`, summed over its steps; `step`: what the budgets
   * left for the running step (a model evaluator stops there mid-step).
   */
  scope: 'run' | 'agent' | 'step';
  /** Spent so far, the step that crossed the limit included. */
  used: number;
  max: number;
  /** Set when the limit was already reached before the agent's step: the step did not run. */
  beforeStep?: boolean;
}

/**
 * A run (or one agent) spent more tokens or model calls than its `budget`
 * allows. Not retryable: a retry would spend more. Names the agent whose
 * model call crossed the limit, and the figures.
 *
 * @example
 * new BudgetExceededError({ agent: 'writer', limit: 'maxTokens', scope: 'run', used: 5210, max: 5000 }).message
 * // => 'Agent "writer" crossed the run\'s token budget: 5210 tokens used, maxTokens is 5000'
 */
export class BudgetExceededError extends FlockError<'BUDGET_EXCEEDED'> {
  static {
    FlockError.named(this, 'BudgetExceededError');
  }
  readonly agent: string;
  readonly limit: BudgetLimit;
  readonly scope: 'run' | 'agent' | 'step';
  readonly used: number;
  readonly max: number;

  constructor(crossing: BudgetCrossing) {
    super('BUDGET_EXCEEDED', budgetCrossingText(crossing), {
      nonRetryable: true,
      details: { ...crossing },
    });
    this.agent = crossing.agent;
    this.limit = crossing.limit;
    this.scope = crossing.scope;
    this.used = crossing.used;
    this.max = crossing.max;
  }
}

/**
 * A crossing in words, naming the agent and the figures: the message of
 * {@link BudgetExceededError}; with `lower`, starting with a lower-case
 * "agent", to go inside a sentence (a budget pause's reason).
 *
 * @example
 * budgetCrossingText({ agent: 'writer', limit: 'maxTokens', scope: 'run', used: 5210, max: 5000 })
 * // => 'Agent "writer" crossed the run\'s token budget: 5210 tokens used, maxTokens is 5000'
 */
export function budgetCrossingText(crossing: BudgetCrossing, lower = false): string {
  const what = crossing.limit === 'maxTokens' ? ['token', 'tokens'] : ['model-call', 'model calls'];
  const whose = crossing.scope === 'run' ? "the run's" : 'its own';
  const agent = `${lower ? 'agent' : 'Agent'} "${crossing.agent}"`;
  if (crossing.beforeStep) return `${agent} cannot run: ${whose} ${what[0]} budget is spent (${crossing.used} ${what[1]} used, ${crossing.limit} is ${crossing.max})`;
  if (crossing.scope === 'step') {
    return `${agent} crossed its ${what[0]} budget in this step: ${crossing.used} ${what[1]} used, ${crossing.max} were left (${crossing.limit} of the run's or the agent's budget)`;
  }
  return `${agent} crossed ${whose} ${what[0]} budget: ${crossing.used} ${what[1]} used, ${crossing.limit} is ${crossing.max}`;
}
