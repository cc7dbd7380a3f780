import { isFlockError } from '@flock-ts/config';
import {
  beginStep,
  executeStep,
  failureTypeOf,
  finishStep,
  hasWorkAfterEvaluation,
  invokeTool,
  resolveHandoff,
  stepContext,
  ToolError,
  type Flock,
  type StepOptions,
  type StepRequest,
  type StepResult,
} from '@flock-ts/core';
import { withLocalStepEcho, type FlockActivities, type ModelCallInput, type ModelCallOutcome, type StepRef, type ToolCallInput, type ToolCallOutcome } from '@flock-ts/contracts';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Attributes, Span } from '@opentelemetry/api';
import { withSpan } from '@flock-ts/telemetry';
import { DEFAULT_PAYLOAD_GUARD_BYTES, payloadSize, redactSecretsInText } from '@flock-ts/serialization';
import { FlockNotRegisteredError, NoModelTurnsError } from './errors';
import { guardSize, guardStepResult } from './payload-guard';
import { startStepHeartbeats } from './step-heartbeat';
import { guardV1State, stepRequestOfV1, viewOfV1State } from './v1-steps';
import { evaluatorAttributes, metricAttributes, observeStepMetrics, usageAttributes } from './step-observer';

// looked up per call: a tracer kept from before the worker's telemetry setup would stay a no-op

/** Options of {@link createFlockActivities}. */
export interface FlockActivitiesOptions {
  /** The flocks whose code this worker hosts; runs find them by name. */
  flocks: Iterable<Flock>;
  /**
   * Interval of the liveness heartbeat while an agent step runs (default
   * 1 s), with or without a heartbeat timeout: a cancelled run reaches its
   * running step through a heartbeat's response, so this bounds how soon
   * `ctx.signal` fires. Text the step streams heartbeats too, at once.
   * Steps of local agents (`local: true`) never heartbeat.
   */
  heartbeatIntervalMs?: number;
  /**
   * Largest step output / run state in bytes (before any codec); a step
   * beyond it fails with a non-retryable `PayloadTooLargeError` naming the
   * agent. Default: 64 KiB under Temporal's 2 MiB payload limit.
   */
  maxPayloadBytes?: number;
}

/**
 * The activity implementations of a Flock worker. Agent code (evaluators,
 * tools, routers, components) is looked up by flock and agent name in the
 * flocks given here; only names travel through Temporal.
 *
 * @example
 * const worker = await Worker.create({ activities: createFlockActivities({ flocks: [myFlock] }), ... });
 */
