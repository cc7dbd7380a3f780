import type { EvaluatorSpec } from '@flock-ts/config';
import type { Agent } from './agent';
import type { AgentContext } from './context';
import type { Tool } from './tool';
import type { HumanResponse, PlannedToolCall, StepBudget, TokenUsage, ToolCallResult } from '@flock-ts/engine';

/** What an evaluator receives for one agent step. */
export interface EvaluationRequest {
  agent: Agent;
  /** Inputs resolved from the run and validated against the input signature. */
  inputs: Record<string, unknown>;
  context: AgentContext;
  /** The agent's tools, resolved from the flock's registry. */
  tools: Tool[];
  signal?: AbortSignal;
  /** Reports liveness (a Temporal activity heartbeat; a no-op locally). */
  heartbeat?: (details?: unknown) => void;
  /** Streams generated text to the run's followers as it is produced (live only: never stored in history). */
  onText?: (delta: string) => void;
  /** A human agent's step: the output a person gave. */
  response?: HumanResponse;
  /**
   * What the step may still spend (tokens, model calls) when the run or the
   * agent has a `budget`. A model evaluator throws `BudgetExceededError`
   * once a model call takes the step past it.
   */
  budget?: StepBudget;
}

/** What an evaluator returns; the output is validated against the output signature. */
export interface EvaluationResult {
  output: Record<string, unknown>;
  /** Tokens spent, and `modelCalls` when the evaluator counts them (budgets count model calls from it). */
  usage?: TokenUsage;
}

/**
 * One model call of a step recorded call by call (`durability: 'call'`):
 * the conversation so far and the results of the tool calls the previous
 * call asked for. The tools are not run here: the caller runs them.
 */
export interface ModelTurnRequest extends Omit<EvaluationRequest, 'response' | 'heartbeat'> {
  /** Absent on the step's first call (the prompt is made from `inputs`); else the `conversation` of the previous turn. */
  conversation?: unknown[];
  toolResults?: ToolCallResult[];
  /** Tool calls the step made so far. */
  toolCalls: number;
  /** The previous answer could not be used and the model was told why: another unusable answer fails the step (not retryable). */
  retried?: boolean;
}

/**
 * What one model call gave: tool calls to run, an unusable answer whose
 * problem the conversation now tells the model (call it once more), or the
 * output (validated against the output signature).
 */
export type ModelTurn = { usage?: TokenUsage } & (
  | { kind: 'tool-calls'; conversation: unknown[]; calls: PlannedToolCall[] }
  | { kind: 'retry'; conversation: unknown[]; problem: string }
  | { kind: 'output'; output: Record<string, unknown> }
);

/**
 * Turns inputs into an output. `spec` is what the flock definition records
 * (`{ kind: 'code' }`, or a model spec from a model evaluator package).
 * `modelTurn`: evaluators of model agents make one model call at a time
 * with it, for steps recorded call by call.
 */
export interface Evaluator {
  spec: EvaluatorSpec;
  evaluate(request: EvaluationRequest): Promise<EvaluationResult>;
  modelTurn?(request: ModelTurnRequest): Promise<ModelTurn>;
}

/** How a human agent waits (the `human` option of an agent). */
export interface HumanInputOptions {
  /** What the person is asked. */
  prompt?: string;
  /** How long to wait; absent: as long as it takes. */
  timeoutSeconds?: number;
  /** The output used when the wait times out (it must match the output signature); absent: the run fails with `RESPONSE_TIMED_OUT`. */
  fallback?: Record<string, unknown>;
}

/**
 * The evaluator of a human agent (kind `human`): its output is what a
 * person answered, which the run waits for (`run.respond({ output })`,
 * `flockctl respond`). Made for agents declared with `human: {...}`.
 */
export function humanEvaluator(options: HumanInputOptions = {}): Evaluator {
  const spec: EvaluatorSpec = { kind: 'human', ...options };
  return {
    spec,
    evaluate: async (request) => {
      if (!request.response) {
        throw Object.assign(new Error(`Agent "${request.agent.name}" takes its output from a person: run it with flock.start() or flock.run(), which wait for the answer`), {
          name: 'MissingResponseError',
        });
      }
      return { output: request.response.output };
    },
  };
}

/** A plain TypeScript evaluation function. */
export type EvaluateFunction = (inputs: Record<string, unknown>, ctx: AgentContext) => unknown;

/**
 * Wraps a plain function as an evaluator of kind `code`.
 *
 * @example
 * const upper = codeEvaluator(({ text }) => ({ text: String(text).toUpperCase() }));
 */
export function codeEvaluator(evaluate: EvaluateFunction): Evaluator {
  return {
    spec: { kind: 'code' },
    evaluate: async (request) => ({ output: (await evaluate(request.inputs, request.context)) as Record<string, unknown> }),
  };
}
