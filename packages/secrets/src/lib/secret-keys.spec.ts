import { FAKE } from './fake-secrets.fixture';
import { findSecretKey, redactSecretsInValues } from './secret-keys';

describe('findSecretKey', () => {
  it('finds a secret-named entry at any depth, naming its path', () => {
    expect(findSecretKey({ topic: 'x', auth: { pass: 'p' } }, 'input')).toBe('input.auth.pass');
    expect(findSecretKey({ list: [{ apiKey: 'k' }] }, 'input')).toBe('input.list[0].apiKey');
    expect(findSecretKey(new Map([['token', 't']]), 'm')).toBe('m.token');
  });

  it('ignores entries that cannot carry a secret and names that only look like one', () => {
    expect(findSecretKey({ apiKey: null, token: false, topic: 'sk-customer-support-bot' })).toBeUndefined();
  });
});

describe('redactSecretsInValues', () => {
  it('cuts credentials out of strings at any depth and copies only what changed', () => {
    const input = { note: `my key is ${FAKE.openai}`, nested: { list: ['fine', `Bearer ${FAKE.jwt}`] }, untouched: { a: 1 } };
    const out = redactSecretsInValues(input);
    expect(out.note).toBe('my key is [redacted]');
    expect(out.nested.list[0]).toBe('fine');
    expect(out.nested.list[1]).not.toContain(FAKE.jwt);
    expect(out.untouched).toBe(input.untouched);
    expect(input.note).toContain(FAKE.openai);
  });

  it('returns the value itself when there is nothing to cut', () => {
    const input = { a: 'plain', b: [1, 2] };
    expect(redactSecretsInValues(input)).toBe(input);
  });
});

describe('findSecretKey with a narrower rule', () => {
  it('lets the caller decide which secret-named entries count', () => {
    const onlyLongValues = (_key: string, value: unknown) => typeof value === 'string' && value.length > 8;
    expect(findSecretKey({ token: 'run-1' }, 'input', undefined, onlyLongValues)).toBeUndefined();
    expect(findSecretKey({ nested: { token: 'a-much-longer-value' } }, 'input', undefined, onlyLongValues)).toBe('input.nested.token');
  });
});
