/**
 * Errors of `@flock-ts/llm`: {@link FlockError}s (`instanceof` works across
 * realms and package copies). Across a Temporal activity only the name (the
 * failure `type`), the message and the retry hints survive.
 *
 * Every model error names the agent once (and the router, for routing) and
 * the provider; the provider's own message comes with credentials cut out
 * (pattern-shaped ones and the API keys the process holds). Each says how
 * Temporal should retry it: `nonRetryable` for failures a retry cannot fix,
 * `nextRetryDelayMs` when the provider said when to come back
 * (`Retry-After`). `@flock-ts/core` copies both onto the error that wraps
 * it, and the activity turns them into the `ApplicationFailure`'s
 * `nonRetryable` and `nextRetryDelay`.
 */

import { FlockError } from '@flock-ts/config';
import { redactProviderText } from './provider-keys';

/** Who called the model: an agent evaluating, or a router choosing after an agent. */
export interface ModelCallSite {
  agent: string;
  /** Set when the call chose the next agent. */
  router?: string;
  /** Provider prefix of the model id, e.g. `openai`, `anthropic`, `openai-compatible`. */
  provider: string;
  model: string;
}

/** The code of each model error. */
export type ModelErrorCode =
  'MODEL_NOT_CONFIGURED' | 'MODEL_AUTHENTICATION' | 'MODEL_RATE_LIMIT' | 'MODEL_CONTEXT_LENGTH' | 'MODEL_INVALID_REQUEST' | 'MODEL_PROVIDER' | 'MODEL_OUTPUT';

/** What the provider answered, when it answered over HTTP. */
export interface ModelErrorDetails {
  statusCode?: number;
  /** The provider's own message (from its error body), trimmed. */
  providerMessage?: string;
  nextRetryDelayMs?: number;
}

function caller(site: ModelCallSite): string {
  return site.router ? `Router "${site.router}" after agent "${site.agent}"` : `Agent "${site.agent}"`;
}

/**
 * `<caller>: model provider "<p>" (model "<m>") <what> (HTTP <status>): <provider message>; <hint>`:
 * the agent named once, the provider's message with credentials cut out
 * (the API keys this process holds included), then what to do about it.
 */
function describe(site: ModelCallSite, what: string, details: ModelErrorDetails, hint?: string): string {
  const status = details.statusCode === undefined ? '' : ` (HTTP ${details.statusCode})`;
  const said = details.providerMessage ? `: ${redactProviderText(details.providerMessage)}` : '';
  const then = hint ? `; ${hint}` : '';
  return `${caller(site)}: model provider "${site.provider}" (model "${site.model}") ${what}${status}${said}${then}`;
}

/** Common shape of the model errors below; tell them apart by class or `code`. `nonRetryable`: the same request would fail the same way. */
export abstract class ModelError<Code extends ModelErrorCode = ModelErrorCode> extends FlockError<Code> {
  static {
    FlockError.named(this, 'ModelError');
  }
  /** When the provider asked to wait before the next attempt. */
  readonly nextRetryDelayMs?: number;
  readonly agent: string;
  readonly router?: string;
  readonly provider: string;
  readonly model: string;
  readonly statusCode?: number;

  protected constructor(
    code: Code,
    site: ModelCallSite,
    what: string,
    nonRetryable: boolean,
    details: ModelErrorDetails = {},
    /** What to do about it, after the provider's message. */
    hint?: string,
  ) {
    super(code, describe(site, what, details, hint), { nonRetryable });
    this.agent = site.agent;
    if (site.router !== undefined) this.router = site.router;
    this.provider = site.provider;
    this.model = site.model;
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.nextRetryDelayMs !== undefined) this.nextRetryDelayMs = details.nextRetryDelayMs;
  }
}

/**
 * No usable model: no model id anywhere (agent, flock `model`, `FLOCK_MODEL`),
 * an unknown provider prefix, a missing base URL or API key. Not retryable.
 */
