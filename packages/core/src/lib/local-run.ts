import {
  applyApproval,
  applyStep,
  approvalWait,
  checkPause,
  checkResponse,
  checkResume,
  findUnstorableResult,
  FlockRunFailedError,
  inputWait,
  nextStep,
  runResult,
  startRun,
  stepRecordOf,
  stepFailure,
  timedOutApproval,
  timedOutInput,
  waitTimeoutSeconds,
  waitWithoutOutput,
  beginWait,
  budgetPause,
  budgetPauseReason,
  raiseBudget,
  runBudget,
  type ApprovalDecision,
  type RunPlan,
} from '@flock-ts/engine';
import { randomUUID } from 'node:crypto';
import { OnStepError, errorMessage, failureTypeOf } from './errors';
import { RunEventLog } from './event-log';
import { executeStep } from './execute-step';
import type { Flock } from './flock';
import type { CancelOptions, CancelOutcome, FlockRun, RunEventsOptions } from './run-handle';
import { prepareRunInput } from './run-input';
import type {
  FlockResponse,
  FlockResponseReceipt,
  FlockRunEvent,
  HumanResponse,
  RunPhase,
  RunRequest,
  ResumeRequest,
  RunResult,
  RunState,
  RunStatus,
  StepRecord,
  StepRequest,
  StepResult,
  WaitingFor,
} from './run-state';

interface PendingWait {
  wait: WaitingFor;
  resolve(answer: HumanResponse | ApprovalDecision): void;
  reject(error: unknown): void;
}

/**
 * A run in this process: the run loop of `@flock-ts/engine` driven step by
 * step, each step through `executeStep` (as the Temporal workflow and its
 * activity drive them), with the same waits for people, pauses and events.
 * Made by `flock.start()` without `enableTemporal`.
 */
export class LocalFlockRun implements FlockRun {
  readonly executor = 'local' as const;
  readonly id: string;
  private readonly plan: RunPlan;
  private readonly state: RunState;
  private readonly log = new RunEventLog();
  private readonly abort = new AbortController();
  private readonly done: Promise<RunResult>;
  private phase: RunPhase = 'running';
  private currentAgent: string | null;
  private pending: PendingWait | undefined;
  private pauseRequested = false;
  private wakeFromPause: (() => void) | undefined;
  private onStep: RunRequest['onStep'];
  private observerFailure: { record: StepRecord; error: unknown } | undefined;

  /** Starts the run; throws before anything runs on an invalid flock, unknown start agent or refused input. */
  constructor(
    private readonly flock: Flock,
    request: RunRequest,
  ) {
    flock.validate();
    this.plan = flock.runPlan();
    // the same checks, and the same input, as a run on Temporal gets
    const input = prepareRunInput(request);
    const start = { startAgent: request.startAgent, input, runId: request.runId ?? randomUUID() };
    this.state = startRun(this.plan, request.sessionId === undefined ? start : { ...start, sessionId: request.sessionId });
    this.id = this.state.runId;
    this.currentAgent = this.state.next;
    this.onStep = request.onStep;
    const { signal } = request;
    if (signal) {
      // an aborted run rejects with the signal's reason (as before handles existed)
      if (signal.aborted) this.abort.abort(signal.reason);
      else signal.addEventListener('abort', () => this.stop(signal.reason), { once: true });
    }
    this.done = this.loop();
    // result() may never be called (a handle used for events only)
    this.done.catch(() => undefined);
  }

  result(): Promise<RunResult> {
    return this.done;
  }

  async status(): Promise<RunStatus> {
    const status: RunStatus = {
      runId: this.state.runId,
      flockName: this.state.flockName,
      phase: this.phase,
      currentAgent: this.currentAgent,
      stepsDone: this.state.stepCount,
      steps: [...this.state.recent],
    };
    if (this.state.usage) status.usage = this.state.usage;
    const budget = runBudget(this.plan, this.state);
    if (budget) status.budget = budget;
    if (this.state.agentUsage) status.agentUsage = { ...this.state.agentUsage };
    if (this.pending) status.waitingFor = this.pending.wait;
    if (this.paused) status.pauseRequested = true;
    if (this.state.budgetExceeded) status.budgetExceeded = this.state.budgetExceeded;
    return status;
  }

