import { z } from 'zod';
import { parseWith } from './validate';

/** Temporal keeps durations in whole milliseconds: anything shorter becomes 0, which it reads as "no timeout" or cannot schedule. */
export const MIN_SECONDS = 0.001;
const MAX_SECONDS = 365 * 24 * 3600;

const seconds = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .min(MIN_SECONDS, `${what} must be >= ${MIN_SECONDS} seconds (1 ms)`)
    .max(MAX_SECONDS, `${what} must be <= ${MAX_SECONDS} seconds (a year)`);

const DURATION_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(ms|msecs?|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)?\s*$/i;
const UNIT_MS: Record<string, number> = { m: 1, s: 1000, mi: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a {@link Duration} (`NaN` for text that is not one). */
export function durationToMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = DURATION_TEXT.exec(value);
  if (!match) return Number.NaN;
  const unit = (match[2] ?? 'ms').toLowerCase();
  const key = unit.startsWith('ms') || unit.startsWith('mil') ? 'm' : unit.startsWith('m') ? 'mi' : unit[0];
  return Number(match[1]) * UNIT_MS[key];
}

const durationText = z.string().regex(DURATION_TEXT, 'a duration is milliseconds or a string such as "30s", "5 minutes", "1h"');

/** A {@link DurationSchema} whose zero (or sub-millisecond) value is refused naming `what`. */
const duration = (what: string) => z.union([z.number(), durationText]).refine(atLeastOneMs, `${what} must be > 0 (at least 1 ms)`);

/** Text that is no duration at all is the regex's to report. */
function atLeastOneMs(value: number | string): boolean {
  const ms = durationToMs(value);
  return Number.isNaN(ms) || ms >= 1;
}

/**
 * A Temporal duration: milliseconds as a number, or a string such as
 * `'30s'`, `'5 minutes'`, `'1h'` (the `ms` format Temporal's SDK accepts).
 * At least 1 ms: a zero duration is no limit at all to Temporal.
 */
export const DurationSchema = z.union([z.number(), durationText]).refine(atLeastOneMs, 'a duration must be > 0 (at least 1 ms)');
export type Duration = z.infer<typeof DurationSchema>;

/**
 * Per-agent activity options (seed: `TemporalActivityConfig`). Every field is
 * optional here: what an agent leaves out comes from
 * `TemporalWorkflowConfig.activityDefaults`.
 */
