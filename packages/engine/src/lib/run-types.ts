/**
 * Run types, defined once for every executor. Plain JSON-able data: they
 * cross Temporal activity boundaries and continue-as-new.
 */

/** Tokens a model evaluation (or a router's decision) consumed. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
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
}

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
  /** The latest steps, summarized (at most {@link RECENT_STEPS}). */
  recent: StepSummary[];
  /** The latest whole steps, as many as the largest `context.history` of the flock's agents. */
  tail: StepRecord[];
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
