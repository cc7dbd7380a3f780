import { clearRegisteredSecretValues, redactSecretsInText } from '@flock-ts/secrets';
import { FAKE } from '@flock-ts/secrets/testing';
import { APICallError, LoadAPIKeyError, NoObjectGeneratedError, RetryError } from 'ai';
import { retryAfterMs, toModelError } from './classify-error';
import type { ModelError } from './errors';

const site = { agent: 'writer', provider: 'openai-compatible', model: 'local' };

function apiError(statusCode: number | undefined, message: string, headers: Record<string, string> = {}, responseBody?: string): APICallError {
  return new APICallError({ message, url: 'http://x/v1/chat/completions', requestBodyValues: {}, statusCode, responseHeaders: headers, responseBody });
}

function classify(error: unknown): ModelError {
  return toModelError(error, site) as ModelError;
}

describe('retryAfterMs', () => {
  it('reads retry-after-ms first, then Retry-After in seconds', () => {
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    expect(retryAfterMs({ 'Retry-After': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0.5' })).toBe(500);
  });

  it('reads Retry-After as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }, now)).toBe(3000);
  });

  it('gives nothing for absent or unreadable headers', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
  });
});

describe('toModelError', () => {
  it('makes 401 and 403 non-retryable authentication errors', () => {
    for (const status of [401, 403]) {
      const error = classify(apiError(status, 'Incorrect API key'));
      expect([error.name, error.nonRetryable, error.statusCode]).toEqual(['ModelAuthenticationError', true, status]);
    }
  });

  it('makes a 429 retryable after Retry-After', () => {
    const error = classify(apiError(429, 'Rate limit reached', { 'retry-after': '1' }));
    expect([error.name, error.nonRetryable, error.nextRetryDelayMs]).toEqual(['ModelRateLimitError', false, 1000]);
  });

  it('makes an exhausted quota non-retryable', () => {
    const error = classify(apiError(429, 'You exceeded your current quota', {}, '{"error":{"code":"insufficient_quota"}}'));
    expect([error.name, error.nonRetryable]).toEqual(['ModelRateLimitError', true]);
  });

  it('recognizes context-length errors among 400s', () => {
    const error = classify(apiError(400, "This model's maximum context length is 8192 tokens", {}, '{"error":{"code":"context_length_exceeded"}}'));
    expect([error.name, error.nonRetryable]).toEqual(['ModelContextLengthError', true]);
  });

  it('makes other 400s and unknown models non-retryable invalid requests', () => {
    expect(classify(apiError(400, 'Invalid schema for response_format')).name).toBe('ModelInvalidRequestError');
    expect(classify(apiError(404, 'The model `gpt-9` does not exist')).nonRetryable).toBe(true);
  });

  it('makes 5xx and unreachable servers retryable provider errors', () => {
    const error = classify(apiError(503, 'overloaded', { 'retry-after': '3' }));
    expect([error.name, error.nonRetryable, error.nextRetryDelayMs]).toEqual(['ModelProviderError', false, 3000]);
    expect(classify(apiError(undefined, 'Cannot connect to API: ECONNREFUSED')).message).toContain('could not be reached');
  });

  it('looks through the AI SDK retry wrapper', () => {
    const wrapped = new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [apiError(500, 'a'), apiError(401, 'b')] });
    expect(classify(wrapped).name).toBe('ModelAuthenticationError');
  });

  it('turns a missing API key into a configuration error naming the agent', () => {
    const error = classify(new LoadAPIKeyError({ message: 'OpenAI API key is missing' }));
    expect(error.name).toBe('ModelConfigurationError');
    expect(error.message).toMatch(/^Agent "writer": model provider "openai-compatible"/);
  });

  it('turns an unparsable answer into a retryable output error', () => {
    const error = classify(
      new NoObjectGeneratedError({
        message: 'No object generated',
        text: 'not json',
        response: { id: '1', timestamp: new Date(), modelId: 'local' },
        usage: {} as never,
        finishReason: 'stop',
      }),
    );
    expect([error.name, error.nonRetryable]).toEqual(['ModelOutputError', false]);
  });

  it('classifies error bodies a provider sent in the middle of a stream', () => {
    const overloaded = classify({ message: 'The server is overloaded', type: 'server_error', code: null });
    expect([overloaded.name, overloaded.nonRetryable, overloaded.statusCode]).toEqual(['ModelProviderError', false, undefined]);
    expect(overloaded.message).toBe('Agent "writer": model provider "openai-compatible" (model "local") failed while streaming its answer: The server is overloaded');
    expect(classify({ type: 'overloaded_error', message: 'Overloaded' }).name).toBe('ModelProviderError');
    const limited = classify({ message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' });
    expect([limited.name, limited.nonRetryable]).toEqual(['ModelRateLimitError', false]);
    expect(classify({ message: 'You exceeded your current quota', code: 'insufficient_quota' }).nonRetryable).toBe(true);
    expect(classify({ message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' }).name).toBe('ModelContextLengthError');
  });

  it('leaves other errors alone', () => {
    const toolError = Object.assign(new Error('tool broke'), { name: 'ToolError' });
    expect(toModelError(toolError, site)).toBe(toolError);
    // errors of another realm are no stream error bodies either
    const foreign = { name: 'ToolError', message: 'tool broke', stack: 'ToolError: tool broke' };
    expect(toModelError(foreign, site)).toBe(foreign);
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(toModelError(abort, site)).toBe(abort);
  });
});

describe('toModelError cuts credentials out of what the provider said', () => {
  const key = 'local-test-key-123';
  const names = ['OPENAI_COMPATIBLE_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'FLOCK_OPENAI_API_KEY'] as const;
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));

  beforeEach(() => {
    for (const name of names) delete process.env[name];
    process.env['OPENAI_COMPATIBLE_API_KEY'] = key;
  });

  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    clearRegisteredSecretValues();
  });

  it('in an API error message: the key of the environment (no known shape) and shaped credentials', () => {
    const error = classify(apiError(401, `Incorrect API key provided: ${key}. Bearer ${FAKE.openai} was refused`));
    expect(error.message).toBe(
      'Agent "writer": model provider "openai-compatible" (model "local") rejected the credentials (HTTP 401): ' +
        'Incorrect API key provided: [redacted]. [redacted] was refused; check the API key in the environment',
    );
  });

  it('in an error body, when the message is empty', () => {
    const error = classify(apiError(500, '', {}, JSON.stringify({ error: { message: `upstream refused ${key}`, api_key: FAKE.anthropic } })));
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain(FAKE.anthropic);
    expect(error.message).toContain('upstream refused [redacted]');
  });

  it('before shortening a long message, so no part of a key survives', () => {
    // shortened first, the key's first 14 characters would stay
    const error = classify(apiError(400, `${'x'.repeat(285)} ${key} and more`));
    expect(error.message).not.toMatch(/local-tes/);
    expect(error.message).toMatch(/x \[redacted\] and\.\.\.$/);
  });

  it('in an error body sent in the middle of a stream', () => {
    const error = classify({ message: `The server is overloaded (key ${key})`, type: 'server_error', code: null });
    expect(error.message).toContain('failed while streaming its answer: The server is overloaded (key [redacted])');
  });

  it('in the reason of a fetch failure', () => {
    const failure = Object.assign(new TypeError('fetch failed'), { cause: new Error(`connect ECONNREFUSED https://user:${key}@127.0.0.1:1`) });
    const error = classify(failure);
    expect(error.name).toBe('ModelProviderError');
    expect(error.message).not.toContain(key);
    expect(error.message).toContain('could not be reached: connect ECONNREFUSED https://[redacted]@127.0.0.1:1');
  });

  it('in the text of a missing-key error', () => {
    const error = classify(new LoadAPIKeyError({ message: `API key is missing (tried ${key} from a stale file)` }));
    expect(error.name).toBe('ModelConfigurationError');
    expect(error.message).toContain('has no API key: API key is missing (tried [redacted] from a stale file)');
  });

  it('and registers the keys of the environment, so later redactions (failure stacks) cut them too', () => {
    expect(redactSecretsInText(`stack: ${key}`)).toBe(`stack: ${key}`);
    const passedOn = new Error(`Unclassified: ${key}`);
    expect(toModelError(passedOn, site)).toBe(passedOn);
    expect(redactSecretsInText(`stack: ${key}`)).toBe('stack: [redacted]');
  });
});