export const TemporalActivityConfigSchema = z
  .strictObject({
    /** Max time of one attempt of the agent's evaluation. */
    startToCloseTimeoutSeconds: seconds('startToCloseTimeoutSeconds').optional(),
    /** Max time the step may wait in the task queue for a worker to pick it up. */
    scheduleToStartTimeoutSeconds: seconds('scheduleToStartTimeoutSeconds').optional(),
    /** Max time of the whole step, all attempts and waits included. */
    scheduleToCloseTimeoutSeconds: seconds('scheduleToCloseTimeoutSeconds').optional(),
    /** The activity fails when no heartbeat arrives within this time. */
    heartbeatTimeoutSeconds: seconds('heartbeatTimeoutSeconds').optional(),
    /**
     * Attempts in all (first try included). Must be finite: Temporal reads `0`
     * as "unlimited", which is never what an agent step wants.
     */
    retryMaxAttempts: z
      .int('retryMaxAttempts must be an integer')
      .min(1, 'retryMaxAttempts must be >= 1 (Temporal reads 0 as unlimited)')
      .max(100, 'retryMaxAttempts must be <= 100')
      .optional(),
    /** Delay before the first retry. */
    retryInitialIntervalSeconds: seconds('retryInitialIntervalSeconds').optional(),
    /** Growth of the delay between retries. */
    retryBackoffCoefficient: z
      .number({ error: 'retryBackoffCoefficient must be a number' })
      .min(1, 'retryBackoffCoefficient must be >= 1')
      .max(100, 'retryBackoffCoefficient must be <= 100')
      .optional(),
    /** Cap on the delay between retries. */
    retryMaximumIntervalSeconds: seconds('retryMaximumIntervalSeconds').optional(),
    /**
     * Error type names (`error.name` or `ApplicationFailure.type`) that are never retried, for your own
     * errors: Flock's errors carry `nonRetryable` themselves.
     */
    nonRetryableErrorTypes: z.array(z.string().min(1)).optional(),
    /** Run this agent's steps on their own task queue (their own worker pool). Not with `local: true`. */
    taskQueue: z.string().min(1, 'taskQueue must not be empty').optional(),
    /**
     * Run this agent's steps as Temporal *local activities* (default false):
     * in the worker that runs the workflow, recorded as one `MarkerRecorded`
     * history event, without the server round trips of a scheduled activity
     * (schedule, start, complete). For short code agents (tens of
     * milliseconds to a few seconds, well under the workflow task timeout)
     * whose code is safe to run again: a local step whose result was not yet
     * recorded when its worker died runs again from its start.
     *
     * What differs: the step runs on the workflow's worker, so `taskQueue`
     * is refused beside it; it cannot heartbeat, so it streams no text to
     * followers (`text-delta`), its `ctx.heartbeat()` is a no-op, and a
     * `heartbeatTimeoutSeconds` beside it is refused (an inherited one,
     * from `activityDefaults` or the built-in 10 s, is ignored); a follower
     * sees its `step-started` only together with its `step-completed`.
     * Timeouts (`startToCloseTimeoutSeconds`, `scheduleToCloseTimeoutSeconds`;
     * `scheduleToStartTimeoutSeconds` bounds its wait for a free local slot)
     * and the retry policy apply as for any step. Not for model agents that
     * stream text, need heartbeats or run for minutes.
     *
     * Inherited from `activityDefaults` like every field, except that an
     * agent whose own config sets `taskQueue` or `heartbeatTimeoutSeconds`
     * stays a regular activity unless it says `local: true` itself (which is
     * then refused).
     */
    local: z.boolean({ error: 'local must be true or false' }).optional(),
    /**
     * What Temporal records of a model agent's step (default `'step'`).
     *
     * - `'step'`: the step is one activity. A retry (a crash, a timeout, a
     *   provider error) runs the whole step again: every model call and
     *   every tool call it had made, side effects and tokens included.
     * - `'call'`: the model loop runs in the workflow, and each model call
     *   and each tool call is its own activity, with these timeouts and
     *   this retry policy each. A retry or a worker crash resumes after the
     *   last completed call: a tool's side effect happens once, spent
     *   tokens are not spent again. The cost: more history (the
     *   conversation so far goes into every model call's input) and a
     *   server round trip per call.
     *
     * Only model agents (`modelEvaluator`) have calls to record: in
     * `activityDefaults`, `'call'` applies to them and leaves other agents
     * as they are; on another agent it is refused. In-process runs ignore it.
     */
    durability: z.enum(['step', 'call'], { error: "durability must be 'step' or 'call'" }).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.local !== true) return;
    if (config.taskQueue !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['taskQueue'],
        message: "taskQueue cannot be set with local: true: a local activity runs on the workflow's worker and task queue (drop taskQueue, or set local: false)",
      });
    }
    if (config.heartbeatTimeoutSeconds !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['heartbeatTimeoutSeconds'],
        message: 'heartbeatTimeoutSeconds cannot be set with local: true: a local activity does not heartbeat (drop heartbeatTimeoutSeconds, or set local: false)',
      });
    }
  });
export type TemporalActivityConfig = z.input<typeof TemporalActivityConfigSchema>;

export * from './activity-config';

/** TLS for the Temporal connection: `true` for system roots, or files for custom CAs and mTLS. */
export const TemporalTlsConfigSchema = z.union([
  z.boolean(),
  z.strictObject({
    /** Override the server name checked in the server certificate. */
    serverNameOverride: z.string().optional(),
    /** PEM file of the CA that signed the server certificate. */
    serverRootCaCertPath: z.string().optional(),
    /** PEM file of the client certificate (mTLS). */
    clientCertPath: z.string().optional(),
    /** PEM file of the client private key (mTLS). */
    clientKeyPath: z.string().optional(),
  }),
]);
export type TemporalTlsConfig = z.infer<typeof TemporalTlsConfigSchema>;

/**
 * When a run continues as new (a fresh history, same workflow id) so that
 * runs of any length stay under Temporal's history limits (warnings at
 * 10,240 events / 10 MB, termination at 51,200 / 50 MB). Whichever comes
 * first, and always when the server suggests it.
 */