  events(options: RunEventsOptions = {}): AsyncIterable<FlockRunEvent> {
    return this.log.follow(options);
  }

  async send(response: FlockResponse): Promise<FlockResponseReceipt> {
    const pending = this.pending;
    const answer = checkResponse(this.plan, pending?.wait ?? null, response);
    const { wait } = pending as PendingWait;
    this.pending = undefined;
    this.log.push(responseEvent(wait, answer));
    pending?.resolve(answer);
    return { agent: wait.agent, step: wait.step, kind: wait.kind };
  }

  async pause(reason?: string): Promise<RunStatus> {
    checkPause(this.paused);
    this.pauseRequested = true;
    this.log.push(reason === undefined ? { type: 'paused' } : { type: 'paused', reason });
    return this.status();
  }

  async resume(request: ResumeRequest = {}): Promise<RunStatus> {
    checkResume(this.pauseRequested, this.state.budgetExceeded, request.budget);
    if (request.budget) raiseBudget(this.state, request.budget);
    this.pauseRequested = false;
    this.log.push({ type: 'resumed' });
    this.wakeFromPause?.();
    return this.status();
  }

  /** Paused, or pausing at the next step boundary: a person asked for it, or a budget with `onExceeded: 'pause'` was crossed. */
  private get paused(): boolean {
    return this.pauseRequested || this.state.budgetExceeded !== undefined;
  }

