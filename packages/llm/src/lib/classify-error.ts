import { APICallError, LoadAPIKeyError, NoObjectGeneratedError, NoOutputGeneratedError, RetryError, ToolChoiceViolationError } from 'ai';
import {
  ModelAuthenticationError,
  ModelConfigurationError,
  ModelContextLengthError,
  ModelInvalidRequestError,
  ModelOutputError,
  ModelProviderError,
  ModelRateLimitError,
  type ModelCallSite,
  type ModelErrorDetails,
} from './errors';
import { redactProviderText, registerProviderKeys } from './provider-keys';

const CONTEXT_LENGTH = /context[_ ]length|context window|context size|maximum context|prompt is too long|too many tokens|reduce the length/i;
const QUOTA = /insufficient_quota|exceeded your current quota/i;
const MAX_PROVIDER_MESSAGE = 300;

/**
 * The delay a provider asked for: `retry-after-ms` (OpenAI), else
 * `Retry-After` in seconds or as an HTTP date; `undefined` when absent or unreadable.
 *
 * @example
 * retryAfterMs({ 'retry-after': '2' }) // => 2000
 */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const ms = Number.parseFloat(lower['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const raw = lower['retry-after']?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number.parseFloat(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A provider's text as an error may carry it: on one line, credentials cut
 * out (the process's own API keys included, whatever their shape) before it
 * is shortened, so no key survives in part; `undefined` when empty.
 */
function providerText(raw: string | undefined): string | undefined {
  const text = redactProviderText((raw ?? '').replace(/\s+/g, ' ').trim());
  if (!text) return undefined;
  return text.length > MAX_PROVIDER_MESSAGE ? `${text.slice(0, MAX_PROVIDER_MESSAGE)}...` : text;
}

function providerMessage(error: APICallError): string | undefined {
  return providerText(error.message || error.responseBody);
}

function fromApiCall(error: APICallError, site: ModelCallSite): Error {
  const status = error.statusCode;
  const details: ModelErrorDetails = { statusCode: status, providerMessage: providerMessage(error) };
  const said = `${error.message} ${error.responseBody ?? ''}`;
  if (status === 401 || status === 403) return new ModelAuthenticationError(site, details);
  if (status === 429) {
    return new ModelRateLimitError(site, { ...details, nextRetryDelayMs: retryAfterMs(error.responseHeaders) }, QUOTA.test(said));
  }
  if (status === 413 || (status !== undefined && status >= 400 && status < 500 && CONTEXT_LENGTH.test(said))) {
    return new ModelContextLengthError(site, details);
  }
  if (status === 400 || status === 404 || status === 422) return new ModelInvalidRequestError(site, details);
  // 408, 409, 5xx, other statuses and unreachable servers: a later attempt may succeed
  return new ModelProviderError(site, { ...details, nextRetryDelayMs: retryAfterMs(error.responseHeaders) });
}

// The AI SDK wraps fetch's "fetch failed" TypeError itself, but checks it with
// `instanceof TypeError`, which misses errors from another realm (Jest's sandbox);
// so does `instanceof Error`, hence the duck typing.
function isFetchFailure(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'TypeError' && typeof message === 'string' && /^(fetch failed|failed to fetch)$/i.test(message);
}

/**
 * An error body a provider sent inside a stream that had started (OpenAI's
 * `{ message, type, code }`, Anthropic's `{ type: 'overloaded_error', message }`):
 * the AI SDK passes it on as it came, not as an `APICallError`.
 */
function streamErrorBody(error: unknown): { message: string; kind: string } | undefined {
  // a plain object: errors (of any realm) and DOMExceptions have a name and a stack
  if (typeof error !== 'object' || error === null || error instanceof Error || 'name' in error || 'stack' in error) return undefined;
  const { message, type, code } = error as { message?: unknown; type?: unknown; code?: unknown };
  if (typeof message !== 'string') return undefined;
  return { message, kind: [type, code].filter((value) => typeof value === 'string').join(' ') };
}

function fromStreamError(body: { message: string; kind: string }, site: ModelCallSite): Error {
  const details: ModelErrorDetails = { providerMessage: providerText(body.message) };
  const said = `${body.kind} ${body.message}`;
  if (/rate_limit/i.test(body.kind) || QUOTA.test(said)) return new ModelRateLimitError(site, details, QUOTA.test(said));
  if (CONTEXT_LENGTH.test(said)) return new ModelContextLengthError(site, details);
  // overloaded, server errors and anything else the provider gave up on mid-answer: a later attempt may succeed
  return new ModelProviderError(site, details, 'failed while streaming its answer');
}

/**
 * Turns what an AI SDK call threw into a named model error of this package
 * (naming the agent and the provider, carrying `nonRetryable` and
 * `nextRetryDelayMs`), error bodies a provider sent in the middle of a
 * stream included; anything else (a `ToolError`, an abort) comes back unchanged.
 * The provider's words (messages, error bodies, fetch failures) enter the
 * error with credentials cut out: shaped ones and the API keys of the
 * environment, which are registered with `@flock-ts/secrets` so later
 * redactions (an activity's failure stacks) cut them too. The raw
 * `APICallError` is not kept as `cause`: it holds the request and response.
 *
 * @example
 * try { await generateText(...) } catch (error) { throw toModelError(error, { agent: 'writer', provider: 'openai', model: 'gpt-4o-mini' }) }
 */
export function toModelError(error: unknown, site: ModelCallSite): unknown {
  // also for errors passed on unchanged: an activity redacts their stacks with what is registered
  registerProviderKeys();
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(cause)) return fromApiCall(cause, site);
  if (LoadAPIKeyError.isInstance(cause)) {
    const who = site.router ? `Router "${site.router}" after agent "${site.agent}"` : `Agent "${site.agent}"`;
    return new ModelConfigurationError(`model provider "${site.provider}" (model "${site.model}") has no API key: ${providerText(cause.message) ?? 'none set'}`, who);
  }
  if (isFetchFailure(cause)) {
    const reason = (cause as { cause?: { message?: string }; message: string }).cause?.message;
    return new ModelProviderError(site, { providerMessage: providerText(reason ?? (cause as { message: string }).message) });
  }
  if (ToolChoiceViolationError.isInstance(cause)) {
    // told to answer (its tool calls were spent) and calling tools anyway: another call would do the same
    return new ModelOutputError(site, `the model called tools when told to answer (tool choice "${cause.toolChoice.type}")`, '', true);
  }
  if (NoObjectGeneratedError.isInstance(cause) || NoOutputGeneratedError.isInstance(cause)) {
    return new ModelOutputError(site, cause.message);
  }
  const streamed = streamErrorBody(cause);
  if (streamed) return fromStreamError(streamed, site);
  return cause;
}
