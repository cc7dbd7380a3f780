/**
 * Errors of `@flock-ts/core`: {@link FlockError}s, so `instanceof` works
 * across realms and package copies. Across a Temporal activity only the
 * name (the failure `type`), the message and `nonRetryable` survive.
 */
import { FlockError, type ConfigIssue } from '@flock-ts/config';
import { redactSecretsInText } from '@flock-ts/secrets';

/** The codes of `@flock-ts/core`'s errors. */
export type CoreErrorCode =
  | 'UNKNOWN_AGENT'
  | 'UNKNOWN_TOOL'
  | 'UNKNOWN_ROUTER'
  | 'INVALID_AGENT_INPUT'
  | 'INVALID_AGENT_OUTPUT'
  | 'AGENT_FAILED'
  | 'TOOL_FAILED'
  | 'COMPONENT_FAILED'
  | 'ROUTING_FAILED'
  | 'CONTEXT_READ_ONLY'
  | 'CONTEXT_NOT_DECLARED'
  | 'EXECUTOR_NOT_AVAILABLE'
  | 'INVALID_METRIC'
  | 'ON_STEP_FAILED'
  | 'DEFINITION_DRIFT'
  | 'UNKNOWN_RUN';

export {
  BUDGET_RESUME_FLAGS,
  BudgetExceededError,
  budgetCrossingText,
  FlockRunFailedError,
  InvalidResponseError,
  InvalidRunCommandError,
  type BudgetCrossing,
  type BudgetLimit,
  type FlockRunErrorCode,
} from '@flock-ts/engine';

/** The `name` of an unknown thrown value, so Temporal can honour non-retryable types of wrapped errors. */
export function errorName(error: unknown): string {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)) {
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  }
  return typeof error;
}

/**
 * The failure type of a step error, as Temporal reports it and retry
 * policies match it: the name of the cause an error wraps (`causeName`, or
 * its `cause`), else its own name.
 */
export function failureTypeOf(error: unknown): string {
  const causeName = (error as { causeName?: unknown } | null)?.causeName;
  if (typeof causeName === 'string' && causeName) return causeName;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error) return cause.name;
  return errorName(error);
}

/** The message of an unknown thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

function knownList(known: readonly string[]): string {
  return known.length ? known.join(', ') : 'none';
}

/** A name that is not an agent of the flock: a start agent, a hand-off target or a lookup. Not retryable. */
export class UnknownAgentError extends FlockError<'UNKNOWN_AGENT'> {
  static {
    FlockError.named(this, 'UnknownAgentError');
  }
  constructor(
    readonly agent: string,
    readonly knownAgents: readonly string[],
    /** Where the name came from, e.g. `start agent` or `hand-off from "writer"`. */
    readonly origin = 'agent',
  ) {
    super('UNKNOWN_AGENT', `Unknown ${origin} "${agent}" (known agents: ${knownList(knownAgents)})`, { nonRetryable: true });
  }
}

/** A tool name that is not registered on the flock. */
export class UnknownToolError extends FlockError<'UNKNOWN_TOOL'> {
  static {
    FlockError.named(this, 'UnknownToolError');
  }
  constructor(
    readonly tool: string,
    readonly knownTools: readonly string[],
  ) {
    super('UNKNOWN_TOOL', `Unknown tool "${tool}" (registered tools: ${knownList(knownTools)})`);
  }
}

/** A router name that is not registered on the flock. */
export class UnknownRouterError extends FlockError<'UNKNOWN_ROUTER'> {
  static {
    FlockError.named(this, 'UnknownRouterError');
  }
  constructor(
    readonly router: string,
    readonly knownRouters: readonly string[],
  ) {
    super('UNKNOWN_ROUTER', `Unknown router "${router}" (registered routers: ${knownList(knownRouters)})`);
  }
}

function describeIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
}