  async cancel(options: CancelOptions = {}): Promise<CancelOutcome> {
    if (!isEnded(this.phase)) {
      this.stop(new FlockRunFailedError(`Run "${this.id}" was cancelled`, { code: 'CANCELLED', causeType: 'CancelledFailure' }));
    }
    const ended = this.done.then(
      () => this.phase,
      () => this.phase,
    );
    if (options.waitMs === undefined) return ended;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CancelOutcome>((resolve) => (timer = setTimeout(() => resolve(this.phase), options.waitMs)));
    try {
      return await Promise.race([ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private stop(reason: unknown): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(reason);
    this.pending?.reject(reason);
    this.wakeFromPause?.();
  }

  private async loop(): Promise<RunResult> {
    // let start() return the handle before the first step runs
    await Promise.resolve();
    try {
      const result = await this.steps();
      this.phase = 'completed';
      this.currentAgent = null;
      this.log.push({ type: 'run-completed', result });
      if (this.observerFailure) throw new OnStepError(this.observerFailure.record.step, this.observerFailure.record.agent, this.observerFailure.error, result);
      return result;
    } catch (error) {
      if (this.phase !== 'completed') {
        this.phase = this.abort.signal.aborted && error === this.abort.signal.reason ? 'cancelled' : 'failed';
        this.currentAgent = null;
        const failure = error as Partial<FlockRunFailedError>;
        this.log.push({
          type: 'run-failed',
          code: error instanceof FlockRunFailedError ? error.code : this.abort.signal.aborted ? 'CANCELLED' : 'AGENT_FAILED',
          message: errorMessage(error),
          ...(failure?.agent ? { agent: failure.agent } : {}),
        });
      }
      throw error;
    }
  }

  private async steps(): Promise<RunResult> {
    const { plan, state } = this;
    const signal = this.abort.signal;
    for (let request = nextStep(plan, state); request !== null; request = nextStep(plan, state)) {
      // after a budget pause the step is planned again: the raised limits change what it may spend
      if (await this.pausePoint(request)) continue;
      this.currentAgent = request.agent;
      const input = inputWait(plan, request);
      if (input) request = { ...request, response: (await this.waitFor(input)) as HumanResponse };
      this.log.push({ type: 'step-started', step: request.step, agent: request.agent });
      let result;
      const step = request;
      try {
        result = await executeStep(this.flock, step, {
          signal,
          onText: (delta) => this.log.push({ type: 'text-delta', step: step.step, agent: step.agent, delta }),
        });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof FlockRunFailedError) throw error;
        throw stepFailure(step.agent, { name: failureTypeOf(error), message: errorMessage(error) }, error);
      }
      // a step result a Temporal run could not store fails the run here as it would there
      const unstorable = findUnstorableResult(step.agent, result);
      if (unstorable) throw stepFailure(step.agent, { name: 'SerializationError', message: unstorable.message });
      const record = this.apply(step, result);
      this.log.push({ type: 'step-completed', record });
      this.notify(record);
      const approval = approvalWait(plan, record);
      if (approval) applyApproval(plan, state, approval, record, (await this.waitFor(approval)) as ApprovalDecision);
    }
    return runResult(state);
  }

  /**
   * Applies a finished step. A step that crossed a budget fails the run
   * after it counted: its followers see it completed first, as on Temporal
   * (where the activity completed).
   */
  private apply(step: StepRequest, result: StepResult): StepRecord {
    try {
      return applyStep(this.plan, this.state, step, result);
    } catch (error) {
      if (error instanceof FlockRunFailedError && error.code === 'BUDGET_EXCEEDED') {
        const record = stepRecordOf(step, result, this.state.next);
        this.log.push({ type: 'step-completed', record });
        this.notify(record);
      }
      throw error;
    }
  }

  private notify(record: StepRecord): void {
    try {
      this.onStep?.(record);
    } catch (error) {
      // an observer's failure never changes the run: as on Temporal, it goes on without the callback
      this.observerFailure = { record, error };
      this.onStep = undefined;
    }
  }

  /**
   * The step boundary before `request`: pauses when a person asked for it
   * or a budget with `onExceeded: 'pause'` was crossed (its `paused` event
   * says what), until resumed. True after a budget pause.
   */
  private async pausePoint(request: StepRequest): Promise<boolean> {
    const crossing = budgetPause(this.plan, this.state, request);
    if (crossing) this.log.push({ type: 'paused', reason: budgetPauseReason(crossing), budgetExceeded: crossing });
    while (this.paused && !this.abort.signal.aborted) {
      this.phase = 'paused';
      await new Promise<void>((resolve) => (this.wakeFromPause = resolve));
      this.wakeFromPause = undefined;
    }
    this.abort.signal.throwIfAborted();
    this.phase = 'running';
    return crossing !== undefined;
  }

  /** Waits for a person's answer, or what a timeout decides. */
  private waitFor(wait: WaitingFor): Promise<HumanResponse | ApprovalDecision> {
    this.abort.signal.throwIfAborted();
    const seconds = waitTimeoutSeconds(this.plan, wait);
    const shown = beginWait(this.plan, wait, new Date());
    this.phase = 'waiting';
    this.currentAgent = wait.agent;
    return new Promise<HumanResponse | ApprovalDecision>((resolve, reject) => {
      const timer =
        seconds === undefined
          ? undefined
          : setTimeout(() => {
              if (this.pending?.wait !== shown) return;
              this.pending = undefined;
              try {
                resolve(wait.kind === 'input' ? timedOutInput(this.plan, wait) : timedOutApproval(this.plan, wait));
              } catch (error) {
                reject(error);
              }
            }, seconds * 1000);
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          if (timer) clearTimeout(timer);
          this.phase = 'running';
          fn(value);
        };
      this.pending = { wait: shown, resolve: settle(resolve), reject: settle(reject) };
      this.log.push({ type: 'waiting', waitingFor: waitWithoutOutput(shown) });
    });
  }
}

function isEnded(phase: RunPhase): boolean {
  return phase === 'completed' || phase === 'failed' || phase === 'cancelled';
}

function responseEvent(wait: WaitingFor, answer: HumanResponse | ApprovalDecision): FlockRunEvent {
  const event: FlockRunEvent = { type: 'response', kind: wait.kind, step: wait.step, agent: wait.agent };
  if ('approved' in answer) event.approved = answer.approved;
  if ('comment' in answer && answer.comment !== undefined) event.comment = answer.comment;
  if (answer.by !== undefined) event.by = answer.by;
  return event;
}
