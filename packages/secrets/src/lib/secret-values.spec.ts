import { looksLikeSecret, redactSecretsInText } from './secret-detection';
import { redactSecretsInValues } from './secret-keys';
import { clearRegisteredSecretValues, registerSecretValues, registeredSecretValues } from './secret-values';
import { FAKE } from './fake-secrets.fixture';

const key = 'local-test-key-123';

afterEach(() => clearRegisteredSecretValues());

describe('registerSecretValues', () => {
  it('makes a value of no known shape a secret', () => {
    const text = `401: Incorrect API key provided: ${key}`;
    expect(looksLikeSecret(text)).toBe(false);
    expect(redactSecretsInText(text)).toBe(text);
    registerSecretValues([key]);
    expect(looksLikeSecret(text)).toBe(true);
    expect(redactSecretsInText(text)).toBe('401: Incorrect API key provided: [redacted]');
  });

  it('cuts every occurrence, next to pattern matches, and inside values', () => {
    registerSecretValues([key]);
    expect(redactSecretsInText(`${key},${key} and ${FAKE.openai}`)).toBe('[redacted],[redacted] and [redacted]');
    expect(redactSecretsInValues({ note: `keys: ${key}` })).toEqual({ note: 'keys: [redacted]' });
  });

  it('skips blank, missing and short values, which would cut ordinary words', () => {
    registerSecretValues([undefined, '', '   ', 'ollama', 'none']);
    expect(registeredSecretValues()).toEqual([]);
    expect(redactSecretsInText('served by ollama, key none')).toBe('served by ollama, key none');
  });

  it('trims values and registers each once, longest first', () => {
    registerSecretValues([` ${key} `, key, 'another-key-0001-longer']);
    expect(registeredSecretValues()).toEqual(['another-key-0001-longer', key]);
  });

  it('is shared by every copy of the package in the process', () => {
    registerSecretValues([key]);
    const holder = globalThis as Record<symbol, unknown>;
    expect(holder[Symbol.for('@flock-ts/secrets.registered-values')]).toEqual(new Set([key]));
  });

  it('forgets the values when cleared', () => {
    registerSecretValues([key]);
    clearRegisteredSecretValues();
    expect(redactSecretsInText(key)).toBe(key);
  });
});