export const ContinueAsNewConfigSchema = z.strictObject({
  /** History events of one run before it continues (default 4,000). */
  maxHistoryEvents: z.int().min(100, 'continueAsNew.maxHistoryEvents must be >= 100').max(40_000, 'continueAsNew.maxHistoryEvents must be <= 40000').optional(),
  /** History bytes of one run before it continues (default 4 MiB). */
  maxHistoryBytes: z
    .int()
    .min(64 * 1024, 'continueAsNew.maxHistoryBytes must be >= 65536')
    .max(40 * 1024 * 1024, 'continueAsNew.maxHistoryBytes must be <= 41943040')
    .optional(),
  /** Agent steps of one run before it continues (default: no step limit, events and bytes decide). */
  maxSteps: z.int().min(1, 'continueAsNew.maxSteps must be >= 1').optional(),
});
export type ContinueAsNewConfig = z.infer<typeof ContinueAsNewConfigSchema>;

/** `http(s)://host[:port][/path]`; a regex rather than `new URL()`, which the workflow sandbox need not have. */
const WEB_UI_URL = /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i;
const WEB_UI_URL_USERINFO = /^https?:\/\/[^/?#]*@/i;

/**
 * How a Flock runs on Temporal (seed: `TemporalWorkflowConfig`).
 * Unset connection fields fall back to Temporal's environment conventions
 * (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, ...).
 */
export const TemporalWorkflowConfigSchema = z.strictObject({
  /** `host:port` of the Temporal frontend, e.g. `temporal:7233`. */
  serverUrl: z
    .string()
    .regex(/^[^\s:/]+(:\d{1,5})?$/, 'serverUrl must be "host:port" (no scheme), e.g. "temporal:7233"')
    .optional(),
  namespace: z.string().min(1, 'namespace must not be empty').optional(),
  taskQueue: z.string().min(1, 'taskQueue must not be empty').optional(),
  /** Limit on the whole run including retries and continue-as-new. */
  workflowExecutionTimeout: duration('workflowExecutionTimeout').optional(),
  /** Limit on a single workflow run. */
  workflowRunTimeout: duration('workflowRunTimeout').optional(),
  /** Limit on a single workflow task. */
  workflowTaskTimeout: duration('workflowTaskTimeout').optional(),
  /** Defaults for every agent step; each agent may override them. */
  activityDefaults: TemporalActivityConfigSchema.optional(),
  /**
   * Version of the workflow contract this flock is run with. Increment it
   * when the workflow logic changes incompatibly; workers keep serving the
   * versions they know.
   */
  workflowVersion: z.int().min(1, 'workflowVersion must be >= 1').optional(),
  /** When long runs continue as new (workflow version 2 and later). */
  continueAsNew: ContinueAsNewConfigSchema.optional(),
  tls: TemporalTlsConfigSchema.optional(),
  /** API key for Temporal Cloud or a secured server. Never stored in memo or history. */
  apiKey: z.string().min(1).optional(),
  /**
   * Base URL of the Temporal Web UI, e.g. `http://localhost:8233`: runs
   * carry a link to themselves (over env `TEMPORAL_UI_URL`; with neither,
   * no link). Not a secret: it is stored with the definition, so it must
   * carry no credentials.
   */
  webUiUrl: z
    .string()
    .regex(WEB_UI_URL, 'webUiUrl must be an http(s) URL, e.g. "http://localhost:8233"')
    .refine((url) => !WEB_UI_URL_USERINFO.test(url), 'webUiUrl must not carry credentials (user:password@): it is stored with the run')
    .optional(),
});
export type TemporalWorkflowConfig = z.input<typeof TemporalWorkflowConfigSchema>;

/** Validates a {@link TemporalWorkflowConfig}; errors name the field and the rule. */
export function parseTemporalWorkflowConfig(value: unknown): TemporalWorkflowConfig {
  return parseWith(TemporalWorkflowConfigSchema, value, 'TemporalWorkflowConfig');
}

/** Validates a {@link TemporalActivityConfig}; errors name the field and the rule. */
export function parseTemporalActivityConfig(value: unknown): TemporalActivityConfig {
  return parseWith(TemporalActivityConfigSchema, value, 'TemporalActivityConfig');
}
