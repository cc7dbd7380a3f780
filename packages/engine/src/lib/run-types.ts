/**
 * Run types, defined once for every executor. Plain JSON-able data: they
 * cross Temporal activity boundaries and continue-as-new.
 */
import type { BudgetSpec } from '@flock-ts/config';
import type { BudgetCrossing } from './errors';

/** Tokens a model evaluation (or a router's decision) consumed. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Model calls that spent these tokens (absent: not counted). */
  modelCalls?: number;
}

/** What one step may still spend: the smaller of what the run's and the agent's `budget` leave. Absent limits are unlimited. */
export interface StepBudget {
  maxTokens?: number;
  maxModelCalls?: number;
}

/** New limits for the budget a budget pause crossed (`resume({ budget })`): they replace that budget's limits for the rest of the run. */
export interface BudgetRaise {
  maxTokens?: number;
  maxModelCalls?: number;
}

/** What `resume` may carry: for a run paused by a budget (`onExceeded: 'pause'`), the new limits it needs. */
export interface ResumeRequest {
  budget?: BudgetRaise;
}

/** One finished agent step, whole: what `onStep` receives and the step ledger holds. */
export interface StepRecord {
  /** 0 for the first step of the run; counts on across continue-as-new. */
  step: number;
  agent: string;
  /** The inputs as resolved from the run (before the agent's components may replace them). */
  inputs: Record<string, unknown>;
  output: Record<string, unknown>;
  /** ISO 8601 timestamps. */
  startedAt: string;
  finishedAt: string;
  /** 1 for the first try; Temporal retries count up. */
  attempt?: number;
  usage?: TokenUsage;
  /** Tokens a router's model spent choosing the agent after this step. */
  routingUsage?: TokenUsage;
  /** The agent after this one, `null` when the run ended here. */
  nextAgent?: string | null;
}

/** A finished step without its data: what run results and status carry, a bounded number of them. */
export type StepSummary = Omit<StepRecord, 'inputs' | 'output'>;

/**
 * Which definition a step was planned against: digests of what matters for
 * the step. A worker whose live flock differs refuses the step.
 */
export interface StepFingerprint {
  /** Digest of the sorted agent names of the flock. */
  agents: string;
  /** Digest of the agent's input signature. */
  input: string;
  /** Digest of the agent's output signature. */
  output: string;
  /** The agent's hand-off: `none`, `static:<agent>`, `code` or `router:<name>`. */
  next: string;
}

/**
 * What one agent step receives: its own inputs and a bounded view of the
 * run, never the whole run. Its size does not grow with the step number.
 */
export interface StepRequest {
  flockName: string;
  agent: string;
  runId: string;
  sessionId?: string;
  /** Index of this step in the run (0 for the first). */
  step: number;
  /** The agent's input fields, resolved from the run: newest output that has the field, else the run input, else the variables. */
  inputs: Record<string, unknown>;
  /** Run variables (`ctx.setVariable`) before the step. */
  variables: Record<string, unknown>;
  /** The run's initial input, when the agent declared `context: { input: true }`. */
  input?: Record<string, unknown>;
  /** The latest finished steps, as many as the agent's `context.history` asks for. */
  history?: StepRecord[];
  /** The definition the run follows, for this step. */
  fingerprint?: StepFingerprint;
  /** A human agent's step: the output a person gave (or the declared fallback when the wait timed out). */
  response?: HumanResponse;
  /** The agent runs again because a reviewer rejected its previous output (`approval.onReject: 'redo'`). */
  review?: Review;
  /** What the step may still spend, when the run or the agent has a `budget`: a model evaluator stops at the model call that crosses it. */
  budget?: StepBudget;
}

/** What a person gave a human agent's step. */
export interface HumanResponse {
  output: Record<string, unknown>;
  /** Who answered, when the caller said (`respond --by`). */
  by?: string;
  /** Set when nobody answered in time and the declared fallback was used. */
  timedOut?: boolean;
}

/** A reviewer's rejection that sends an agent back to work (`ctx.review`). */
export interface Review {
  /** The rejected output. */
  output: Record<string, unknown>;
  comment?: string;
  by?: string;
}

/** What a run waits for: a person's input for a human agent, or the approval of an agent's output. */
export interface WaitingFor {
  kind: 'input' | 'approval';
  agent: string;
  /** The step the wait belongs to: the human agent's step, or the step whose output awaits approval. */
  step: number;
  prompt?: string;
  /** `input`: the output signature the answer must match. */
  signature?: string | { jsonSchema: Record<string, unknown> };
  /** `approval`: the output to approve (status only; events have it in the step before). */
  output?: Record<string, unknown>;
  /** ISO 8601 time the wait began. */
  since?: string;
  /** ISO 8601 time the wait times out, when it does. */
  deadline?: string;
}

/**
 * A person's response to a waiting run: `{ output }` for a human agent,
 * `{ approved, comment? }` for an approval. `step` (optional) guards
 * against answering a wait that already ended.
 */
export type FlockResponse = { output: Record<string, unknown>; step?: number; by?: string } | { approved: boolean; comment?: string; step?: number; by?: string };

