/**
 * Errors of `@flock-ts/core`. Match them by `name` (or `code`), never with
 * `instanceof`: they cross Temporal activity boundaries, where only the name
 * (the failure `type`) and the message survive.
 */
import type { ConfigIssue } from '@flock-ts/config';

export { FlockRunFailedError, isFlockRunFailedError, type FlockRunErrorCode } from '@flock-ts/engine';

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

/** A name that is not an agent of the flock: a start agent, a hand-off target or a lookup. */
export class UnknownAgentError extends Error {
  override readonly name = 'UnknownAgentError';
  readonly code = 'UNKNOWN_AGENT' as const;
  constructor(
    readonly agent: string,
    readonly knownAgents: readonly string[],
    /** Where the name came from, e.g. `start agent` or `hand-off from "writer"`. */
    readonly origin = 'agent',
  ) {
    super(`Unknown ${origin} "${agent}" (known agents: ${knownList(knownAgents)})`);
  }
}

/** A tool name that is not registered on the flock. */
export class UnknownToolError extends Error {
  override readonly name = 'UnknownToolError';
  readonly code = 'UNKNOWN_TOOL' as const;
  constructor(
    readonly tool: string,
    readonly knownTools: readonly string[],
  ) {
    super(`Unknown tool "${tool}" (registered tools: ${knownList(knownTools)})`);
  }
}

/** A router name that is not registered on the flock. */
export class UnknownRouterError extends Error {
  override readonly name = 'UnknownRouterError';
  readonly code = 'UNKNOWN_ROUTER' as const;
  constructor(
    readonly router: string,
    readonly knownRouters: readonly string[],
  ) {
    super(`Unknown router "${router}" (registered routers: ${knownList(knownRouters)})`);
  }
}

function describeIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
}

/** An agent's inputs are missing or do not match its input signature. */
export class AgentInputValidationError extends Error {
  override readonly name = 'AgentInputValidationError';
  readonly code = 'INVALID_AGENT_INPUT' as const;
  constructor(
    readonly agent: string,
    /** The first offending field (`''` when the inputs as a whole are wrong). */
    readonly field: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`Agent "${agent}" received invalid input "${field || '(root)'}": ${describeIssues(issues)}`);
  }
}

