import type { PlannedToolCall, StepRequest, StepResult, TokenUsage, ToolCallResult } from '@flock-ts/engine';

export type { PlannedToolCall, ToolCallResult };

// The wire of a model agent's step whose model calls and tool calls are
// recorded one by one (`durability: 'call'`): the workflow runs the loop,
// each call is an activity. Plain JSON: it crosses activities and history.

/** A step as a call of it needs it: the request, without the inputs and history after the first model call (the conversation has them). */
export type StepRef = Omit<StepRequest, 'inputs' | 'history' | 'input' | 'fingerprint' | 'response' | 'review'> & Partial<Pick<StepRequest, 'inputs'>>;

/** What the first model call of a step did before calling the model: hooks run, inputs validated. */
export interface BegunStep {
  /** The inputs after validation and `onPreEvaluate` hooks. */
  inputs: Record<string, unknown>;
  /** Run variables after `onInitialize` / `onPreEvaluate`. */
  variables: Record<string, unknown>;
  /** ISO 8601: when the step began. */
  startedAt: string;
}

/** Input of `callAgentModel`: one model call of a step. */
export interface ModelCallInput {
  /** The whole request on the first call (hooks run then), a {@link StepRef} after. */
  step: StepRequest | StepRef;
  /** Absent on the first call; else the outcome's `conversation` of the previous call. */
  conversation?: unknown[];
  /** Results of the tool calls the previous call asked for. */
  toolResults?: ToolCallResult[];
  /** Tool calls the step made so far. */
  toolCalls: number;
  /** The previous answer could not be used and the model was told why: another unusable answer fails the step. */
  retried?: boolean;
  /** The step's `startedAt` from the first call's `begun` (absent on the first call). */
  startedAt?: string;
}

/**
 * Outcome of `callAgentModel`:
 * - `tool-calls`: run these (in order), then call the model again with their results;
 * - `retry`: the answer could not be used; the conversation now tells the model why: call it again once;
 * - `output`: the step's output. `result` is set when the step needs no `finishAgentStep` (no hooks after
 *   the evaluation, no `code` or `router` hand-off).
 */
export type ModelCallOutcome = { begun?: BegunStep; usage?: TokenUsage } & (
  | { kind: 'tool-calls'; conversation: unknown[]; calls: PlannedToolCall[] }
  | { kind: 'retry'; conversation: unknown[]; problem: string }
  | { kind: 'output'; output: Record<string, unknown>; result?: StepResult }
);

/** Input of `callAgentTool`: one tool call of a step. */
export interface ToolCallInput {
  /** The step's request (what the tool's `ctx` shows: `ctx.input`, `ctx.history` when declared), with the variables as the calls before left them. */
  step: StepRequest;
  call: PlannedToolCall;
  /** 1 for the step's first tool call: the tool's `ctx.idempotencyKey` ends with `:tool:<ordinal>`. */
  ordinal: number;
}

/** Outcome of `callAgentTool`. */
export interface ToolCallOutcome {
  /** The tool's result (`null` for none). */
  output: unknown;
  /** Run variables after the call. */
  variables: Record<string, unknown>;
}

/** Input of `finishAgentStep`: the output validated and hooks run after the evaluation, the hand-off decided. */
export interface FinishStepInput {
  /** The step's request, with the inputs the evaluator got (after `onPreEvaluate`) and the variables after the tool calls. */
  step: StepRequest;
  output: Record<string, unknown>;
  startedAt: string;
}