export function createFlockActivities(options: FlockActivitiesOptions): FlockActivities {
  const registry = new Map<string, Flock>();
  for (const flock of options.flocks) registry.set(flock.name, flock);
  const lookup = (name: string): Flock => {
    const flock = registry.get(name);
    if (!flock) {
      // retryable: another worker on the queue may host it
      throw toApplicationFailure(new FlockNotRegisteredError(name, [...registry.keys()]));
    }
    return flock;
  };

  /** One step, traced, logged, heartbeating and size-guarded; failures as `ApplicationFailure`s typed by their root cause. */
  const runStep = (request: StepRequest, decideHandoff: boolean): Promise<StepResult> => {
    const { flockName, agent: agentName, runId } = request;
    const flock = lookup(flockName);
    const ctx = Context.current();
    const attributes = { ...spanAttributes(ctx, flockName, agentName, runId), ...evaluatorAttributes(flock, agentName) };
    return traced('flock.agent.evaluate', attributes, async (span) => {
      const beats = startStepHeartbeats(ctx, { agent: agentName, step: request.step }, options.heartbeatIntervalMs);
      const metrics = observeStepMetrics(ctx.metricMeter, flockName, (error) => ctx.log.warn('Agent metric not recorded', { agent: agentName, error: (error as Error).message }));
      const started = Date.now();
      try {
        ctx.log.info('Evaluating agent', { agent: agentName, attempt: ctx.info.attempt, runId, step: request.step });
        const result = await untilAborted(
          executeStep(flock, request, {
            signal: ctx.cancellationSignal,
            heartbeat: (details?: unknown) => beats.heartbeat(details),
            // streamed text reaches followers through the heartbeat details, never the run's history
            onText: (delta) => beats.onText(delta),
            attempt: ctx.info.attempt,
            metric: metrics.sink,
            decideHandoff,
          }),
          ctx.cancellationSignal,
          // Temporal times the attempt out at its start-to-close timeout; this slot is freed just after, whatever the agent does
          ctx.info.startToCloseTimeoutMs ? ctx.info.startToCloseTimeoutMs + 1_000 : undefined,
        );
        guardStepResult(agentName, result, result, options.maxPayloadBytes);
        usageAttributes(span, result.usage);
        span.setAttributes(metricAttributes(metrics.values));
        // the seed's promise: worker logs carry activity name, attempt and the modules' custom metrics
        ctx.log.info('Agent step completed', {
          agent: agentName,
          durationMs: Date.now() - started,
          metrics: metrics.values,
          ...(result.usage ? { usage: result.usage } : {}),
        });
        // a local step's history is a marker with its result only: the run's readers find its step, agent and inputs there
        return ctx.info.isLocal && decideHandoff ? echoed(result, request, options.maxPayloadBytes) : result;
      } catch (error) {
        span.setAttributes(metricAttributes(metrics.values));
        // a cancellation (timeout, cancelled run, worker shutdown) is reported as one
        if (ctx.cancellationSignal.aborted && error === ctx.cancellationSignal.reason) throw error;
        // the failure's message, not the error's: it has credentials cut out
        const failure = toApplicationFailure(error);
        ctx.log.warn('Agent failed', { agent: agentName, attempt: ctx.info.attempt, error: failure.message, metrics: metrics.values });
        throw failure;
      } finally {
        beats.stop();
      }
    });
  };

  /** One call of a step recorded call by call: traced, heartbeating (streamed text included), bounded by its timeout; failures as for steps. */
  const runCall = <T>(spanName: string, ref: StepRef, work: (options: StepOptions, flock: Flock) => Promise<T>): Promise<T> => {
    // a model call's span carries its tokens; the step's record has the step's sum
    const { flockName, agent: agentName, runId } = ref;
    const flock = lookup(flockName);
    const ctx = Context.current();
    const attributes = { ...spanAttributes(ctx, flockName, agentName, runId), 'flock.step': ref.step, ...evaluatorAttributes(flock, agentName) };
    return traced(spanName, attributes, async (span) => {
      const beats = startStepHeartbeats(ctx, { agent: agentName, step: ref.step }, options.heartbeatIntervalMs);
      try {
        const stepOptions: StepOptions = {
          signal: ctx.cancellationSignal,
          heartbeat: (details?: unknown) => beats.heartbeat(details),
          onText: (delta) => beats.onText(delta),
          attempt: ctx.info.attempt,
        };
        const result = await untilAborted(work(stepOptions, flock), ctx.cancellationSignal, ctx.info.startToCloseTimeoutMs ? ctx.info.startToCloseTimeoutMs + 1_000 : undefined);
        usageAttributes(span, (result as { usage?: StepResult['usage'] }).usage);
        return result;
      } catch (error) {
        if (ctx.cancellationSignal.aborted && error === ctx.cancellationSignal.reason) throw error;
        const failure = toApplicationFailure(error);
        ctx.log.warn(`Agent ${spanName === SPAN_TOOL_CALL ? 'tool call' : 'model call'} failed`, { agent: agentName, attempt: ctx.info.attempt, error: failure.message });
        throw failure;
      } finally {
        beats.stop();
      }
    });
  };

  const callAgentModel = (input: ModelCallInput): Promise<ModelCallOutcome> =>
    runCall(SPAN_MODEL_CALL, input.step, async (stepOptions, flock) => {
      const first = input.conversation === undefined;
      const begun = first ? await beginStep(flock, input.step as StepRequest, stepOptions) : undefined;
      const { agent, context } = begun ?? stepContext(flock, { ...input.step, inputs: {} }, stepOptions);
      if (!agent.evaluator.modelTurn) throw new NoModelTurnsError(agent.name, agent.evaluator.spec.kind);
      const turn = await agent.evaluator.modelTurn({
        agent,
        inputs: begun?.inputs ?? {},
        context,
        tools: agent.toolNames.map((name) => flock.tool(name)),
        signal: stepOptions.signal,
        onText: (delta) => context.emitText(delta),
        conversation: input.conversation,
        toolResults: input.toolResults,
        toolCalls: input.toolCalls,
        retried: input.retried,
      });
      const outcome: ModelCallOutcome = begun ? { ...turn, begun: { inputs: begun.inputs, variables: begun.variables, startedAt: begun.startedAt } } : turn;
      if (outcome.kind === 'output' && !hasWorkAfterEvaluation(agent)) {
        const variables = begun?.variables ?? input.step.variables;
        outcome.result = {
          output: outcome.output,
          variables,
          startedAt: begun?.startedAt ?? input.startedAt ?? new Date().toISOString(),
          finishedAt: new Date().toISOString(),
          attempt: context.attempt,
        };
      }
      if (outcome.kind === 'output') guardStepResult(agent.name, { output: outcome.output, variables: outcome.result?.variables ?? {} }, outcome, options.maxPayloadBytes);
      else
        guardSize(
          agent.name,
          outcome,
          `The conversation of agent "${agent.name}"`,
          'give the model fewer or smaller tool results (a reference to large data instead)',
          options.maxPayloadBytes,
        );
      return outcome;
    });

  const callAgentTool = (input: ToolCallInput): Promise<ToolCallOutcome> =>
    runCall(SPAN_TOOL_CALL, input.step, async (stepOptions, flock) => {
      const { agent, context } = stepContext(flock, input.step, stepOptions);
      if (!agent.toolNames.includes(input.call.name)) {
        throw new ToolError(input.call.name, agent.name, 'not-allowed', `is not one of the agent's tools (its tools: ${agent.toolNames.join(', ') || 'none'})`);
      }
      const output = (await invokeTool(flock.tool(input.call.name), input.call.args, context.forToolCall(input.ordinal))) ?? null;
      const outcome: ToolCallOutcome = { output, variables: context.variables as Record<string, unknown> };
      guardSize(agent.name, outcome, `The result of tool "${input.call.name}" of agent "${agent.name}"`, undefined, options.maxPayloadBytes);
      return outcome;
    });

  return {
    runAgentStep: (request) => runStep(request, true),
    callAgentModel,
    callAgentTool,
    finishAgentStep: ({ step, output, startedAt }) =>
      runCall(SPAN_FINISH, step, async (stepOptions, flock) => {
        const result = await finishStep(flock, step, { output, startedAt }, stepOptions);
        guardStepResult(step.agent, result, result, options.maxPayloadBytes);
        return result;
      }),

    async evaluateAgent({ flockName, agentName, state }) {
      const request = stepRequestOfV1(lookup(flockName), agentName, state);
      const result = await runStep(request, false);
      const record = {
        agent: agentName,
        inputs: request.inputs,
        output: result.output,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        attempt: result.attempt,
        ...(result.usage ? { usage: result.usage } : {}),
      };
      const outcome = { record, variables: result.variables };
      try {
        guardV1State(agentName, outcome, state, options.maxPayloadBytes);
      } catch (error) {
        throw toApplicationFailure(error);
      }
      return outcome;
    },

    async routeNextAgent({ flockName, agentName, output, state }) {
      const flock = lookup(flockName);
      const ctx = Context.current();
      return traced('flock.agent.route', spanAttributes(ctx, flockName, agentName, state.runId), async () => {
        try {
          return await resolveHandoff(flock, agentName, output, viewOfV1State(state));
        } catch (error) {
          throw toApplicationFailure(error);
        }
      });
    },
  } satisfies FlockActivities;
}