/** An agent's inputs are missing or do not match its input signature. Not retryable. */
export class AgentInputValidationError extends FlockError<'INVALID_AGENT_INPUT'> {
  static {
    FlockError.named(this, 'AgentInputValidationError');
  }
  constructor(
    readonly agent: string,
    /** The first offending field (`''` when the inputs as a whole are wrong). */
    readonly field: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super('INVALID_AGENT_INPUT', `Agent "${agent}" received invalid input "${field || '(root)'}": ${describeIssues(issues)}`, { nonRetryable: true });
  }
}

/** An agent's evaluator returned an output that does not match its output signature. Not retryable. */
export class AgentOutputValidationError extends FlockError<'INVALID_AGENT_OUTPUT'> {
  static {
    FlockError.named(this, 'AgentOutputValidationError');
  }
  constructor(
    readonly agent: string,
    /** The first offending field as a zod path such as `items[2].title` (`''` for the output as a whole). */
    readonly field: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super('INVALID_AGENT_OUTPUT', `Agent "${agent}" returned invalid output "${field || '(root)'}": ${describeIssues(issues)}`, { nonRetryable: true });
  }
}

/**
 * How the cause of a failure asks to be retried: `nonRetryable: true` (for
 * example a rejected API key) and `nextRetryDelayMs` (for example a rate
 * limit's `Retry-After`). Wrapping errors copy them so a Temporal activity
 * can honour them whatever wraps the cause.
 */
export interface RetryHints {
  nonRetryable?: boolean;
  nextRetryDelayMs?: number;
}

/** The {@link RetryHints} an unknown thrown value carries, if any. */
export function retryHints(error: unknown): RetryHints {
  if (typeof error !== 'object' || error === null) return {};
  const { nonRetryable, nextRetryDelayMs } = error as RetryHints;
  const hints: RetryHints = {};
  if (typeof nonRetryable === 'boolean') hints.nonRetryable = nonRetryable;
  if (typeof nextRetryDelayMs === 'number' && Number.isFinite(nextRetryDelayMs) && nextRetryDelayMs >= 0) hints.nextRetryDelayMs = nextRetryDelayMs;
  return hints;
}

/**
 * What an agent's failure says, naming the agent once: a cause that already
 * names it (Flock's own errors: `Agent "writer": model provider ...`, `Tool
 * "search" called by agent "writer" ...`) is told as it is; any other as
 * `Agent "writer" failed: <name>: <message>`.
 */
function agentFailureMessage(agent: string, causeName: string, causeMessage: string): string {
  return causeMessage.includes(`"${agent}"`) ? causeMessage : `Agent "${agent}" failed: ${causeName}: ${causeMessage}`;
}

/**
 * An agent's evaluator threw. Its message names the agent once (the cause's
 * own message when that names the agent already) and has credentials cut
 * out (`redactSecretsInText`: key shapes and the values registered with
 * `registerSecretValues`, such as the provider keys `@flock-ts/llm` reads):
 * `flock.run()` fails with it in-process. `causeName` keeps the original
 * error's name so a Temporal activity can honour non-retryable error types
 * of the cause; `nonRetryable` and `nextRetryDelayMs` are copied from the cause.
 *
 * @example
 * new AgentExecutionError('writer', new TypeError('x is undefined')).message; // 'Agent "writer" failed: TypeError: x is undefined'
 */
export class AgentExecutionError extends FlockError<'AGENT_FAILED'> {
  static {
    FlockError.named(this, 'AgentExecutionError');
  }
  readonly causeName: string;
  /** The cause's message, credentials cut out. */
  readonly causeMessage: string;
  readonly nextRetryDelayMs?: number;
  constructor(
    readonly agent: string,
    cause: unknown,
  ) {
    const causeName = errorName(cause);
    const causeMessage = redactSecretsInText(errorMessage(cause));
    const hints = retryHints(cause);
    super('AGENT_FAILED', agentFailureMessage(agent, causeName, causeMessage), { cause, nonRetryable: hints.nonRetryable });
    this.causeName = causeName;
    this.causeMessage = causeMessage;
    if (hints.nextRetryDelayMs !== undefined) this.nextRetryDelayMs = hints.nextRetryDelayMs;
  }
}

