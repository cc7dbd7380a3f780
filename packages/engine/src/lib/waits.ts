import type { signatureSchema as SignatureSchemaFn } from '@flock-ts/config';
import { FlockRunFailedError, InvalidResponseError, RUN_FAILURE_TYPES } from './errors';
import type { RunPlan } from './run-loop';
import type { FlockResponse, HumanResponse, RunState, StepRecord, StepRequest, WaitingFor } from './run-types';

// Waiting for people, once for every executor: what a run waits for, which
// answers it accepts, and what an answer (or its absence) does to the run.
// Pure and sandbox-safe: the workflow's update validator and the local
// executor check answers with the same code.

/** An approval decision, checked. */
export interface ApprovalDecision {
  approved: boolean;
  comment?: string;
  by?: string;
}

/** The wait of a human agent's step, `null` for any other agent. */
export function inputWait(plan: RunPlan, request: StepRequest): WaitingFor | null {
  const agent = plan.agents.get(request.agent);
  if (!agent?.human) return null;
  const wait: WaitingFor = { kind: 'input', agent: agent.name, step: request.step, signature: agent.output };
  if (agent.human.prompt !== undefined) wait.prompt = agent.human.prompt;
  return wait;
}

/** The approval wait after a step, `null` when its agent needs none. */
export function approvalWait(plan: RunPlan, record: StepRecord): WaitingFor | null {
  const approval = plan.agents.get(record.agent)?.approval;
  if (!approval) return null;
  const wait: WaitingFor = { kind: 'approval', agent: record.agent, step: record.step, output: record.output };
  if (approval.prompt !== undefined) wait.prompt = approval.prompt;
  return wait;
}

/** Seconds a wait may last, when its agent declares a timeout. */
export function waitTimeoutSeconds(plan: RunPlan, wait: WaitingFor): number | undefined {
  const agent = plan.agents.get(wait.agent);
  return wait.kind === 'input' ? agent?.human?.timeoutSeconds : agent?.approval?.timeoutSeconds;
}

/** A wait beginning at `now` (the workflow's deterministic time on Temporal): `since`, and `deadline` when its agent declares a timeout. */
export function beginWait(plan: RunPlan, wait: WaitingFor, now: Date): WaitingFor {
  const seconds = waitTimeoutSeconds(plan, wait);
  const begun: WaitingFor = { ...wait, since: now.toISOString() };
  if (seconds !== undefined) begun.deadline = new Date(now.getTime() + seconds * 1000).toISOString();
  return begun;
}

/** A wait as events and the memo carry it: the output to approve is in the step before (and in the status), not again. */
export function waitWithoutOutput({ output: _output, ...wait }: WaitingFor): WaitingFor {
  return wait;
}

