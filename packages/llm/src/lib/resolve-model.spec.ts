import { clearRegisteredSecretValues, redactSecretsInText } from '@flock-ts/secrets';
import { parseModelId, pickModelId, resolveModel } from './resolve-model';

describe('parseModelId', () => {
  it('splits at the first colon so model names keep theirs', () => {
    expect(parseModelId('openai:gpt-4o-mini')).toEqual({ provider: 'openai', name: 'gpt-4o-mini' });
    expect(parseModelId('openai-compatible:qwen2.5:7b')).toEqual({ provider: 'openai-compatible', name: 'qwen2.5:7b' });
  });

  it('rejects unknown providers and bare names, listing the known providers', () => {
    expect(() => parseModelId('gpt-4o')).toThrow(/known provider \(openai, anthropic, openai-compatible\)/);
    expect(() => parseModelId('mistral:large')).toThrow(expect.objectContaining({ name: 'ModelConfigurationError' }));
    expect(() => parseModelId('openai:')).toThrow(/is not "<provider>:<model>"/);
  });
});

describe('resolveModel', () => {
  it('makes OpenAI, Anthropic and OpenAI-compatible models', () => {
    const env = { FLOCK_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    expect([resolveModel('openai:gpt-4o-mini', { env }).provider, resolveModel('openai:gpt-4o-mini', { env }).modelId]).toEqual(['openai.responses', 'gpt-4o-mini']);
    expect(resolveModel('anthropic:claude-sonnet-4-5', { env }).provider).toBe('anthropic.messages');
    const local = resolveModel('openai-compatible:llama3.2', { env });
    expect([local.provider, local.modelId]).toEqual(['openai-compatible.chat', 'llama3.2']);
  });

  it('registers the keys it may use as secret values, so redaction cuts them whatever their shape', () => {
    try {
      resolveModel('openai-compatible:llama3.2', { apiKey: 'explicit-key-0001', env: { FLOCK_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', FLOCK_OPENAI_API_KEY: 'env-key-00002' } });
      expect(redactSecretsInText('sent explicit-key-0001, then env-key-00002')).toBe('sent [redacted], then [redacted]');
    } finally {
      clearRegisteredSecretValues();
    }
  });

  it('needs a base URL for OpenAI-compatible servers', () => {
    expect(() => resolveModel('openai-compatible:llama3.2', { env: {} })).toThrow(/set FLOCK_OPENAI_BASE_URL/);
    expect(resolveModel('openai-compatible:llama3.2', { env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } }).modelId).toBe('llama3.2');
  });
});

describe('pickModelId', () => {
  const env = { FLOCK_MODEL: 'openai:from-env' };

  it('prefers the agent, then the flock, then FLOCK_MODEL', () => {
    expect(pickModelId({ agent: 'a', own: 'anthropic:own', flockModel: 'openai:flock', env })).toBe('anthropic:own');
    expect(pickModelId({ agent: 'a', flockModel: 'openai:flock', env })).toBe('openai:flock');
    expect(pickModelId({ agent: 'a', env })).toBe('openai:from-env');
  });

  it('names the agent when no model is configured anywhere', () => {
    expect(() => pickModelId({ agent: 'writer', env: {} })).toThrow('Agent "writer": no model configured');
  });
});