/** A local step's result with its `LocalStepEcho`; without the inputs when they would take it over the payload limit. */
function echoed(result: StepResult, request: StepRequest, limit = DEFAULT_PAYLOAD_GUARD_BYTES): StepResult {
  const withInputs = withLocalStepEcho(result, request);
  return payloadSize(withInputs) <= limit ? withInputs : withLocalStepEcho(result, request, true);
}

/**
 * Settles with `step`, or rejects as soon as `signal` aborts (the step timed
 * out, was cancelled, or the worker shuts down), even when agent code
 * ignores the signal: the activity then ends and frees its worker slot.
 * Code that never settles keeps running in the background; Temporal has
 * already given up on that attempt.
 */
export function untilAborted<T>(step: Promise<T>, signal: AbortSignal, deadlineMs?: number): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(
            () => reject(Object.assign(new Error(`the step did not end within its start-to-close timeout (${deadlineMs - 1_000} ms)`), { name: 'StepTimedOutError' })),
            deadlineMs,
          );
    timer?.unref();
    step.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    });
  });
}

const SPAN_MODEL_CALL = 'flock.agent.model_call';
const SPAN_TOOL_CALL = 'flock.agent.tool_call';
const SPAN_FINISH = 'flock.agent.finish';

function spanAttributes(ctx: Context, flockName: string, agentName: string, runId: string): Attributes {
  return {
    'flock.name': flockName,
    'flock.agent': agentName,
    'flock.run_id': runId,
    'temporal.workflow_id': ctx.info.workflowExecution?.workflowId ?? '',
    'temporal.activity_type': ctx.info.activityType,
    'temporal.attempt': ctx.info.attempt,
  };
}