/** True for a {@link WaitingFor} read back from outside (a memo, a query). */
export function isWaitingFor(value: unknown): value is WaitingFor {
  return typeof value === 'object' && value !== null && typeof (value as WaitingFor).agent === 'string' && typeof (value as WaitingFor).kind === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a response against what the run waits for. Throws
 * `InvalidResponseError` (nothing changes; the run keeps waiting) when the
 * run waits for nothing, the response is for another step, or it does not
 * match: an input that fails the agent's output signature names each field.
 *
 * @example
 * const answer = checkResponse(plan, wait, { output: { verdict: 'ship it' } });
 */
export function checkResponse(plan: RunPlan, wait: WaitingFor | null, response: FlockResponse | unknown): HumanResponse | ApprovalDecision {
  if (!wait) throw new InvalidResponseError('The run is not waiting for a response');
  if (!isRecord(response)) throw new InvalidResponseError('A response is an object: { output } for input, { approved, comment? } for an approval');
  if (response['step'] !== undefined && response['step'] !== wait.step) {
    throw new InvalidResponseError(`The response is for step ${String(response['step'])}, but the run waits for step ${wait.step} (agent "${wait.agent}")`);
  }
  const by = typeof response['by'] === 'string' ? { by: response['by'] } : {};
  if (wait.kind === 'approval') {
    if (typeof response['approved'] !== 'boolean') {
      throw new InvalidResponseError(`Agent "${wait.agent}" waits for an approval: answer { approved: true } or { approved: false, comment }`);
    }
    const comment = typeof response['comment'] === 'string' ? { comment: response['comment'] } : {};
    return { approved: response['approved'], ...comment, ...by };
  }
  const output = response['output'];
  if (!isRecord(output)) throw new InvalidResponseError(`Agent "${wait.agent}" waits for input: answer { output: {...} } matching "${describe(wait)}"`);
  const signature = plan.agents.get(wait.agent)?.output ?? wait.signature;
  const checked = signature === undefined ? { success: true as const, data: output } : signatureSchema(signature).safeParse(output);
  if (!checked.success) {
    const issues = checked.error.issues.map((issue) => `${['output', ...issue.path.map(String)].join('.')}: ${issue.message}`);
    throw new InvalidResponseError(`The input for agent "${wait.agent}" does not match its output signature "${describe(wait)}": ${issues.join('; ')}`, issues);
  }
  return { output: checked.data as Record<string, unknown>, ...by };
}

/**
 * `signatureSchema` of `@flock-ts/config`, loaded on the first answer to
 * check: the Temporal sandbox evaluates a workflow's static imports again
 * for every workflow, and only runs that wait for a person need zod.
 */
function signatureSchema(spec: Parameters<typeof SignatureSchemaFn>[0]): ReturnType<typeof SignatureSchemaFn> {
  return (require('@flock-ts/config') as { signatureSchema: typeof SignatureSchemaFn }).signatureSchema(spec);
}

function describe(wait: WaitingFor): string {
  return typeof wait.signature === 'string' ? wait.signature : 'JSON Schema';
}

/** What a human agent's step gets when nobody answered in time: its fallback, or the run fails with `RESPONSE_TIMED_OUT`. */
export function timedOutInput(plan: RunPlan, wait: WaitingFor): HumanResponse {
  const human = plan.agents.get(wait.agent)?.human;
  if (human?.fallback) return { output: human.fallback, timedOut: true };
  throw new FlockRunFailedError(`Nobody answered agent "${wait.agent}" within ${human?.timeoutSeconds ?? 0} s and it declares no fallback`, {
    code: 'RESPONSE_TIMED_OUT',
    agent: wait.agent,
    causeType: RUN_FAILURE_TYPES.RESPONSE_TIMED_OUT,
  });
}

/** What an approval that timed out decides (`approval.onTimeout`): approved, or the run fails with `REJECTED`. */
export function timedOutApproval(plan: RunPlan, wait: WaitingFor): ApprovalDecision {
  const approval = plan.agents.get(wait.agent)?.approval;
  if (approval?.onTimeout === 'approve') return { approved: true, by: 'timeout' };
  throw new FlockRunFailedError(`Nobody approved the output of agent "${wait.agent}" (step ${wait.step}) within ${approval?.timeoutSeconds ?? 0} s`, {
    code: 'REJECTED',
    agent: wait.agent,
    causeType: RUN_FAILURE_TYPES.REJECTED,
  });
}

/**
 * Applies an approval decision: an approval changes nothing; a rejection
 * fails the run (`REJECTED`) or, with `onReject: 'redo'`, sends the agent
 * back to work with the reviewer's comment (`ctx.review`).
 */
export function applyApproval(plan: RunPlan, state: RunState, wait: WaitingFor, record: StepRecord, decision: ApprovalDecision): void {
  if (decision.approved) return;
  const approval = plan.agents.get(wait.agent)?.approval;
  if (approval?.onReject === 'redo') {
    state.next = wait.agent;
    state.review = { output: record.output, ...(decision.comment !== undefined ? { comment: decision.comment } : {}), ...(decision.by !== undefined ? { by: decision.by } : {}) };
    return;
  }
  const reason = decision.comment ? `: ${decision.comment}` : '';
  throw new FlockRunFailedError(`The output of agent "${wait.agent}" (step ${wait.step}) was rejected${decision.by ? ` by ${decision.by}` : ''}${reason}`, {
    code: 'REJECTED',
    agent: wait.agent,
    causeType: RUN_FAILURE_TYPES.REJECTED,
  });
}
