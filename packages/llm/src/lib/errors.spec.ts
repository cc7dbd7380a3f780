import { clearRegisteredSecretValues } from '@flock-ts/secrets';
import { FAKE } from '@flock-ts/secrets/testing';
import {
  ModelAuthenticationError,
  ModelConfigurationError,
  ModelContextLengthError,
  ModelInvalidRequestError,
  ModelOutputError,
  ModelProviderError,
  ModelRateLimitError,
} from './errors';

const site = { agent: 'writer', provider: 'openai', model: 'gpt-4o-mini' };

describe('model errors', () => {
  it('name the agent, the provider and the model', () => {
    const error = new ModelAuthenticationError(site, { statusCode: 401, providerMessage: 'Incorrect API key provided' });
    expect(error.message).toBe(
      'Agent "writer": model provider "openai" (model "gpt-4o-mini") rejected the credentials (HTTP 401): Incorrect API key provided; check the API key in the environment',
    );
    expect([error.name, error.code, error.agent, error.provider, error.statusCode]).toEqual(['ModelAuthenticationError', 'MODEL_AUTHENTICATION', 'writer', 'openai', 401]);
  });

  it('name the agent once', () => {
    const errors = [
      new ModelAuthenticationError(site, { statusCode: 401, providerMessage: 'no' }),
      new ModelRateLimitError(site, { statusCode: 429, nextRetryDelayMs: 5 }),
      new ModelProviderError(site),
      new ModelOutputError(site, 'summary: expected string'),
      new ModelConfigurationError('no model configured', 'Agent "writer"'),
    ];
    expect(errors.map((error) => error.message.split('"writer"').length - 1)).toEqual([1, 1, 1, 1, 1]);
  });

  it('name the router and the agent it routes after, once each', () => {
    const error = new ModelProviderError({ ...site, router: 'triage' }, { statusCode: 503 });
    expect(error.message).toMatch(/^Router "triage" after agent "writer": model provider "openai"/);
    expect([error.message.split('"triage"').length, error.message.split('"writer"').length]).toEqual([2, 2]);
    expect(error.router).toBe('triage');
  });

  it("cut credentials out of the provider's message, the keys of the environment included", () => {
    const saved = process.env['OPENAI_API_KEY'];
    process.env['OPENAI_API_KEY'] = 'local-test-key-123';
    try {
      const error = new ModelAuthenticationError(site, { statusCode: 401, providerMessage: `Incorrect API key provided: local-test-key-123 (also tried ${FAKE.openai})` });
      expect(error.message).toBe(
        'Agent "writer": model provider "openai" (model "gpt-4o-mini") rejected the credentials (HTTP 401): Incorrect API key provided: [redacted] (also tried [redacted]); check the API key in the environment',
      );
    } finally {
      if (saved === undefined) delete process.env['OPENAI_API_KEY'];
      else process.env['OPENAI_API_KEY'] = saved;
      clearRegisteredSecretValues();
    }
  });

  it('say which failures a retry cannot fix', () => {
    const flags = [
      new ModelAuthenticationError(site),
      new ModelContextLengthError(site),
      new ModelInvalidRequestError(site),
      new ModelConfigurationError('no model'),
      new ModelRateLimitError(site),
      new ModelRateLimitError(site, {}, true),
      new ModelProviderError(site),
      new ModelOutputError(site, 'summary: expected string'),
    ].map((error) => [error.name, error.nonRetryable]);
    expect(flags).toEqual([
      ['ModelAuthenticationError', true],
      ['ModelContextLengthError', true],
      ['ModelInvalidRequestError', true],
      ['ModelConfigurationError', true],
      ['ModelRateLimitError', false],
      ['ModelRateLimitError', true],
      ['ModelProviderError', false],
      ['ModelOutputError', false],
    ]);
  });

  it('carry the delay a rate limit asked for', () => {
    const error = new ModelRateLimitError(site, { statusCode: 429, nextRetryDelayMs: 1000 });
    expect(error.nextRetryDelayMs).toBe(1000);
    expect(error.message).toBe('Agent "writer": model provider "openai" (model "gpt-4o-mini") is rate limiting (HTTP 429); retry after 1000 ms');
  });

  it('prefix a configuration error with its subject', () => {
    expect(new ModelConfigurationError('no model configured', 'Agent "writer"').message).toBe('Agent "writer": no model configured');
  });
});