/** An agent's evaluator returned an output that does not match its output signature. */
export class AgentOutputValidationError extends Error {
  override readonly name = 'AgentOutputValidationError';
  readonly code = 'INVALID_AGENT_OUTPUT' as const;
  constructor(
    readonly agent: string,
    /** The first offending field as a zod path such as `items[2].title` (`''` for the output as a whole). */
    readonly field: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`Agent "${agent}" returned invalid output "${field || '(root)'}": ${describeIssues(issues)}`);
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
 * An agent's evaluator threw. `causeName` keeps the original error's name so
 * a Temporal activity can honour non-retryable error types of the cause;
 * `nonRetryable` and `nextRetryDelayMs` are copied from the cause.
 */
export class AgentExecutionError extends Error {
  override readonly name = 'AgentExecutionError';
  readonly code = 'AGENT_FAILED' as const;
  readonly causeName: string;
  readonly causeMessage: string;
  readonly nonRetryable?: boolean;
  readonly nextRetryDelayMs?: number;
  constructor(
    readonly agent: string,
    cause: unknown,
  ) {
    const causeName = errorName(cause);
    const causeMessage = errorMessage(cause);
    super(`Agent "${agent}" failed: ${causeName}: ${causeMessage}`, { cause });
    this.causeName = causeName;
    this.causeMessage = causeMessage;
    Object.assign(this, retryHints(cause));
  }
}


/** Why a tool call failed. */
export type ToolErrorReason = 'not-allowed' | 'invalid-args' | 'failed';

/** A tool call failed: the agent may not use it, its arguments are invalid, or it threw. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly code = 'TOOL_FAILED' as const;
  readonly causeName?: string;
  constructor(
    readonly tool: string,
    readonly agent: string,
    readonly reason: ToolErrorReason,
    detail: string,
    cause?: unknown,
  ) {
    super(`Tool "${tool}" called by agent "${agent}" ${detail}`, cause === undefined ? undefined : { cause });
    if (cause !== undefined) this.causeName = errorName(cause);
  }
}

/** Which component hook failed. */
export type ComponentHook = 'onInitialize' | 'onPreEvaluate' | 'onPostEvaluate' | 'onTerminate' | 'onError';

/** A component hook threw. */
export class ComponentError extends Error {
  override readonly name = 'ComponentError';
  readonly code = 'COMPONENT_FAILED' as const;
  readonly causeName: string;
  constructor(
    readonly component: string,
    readonly agent: string,
    readonly hook: ComponentHook,
    cause: unknown,
  ) {
    const causeName = errorName(cause);
    super(`Component "${component}" of agent "${agent}" failed in ${hook}: ${causeName}: ${errorMessage(cause)}`, { cause });
    this.causeName = causeName;
  }
}

/**
 * An agent's `next` function or router threw or returned something that is
 * not an agent name. `nonRetryable` and `nextRetryDelayMs` are copied from the cause.
 */
export class RoutingError extends Error {
  override readonly name = 'RoutingError';
  readonly code = 'ROUTING_FAILED' as const;
  readonly causeName?: string;
  readonly nonRetryable?: boolean;
  readonly nextRetryDelayMs?: number;
  constructor(
    readonly agent: string,
    /** The router's name, or `next` for a `next` function. */
    readonly router: string,
    detail: string,
    cause?: unknown,
  ) {
    super(`Routing after agent "${agent}" (${router === 'next' ? 'next function' : `router "${router}"`}) ${detail}`, cause === undefined ? undefined : { cause });
    if (cause !== undefined) {
      this.causeName = errorName(cause);
      Object.assign(this, retryHints(cause));
    }
  }
}

/** A write through a context that only reads, such as the one a `next` function or router receives. */
export class ContextReadOnlyError extends Error {
  override readonly name = 'ContextReadOnlyError';
  readonly code = 'CONTEXT_READ_ONLY' as const;
  constructor(readonly operation: string) {
    super(`${operation} is not allowed here: routing sees the run state read-only (set variables in the agent's evaluator or components)`);
  }
}

/** `enableTemporal: true` without a registered Temporal executor. */
export class ExecutorNotAvailableError extends Error {
  override readonly name = 'ExecutorNotAvailableError';
  readonly code = 'EXECUTOR_NOT_AVAILABLE' as const;
  constructor(
    readonly kind: string,
    readonly flockName: string,
  ) {
    super(
      `Flock "${flockName}" has enableTemporal: true, but no ${kind} executor is registered: ` +
        `add \`import '@flock-ts/temporal';\` (it registers itself) or pass \`executor\` to new Flock()`,
    );
  }
}

/** A metric reported through `ctx.metric()` with a name, value or kind that cannot be recorded. */
export class InvalidMetricError extends Error {
  override readonly name = 'InvalidMetricError';
  readonly code = 'INVALID_METRIC' as const;
  constructor(
    readonly metric: string,
    reason: string,
  ) {
    super(`Metric "${metric}" cannot be recorded: ${reason}`);
  }
}

/**
 * A run's `onStep` callback threw. The run itself is not affected, on any
 * executor: it goes on to its end, the callback is not called again, and
 * `flock.run()` then rejects with this error, which carries the run's
 * `result` (when it completed) and the callback's error as `cause`.
 */
export class OnStepError extends Error {
  override readonly name = 'OnStepError';
  readonly code = 'ON_STEP_FAILED' as const;
  constructor(
    /** Index of the step the callback failed on. */
    readonly step: number,
    readonly agent: string,
    cause: unknown,
    /** The run's result; `undefined` when the run failed too. */
    readonly result?: unknown,
  ) {
    super(`The onStep callback threw at step ${step + 1} (agent "${agent}"): ${errorMessage(cause)}. The run went on to its end without it.`, { cause });
  }
}

/**
 * Agent code read a part of its run that its steps do not carry: a step
 * carries only what the agent declares in `context` (so its size never
 * grows with the run).
 */
export class ContextNotDeclaredError extends Error {
  override readonly name = 'ContextNotDeclaredError';
  readonly code = 'CONTEXT_NOT_DECLARED' as const;
  constructor(
    readonly agent: string,
    readonly property: string,
    declaration: string,
  ) {
    super(`Agent "${agent}" reads ${property}, which its steps carry only when declared: add ${declaration} to the agent`);
  }
}

/**
 * The worker's flock does not match the definition a run started with, in
 * something the step depends on (its agents, signatures or hand-off): the
 * step is refused before any work, not retried. Redeploy compatibly (keep
 * the old code until in-flight runs end, or ship a new `workflowVersion`).
 */
export class DefinitionDriftError extends Error {
  override readonly name = 'DefinitionDriftError';
  readonly code = 'DEFINITION_DRIFT' as const;
  readonly nonRetryable = true;
  constructor(
    readonly agent: string,
    readonly differences: readonly string[],
  ) {
    super(
      `Agent "${agent}" cannot run here: this worker's flock differs from the definition the run started with (${differences.join('; ')}). ` +
        'Keep the old code deployed until in-flight runs end, or start new runs on a new workflowVersion.',
    );
  }
}

/** `flock.getRun(id)` on an executor that knows no run of that id (an in-process run from another process, or one ended long ago). */
export class UnknownRunError extends Error {
  override readonly name = 'UnknownRunError';
  readonly runId: string;

  constructor(runId: string, flockName: string) {
    super(`No run "${runId}" of flock "${flockName}" in this process: in-process runs are found only by the process that started them (run on Temporal to reach a run from anywhere)`);
    this.runId = runId;
  }
}