/** What a run accepted: the wait it ended. */
export interface FlockResponseReceipt {
  agent: string;
  step: number;
  kind: 'input' | 'approval';
}

/**
 * What followers of a run see, in order, each once: `flock.start(...).events()`
 * on both executors and `flockctl follow`. Text deltas are live only (never
 * stored in history); every other event can be read again from the start.
 */
export type FlockRunEvent =
  | { type: 'step-started'; step: number; agent: string }
  | { type: 'step-completed'; record: StepRecord }
  | { type: 'text-delta'; step: number; agent: string; delta: string }
  | { type: 'waiting'; waitingFor: WaitingFor }
  | { type: 'response'; kind: 'input' | 'approval'; step: number; agent: string; approved?: boolean; comment?: string; by?: string }
  | { type: 'paused'; reason?: string; budgetExceeded?: BudgetCrossing }
  | { type: 'resumed' }
  | { type: 'run-completed'; result: RunResult }
  | { type: 'run-failed'; code: string; message: string; agent?: string };

/** What one agent step returns. */
export interface StepResult {
  output: Record<string, unknown>;
  /** Run variables after the step. */
  variables: Record<string, unknown>;
  usage?: TokenUsage;
  /** For `code` and `router` hand-offs: the agent the step chose, `null` to end the run. */
  nextAgent?: string | null;
  routingUsage?: TokenUsage;
  startedAt: string;
  finishedAt: string;
  attempt?: number;
}

/** How to start a run. */
export interface RunStart {
  startAgent: string;
  input: Record<string, unknown>;
  runId: string;
  sessionId?: string;
}

/**
 * The compact state of a run between steps: what a Temporal run carries
 * into the next run of its chain when it continues as new. Its size depends
 * on the flock (fields, variables, the history window), not on the run's length.
 */
export interface RunState {
  runId: string;
  sessionId?: string;
  flockName: string;
  startAgent: string;
  /** The run's initial input. */
  input: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** The newest value of every output field any step produced. */
  fields: Record<string, unknown>;
  /** The agent due next, `null` once the run has ended. */
  next: string | null;
  /** Finished steps so far. */
  stepCount: number;
  /** The agent of the latest step and the fields of its output (their values are in `fields`). */
  lastAgent?: string;
  lastOutputKeys: string[];
  usage?: TokenUsage;
  /** What each agent that has a `budget` spent over the run (its steps' usage); absent for other agents. */
  agentUsage?: Record<string, TokenUsage>;
  /** The latest steps, summarized (at most {@link RECENT_STEPS}). */
  recent: StepSummary[];
  /** The latest whole steps, as many as the largest `context.history` of the flock's agents. */
  tail: StepRecord[];
  /** Set when a reviewer rejected the latest output and the agent runs again. */
  review?: Review;
  /** Set while the run is paused by a budget whose `onExceeded` is `pause`: what was crossed. A resume must raise that limit. */
  budgetExceeded?: BudgetCrossing;
  /** Limits people raised on resuming budget pauses: they replace the run's (`run`) or an agent's (`agents`) budget limits for the rest of the run. */
  raisedBudgets?: { run?: BudgetRaise; agents?: Record<string, BudgetRaise> };
}

/** What a finished run produced. Bounded, whatever the run's length. */
export interface RunResult {
  runId: string;
  sessionId?: string;
  flockName: string;
  /** The agent whose output ended the run. */
  lastAgent: string;
  output: Record<string, unknown>;
  variables: Record<string, unknown>;
  /** Summed over every step and routing decision; absent when none reported usage. */
  usage?: TokenUsage;
  /** Steps the run took. */
  stepCount: number;
  /** The latest steps (at most {@link RECENT_STEPS}), oldest first, without their data; `onStep` and the step ledger have them whole. */
  steps: StepSummary[];
}

/** Steps a run result and the status keep. */
export const RECENT_STEPS = 20;

/** Where a run is: `waiting` for a person, `paused` at a step boundary, or ended. */
export type RunPhase = 'running' | 'waiting' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** What a run's status says, on every executor, while it runs and after. */
export interface RunStatus {
  runId: string;
  flockName: string;
  phase: RunPhase;
  /** The agent being evaluated or waited for, `null` once the run ended. */
  currentAgent: string | null;
  /** Finished steps of the whole run (across continue-as-new). */
  stepsDone: number;
  /** The latest steps, without their data. */
  steps: StepSummary[];
  /** Tokens (and model calls) used so far, routing decisions included. */
  usage?: TokenUsage;
  /** The run's `budget` (the flock's), when it has one: what `usage` may reach, with the limits people raised on resuming. */
  budget?: BudgetSpec;
  /** What each agent that has a `budget` of its own spent so far. */
  agentUsage?: Record<string, TokenUsage>;
  /** What the run waits for while `phase` is `waiting` (and while paused during a wait). */
  waitingFor?: WaitingFor;
  /** Set once a pause was asked for: the run stops at the next step boundary until resumed. */
  pauseRequested?: boolean;
  /** Set while the run is paused by a budget (`onExceeded: 'pause'`): the agent, the limit, whose budget, and the figures. */
  budgetExceeded?: BudgetCrossing;
}
