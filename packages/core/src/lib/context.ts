import type { Agent } from './agent';
import { ContextNotDeclaredError, ContextReadOnlyError, ToolError } from './errors';
import type { Flock } from './flock';
import type { Review, StepRecord } from './run-state';
import { toMetricReport, type MetricOptions, type MetricSink } from './metric';
import { invokeTool } from './tool';

/** The bounded view of its run that one step gets (from its step request). */
export interface StepView {
  runId: string;
  sessionId?: string;
  flockName: string;
  /** Index of the step (finished steps before it). */
  step: number;
  /** The run's initial input, when the agent's `context.input` allows (default). */
  input?: Record<string, unknown>;
  /** The latest finished steps, as many as the agent's `context.history` asks for. */
  history?: readonly StepRecord[];
  /** The run variables before the step. */
  variables: Record<string, unknown>;
  /** The key of the step this view belongs to (routing after a step keeps the step's key); default `${runId}:${step}:${agent}`. */
  idempotencyKey?: string;
  /** Set when a reviewer rejected the agent's previous output and it runs again. */
  review?: Review;
}

/** What an {@link AgentContext} is built from. */
export interface AgentContextInit {
  flock: Flock;
  agent: Agent;
  view: StepView;
  /**
   * The variables this step reads and writes; the step returns them. Absent:
   * a read-only view of `view.variables`.
   */
  variables?: Record<string, unknown>;
  attempt?: number;
  signal?: AbortSignal;
  heartbeat?: (details?: unknown) => void;
  /** Receives what `ctx.metric()` reports (absent: reports are validated, then dropped). */
  metric?: MetricSink;
  /** Receives what `ctx.emitText()` streams to the run's followers. */
  onText?: (delta: string) => void;
}

const noop = (): void => undefined;

/**
 * The idempotency key of a step: `${runId}:${step}:${agent}`.
 *
 * @example
 * stepIdempotencyKey('run-1', 3, 'writer') // => 'run-1:3:writer'
 */
export function stepIdempotencyKey(runId: string, step: number, agent: string): string {
  return `${runId}:${step}:${agent}`;
}

/**
 * The view of a run that evaluators, components, tools and routers receive:
 * bounded, whatever the run's length (see the agent's `context` option).
 * Variable writes go to the step's own copy, which the step returns, so the
 * same code works in-process and inside a Temporal activity.
 *
 * @example
 * evaluate: async ({ text }, ctx) => {
 *   const seen = ctx.getVariable<number>('seen') ?? 0;
 *   ctx.setVariable('seen', seen + 1);
 *   return { words: await ctx.callTool('wordCount', { text }) };
 * }
 */
export class AgentContext {
  readonly runId: string;
  readonly sessionId: string | undefined;
  readonly flockName: string;
  readonly agentName: string;
  readonly agent: Agent;
  /** The flock's default model id (its `model` option), which model evaluators and routers fall back to. */
  readonly flockModel: string | undefined;
  /** 1 for the first try of this step. */
  readonly attempt: number;
  /**
   * A key for side effects of this step: `${runId}:${step}:${agent}`, the
   * same on every attempt of the step (steps run at least once: a retry,
   * or a worker lost after the work but before the result was recorded,
   * runs the step again) and different for every step of the run. Pass it
   * to APIs that deduplicate (an `Idempotency-Key` header, a unique column).
   * A tool sees its call's own key, `${runId}:${step}:${agent}:tool:${n}`
   * for the step's n-th tool call (see {@link forToolCall}).
   */
  readonly idempotencyKey: string;
  /**
   * Fires when the run is cancelled, the step times out or the worker shuts
   * down. Pass it to `fetch`, model calls and timers, or check
   * `signal.aborted` between units of work: a cancelled run ends only once
   * its running step has stopped, and a step that ignores the signal keeps
   * its side effects going until it ends by itself.
   */
  readonly signal: AbortSignal | undefined;
  /** Set when a reviewer rejected this agent's previous output: the rejected output and the comment (`approval: { onReject: 'redo' }`). */
  readonly review: Review | undefined;
  private readonly flock: Flock;
  private readonly view: StepView;
  private readonly vars: Record<string, unknown>;
  private readonly writable: boolean;
  private readonly beat: (details?: unknown) => void;
  private readonly metricSink: MetricSink | undefined;

  constructor(init: AgentContextInit) {
    this.flock = init.flock;
    this.agent = init.agent;
    this.view = init.view;
    this.runId = init.view.runId;
    this.sessionId = init.view.sessionId;
    this.flockName = init.view.flockName;
    this.agentName = init.agent.name;
    this.flockModel = init.flock.model;
    this.attempt = init.attempt ?? 1;
    this.idempotencyKey = init.view.idempotencyKey ?? stepIdempotencyKey(init.view.runId, init.view.step, init.agent.name);
    this.signal = init.signal;
    this.writable = init.variables !== undefined;
    this.vars = init.variables ?? init.view.variables;
    this.beat = init.heartbeat ?? noop;
    this.metricSink = init.metric;
    this.review = init.view.review;
    this.textSink = init.onText;
  }