export class ModelConfigurationError extends FlockError<'MODEL_NOT_CONFIGURED'> {
  static {
    FlockError.named(this, 'ModelConfigurationError');
  }
  constructor(
    message: string,
    /** The agent (or router) that needed the model, when known. */
    readonly subject?: string,
  ) {
    super('MODEL_NOT_CONFIGURED', subject ? `${subject}: ${message}` : message, { nonRetryable: true });
  }
}

/** The provider rejected the credentials (HTTP 401/403). Not retryable. */
export class ModelAuthenticationError extends ModelError<'MODEL_AUTHENTICATION'> {
  static {
    FlockError.named(this, 'ModelAuthenticationError');
  }
  constructor(site: ModelCallSite, details: ModelErrorDetails = {}) {
    super('MODEL_AUTHENTICATION', site, 'rejected the credentials', true, details, 'check the API key in the environment');
  }
}

/**
 * The provider is rate limiting (HTTP 429): retryable after `nextRetryDelayMs`
 * when the provider sent `Retry-After`/`retry-after-ms`. An exhausted quota
 * (`insufficient_quota`) is not retryable.
 */
export class ModelRateLimitError extends ModelError<'MODEL_RATE_LIMIT'> {
  static {
    FlockError.named(this, 'ModelRateLimitError');
  }
  constructor(site: ModelCallSite, details: ModelErrorDetails = {}, quotaExhausted = false) {
    const what = quotaExhausted ? 'reports the quota exhausted' : 'is rate limiting';
    const hint = quotaExhausted ? 'not retried' : details.nextRetryDelayMs === undefined ? undefined : `retry after ${details.nextRetryDelayMs} ms`;
    super('MODEL_RATE_LIMIT', site, what, quotaExhausted, details, hint);
  }
}

/** The prompt does not fit the model's context window. Not retryable. */
export class ModelContextLengthError extends ModelError<'MODEL_CONTEXT_LENGTH'> {
  static {
    FlockError.named(this, 'ModelContextLengthError');
  }
  constructor(site: ModelCallSite, details: ModelErrorDetails = {}) {
    super('MODEL_CONTEXT_LENGTH', site, 'rejected the prompt as longer than the context window', true, details);
  }
}

/** The provider rejected the request itself (HTTP 400/404/422: unknown model, bad schema...). Not retryable. */
export class ModelInvalidRequestError extends ModelError<'MODEL_INVALID_REQUEST'> {
  static {
    FlockError.named(this, 'ModelInvalidRequestError');
  }
  constructor(site: ModelCallSite, details: ModelErrorDetails = {}) {
    super('MODEL_INVALID_REQUEST', site, 'rejected the request as invalid', true, details);
  }
}

/** The provider failed or could not be reached (HTTP 5xx, 408, 409, network, an error in the middle of a stream). Retryable. */
export class ModelProviderError extends ModelError<'MODEL_PROVIDER'> {
  static {
    FlockError.named(this, 'ModelProviderError');
  }
  constructor(site: ModelCallSite, details: ModelErrorDetails = {}, what = details.statusCode === undefined ? 'could not be reached' : 'failed') {
    super('MODEL_PROVIDER', site, what, false, details);
  }
}

/**
 * The model answered, but not with an output matching the agent's output
 * signature. The message shows what is wrong and a redacted excerpt of the
 * answer. Retryable unless `final`: the model was already told once what
 * was wrong with its answer and gave another unusable one, or it called
 * tools when told to answer.
 */
export class ModelOutputError extends ModelError<'MODEL_OUTPUT'> {
  static {
    FlockError.named(this, 'ModelOutputError');
  }
  constructor(
    site: ModelCallSite,
    detail: string,
    /** The first offending output field as a path such as `items[2].title` (`''` for the output as a whole). */
    readonly field = '',
    final = false,
  ) {
    super('MODEL_OUTPUT', site, final ? 'returned an answer that cannot be used; not retried' : 'returned an output that does not match the signature', final, {
      providerMessage: detail,
    });
  }
}
