import { randomUUID } from 'node:crypto';
import { FlockConfigError } from '@flock-ts/config';
import { UnknownAgentError } from './errors';
import type { Flock } from './flock';
import type { TokenUsage } from './usage';

/** What one agent step did. Plain JSON-able data. */
export interface StepRecord {
  agent: string;
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
}

/**
 * The whole state of a run. Plain JSON-able data: it crosses Temporal
 * activity boundaries, so it holds no functions, classes or dates.
 */
export interface RunState {
  runId: string;
  sessionId?: string;
  flockName: string;
  startAgent: string;
  /** The run's initial input. */
  input: Record<string, unknown>;
  /** Every finished step, in order. */
  history: StepRecord[];
  /** Values agents share across steps (`ctx.setVariable`). */
  variables: Record<string, unknown>;
  /** Number of finished steps. */
  iteration: number;
}

/** How to start a run. */
export interface RunRequest {
  startAgent: string;
  input: Record<string, unknown>;
  /** A random UUID when absent. */
  runId?: string;
  sessionId?: string;
  /** Called after each finished step (locally: in-process; on Temporal: as the executor reports steps). */
  onStep?: (step: StepRecord) => void;
  /** Aborts the run: the current step sees the signal, the run rejects with its reason. */
  signal?: AbortSignal;
}

/** What a finished run produced. */
export interface RunResult {
  runId: string;
  sessionId?: string;
  flockName: string;
  /** The agent whose output ended the run. */
  lastAgent: string;
  output: Record<string, unknown>;
  steps: StepRecord[];
  variables: Record<string, unknown>;
  /** Summed over the steps; absent when no step reported usage. */
  usage?: TokenUsage;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The state of a run that has not started yet. Throws `UnknownAgentError`
 * for an unknown start agent and `FlockConfigError` for a non-object input.
 *
 * @example
 * const state = createRunState(flock, { startAgent: 'reader', input: { folder: './docs' } });
 */
export function createRunState(flock: Flock, request: RunRequest): RunState {
  if (!flock.hasAgent(request.startAgent)) {
    throw new UnknownAgentError(request.startAgent, flock.agentNames(), 'start agent');
  }
  if (!isPlainRecord(request.input)) {
    throw new FlockConfigError('run request', [{ path: 'input', message: 'the run input must be an object of named values' }]);
  }
  const state: RunState = {
    runId: request.runId ?? randomUUID(),
    flockName: flock.name,
    startAgent: request.startAgent,
    input: { ...request.input },
    history: [],
    variables: {},
    iteration: 0,
  };
  if (request.sessionId !== undefined) state.sessionId = request.sessionId;
  return state;
}
