import { clearRegisteredSecretValues, redactSecretsInText } from '@flock-ts/secrets';
import { providerKeyValues, redactProviderText, registerProviderKeys } from './provider-keys';

afterEach(() => clearRegisteredSecretValues());

describe('providerKeyValues', () => {
  it('reads every API_KEY variable and nothing else', () => {
    const env = {
      OPENAI_API_KEY: 'openai-key-0001',
      ANTHROPIC_API_KEY: 'anthropic-key-0001',
      OPENAI_COMPATIBLE_API_KEY: 'local-test-key-123',
      FLOCK_OPENAI_API_KEY: 'flock-key-0001',
      API_KEY: 'bare-key-00001',
      OPENAI_API_KEY_FILE: '/run/secrets/openai',
      FLOCK_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      GROQ_API_KEY: '  ',
      HOME: '/root',
    };
    expect(providerKeyValues(env).sort()).toEqual(['anthropic-key-0001', 'bare-key-00001', 'flock-key-0001', 'local-test-key-123', 'openai-key-0001']);
  });
});

describe('registerProviderKeys', () => {
  it('registers the keys of the environment and the ones given', () => {
    registerProviderKeys({ OPENAI_API_KEY: 'openai-key-0001' }, 'explicit-key-0001', undefined);
    expect(redactSecretsInText('openai-key-0001 / explicit-key-0001')).toBe('[redacted] / [redacted]');
  });
});

describe('redactProviderText', () => {
  it('cuts the keys of the environment out, whatever their shape', () => {
    expect(redactProviderText('Incorrect API key provided: local-test-key-123', { OPENAI_COMPATIBLE_API_KEY: 'local-test-key-123' })).toBe(
      'Incorrect API key provided: [redacted]',
    );
  });

  it('leaves a text without credentials alone', () => {
    expect(redactProviderText('The server is overloaded', {})).toBe('The server is overloaded');
  });
});
