import type { Context } from '@temporalio/activity';

/** Characters of a step's streamed text its heartbeat carries: the last 16 Ki. */
export const STEP_TEXT_TAIL_CHARS = 16 * 1024;

/** Default interval of the liveness heartbeat of a running step: cancellation reaches the step within about 1-2 s. */
export const DEFAULT_STEP_HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * What a running agent step's activity heartbeat carries (the pending
 * activity's `heartbeatDetails`): which step, and the text it has streamed
 * so far (`ctx.emitText`, model tokens) as its total length and its last
 * {@link STEP_TEXT_TAIL_CHARS} characters. Followers read it with
 * describe() and yield the new suffix as `text-delta` events; nothing of it
 * is stored in the run's history.
 */
export interface StepHeartbeatDetails {
  agent: string;
  step: number;
  /** The attempt that streamed the text (a retry starts again from nothing). */
  attempt: number;
  text: { length: number; tail: string };
  /** What the agent's own code last reported with `ctx.heartbeat(details)`. */
  progress?: unknown;
}

/** The heartbeats of one running step. */
export interface StepHeartbeats {
  /** Adds streamed text and heartbeats (the SDK throttles what reaches the server). */
  onText(delta: string): void;
  /** The agent's own heartbeat (`ctx.heartbeat(details)`): kept beside the text, never replacing it. */
  heartbeat(details?: unknown): void;
  /** Stops the periodic liveness heartbeat. */
  stop(): void;
}

/** What a local step's heartbeats do: nothing. */
const NO_HEARTBEATS: StepHeartbeats = { onText: () => undefined, heartbeat: () => undefined, stop: () => undefined };

/**
 * Heartbeats a running step: every `intervalMs` (default
 * {@link DEFAULT_STEP_HEARTBEAT_INTERVAL_MS}) whether or not the step has a
 * heartbeat timeout, since a cancelled run reaches its running step only
 * through a heartbeat's response; and on each text delta, with the text's
 * length and tail. Every heartbeat carries the same details, so the latest
 * one always has the text.
 *
 * A local activity (`ctx.info.isLocal`, an agent with `local: true`) does not
 * heartbeat at all: Temporal has no heartbeat for it (its cancellation
 * reaches it without one) and nowhere to keep details, so no timer runs, its
 * streamed text and `ctx.heartbeat()` details go nowhere.
 */
export function startStepHeartbeats(
  ctx: Pick<Context, 'heartbeat' | 'info'>,
  step: { agent: string; step: number },
  intervalMs = DEFAULT_STEP_HEARTBEAT_INTERVAL_MS,
): StepHeartbeats {
  if (ctx.info.isLocal) return NO_HEARTBEATS;
  let length = 0;
  let tail = '';
  let progress: unknown;
  const details = (): StepHeartbeatDetails => ({
    agent: step.agent,
    step: step.step,
    attempt: ctx.info.attempt,
    text: { length, tail },
    ...(progress !== undefined ? { progress } : {}),
  });
  const beat = () => ctx.heartbeat(details());
  const timer = setInterval(beat, Math.max(intervalMs, 10));
  timer.unref();
  return {
    onText(delta: string) {
      if (!delta) return;
      length += delta.length;
      tail = appendTail(tail, delta);
      beat();
    },
    heartbeat(value?: unknown) {
      if (value !== undefined) progress = value;
      beat();
    },
    stop: () => clearInterval(timer),
  };
}

/** `tail + delta`, cut to its last {@link STEP_TEXT_TAIL_CHARS} characters. */
export function appendTail(tail: string, delta: string): string {
  if (delta.length >= STEP_TEXT_TAIL_CHARS) return delta.slice(delta.length - STEP_TEXT_TAIL_CHARS);
  const joined = tail + delta;
  return joined.length > STEP_TEXT_TAIL_CHARS ? joined.slice(joined.length - STEP_TEXT_TAIL_CHARS) : joined;
}