function traced<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return withSpan(name, fn, { tracer: '@flock-ts/activities', attributes });
}

/**
 * Converts a step error into an `ApplicationFailure` whose `type` is the
 * root cause's error name, so `nonRetryableErrorTypes` can name user errors
 * (e.g. `AuthenticationError`). The error itself says whether a retry can
 * fix it (`nonRetryable`, which every `FlockError` and wrapped causes
 * carry); a `FlockError`'s `code` goes into the failure's details.
 */
export function toApplicationFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const details = err as Error & { agent?: string; nextRetryDelayMs?: number; nonRetryable?: boolean };
  const type = failureTypeOf(err);
  return ApplicationFailure.create({
    type,
    message: redactSecretsInText(err.message),
    cause: asOneCause(err),
    nonRetryable: details.nonRetryable === true ? true : undefined,
    nextRetryDelay: details.nextRetryDelayMs,
    details: [{ ...(details.agent ? { agent: details.agent } : {}), errorName: err.name, ...(isFlockError(err) ? { code: err.code } : {}) }],
  });
}

/**
 * The error as a single link, its causes' stacks appended to its own: the
 * run then fails with this error's message, which already names the tool,
 * component or router at fault, rather than with the innermost cause's bare
 * message. Credentials in messages and stacks are cut out, since failures
 * are stored in the run's history.
 */
function asOneCause(err: Error): Error {
  const link = new Error(redactSecretsInText(err.message));
  link.name = err.name;
  let stack = err.stack ?? `${err.name}: ${err.message}`;
  const seen = new Set<unknown>([err]);
  for (let cause: unknown = err.cause; cause !== undefined && !seen.has(cause); cause = (cause as { cause?: unknown } | null)?.cause) {
    seen.add(cause);
    stack += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)}`;
  }
  link.stack = redactSecretsInText(stack);
  return link;
}