/** Why a tool call failed. */
export type ToolErrorReason = 'not-allowed' | 'invalid-args' | 'failed';

/** A tool call failed: the agent may not use it, its arguments are invalid, or it threw. The message names tool and agent once each, credentials cut out. */
export class ToolError extends FlockError<'TOOL_FAILED'> {
  static {
    FlockError.named(this, 'ToolError');
  }
  readonly causeName?: string;
  constructor(
    readonly tool: string,
    readonly agent: string,
    readonly reason: ToolErrorReason,
    detail: string,
    cause?: unknown,
  ) {
    super('TOOL_FAILED', `Tool "${tool}" called by agent "${agent}" ${redactSecretsInText(detail)}`, { cause });
    if (cause !== undefined) this.causeName = errorName(cause);
  }
}

/** Which component hook failed. */
export type ComponentHook = 'onInitialize' | 'onPreEvaluate' | 'onPostEvaluate' | 'onTerminate' | 'onError';

/** A component hook threw. */
export class ComponentError extends FlockError<'COMPONENT_FAILED'> {
  static {
    FlockError.named(this, 'ComponentError');
  }
  readonly causeName: string;
  constructor(
    readonly component: string,
    readonly agent: string,
    readonly hook: ComponentHook,
    cause: unknown,
  ) {
    const causeName = errorName(cause);
    super('COMPONENT_FAILED', `Component "${component}" of agent "${agent}" failed in ${hook}: ${causeName}: ${errorMessage(cause)}`, { cause });
    this.causeName = causeName;
  }
}

/**
 * What a routing failure says, naming the agent and the router once each: a
 * router's error that names both already (a model router's `Router "triage"
 * after agent "writer": model provider ...`) is told as it is; anything else
 * as `Routing after agent "writer" (router "triage") <detail>`. Credentials cut out.
 */
function routingMessage(agent: string, router: string, detail: string, cause: unknown): string {
  const causeMessage = cause === undefined ? '' : errorMessage(cause);
  if (router !== 'next' && causeMessage.includes(`"${router}"`) && causeMessage.includes(`"${agent}"`)) return redactSecretsInText(causeMessage);
  return redactSecretsInText(`Routing after agent "${agent}" (${router === 'next' ? 'next function' : `router "${router}"`}) ${detail}`);
}

/**
 * An agent's `next` function or router threw or returned something that is
 * not an agent name. The message names the agent and the router once each,
 * credentials cut out. `nonRetryable` and `nextRetryDelayMs` are copied from the cause.
 *
 * @example
 * new RoutingError('writer', 'triage', 'must return { nextAgent: string | null }, got 42').message;
 * // 'Routing after agent "writer" (router "triage") must return { nextAgent: string | null }, got 42'
 */
export class RoutingError extends FlockError<'ROUTING_FAILED'> {
  static {
    FlockError.named(this, 'RoutingError');
  }
  readonly causeName?: string;
  readonly nextRetryDelayMs?: number;
  constructor(
    readonly agent: string,
    /** The router's name, or `next` for a `next` function. */
    readonly router: string,
    detail: string,
    cause?: unknown,
  ) {
    const hints = retryHints(cause);
    super('ROUTING_FAILED', routingMessage(agent, router, detail, cause), { cause, nonRetryable: hints.nonRetryable });
    if (cause !== undefined) this.causeName = errorName(cause);
    if (hints.nextRetryDelayMs !== undefined) this.nextRetryDelayMs = hints.nextRetryDelayMs;
  }
}

/** A write through a context that only reads, such as the one a `next` function or router receives. */
export class ContextReadOnlyError extends FlockError<'CONTEXT_READ_ONLY'> {
  static {
    FlockError.named(this, 'ContextReadOnlyError');
  }
  constructor(readonly operation: string) {
    super('CONTEXT_READ_ONLY', `${operation} is not allowed here: routing sees the run state read-only (set variables in the agent's evaluator or components)`);
  }
}

