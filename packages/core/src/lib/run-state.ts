import type { RunResult as StoredRunResult, StepRecord } from '@flock-ts/engine';
import type { Agent, AgentInput } from './agent';

export type {
  BudgetRaise,
  FlockResponse,
  FlockResponseReceipt,
  FlockRunEvent,
  HumanResponse,
  PlannedToolCall,
  ResumeRequest,
  Review,
  RunPhase,
  RunState,
  RunStatus,
  StepRecord,
  StepRequest,
  StepBudget,
  StepResult,
  StepSummary,
  TokenUsage,
  ToolCallResult,
  WaitingFor,
} from '@flock-ts/engine';

/**
 * How to start a run of a flock whose agents are `A`, at the agent named
 * `S` (one of theirs): `input` is what that agent takes (more named values
 * may ride along for later agents, `ctx.input`). `RunRequest` alone: any
 * agent, any input.
 */
export type RunRequest<A extends Agent = Agent, S extends string = A['name']> = RunOptions & {
  startAgent: S;
  input: RunInput<AgentInput<AgentNamed<A, S>>>;
};

/** The fields an agent takes, and room for more; any record when the agent takes any field (an index signature). */
type RunInput<In> = string extends keyof In ? Record<string, unknown> : In & Record<string, unknown>;

/** The agents of `A` named `S` (all of an untyped `Agent`, whose name is any string). */
type AgentNamed<A extends Agent, S extends string> = A extends Agent<infer Name, unknown, unknown> ? (S extends Name ? A : never) : never;

/** What a run request carries besides its start agent and input. */
export interface RunOptions {
  /** A random UUID when absent. */
  runId?: string;
  sessionId?: string;
  /** Called after each finished step with the whole step (in-process as it finishes; on Temporal as the executor reads it). */
  onStep?: (step: StepRecord) => void;
  /** Aborts the run: the current step sees the signal, the run rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * What a finished run produced. Bounded, whatever the run's length. Typed
 * by the agent that ended the run: `lastAgent` its name, `output` its output.
 */
export interface RunResult<Out = Record<string, unknown>, Last extends string = string> extends Omit<StoredRunResult, 'output' | 'lastAgent'> {
  /** The agent whose output ended the run. */
  lastAgent: Last;
  output: Out;
}

/**
 * The result of a run of a flock whose agents are `A`: a union with one
 * member per agent that can end a run (every agent but those with a static
 * `next`), so checking `lastAgent` narrows `output`. `RunResult` when no
 * agent is known to end one.
 *
 * @example
 * const result = await flock.run({ startAgent: 'triage', input: { text } });
 * if (result.lastAgent === 'reporter') console.log(result.output.report);
 */
export type FlockRunResult<A extends Agent = Agent> = [EndingResults<A>] extends [never] ? RunResult : EndingResults<A>;

type EndingResults<A extends Agent> = A extends Agent<infer Name, unknown, infer Out, infer Ends> ? ([Ends] extends [false] ? never : RunResult<Out, Name>) : never;