  private readonly textSink: ((delta: string) => void) | undefined;

  /**
   * Streams text to the run's followers while the step runs (`run.events()`
   * yields `text-delta` events; `flockctl follow` prints them). Live only:
   * followers that attach later do not see it, and it is never stored in
   * the run's history. Model evaluators stream their tokens this way.
   */
  emitText(delta: string): void {
    if (delta) this.textSink?.(delta);
  }

  /** The agent's free-form settings. */
  get settings(): Readonly<Record<string, unknown>> {
    return this.agent.settings;
  }

  /**
   * The latest finished steps of the run, oldest first: as many as the
   * agent's `context: { history: n }` asks for (none by default).
   */
  get history(): readonly StepRecord[] {
    if (!this.view.history) throw new ContextNotDeclaredError(this.agentName, 'ctx.history', 'context: { history: <steps> }');
    return this.view.history;
  }

  /** The run's initial input, when the agent declared `context: { input: true }`. */
  get input(): Readonly<Record<string, unknown>> {
    if (!this.view.input) throw new ContextNotDeclaredError(this.agentName, 'ctx.input', 'context: { input: true }');
    return this.view.input;
  }

  /** Number of finished steps before this one. */
  get iteration(): number {
    return this.view.step;
  }

  /** The variables as this step sees them. */
  get variables(): Readonly<Record<string, unknown>> {
    return this.vars;
  }

  /** The output of the latest finished step (of `agent`, when given) within {@link history}. */
  lastOutput(agent?: string): Record<string, unknown> | undefined {
    const history = this.history;
    for (let i = history.length - 1; i >= 0; i--) {
      if (agent === undefined || history[i].agent === agent) return history[i].output;
    }
    return undefined;
  }

  getVariable<T = unknown>(key: string): T | undefined {
    return this.vars[key] as T | undefined;
  }

  /** Sets a run variable; the value must be JSON-able (it crosses Temporal activity boundaries). */
  setVariable(key: string, value: unknown): void {
    if (!this.writable) throw new ContextReadOnlyError(`setVariable("${key}")`);
    // an own property whatever the key: `vars.__proto__ = x` would replace the prototype instead (and the guard refuses the key by name)
    Object.defineProperty(this.vars, key, { value, writable: true, enumerable: true, configurable: true });
  }

  /** Reports liveness of a long step (a Temporal activity heartbeat; a no-op locally). */
  heartbeat(details?: unknown): void {
    this.beat(details);
  }

  /**
   * Reports a custom metric of this step (seed: "custom metrics from
   * modules"). On a Temporal worker it is logged with the step, set on the
   * step's span and recorded by the worker's metrics (Prometheus with
   * `flock-worker --metrics-port`); locally it goes where the executor
   * sends it, by default nowhere. Throws `InvalidMetricError` for a name
   * outside `[a-zA-Z_][a-zA-Z0-9_]*` or a value that is not a finite number.
   *
   * @example
   * onTerminate: (ctx) => ctx.metric('documents_read', 12, { kind: 'counter', unit: '{document}' })
   */
  metric(name: string, value: number, options?: MetricOptions): void {
    const report = toMetricReport(this.agentName, name, value, options);
    this.metricSink?.(report);
  }

  /**
   * Calls one of the agent's tools by name. Arguments are validated against
   * the tool's signature; every failure is a `ToolError` naming tool and agent.
   * The tool's `ctx.idempotencyKey` is the call's own ({@link forToolCall}).
   */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (!this.agent.toolNames.includes(name)) {
      const own = this.agent.toolNames.join(', ') || 'none';
      throw new ToolError(name, this.agentName, 'not-allowed', `is not one of the agent's tools (its tools: ${own})`);
    }
    return invokeTool(this.flock.tool(name), args, this.forToolCall(++this.toolCalls.made));
  }

  private readonly toolCalls = { made: 0 };

  /**
   * The context a tool call of this step runs with: this step's, with the
   * call's own `idempotencyKey`, `${stepKey}:tool:${ordinal}` (1 for the
   * step's first tool call). The same on every attempt of the call as long
   * as the step makes its calls in the same order, which a step recorded
   * call by call (`durability: 'call'`) always does.
   *
   * @example
   * ctx.forToolCall(2).idempotencyKey // => 'run-1:3:writer:tool:2'
   */
  forToolCall(ordinal: number): AgentContext {
    return Object.create(this, { idempotencyKey: { value: `${this.idempotencyKey}:tool:${ordinal}`, enumerable: true } }) as AgentContext;
  }
}