/** `enableTemporal: true` without a Temporal executor. */
export class ExecutorNotAvailableError extends FlockError<'EXECUTOR_NOT_AVAILABLE'> {
  static {
    FlockError.named(this, 'ExecutorNotAvailableError');
  }
  constructor(
    readonly kind: string,
    readonly flockName: string,
  ) {
    super(
      'EXECUTOR_NOT_AVAILABLE',
      `Flock "${flockName}" has enableTemporal: true but no ${kind} executor: pass \`executor: temporal()\` (from '@flock-ts/temporal') to new Flock()`,
    );
  }
}

/** A metric reported through `ctx.metric()` with a name, value or kind that cannot be recorded. */
export class InvalidMetricError extends FlockError<'INVALID_METRIC'> {
  static {
    FlockError.named(this, 'InvalidMetricError');
  }
  constructor(
    readonly metric: string,
    reason: string,
  ) {
    super('INVALID_METRIC', `Metric "${metric}" cannot be recorded: ${reason}`);
  }
}

/**
 * A run's `onStep` callback threw. The run itself is not affected, on any
 * executor: it goes on to its end, the callback is not called again, and
 * `flock.run()` then rejects with this error, which carries the run's
 * `result` (when it completed) and the callback's error as `cause`.
 */
export class OnStepError extends FlockError<'ON_STEP_FAILED'> {
  static {
    FlockError.named(this, 'OnStepError');
  }
  constructor(
    /** Index of the step the callback failed on. */
    readonly step: number,
    readonly agent: string,
    cause: unknown,
    /** The run's result; `undefined` when the run failed too. */
    readonly result?: unknown,
  ) {
    super('ON_STEP_FAILED', `The onStep callback threw at step ${step + 1} (agent "${agent}"): ${errorMessage(cause)}. The run went on to its end without it.`, { cause });
  }
}

/**
 * Agent code read a part of its run that its steps do not carry: a step
 * carries only what the agent declares in `context` (so its size never
 * grows with the run).
 */
export class ContextNotDeclaredError extends FlockError<'CONTEXT_NOT_DECLARED'> {
  static {
    FlockError.named(this, 'ContextNotDeclaredError');
  }
  constructor(
    readonly agent: string,
    readonly property: string,
    declaration: string,
  ) {
    super('CONTEXT_NOT_DECLARED', `Agent "${agent}" reads ${property}, which its steps carry only when declared: add ${declaration} to the agent`);
  }
}

/**
 * The worker's flock does not match the definition a run started with, in
 * something the step depends on (its agents, signatures or hand-off): the
 * step is refused before any work, not retried. Redeploy compatibly (keep
 * the old code until in-flight runs end, or ship a new `workflowVersion`).
 */
export class DefinitionDriftError extends FlockError<'DEFINITION_DRIFT'> {
  static {
    FlockError.named(this, 'DefinitionDriftError');
  }
  constructor(
    readonly agent: string,
    readonly differences: readonly string[],
  ) {
    super(
      'DEFINITION_DRIFT',
      `Agent "${agent}" cannot run here: this worker's flock differs from the definition the run started with (${differences.join('; ')}). ` +
        'Keep the old code deployed until in-flight runs end, or start new runs on a new workflowVersion.',
      { nonRetryable: true },
    );
  }
}

/** `flock.getRun(id)` on an executor that knows no run of that id (an in-process run from another process, or one ended long ago). */
export class UnknownRunError extends FlockError<'UNKNOWN_RUN'> {
  static {
    FlockError.named(this, 'UnknownRunError');
  }
  readonly runId: string;

  constructor(runId: string, flockName: string) {
    super(
      'UNKNOWN_RUN',
      `No run "${runId}" of flock "${flockName}" in this process: in-process runs are found only by the process that started them (run on Temporal to reach a run from anywhere)`,
    );
    this.runId = runId;
  }
}
