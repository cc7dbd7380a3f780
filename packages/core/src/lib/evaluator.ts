import type { EvaluatorSpec } from '@flock-ts/config';
import type { Agent } from './agent';
import type { AgentContext } from './context';
import type { Tool } from './tool';
import type { TokenUsage } from '@flock-ts/engine';

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
}

/** What an evaluator returns; the output is validated against the output signature. */
export interface EvaluationResult {
  output: Record<string, unknown>;
  usage?: TokenUsage;
}

/**
 * Turns inputs into an output. `spec` is what the flock definition records
 * (`{ kind: 'code' }`, or a model spec from a model evaluator package).
 */
export interface Evaluator {
  spec: EvaluatorSpec;
  evaluate(request: EvaluationRequest): Promise<EvaluationResult>;
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
