import type { FlockResponse, FlockResponseReceipt, ResumeRequest, RunPhase, RunStatus } from '@flock-ts/engine';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { StepRecordV1 } from './wire-v1';

/** Where a run is: `waiting` for a person, `paused` at a step boundary, or ended. */
export type FlockRunPhase = RunPhase;

/** What the status query answers while a run is in flight and after. */
export interface FlockRunStatus extends RunStatus {
  /** Runs of the chain before the current one (continue-as-new). */
  continuedRuns?: number;
  /** Workflow contract version the run follows. */
  workflowVersion: number;
}

/** Query: the run's status, current agent and latest steps. */
export const flockStatusQuery = defineQuery<FlockRunStatus>('flock.status');

/**
 * Update: a person's answer to a waiting run (`{ output }` for a human
 * agent, `{ approved, comment? }` for an approval). Its validator refuses
 * an answer that does not match before it enters history; the caller gets
 * an `InvalidResponseError` naming each field, and the run keeps waiting.
 */
export const flockRespondUpdate = defineUpdate<FlockResponseReceipt, [FlockResponse]>('flock.respond');

/** What `flock.pause` takes. */
export interface FlockPauseRequest {
  reason?: string;
}

/** Update: pause the run at the next step boundary (the current step finishes); answers the status. */
export const flockPauseUpdate = defineUpdate<FlockRunStatus, [FlockPauseRequest]>('flock.pause');

/**
 * What `flock.resume` takes: for a run paused by its budget
 * (`onExceeded: 'pause'`), `budget` with the crossed limit above what was
 * used; its limits replace that budget's for the rest of the run.
 */
export type FlockResumeRequest = ResumeRequest;

/**
 * Update: resume a paused run; answers the status. Its argument may be
 * absent (callers and recorded histories from before it send none): a
 * plain resume. The validator refuses a resume of a budget pause that
 * does not raise the crossed limit (`InvalidRunCommandError`), so it never
 * enters history and the run stays paused.
 */
export const flockResumeUpdate = defineUpdate<FlockRunStatus, [FlockResumeRequest]>('flock.resume');

/** Names of the run's updates, as histories show them. */
export const FLOCK_UPDATES = { respond: 'flock.respond', pause: 'flock.pause', resume: 'flock.resume' } as const;

/** What a version 1 run answers to the same query: every step, whole. */
export interface FlockRunStatusV1 {
  runId: string;
  flockName: string;
  phase: FlockRunPhase;
  currentAgent: string | null;
  stepsDone: number;
  history: StepRecordV1[];
  workflowVersion: number;
}

/** The status query as version 1 runs answer it. */
export const flockStatusQueryV1 = defineQuery<FlockRunStatusV1>('flock.status');
